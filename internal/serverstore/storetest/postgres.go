// Package storetest runs one test suite against every serverstore backend,
// and starts a throwaway PostgreSQL server for it.
package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// Postgres is a PostgreSQL server in a temporary directory, reachable only
// through a Unix socket in that directory.
type Postgres struct {
	dir, bin string
	cred     *syscall.Credential
}

// ErrNoPostgres is returned by StartPostgres when no PostgreSQL binaries are
// installed.
var ErrNoPostgres = errors.New("PostgreSQL binaries (initdb, pg_ctl) not found; install postgresql")

// StartPostgres initialises and starts a server. PostgreSQL refuses to run
// as root, so when the tests run as root the server runs as "nobody".
func StartPostgres() (*Postgres, error) {
	bin := findBin()
	if bin == "" {
		return nil, ErrNoPostgres
	}
	// A short path: Unix socket paths are limited to about 100 bytes.
	dir, err := os.MkdirTemp("", "qdevpg")
	if err != nil {
		return nil, err
	}
	p := &Postgres{dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("nobody")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root and no user nobody to run PostgreSQL as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		p.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	if err := p.run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	// listen_addresses='' : no TCP at all, so parallel runs never collide.
	opts := fmt.Sprintf("-c listen_addresses='' -k %s -c fsync=off -c max_connections=200", dir)
	if err := p.run("pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("%w\n%s", err, log)
	}
	return p, nil
}

// URL returns a connection URL for the database name (see CreateDatabase).
func (p *Postgres) URL(name string) string {
	return "postgres://postgres@/" + name + "?host=" + p.dir + "&sslmode=disable"
}

// CreateDatabase creates an empty database, so each test has its own.
func (p *Postgres) CreateDatabase(name string) error {
	return p.run("psql", "-h", p.dir, "-U", "postgres", "-d", "postgres", "-q", "-c", "CREATE DATABASE "+name)
}

// Stop stops the server and deletes its directory.
func (p *Postgres) Stop() {
	p.run("pg_ctl", "-D", filepath.Join(p.dir, "data"), "-m", "immediate", "-w", "stop")
	os.RemoveAll(p.dir)
}

func (p *Postgres) run(name string, args ...string) error {
	cmd := exec.Command(filepath.Join(p.bin, name), args...)
	cmd.Dir = p.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.cred}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %v: %s", name, err, bytes.TrimSpace(out.Bytes()))
	}
	return nil
}

// findBin returns the directory holding initdb, pg_ctl and psql: the
// real directory of initdb on PATH (often a symbolic link), or Debian's
// versioned directory.
func findBin() string {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Dir(real)
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i]
		}
	}
	return ""
}
