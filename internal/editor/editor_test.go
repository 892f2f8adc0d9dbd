package editor

import (
	"context"
	"slices"
	"testing"
)

func TestCommand(t *testing.T) {
	for _, tc := range []struct {
		env  string
		want []string
	}{
		{"", []string{"vi", "/f"}},
		{"   ", []string{"vi", "/f"}},
		{"nano", []string{"nano", "/f"}},
		{"code --wait", []string{"code", "--wait", "/f"}},
	} {
		t.Setenv("EDITOR", tc.env)
		if got := Command(context.Background(), "/f").Args; !slices.Equal(got, tc.want) {
			t.Errorf("EDITOR=%q: %q, want %q", tc.env, got, tc.want)
		}
	}
}
