package org

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/qdev/qdev/internal/filelock"
	"github.com/qdev/qdev/internal/paths"
)

// Files in the session directory.
const (
	sessionsFile = "sessions.json"
	lockFile     = "sessions.lock"
	// maxSessionsFile bounds what is read: a few sessions take a few KiB.
	maxSessionsFile = 1 << 20
)

// Session is a login to one organisation's server. The tokens are secrets:
// the file holding them is readable by its owner only.
type Session struct {
	StartURL           string    `json:"start_url"`
	ClientID           string    `json:"client_id"`
	TokenEndpoint      string    `json:"token_endpoint"`
	RevocationEndpoint string    `json:"revocation_endpoint,omitempty"`
	License            string    `json:"license,omitempty"`
	AccessToken        string    `json:"access_token"`
	RefreshToken       string    `json:"refresh_token,omitempty"`
	Expiry             time.Time `json:"expiry"`
	LoggedInAt         time.Time `json:"logged_in_at"`
}

// Sessions is the content of the session file: every login, and which of
// them commands use (the profile the user picked).
type Sessions struct {
	Version  int       `json:"version"`
	Current  string    `json:"current,omitempty"` // a StartURL
	Sessions []Session `json:"sessions"`
}

// Find returns the session for startURL.
func (s *Sessions) Find(startURL string) (*Session, bool) {
	for i := range s.Sessions {
		if s.Sessions[i].StartURL == startURL {
			return &s.Sessions[i], true
		}
	}
	return nil, false
}

// Put adds or replaces the session for its start URL and makes it current.
func (s *Sessions) Put(sess Session) {
	if old, ok := s.Find(sess.StartURL); ok {
		*old = sess
	} else {
		s.Sessions = append(s.Sessions, sess)
	}
	s.Current = sess.StartURL
}

// Remove forgets the session for startURL; when it was current, another
// one (if any) becomes current.
func (s *Sessions) Remove(startURL string) {
	out := s.Sessions[:0]
	for _, sess := range s.Sessions {
		if sess.StartURL != startURL {
			out = append(out, sess)
		}
	}
	s.Sessions = out
	if s.Current == startURL {
		s.Current = ""
		if len(out) > 0 {
			s.Current = out[0].StartURL
		}
	}
}

// sessionStore reads and writes the session file in dir.
type sessionStore struct {
	dir string
}

// DefaultDir is where sessions are kept: "org" in qdev's data directory.
func DefaultDir(getenv paths.Getenv) string {
	return filepath.Join(paths.DataDirFrom(getenv), "org")
}

func (st sessionStore) path() string { return filepath.Join(st.dir, sessionsFile) }

// load reads the sessions; a missing file is no sessions.
func (st sessionStore) load() (*Sessions, error) {
	f, err := os.Open(st.path())
	if errors.Is(err, fs.ErrNotExist) {
		return &Sessions{Version: 1}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("login sessions: %w", err)
	}
	defer f.Close()
	b, err := readLimited(f, maxSessionsFile)
	if err != nil {
		return nil, fmt.Errorf("login sessions %s: %w", st.path(), err)
	}
	return parseSessions(b, st.path())
}

// parseSessions decodes the session file, naming it in the error when it
// is not one: the user can then delete it and log in again.
func parseSessions(b []byte, name string) (*Sessions, error) {
	var s Sessions
	if err := json.Unmarshal(b, &s); err != nil || s.Version != 1 {
		return nil, fmt.Errorf("login sessions %s: not a qdev session file; delete it and run q login", name)
	}
	for _, sess := range s.Sessions {
		if sess.StartURL == "" || sess.TokenEndpoint == "" || sess.AccessToken == "" {
			return nil, fmt.Errorf("login sessions %s: a session lacks its start URL or tokens; delete the file and run q login", name)
		}
	}
	return &s, nil
}

// update changes the sessions under the file's lock, so that two q
// processes refreshing at once do not both spend one refresh token (which
// the server would take for theft and revoke). fn sees the file as it is
// now; what it leaves is written back atomically, mode 0600.
func (st sessionStore) update(fn func(*Sessions) error) error {
	if err := paths.EnsureDir(st.dir); err != nil {
		return fmt.Errorf("login sessions: %w", err)
	}
	unlock, err := filelock.Lock(filepath.Join(st.dir, lockFile))
	if err != nil {
		return fmt.Errorf("login sessions: %w", err)
	}
	defer unlock()
	s, err := st.load()
	if err != nil {
		return err
	}
	if err := fn(s); err != nil {
		return err
	}
	return st.write(s)
}

func (st sessionStore) write(s *Sessions) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	// CreateTemp makes the file mode 0600; the rename replaces the old
	// file whole, so a crash leaves one or the other.
	tmp, err := os.CreateTemp(st.dir, ".sessions-*")
	if err != nil {
		return fmt.Errorf("login sessions: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(append(b, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), st.path())
	}
	if err != nil {
		return fmt.Errorf("login sessions: %w", err)
	}
	return nil
}

// readLimited reads r whole, failing when it is longer than limit.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return b, nil
}
