// Package notice remembers, in q's data directory, which notices the user
// has already been shown, so that a warning about a file (an attribute
// qdev ignores, two agent files defining one name) is shown once per
// version of that file rather than at every start.
package notice

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/qdev/qdev/internal/atomicfile"
	"github.com/qdev/qdev/internal/paths"
)

// FileName is the record's name inside the data directory.
const FileName = "notices.json"

// maxEntries bounds the record: the oldest notices are forgotten first,
// and a forgotten notice is merely shown again.
const maxEntries = 2000

// Store is the record of notices shown. Its methods are safe for
// concurrent use; concurrent q processes may each show a notice once.
type Store struct {
	path string
	mu   sync.Mutex
	seen map[string]int64 // key digest -> unix time first shown
}

// Open returns the record kept at path; nothing is read until First.
func Open(path string) *Store {
	return &Store{path: path}
}

// Key builds a notice key from its parts, e.g. the kind of notice, a file
// and the digest of its content.
func Key(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// First reports whether the notice key has not been shown before, and
// records that it has now. A record that cannot be read or written makes
// notices show again rather than never.
func (s *Store) First(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = map[string]int64{}
		if data, err := os.ReadFile(s.path); err == nil {
			_ = json.Unmarshal(data, &s.seen)
		}
	}
	if _, ok := s.seen[key]; ok {
		return false
	}
	s.seen[key] = time.Now().Unix()
	s.trim()
	_ = s.save()
	return true
}

// trim forgets the oldest notices beyond maxEntries.
func (s *Store) trim() {
	if len(s.seen) <= maxEntries {
		return
	}
	keys := make([]string, 0, len(s.seen))
	for k := range s.seen {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return s.seen[keys[i]] < s.seen[keys[j]] })
	for _, k := range keys[:len(keys)-maxEntries] {
		delete(s.seen, k)
	}
}

// save replaces the record atomically, so a crash leaves the old or the
// new one.
func (s *Store) save() error {
	data, err := json.Marshal(s.seen)
	if err != nil {
		return err
	}
	dir := filepath.Dir(s.path)
	if err := paths.EnsureDir(dir); err != nil {
		return err
	}
	return atomicfile.Write(s.path, data, 0o600)
}
