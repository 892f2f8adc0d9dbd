// Package serverstore is the organisation service's relational store: users,
// groups, tiers, subscriptions, API keys and leases. One implementation runs
// on SQLite (embedded, one machine) or PostgreSQL (any number of replicas);
// the SQL is written once in the subset both accept, and the few places where
// they differ are the dialect's methods. No state lives in the Store value
// itself, so every replica sees every other replica's writes at once.
package serverstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/qdev/qdev/internal/filelock"
)

// FileName is the SQLite database's name inside the data directory.
const FileName = "server.sqlite3"

// Errors callers branch on. Messages are one line, meant for people.
var (
	ErrNotFound           = errors.New("not found")
	ErrExists             = errors.New("already exists")
	ErrAlreadyInitialised = errors.New("the organisation is already initialised")
	ErrNotInitialised     = errors.New("the organisation is not initialised (run q server init)")
)

// Options says which database to open.
type Options struct {
	// DatabaseURL is a postgres:// or postgresql:// URL. When empty the
	// store is SQLite in Dir.
	DatabaseURL string
	// Dir holds the SQLite database (created 0700 when missing).
	Dir string
}

// Store is an open database. It is safe for concurrent use, also by several
// processes on the same database.
type Store struct {
	db       *sql.DB
	postgres bool
	where    string // for error messages: the file, or the database host
}

// IsPostgres reports whether opts selects PostgreSQL.
func (o Options) IsPostgres() bool {
	return strings.HasPrefix(o.DatabaseURL, "postgres://") || strings.HasPrefix(o.DatabaseURL, "postgresql://")
}

// Open opens the database opts names and brings its schema up to date.
// Several processes may call Open on the same database at once: migrations
// run one at a time under a lock and each runs once.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if !opts.IsPostgres() && opts.Dir != "" {
		// Processes opening one SQLite store take turns until its schema
		// is in place (PostgreSQL has its advisory lock in migrate).
		// SQLite's own locks cannot order the first opens of a new
		// database: switching it to WAL fails at once with SQLITE_BUSY
		// while another process does the same, busy timeout or not.
		if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		unlock, err := filelock.Lock(filepath.Join(opts.Dir, FileName+".lock"))
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		defer unlock()
	}
	s, err := open(opts)
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, s.describe(err)
	}
	return s, nil
}

func open(opts Options) (*Store, error) {
	if opts.DatabaseURL != "" {
		if !opts.IsPostgres() {
			return nil, errors.New("--database: only postgres:// and postgresql:// URLs are supported")
		}
		u, err := url.Parse(opts.DatabaseURL)
		if err != nil {
			return nil, errors.New("--database: not a valid URL")
		}
		db, err := sql.Open("pgx", opts.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("--database: %s", oneLine(err.Error()))
		}
		// Short transactions only; a handful of connections per replica
		// keeps a cluster of replicas under PostgreSQL's connection limit.
		db.SetMaxOpenConns(8)
		db.SetConnMaxIdleTime(5 * time.Minute)
		return &Store{db: db, postgres: true, where: "postgres " + u.Host + u.Path}, nil
	}
	if opts.Dir == "" {
		return nil, errors.New("no data directory given")
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	path := filepath.Join(opts.Dir, FileName)
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	f.Close()
	u := url.URL{Path: path}
	// WAL lets readers run beside the writer; _txlock=immediate takes the
	// write lock at BEGIN so a transaction never fails halfway on upgrade.
	dsn := "file:" + u.EscapedPath() + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	// One connection: SQLite has one writer anyway, and this keeps an idle
	// server small.
	db.SetMaxOpenConns(1)
	return &Store{db: db, where: path}, nil
}

// Close releases the database.
func (s *Store) Close() error { return s.db.Close() }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return s.describe(err)
	}
	return nil
}

// describe makes err one line naming the database, unless it is one of the
// package's own errors.
func (s *Store) describe(err error) error {
	for _, known := range []error{ErrNotFound, ErrExists, ErrLastAdmin, ErrNoAccount, ErrUserDisabled, ErrIdentityLinked,
		ErrAlreadyInitialised, ErrNotInitialised, context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, known) {
			return err
		}
	}
	return fmt.Errorf("store %s: %s", s.where, oneLine(err.Error()))
}

// isUnique reports whether err is a uniqueness violation.
func isUnique(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// tx runs fn in a transaction, committing when it returns nil.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.describe(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		if isUnique(err) {
			return ErrExists
		}
		return s.describe(err)
	}
	if err := tx.Commit(); err != nil {
		return s.describe(err)
	}
	return nil
}

// newID returns a random identifier with a readable kind prefix.
func newID(kind string) string {
	var b [12]byte
	rand.Read(b[:])
	return kind + "_" + hex.EncodeToString(b[:])
}

// ms and fromMS convert between times and the stored Unix milliseconds,
// which both databases order and compare the same way.
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := time.UnixMilli(v.Int64).UTC()
	return &t
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Page limits a listing: items sort by a key and a page starts after After.
type Page struct {
	After string
	Limit int
}

// Size returns the number of items a page holds: p.Limit within [1, 500],
// 100 when unset.
func (p Page) Size() int {
	switch {
	case p.Limit <= 0:
		return 100
	case p.Limit > 500:
		return 500
	}
	return p.Limit
}
