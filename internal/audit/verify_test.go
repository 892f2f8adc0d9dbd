package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fixture builds a trail of four sealed files and an open one, five records
// each, and returns its directory and log file names.
func fixture(t *testing.T) (string, []string) {
	t.Helper()
	c := newClock("2025-03-04T10:00:00Z")
	tr, dir := openTrail(t, c, 0)
	for f := range 5 {
		for i := range 5 {
			mustAppend(t, tr, rec(f*5+i))
			c.Add(time.Second)
		}
		if f < 4 {
			if err := tr.Rotate(); err != nil {
				t.Fatal(err)
			}
		}
	}
	tr.Close()
	names := logNames(t, dir)
	if len(names) != 5 {
		t.Fatalf("fixture has %d files", len(names))
	}
	return dir, names
}

// rewrite replaces a file's content, as an attacker with write access would.
func rewrite(t *testing.T, path string, edit func([]byte) []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, edit(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// editLine changes record line n (1-based) of a log file.
func editLine(t *testing.T, path string, n int) {
	t.Helper()
	rewrite(t, path, func(b []byte) []byte {
		lines := bytes.SplitAfter(b, []byte("\n"))
		lines[n-1] = bytes.Replace(lines[n-1], []byte(`"echo `), []byte(`"ECHO `), 1)
		return bytes.Join(lines, nil)
	})
}

// keepLines cuts a log file to its first n lines plus extra bytes of the next.
func keepLines(t *testing.T, path string, n, extra int) {
	t.Helper()
	rewrite(t, path, func(b []byte) []byte {
		lines := bytes.SplitAfter(b, []byte("\n"))
		out := bytes.Join(lines[:n], nil)
		return append(out, lines[n][:extra]...)
	})
}

func swap(t *testing.T, a, b string) {
	t.Helper()
	tmp := a + ".swap"
	for _, mv := range [][2]string{{a, tmp}, {b, a}, {tmp, b}} {
		if err := os.Rename(mv[0], mv[1]); err != nil {
			t.Fatal(err)
		}
	}
}

func remove(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	type at struct{ file, line int } // file index; file -1: nothing trusted
	tests := []struct {
		name    string
		tamper  func(t *testing.T, dir string, names []string, p func(int) string, d func(int) string)
		kinds   []string
		trusted at
	}{
		{"edit a record in a closed file", func(t *testing.T, dir string, n []string, p, d func(int) string) {
			editLine(t, p(1), 3)
		}, []string{KindAltered}, at{1, 2}},
		{"edit the last record of a closed file", func(t *testing.T, dir string, n []string, p, d func(int) string) {
			editLine(t, p(1), 5)
		}, []string{KindAltered, KindReordered}, at{1, 4}},
		{"edit a record in the open file", func(t *testing.T, dir string, n []string, p, d func(int) string) {
			editLine(t, p(4), 2)
		}, []string{KindAltered}, at{4, 1}},
		{"insert a record into the open file", func(t *testing.T, dir string, n []string, p, d func(int) string) {
			rewrite(t, p(4), func(b []byte) []byte {
				lines := bytes.SplitAfter(b, []byte("\n"))
				return bytes.Join(append(lines[:2:2], append([][]byte{lines[1]}, lines[2:]...)...), nil)
			})
		}, []string{KindAltered}, at{4, 1}},
		{"remove a record from a closed file", func(t *testing.T, dir string, n []string, p, d func(int) string) {
			rewrite(t, p(2), func(b []byte) []byte {
				lines := bytes.SplitAfter(b, []byte("\n"))
				return bytes.Join(append(lines[:1:1], lines[2:]...), nil)
			})
		}, []string{KindAltered}, at{1, 5}},
		{"delete a closed file and its digest", func(t *testing.T, dir string, n []string, p, d func(int) string) {
			remove(t, p(2), d(2))
		}, []string{KindMissing}, at{1, 5}},
		{"delete a closed file, keeping its digest", func(t *testing.T, dir string, n []string, p, d func(int) string) {
			remove(t, p(2))
		}, []string{KindMissing}, at{1, 5}},
		{"delete the first file", func(t *testing.T, dir string, n []string, p, d func(int) string) {
			remove(t, p(0), d(0))
		}, []string{KindMissing}, at{-1, 0}},
		{"delete a digest", func(t *testing.T, dir string, n []string, p, d func(int) string) {
			remove(t, d(1))
		}, []string{KindMissing}, at{0, 5}},
		{"reorder files by swapping their contents", func(t *testing.T, dir string, n []string, p, d func(int) string) {
			swap(t, p(1), p(2))
		}, []string{KindAltered, KindReordered}, at{0, 5}},
		{"reorder files with their digests", func(t *testing.T, dir string, n []string, p, d func(int) string) {
			swap(t, p(1), p(2))
			swap(t, d(1), d(2))
		}, []string{KindAltered, KindReordered}, at{0, 5}},
		{"truncate a closed file at a record boundary", func(t *testing.T, dir string, n []string, p, d func(int) string) {
			keepLines(t, p(1), 3, 0)
		}, []string{KindTruncated}, at{1, 3}},
		{"truncate a closed file inside a record", func(t *testing.T, dir string, n []string, p, d func(int) string) {
			keepLines(t, p(1), 3, 40)
		}, []string{KindTruncated}, at{1, 3}},
		{"swap two digests", func(t *testing.T, dir string, n []string, p, d func(int) string) {
			swap(t, d(1), d(2))
		}, []string{KindAltered}, at{0, 5}},
		{"forge a digest with another key", func(t *testing.T, dir string, n []string, p, d func(int) string) {
			editLine(t, p(3), 2)
			rechain(t, dir, n, 3) // hide the edit from the record chain too
			forgeDigest(t, dir, n, 3)
		}, []string{KindSignature}, at{2, 5}},
		{"alter a digest, keeping its signature", func(t *testing.T, dir string, n []string, p, d func(int) string) {
			rewrite(t, d(2), func(b []byte) []byte {
				return bytes.Replace(b, []byte(`"recordCount": 5`), []byte(`"recordCount": 6`), 1)
			})
		}, []string{KindSignature}, at{1, 5}},
		{"edit previousDigestSignature", func(t *testing.T, dir string, n []string, p, d func(int) string) {
			rewrite(t, d(3), func(b []byte) []byte {
				i := bytes.Index(b, []byte(`"previousDigestSignature": "`)) + len(`"previousDigestSignature": "`)
				b[i] ^= 1
				return b
			})
		}, []string{KindSignature, KindAltered}, at{2, 5}},
		{"delete the signing key", func(t *testing.T, dir string, n []string, p, d func(int) string) {
			remove(t, KeyPath(dir), KeyPath(dir)+".pub")
		}, []string{KindKey}, at{-1, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, names := fixture(t)
			p := func(i int) string { return filepath.Join(dir, names[i]) }
			d := func(i int) string { return filepath.Join(dir, digestName(names[i])) }
			tc.tamper(t, dir, names, p, d)
			r := Verify(dir, time.Time{}, time.Time{})
			if r.OK() {
				t.Fatalf("tampering not detected: %+v", r)
			}
			for _, k := range tc.kinds {
				if !hasKind(r, k) {
					t.Errorf("no %q problem in %v", k, r.Problems)
				}
			}
			switch {
			case tc.trusted.file < 0:
				if r.TrustedThrough != nil {
					t.Errorf("trustedThrough = %+v, want nil", r.TrustedThrough)
				}
			default:
				want := names[tc.trusted.file]
				if r.TrustedThrough == nil || r.TrustedThrough.File != want || r.TrustedThrough.Line != tc.trusted.line {
					t.Errorf("trustedThrough = %+v, want %s:%d\nproblems: %v", r.TrustedThrough, want, tc.trusted.line, r.Problems)
				}
			}
		})
	}
}

// rechain recomputes the prevHash of every record from file i on, as a
// forger hiding an edit from the record chain would.
func rechain(t *testing.T, dir string, names []string, i int) {
	t.Helper()
	head := ""
	if i > 0 {
		prev := readLines(t, filepath.Join(dir, names[i-1]))
		head = lineHash([]byte(prev[len(prev)-1]))
	}
	for _, name := range names[i:] {
		rewrite(t, filepath.Join(dir, name), func(b []byte) []byte {
			var out bytes.Buffer
			lines, _ := splitLines(b)
			for _, line := range lines {
				var r Record
				if err := json.Unmarshal(line, &r); err != nil {
					t.Fatal(err)
				}
				r.PrevHash = head
				var one bytes.Buffer
				enc := json.NewEncoder(&one)
				enc.SetEscapeHTML(false)
				if err := enc.Encode(&r); err != nil {
					t.Fatal(err)
				}
				head = lineHash(bytes.TrimSuffix(one.Bytes(), []byte("\n")))
				out.Write(one.Bytes())
			}
			return out.Bytes()
		})
	}
}

// forgeDigest rewrites the digest of file i with a key of the forger's own,
// chaining it properly to the digest before it.
func forgeDigest(t *testing.T, dir string, names []string, i int) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, names[i]))
	if err != nil {
		t.Fatal(err)
	}
	prev, err := os.ReadFile(filepath.Join(dir, digestName(names[i-1])))
	if err != nil {
		t.Fatal(err)
	}
	d, err := newDigest(names[i], time.Now(), time.Now(), data, prev)
	if err != nil {
		t.Fatal(err)
	}
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	d.sign(priv)
	path := filepath.Join(dir, digestName(names[i]))
	rewrite(t, path, func([]byte) []byte { return d.marshal() })
}

