package audit

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTrailingPrevHash(t *testing.T) {
	h := lineHash([]byte("x"))
	for _, tc := range []struct {
		line, want string
		ok         bool
	}{
		{`{"a":1,"prevHash":""}`, "", true},
		{`{"a":1,"prevHash":"` + h + `"}`, h, true},
		{`{"prevHash":"` + h + `","a":1}`, "", false},      // not last: parse
		{`{"a":1,"prevHash":"` + h[:63] + `"}`, "", false}, // too short
		{`{"a":1,"prevHash":"` + h + `" }`, "", false},
		{`{"a":1,"prevhash":"` + h + `"}`, "", false},
		{`"prevHash":""}`, "", false},
		{``, "", false},
	} {
		got, ok := trailingPrevHash([]byte(tc.line))
		if ok != tc.ok || string(got) != tc.want {
			t.Errorf("trailingPrevHash(%s) = %q, %v; want %q, %v", tc.line, got, ok, tc.want, tc.ok)
		}
	}
}

// editLines rewrites record lines of a log file with edit(line number,
// line), keeping the newlines.
func editLines(t *testing.T, path string, edit func(n int, line []byte) []byte) {
	t.Helper()
	rewrite(t, path, func(b []byte) []byte {
		lines, _ := splitLines(b)
		var out bytes.Buffer
		for i, l := range lines {
			out.Write(edit(i+1, l))
			out.WriteByte('\n')
		}
		return out.Bytes()
	})
}

func TestVerifyParsesWhatTheChainCannotVouchFor(t *testing.T) {
	breakJSON := func(l []byte) []byte {
		return bytes.Replace(l, []byte(`"decision":"allow"`), []byte(`"decision":allow"`), 1)
	}
	tests := []struct {
		name string
		edit func(n int, line []byte) []byte // on the open file, names[4]
		want []string                        // problems, with FILE for the file's name
	}{
		{"the last record is not JSON", func(n int, l []byte) []byte {
			if n == 5 {
				return breakJSON(l)
			}
			return l
		}, []string{"FILE:5: record is not valid JSON (altered)"}},
		{"a record inside is not JSON", func(n int, l []byte) []byte {
			if n == 2 {
				return breakJSON(l)
			}
			return l
		}, []string{"FILE:2: record is not valid JSON (altered)", "FILE:3: record does not chain to record 2 (that record was altered, or records were removed or inserted between them)"}},
		{"a record without prevHash", func(n int, l []byte) []byte {
			if n == 5 {
				var m map[string]any
				json.Unmarshal(l, &m)
				delete(m, "prevHash")
				l, _ = json.Marshal(m)
			}
			return l
		}, []string{"FILE:5: record has no prevHash (altered)"}},
		{"keys in another order: prevHash is found by parsing", func(n int, l []byte) []byte {
			if n == 5 {
				var m map[string]any
				json.Unmarshal(l, &m)
				l, _ = json.Marshal(m) // sorted keys: prevHash is not last
				if bytes.HasSuffix(l, []byte(`"}`)) && bytes.Contains(l[len(l)-80:], []byte("prevHash")) {
					t.Fatalf("prevHash still last: %s", l)
				}
			}
			return l
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, names := fixture(t)
			editLines(t, filepath.Join(dir, names[4]), tc.edit)
			// Without the anchor, which sees any edit at the open file's
			// end: what is tested here is what the chain alone finds.
			r := VerifyWith(dir, VerifyOptions{AnchorFile: filepath.Join(t.TempDir(), "none.json")})
			var got []string
			for _, p := range r.Problems {
				got = append(got, strings.ReplaceAll(p.String(), names[4], "FILE"))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("problems\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if r.Records != 25 {
				t.Errorf("%d records, want 25", r.Records)
			}
		})
	}
}

func TestVerifyStreamsLinesLongerThanItsBuffer(t *testing.T) {
	tr, dir := openTrail(t, newClock("2025-03-04T10:00:00Z"), 0)
	// Records of up to ~200 KB, across the 1 MiB read buffer's edges.
	for i := range 30 {
		big, _ := json.Marshal(map[string]string{"content": strings.Repeat("y", (i*37_501)%(maxDocument-100))})
		mustAppend(t, tr, Record{Tool: "fs_write", Decision: "allow", RequestParameters: big, ResponseElements: big})
	}
	if err := tr.Rotate(); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, tr, rec(1))
	r := Verify(dir, time.Time{}, time.Time{})
	mustOK(t, r)
	if r.Records != 31 || r.Digests != 1 {
		t.Errorf("records %d, digests %d; want 31 and 1", r.Records, r.Digests)
	}
	// A scanner with a buffer far smaller than the records grows it, and
	// sees the lines splitLines sees in the whole file.
	name := logNames(t, dir)[0]
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	lines, _ := splitLines(data)
	s := scanner{buf: make([]byte, 4096)}
	var seen []string
	sum, err := s.scan(bytes.NewReader(data), func(n int, line []byte, ls *[32]byte, prev []byte) {
		if n > 1 && string(prev) != string(lines[n-2]) || hexOf(ls) != lineHash(line) {
			t.Errorf("line %d: prev or hash wrong", n)
		}
		seen = append(seen, string(line))
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(lines) || sum.records != 30 || sum.torn || hexOf(&sum.last) != lineHash(lines[29]) {
		t.Fatalf("scanned %d lines (summary %d, torn %v), want 30", len(seen), sum.records, sum.torn)
	}
	for i := range lines {
		if seen[i] != string(lines[i]) {
			t.Fatalf("line %d differs", i+1)
		}
	}
}
