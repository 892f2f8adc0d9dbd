package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// resignAll replaces the trail's key by a forger's own and re-signs every
// digest with it, chained properly: everything but the anchor checks out.
func resignAll(t *testing.T, dir string, names []string) {
	t.Helper()
	remove(t, KeyPath(dir), KeyPath(dir)+".pub")
	priv, err := loadOrCreateKey(KeyPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	var prev []byte
	for _, name := range names {
		path := filepath.Join(dir, digestName(name))
		if _, err := os.Stat(path); err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		d, err := newDigest(name, time.Now(), time.Now(), data, prev)
		if err != nil {
			t.Fatal(err)
		}
		d.sign(priv)
		prev = d.marshal()
		rewrite(t, path, func([]byte) []byte { return prev })
	}
}

// copyTrail copies a trail directory as cp -a would, for a later restore.
func copyTrail(t *testing.T, from, to string) {
	t.Helper()
	if out, err := exec.Command("cp", "-a", from, to).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v: %s", err, out)
	}
}

func TestVerifyComparesTheTrailWithItsAnchor(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, dir string, names []string)
		kind   string
		says   string
	}{
		{"delete the open file", func(t *testing.T, dir string, n []string) {
			remove(t, filepath.Join(dir, n[4]))
		}, KindRolledBack, "the trail ends at log file 4, but it reached log file 5"},
		{"delete the newest files and digests", func(t *testing.T, dir string, n []string) {
			remove(t, filepath.Join(dir, n[4]), filepath.Join(dir, n[3]), filepath.Join(dir, digestName(n[3])))
		}, KindRolledBack, "the trail ends at log file 3"},
		{"delete the newest digest", func(t *testing.T, dir string, n []string) {
			remove(t, filepath.Join(dir, digestName(n[3])))
		}, KindMissing, "the newest digest written is missing"},
		{"empty the trail", func(t *testing.T, dir string, n []string) {
			for _, name := range n {
				remove(t, filepath.Join(dir, name))
				os.Remove(filepath.Join(dir, digestName(name)))
			}
		}, KindMissing, "the trail is empty"},
		{"remove the trail directory", func(t *testing.T, dir string, n []string) {
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
		}, KindMissing, "(emptied)"},
		{"cut the last record off the open file", func(t *testing.T, dir string, n []string) {
			keepLines(t, filepath.Join(dir, n[4]), 4, 0)
		}, KindRolledBack, "records cut off or an older copy restored"},
		{"edit the last record of the open file", func(t *testing.T, dir string, n []string) {
			editLine(t, filepath.Join(dir, n[4]), 5)
			rechain(t, dir, n, 4)
		}, KindRolledBack, "is not the one written there"},
		{"restore an older copy", func(t *testing.T, dir string, n []string) {
			old := filepath.Join(t.TempDir(), "old")
			copyTrail(t, dir, old)
			tr, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			mustAppend(t, tr, rec(100))
			tr.Close()
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			copyTrail(t, old, dir)
		}, KindRolledBack, "older copy restored"},
		{"replace the key and re-sign every digest", func(t *testing.T, dir string, n []string) {
			resignAll(t, dir, n)
		}, KindKey, "(key replaced)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, names := fixture(t)
			if r := Verify(dir, time.Time{}, time.Time{}); !r.OK() || len(r.Warnings) != 0 {
				t.Fatalf("fixture: %v %v", r.Problems, r.Warnings)
			}
			tc.tamper(t, dir, names)
			r := Verify(dir, time.Time{}, time.Time{})
			found := slices.ContainsFunc(r.Problems, func(p Problem) bool {
				return p.Kind == tc.kind && strings.Contains(p.Message, tc.says)
			})
			if !found {
				t.Fatalf("no %s problem saying %q in %v", tc.kind, tc.says, r.Problems)
			}
			// The writer refuses to go on from there: appending would move
			// the mark back and hide what was removed.
			tr, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			if err := tr.Append(rec(200)); err == nil {
				t.Fatal("appended to a trail behind its anchor")
			}
			if r2 := Verify(dir, time.Time{}, time.Time{}); r2.OK() {
				t.Fatal("the refused append made the trail look clean")
			}
		})
	}
}

func TestAnchorPinsTheKeyAndFollowsTheTrail(t *testing.T) {
	dir, names := fixture(t)
	a, err := ReadAnchor(AnchorPath(dir))
	if err != nil || a == nil {
		t.Fatalf("anchor: %v %v", a, err)
	}
	pub, err := LoadPublicKey(KeyPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	if a.KeyFingerprint != Fingerprint(pub) || a.PublicKey != base64.StdEncoding.EncodeToString(pub) {
		t.Errorf("anchor pins %s, the key is %s", a.KeyFingerprint, Fingerprint(pub))
	}
	fi, err := os.Stat(filepath.Join(dir, names[4]))
	if err != nil {
		t.Fatal(err)
	}
	if a.File != names[4] || a.Seq != 5 || a.Size != fi.Size() || a.DigestFile != digestName(names[3]) {
		t.Errorf("high-water mark %+v; want %s at %d bytes, digest of %s", a, names[4], fi.Size(), names[3])
	}
	if !strings.HasPrefix(AnchorPath(dir), os.Getenv("XDG_CONFIG_HOME")) {
		t.Errorf("anchor %s is not under q's configuration directory", AnchorPath(dir))
	}
}

func TestVerifyWithoutAnchorWarns(t *testing.T) {
	dir, _ := fixture(t)
	remove(t, AnchorPath(dir))
	r := Verify(dir, time.Time{}, time.Time{})
	if !r.OK() || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "no trust anchor") {
		t.Fatalf("problems %v, warnings %v; want only the missing anchor's warning", r.Problems, r.Warnings)
	}
}

