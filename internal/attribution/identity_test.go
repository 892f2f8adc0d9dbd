package attribution

import (
	"strings"
	"testing"
)

func TestSourceIdentity(t *testing.T) {
	tests := []struct {
		name, want string
		ok         bool
	}{
		{"alice", "alice", true},
		{"j.doe@example.com", "j.doe@example.com", true},
		{"CORP\\john smith", "CORP-john-smith", true},
		{"  bob  ", "bob", true},
		{"aws:admin", "aws-admin", true},
		{"zoë", "zo-", true},
		{strings.Repeat("x", 70), strings.Repeat("x", 64), true},
		{"a", "a", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := sourceIdentity(tt.name)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("sourceIdentity(%q) = %q, %v; want %q, ok=%v", tt.name, got, err, tt.want, tt.ok)
		}
	}
}

func TestSessionNameDefaultsAndSanitises(t *testing.T) {
	tests := []struct {
		opts Options
		want string
	}{
		{Options{UserName: "alice"}, "qdev-alice"},
		{Options{Environ: []string{"USER=bob", "USER=carol"}}, "qdev-carol"},
		{Options{UserName: "alice", SessionName: "my session/1"}, "my-session-1"},
		{Options{UserName: strings.Repeat("u", 80)}, "qdev-" + strings.Repeat("u", 59)},
	}
	for _, tt := range tests {
		if tt.opts.Environ == nil {
			tt.opts.Environ = []string{}
		}
		p := New(testRole, tt.opts)
		if p.session != tt.want {
			t.Errorf("New(%+v).session = %q, want %q", tt.opts, p.session, tt.want)
		}
	}
}

func TestUserNameFallsBackToOSUser(t *testing.T) {
	if got := userName("", []string{"HOME=/x"}); got == "" {
		t.Error("no user name from the OS account")
	}
	if got := userName("", []string{"USER=dave"}); got != "dave" {
		t.Errorf("userName = %q, want dave", got)
	}
}
