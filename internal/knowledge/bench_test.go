package knowledge_test

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/knowledge"
)

// benchFiles is the size of the tree the target is stated for:
// 10,000 files indexed in under a minute.
const benchFiles = 10000

// sourceTree writes n files of about 100 lines of code-like text, in
// nested folders: words drawn with Zipf frequencies, as in real code, from
// a 20,000-word vocabulary of plain words, camelCase identifiers and
// punctuation.
func sourceTree(tb testing.TB, root string, n int) int64 {
	tb.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	vocab := make([]string, 20000)
	punct := []string{"{", "}", "(", ")", ":=", "=", "if", "return", "func", "err", "nil", "//"}
	for i := range vocab {
		switch {
		case i < len(punct):
			vocab[i] = punct[i]
		case i%4 == 0:
			vocab[i] = fmt.Sprintf("%s%s%d", []string{"get", "set", "parse", "load", "user", "config", "handle", "item"}[i%8],
				[]string{"Value", "Name", "Error", "Path", "Index", "State"}[i%6], i)
		default:
			vocab[i] = fmt.Sprintf("%s%c%c", []string{"data", "time", "file", "list", "node", "read", "call", "part"}[i%8], 'a'+i%26, 'a'+i/26%26)
		}
	}
	zipf := rand.NewZipf(rng, 1.2, 1, uint64(len(vocab)-1))
	var total int64
	var b strings.Builder
	for i := range n {
		b.Reset()
		for l := range 100 {
			b.WriteString(strings.Repeat("\t", l%4))
			for range 6 {
				b.WriteString(vocab[zipf.Uint64()])
				b.WriteByte(' ')
			}
			b.WriteByte('\n')
		}
		p := filepath.Join(root, fmt.Sprintf("m%d/p%d/f%d.go", i%20, i%7, i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			tb.Fatal(err)
		}
		total += int64(b.Len())
	}
	return total
}

// BenchmarkIndex10k indexes a 10,000-file tree as q does, through the
// qdev-knowledge helper, and reports the time ("index-s") beside the time
// to just walk and read the same files ("read-s"), measured in the same run.
func BenchmarkIndex10k(b *testing.B) {
	helper := filepath.Join(b.TempDir(), knowledge.HelperName)
	if out, err := exec.Command("go", "build", "-o", helper, "github.com/qdev/qdev/cmd/qdev-knowledge").CombinedOutput(); err != nil {
		b.Fatalf("building the helper: %v\n%s", err, out)
	}
	root := b.TempDir()
	bytes := sourceTree(b, root, benchFiles)
	allow := func(string) error { return nil }
	var readTotal, indexTotal time.Duration
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		files := 0
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				if _, err := os.ReadFile(p); err != nil {
					return err
				}
				files++
			}
			return err
		})
		if err != nil || files != benchFiles {
			b.Fatalf("read %d files: %v", files, err)
		}
		readTotal += time.Since(start)

		s, err := knowledge.Open(filepath.Join(b.TempDir(), fmt.Sprint(i)), knowledge.Options{Judge: allow, Backend: knowledge.Helper(helper)})
		if err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		if _, _, err := s.Add("bench", root, knowledge.AddOptions{}); err != nil {
			b.Fatal(err)
		}
		ended := waitIdle(b, s)
		indexTotal += time.Since(start)
		if len(ended) != 1 || ended[0].State != knowledge.Ready || ended[0].Done != benchFiles {
			b.Fatalf("indexing ended: %+v", ended)
		}
		s.Close()
	}
	b.ReportMetric(indexTotal.Seconds()/float64(b.N), "index-s")
	b.ReportMetric(readTotal.Seconds()/float64(b.N), "read-s")
	b.ReportMetric(float64(bytes)/1e6, "MB")
}
