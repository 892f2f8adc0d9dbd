package permission

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/qdev/qdev/internal/managed"
	"github.com/qdev/qdev/internal/tool"
)

func TestKnowledgeIsJudgedAsARead(t *testing.T) {
	c, _ := newChecker(t, map[string]string{"fs_read": `{"deniedPaths": ["secret"]}`}, nil, Options{})
	in := filepath.Join(c.cwd, "docs")
	out := t.TempDir()
	secret := filepath.Join(c.cwd, "secret")
	decide := func(paths ...string) Decision {
		return c.Decide("knowledge", "", tool.Access{ReadPaths: paths})
	}
	if d := decide(in); d.Kind != Allow || d.Rule != "working directory read" {
		t.Errorf("base in the working directory: %+v", d)
	}
	if d := decide(in, out); d.Kind != Ask {
		t.Errorf("base outside: %+v", d)
	}
	if d := decide(filepath.Join(secret, "x")); d.Kind != Deny {
		t.Errorf("denied path: %+v", d)
	}
	if d := decide(); d.Kind != Ask {
		t.Errorf("no paths, not trusted: %+v", d)
	}
	if err := c.Trust("knowledge"); err != nil {
		t.Fatal(err)
	}
	if d := decide(in, out); d.Kind != Allow {
		t.Errorf("trusted: %+v", d)
	}
	if d := decide(secret); d.Kind != Deny {
		t.Errorf("trusted yet denied path: %+v", d)
	}
	if err := c.Untrust("knowledge"); err != nil {
		t.Fatal(err)
	}
	if d := decide(in); d.Kind != Ask || !d.Untrusted || d.Layer != LayerSession {
		t.Errorf("untrusted for the session, path fs_read may read: %+v", d)
	}
	c.Reset()
	if err := c.Untrust("fs_read"); err != nil {
		t.Fatal(err)
	}
	if d := decide(in); d.Kind != Ask {
		t.Errorf("fs_read untrusted: %+v", d)
	}
	if l := c.Label("knowledge", ""); l != "not trusted (deny rules apply)" {
		t.Errorf("label: %q", l)
	}
}

func TestReadDenied(t *testing.T) {
	c, _ := newChecker(t, map[string]string{"fs_read": `{"deniedPaths": ["secret", "**/*.pem"]}`}, nil, Options{TrustAll: true})
	// A link made after the rules were read still leads into the denied folder.
	if err := os.Symlink(filepath.Join(c.cwd, "secret"), filepath.Join(c.cwd, "alias")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(c.cwd, "secret"), 0o755); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{
		filepath.Join(c.cwd, "secret", "a"): true,
		filepath.Join(c.cwd, "x", "k.pem"):  true,
		filepath.Join(c.cwd, "alias", "a"):  true,
		filepath.Join(c.cwd, "docs", "a"):   false,
	} {
		d, denied := c.ReadDenied(p)
		if denied != want || (denied && (d.Kind != Deny || d.Rule == "")) {
			t.Errorf("ReadDenied(%s) = %+v %v, want %v", p, d, denied, want)
		}
	}
	bad, _ := newChecker(t, map[string]string{"fs_read": `{"deniedPaths": "secret"}`}, nil, Options{})
	if _, denied := bad.ReadDenied(filepath.Join(bad.cwd, "anything")); !denied {
		t.Error("unreadable fs_read settings let a path through")
	}
	l := &Layered{Checker: c, Managed: &managed.Settings{DeniedTools: []string{"knowledge"}}}
	if d, denied := l.ReadDenied(filepath.Join(c.cwd, "docs", "a")); !denied || d.Layer != LayerManaged {
		t.Errorf("managed deny: %+v %v", d, denied)
	}
	if d, denied := (&Layered{Checker: c}).ReadDenied(filepath.Join(c.cwd, "docs", "a")); denied {
		t.Errorf("no managed layer: %+v", d)
	}
}
