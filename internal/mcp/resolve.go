package mcp

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ResolveCommand returns the program a stdio server's command runs: the
// command with ~ and variables expanded, looked up on the PATH the server
// itself gets (its "env" PATH when it sets one, else environ's), made
// absolute against dir (the server's working directory) and with symbolic
// links resolved. The organisation's allow-list judges this file, never
// the name as written, and the server is then started with exactly this
// path, so a PATH of the repository's choosing ("./evil:$PATH") cannot
// make an allowed name run another program.
func ResolveCommand(sc ServerConfig, environ []string, dir string) (string, error) {
	lookup := lookupIn(environ)
	home, _ := lookup("HOME")
	file := expandCommand(sc.Command, home, lookup)
	env := childEnv(environ, sc.Env, lookup)
	p, err := findProgram(file, env, dir)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", fmt.Errorf("command %q: %v", sc.Command, err)
	}
	return real, nil
}

// findProgram finds file as exec.LookPath would on the PATH of environ
// (not of this process), returning an absolute path. Relative PATH entries
// and relative commands are taken relative to dir, where the server runs.
func findProgram(file string, environ []string, dir string) (string, error) {
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return filepath.Clean(p)
		}
		if dir == "" {
			dir, _ = os.Getwd()
		}
		return filepath.Join(dir, p)
	}
	if strings.Contains(file, "/") {
		p := abs(file)
		if !executable(p) {
			return "", fmt.Errorf("command %q: %s is not an executable file", file, p)
		}
		return p, nil
	}
	path, _ := lookupIn(environ)("PATH")
	for _, d := range filepath.SplitList(path) {
		if d == "" {
			d = "."
		}
		if p := abs(filepath.Join(d, file)); executable(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("command %q: executable file not found in the server's PATH", file)
}

// executable reports whether p is a regular file someone may execute.
func executable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}
