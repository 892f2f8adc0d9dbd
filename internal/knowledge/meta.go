package knowledge

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/qdev/qdev/internal/atomicfile"
	"github.com/qdev/qdev/internal/filelock"
	"github.com/qdev/qdev/internal/jsonerr"
)

// metaFile is the list of an agent's knowledge bases, in its folder.
const metaFile = "contexts.json"

// lockFile serialises changes to metaFile between q processes.
const lockFile = ".lock"

// meta is metaFile's content.
type meta struct {
	Bases []Base `json:"bases"`
}

// Names that become paths under the store's folder: checked when read, so
// an edited contexts.json cannot point a removal outside it.
var (
	idPattern    = regexp.MustCompile(`^[0-9a-f]{32}$`)
	indexPattern = regexp.MustCompile(`^idx-[0-9a-f]{16}$`)
	buildPattern = regexp.MustCompile(`^build-[0-9a-f]{16}$`)
)

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand documents so)
	return hex.EncodeToString(b)
}

// readMeta reads the bases from dir's metaFile; a missing file is no bases.
func readMeta(dir string) ([]Base, error) {
	p := filepath.Join(dir, metaFile)
	data, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var m meta
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, jsonerr.Explain(data, err).In(p)
	}
	names := map[string]bool{}
	for i, b := range m.Bases {
		bad := ""
		switch {
		case !idPattern.MatchString(b.ID):
			bad = "id is not 32 hexadecimal digits"
		case b.Index != "" && !indexPattern.MatchString(b.Index):
			bad = "index is not an index folder name"
		case b.Building != "" && !buildPattern.MatchString(b.Building):
			bad = "building is not a build folder name"
		case !filepath.IsAbs(b.Path):
			bad = "source_path is not absolute"
		case b.Name == "" || names[b.Name]:
			bad = "name is empty or used twice"
		}
		if bad != "" {
			return nil, fmt.Errorf("%s: bases[%d]: %s; fix or remove the file (the indexes are rebuilt with /knowledge add)", p, i, bad)
		}
		names[b.Name] = true
	}
	return m.Bases, nil
}

// writeMeta replaces dir's metaFile atomically.
func writeMeta(dir string, bases []Base) error {
	if bases == nil {
		bases = []Base{}
	}
	data, err := json.MarshalIndent(meta{Bases: bases}, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, metaFile), append(data, '\n'), 0o600)
}

// withMeta runs fn on the bases under dir's lock, held against other q
// processes, and writes back what fn returns. fn's error leaves the file
// as it was.
func withMeta(dir string, fn func([]Base) ([]Base, error)) error {
	unlock, err := filelock.Lock(filepath.Join(dir, lockFile))
	if err != nil {
		return fmt.Errorf("locking %s: %w", dir, err)
	}
	defer unlock()
	bases, err := readMeta(dir)
	if err != nil {
		return err
	}
	out, err := fn(bases)
	if err != nil {
		return err
	}
	return writeMeta(dir, out)
}
