//go:build unix

// Package proctest lets tests check that a process group is gone: the
// promise that no hook or MCP server outlives q is about process groups.
package proctest

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// GroupAlive reports whether a live process of group pgid remains. Zombies
// do not count: a killed process whose new parent (init in a container may
// be a program that never reaps) has not collected it runs nothing.
func GroupAlive(pgid int) bool {
	if errors.Is(syscall.Kill(-pgid, 0), syscall.ESRCH) {
		return false
	}
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil || len(stats) == 0 {
		return true // no /proc: kill said the group exists
	}
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...; comm may hold spaces and ")".
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		fields := bytes.Fields(b[i+1:])
		if len(fields) < 3 || string(fields[0]) == "Z" || string(fields[0]) == "X" {
			continue
		}
		if g, _ := strconv.Atoi(string(fields[2])); g == pgid {
			return true
		}
	}
	return false
}

// WaitGone waits up to ten seconds for group pgid to end, polling; if it
// does not, the test fails and the group is killed.
func WaitGone(t testing.TB, pgid int, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for GroupAlive(pgid) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			t.Fatalf("process group %d of %s survived", pgid, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
