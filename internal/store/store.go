// Package store keeps qdev's local state — saved conversations and input
// history — in one SQLite database, safe against crashes and against several
// q processes using it at once.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/qdev/qdev/internal/paths"
)

// FileName is the database file name inside paths.DataDir.
const FileName = "qdev.sqlite3"

// busyTimeoutMS is how long a statement waits for another q process to
// release the write lock before failing with "database is locked".
const busyTimeoutMS = 5000

// Store is an open state database. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string
}

// DefaultPath returns <DataDir>/qdev.sqlite3.
func DefaultPath() string {
	return filepath.Join(paths.DataDir(), FileName)
}

// Open opens the database at path, creating it (mode 0600, parent
// directories 0700) when missing and bringing its schema up to date. A
// database written by a newer qdev is opened as it is. Errors are one line
// and name the file. Open does no work beyond reading the schema version
// when the database is current, because it is on q's start-up path.
func Open(path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	if err := paths.EnsureDir(filepath.Dir(abs)); err != nil {
		return nil, fmt.Errorf("store %s: %w", abs, err)
	}
	if err := createPrivate(abs); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) && pe.Path == abs {
			err = pe.Err // the path is already in the message
		}
		return nil, fmt.Errorf("store %s: %w", abs, err)
	}
	db, err := sql.Open("sqlite", dsn(abs))
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", abs, err)
	}
	// One connection serialises this process's statements, so the only lock
	// waits are against other processes, which busy_timeout covers. No
	// method keeps rows open across calls, so this cannot deadlock.
	db.SetMaxOpenConns(1)
	s := &Store{db: db, path: abs}
	if err := s.migrate(context.Background()); err != nil {
		db.Close()
		return nil, describe(abs, err)
	}
	return s, nil
}

// dsn builds the connection string. WAL lets readers proceed while another
// process writes. synchronous=NORMAL in WAL mode makes every commit
// durable against a crash of q itself (kill -9 included: the WAL is written
// before COMMIT returns) and never corrupts the database; only a power loss
// or kernel crash can drop the last commits. That trade keeps an fsync off
// the path between two model requests. _txlock=immediate takes the write lock at BEGIN: a deferred
// transaction that upgrades from reading to writing can fail with
// SQLITE_BUSY at once, without honouring busy_timeout.
func dsn(abs string) string {
	u := url.URL{Path: abs}
	return "file:" + u.EscapedPath() + fmt.Sprintf(
		"?_busy_timeout=%d&_journal_mode=WAL&_synchronous=NORMAL&_txlock=immediate", busyTimeoutMS)
}

// createPrivate makes sure the database file exists with mode 0600 before
// SQLite opens it. SQLite would create it with 0644, and it gives the -wal
// and -shm files the mode of the database file.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return errors.New("not a regular file")
	}
	if fi.Mode().Perm() != 0o600 {
		return f.Chmod(0o600)
	}
	return nil
}

// describe turns an SQLite failure into a one-line error naming the file.
func describe(path string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("store %s: the file is not a SQLite database (move it away to start afresh)", path)
		case sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("store %s: the database is corrupt (move it away to start afresh)", path)
		case sqlite3.SQLITE_BUSY:
			return fmt.Errorf("store %s: the database is locked by another process", path)
		}
	}
	return fmt.Errorf("store %s: %s", path, oneLine(err.Error()))
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Path returns the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Close closes the database. The Store must not be used afterwards.
func (s *Store) Close() error {
	return s.db.Close()
}
