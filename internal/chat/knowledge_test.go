package chat

import (
	"reflect"
	"testing"
)

func TestCommandWords(t *testing.T) {
	t.Setenv("KB_TEST_DIR", "/srv/docs")
	got, err := commandWords(`add "my docs" $KB_TEST_DIR --include '*.{md,txt}' --exclude target/**`)
	want := []string{"add", "my docs", "/srv/docs", "--include", "*.{md,txt}", "--exclude", "target/**"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q %v, want %q", got, err, want)
	}
	for _, bad := range []string{`add x $(touch /tmp/kb-pwned)`, `add "unclosed`} {
		if w, err := commandWords(bad); err == nil {
			t.Errorf("%s: accepted as %q", bad, w)
		}
	}
}