func TestManagedPinnedKey(t *testing.T) {
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	dir := filepath.Join(t.TempDir(), "audit")
	if _, err := Open(dir, Options{PinnedKey: "not a key"}); err == nil {
		t.Error("Open accepted a malformed pinned key")
	}
	tr, err := Open(dir, Options{PinnedKey: Fingerprint(other)})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if err := tr.Append(rec(1)); err == nil || !strings.Contains(err.Error(), "managed settings") {
		t.Fatalf("append with a key other than the managed one: %v", err)
	}

	fresh := filepath.Join(t.TempDir(), "fresh")
	if r := VerifyWith(fresh, VerifyOptions{PinnedKey: Fingerprint(other)}); !r.OK() || len(r.Warnings) != 0 {
		t.Errorf("a trail not yet written, with a pinned key: %v %v", r.Problems, r.Warnings)
	}

	dir, _ = fixture(t)
	pub, err := LoadPublicKey(KeyPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, pin := range []string{Fingerprint(pub), base64.StdEncoding.EncodeToString(pub)} {
		if r := VerifyWith(dir, VerifyOptions{PinnedKey: pin}); !r.OK() {
			t.Errorf("pinned %s: %v", pin, r.Problems)
		}
	}
	r := VerifyWith(dir, VerifyOptions{PinnedKey: base64.StdEncoding.EncodeToString(other)})
	if r.OK() || r.Problems[0].Kind != KindKey {
		t.Fatalf("another pinned key: %v", r.Problems)
	}
}

func TestDigestSinkOutlivesTheAnchor(t *testing.T) {
	c := newClock("2025-03-04T10:00:00Z")
	sink := filepath.Join(t.TempDir(), "sink.jsonl")
	dir := filepath.Join(t.TempDir(), "audit")
	tr, err := Open(dir, Options{Now: c.Now, DigestSink: sink})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		mustAppend(t, tr, rec(i))
		c.Add(time.Hour) // each record seals the file before it
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	lines := readLines(t, sink)
	if len(lines) != 3 { // two seals and the close
		t.Fatalf("sink holds %d lines, want 3:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	names := logNames(t, dir)
	if r := VerifyWith(dir, VerifyOptions{DigestSink: sink}); !r.OK() {
		t.Fatalf("intact trail: %v", r.Problems)
	}

	// Whoever deletes the anchor with the newest file is still caught.
	remove(t, AnchorPath(dir), filepath.Join(dir, names[2]))
	r := VerifyWith(dir, VerifyOptions{DigestSink: sink})
	if !slices.ContainsFunc(r.Problems, func(p Problem) bool { return p.Kind == KindRolledBack && p.File == names[1] }) {
		t.Fatalf("no rolled-back problem from the sink: %v", r.Problems)
	}
	tr, err = Open(dir, Options{Now: c.Now, DigestSink: sink})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if err := tr.Append(rec(9)); err == nil || !strings.Contains(err.Error(), sink) {
		t.Fatalf("append after the rollback: %v, want a refusal naming the sink", err)
	}
}

func TestDeletingTheAnchorMidSessionDoesNotResetTheMark(t *testing.T) {
	c := newClock("2025-03-04T10:00:00Z")
	tr, dir := openTrail(t, c, 0)
	mustAppend(t, tr, rec(1))
	mustAppend(t, tr, rec(2))

	// The anchor alone gone: the writer puts it back and goes on.
	remove(t, AnchorPath(dir))
	mustAppend(t, tr, rec(3))
	if r := Verify(dir, time.Time{}, time.Time{}); !r.OK() || len(r.Warnings) != 0 {
		t.Fatalf("after the anchor was restored: %v %v", r.Problems, r.Warnings)
	}

	// The anchor and the open file gone: the writer refuses, and the
	// anchor it puts back lets verify see what happened.
	names := logNames(t, dir)
	remove(t, AnchorPath(dir), filepath.Join(dir, names[len(names)-1]))
	if err := tr.Append(rec(4)); err == nil || !strings.Contains(err.Error(), "behind its high-water mark") {
		t.Fatalf("append after the open file and the anchor were deleted: %v", err)
	}
	r := Verify(dir, time.Time{}, time.Time{})
	if !slices.ContainsFunc(r.Problems, func(p Problem) bool { return p.Kind == KindMissing && strings.Contains(p.Message, "(emptied)") }) {
		t.Fatalf("verify: %v %v", r.Problems, r.Warnings)
	}
}