func TestVerifyReportsATornLastRecordAsACrash(t *testing.T) {
	dir, names := fixture(t)
	open := filepath.Join(dir, names[4])
	// A crash during a write leaves part of a line after the durable ones.
	rewrite(t, open, func(b []byte) []byte { return append(b, b[:30]...) })
	r := Verify(dir, time.Time{}, time.Time{})
	want := "last record of " + names[4] + " incomplete (crash during write)"
	if !r.OK() || len(r.Warnings) != 1 || r.Warnings[0] != want {
		t.Fatalf("problems %v, warnings %q; want only the warning %q", r.Problems, r.Warnings, want)
	}
	if r.Records != 25 || r.TrustedThrough == nil || r.TrustedThrough.File != names[4] || r.TrustedThrough.Line != 5 {
		t.Errorf("records %d, trustedThrough %+v; want 25 and %s:5", r.Records, r.TrustedThrough, names[4])
	}

	// The next writer leaves the torn line where it is, seals the file and
	// chains its record to the last complete one.
	tr, err := Open(dir, Options{Now: newClock("2025-03-04T10:01:00Z").Now})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	mustAppend(t, tr, rec(99))
	r = Verify(dir, time.Time{}, time.Time{})
	if !r.OK() || len(r.Warnings) != 1 || r.Warnings[0] != want || r.Records != 26 {
		t.Fatalf("after recovery: problems %v, warnings %q, records %d", r.Problems, r.Warnings, r.Records)
	}
	if n := len(logNames(t, dir)); n != 6 {
		t.Errorf("%d files after recovery, want 6 (a new one after the torn file)", n)
	}
}

func TestVerifyTimeRange(t *testing.T) {
	c := newClock("2025-03-04T10:00:00Z")
	tr, dir := openTrail(t, c, 0)
	for i := range 6 {
		mustAppend(t, tr, rec(i))
		c.Add(time.Hour)
	}
	names := logNames(t, dir)
	editLine(t, filepath.Join(dir, names[0]), 1) // outside the range below
	from, _ := time.Parse(time.RFC3339, "2025-03-04T12:30:00Z")
	to, _ := time.Parse(time.RFC3339, "2025-03-04T14:10:00Z")
	r := Verify(dir, from, to)
	mustOK(t, r)
	if r.Files != 3 || !strings.Contains(r.TrustedThrough.File, "T14") {
		t.Errorf("range check read %d files through %+v, want 3 (12h to 14h)", r.Files, r.TrustedThrough)
	}
	if r := Verify(dir, time.Time{}, time.Time{}); r.OK() {
		t.Error("the edit before the range went unnoticed by a full check")
	}
}

func TestVerifyEmptyAndMissingTrail(t *testing.T) {
	mustOK(t, Verify(filepath.Join(t.TempDir(), "none"), time.Time{}, time.Time{}))
}
