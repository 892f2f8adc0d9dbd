// Command q is qdev: a terminal AI agent compatible with the Amazon Q
// Developer CLI, with organisation governance built in.
package main

import (
	"os"
	"runtime/debug"

	"github.com/qdev/qdev/internal/cli"
	"github.com/qdev/qdev/internal/sandbox"
)

func main() {
	// The sandbox helper re-executes q to apply Landlock before running a
	// command; it must not go through the command tree.
	if len(os.Args) > 1 && os.Args[1] == sandbox.HelperArg {
		os.Exit(sandbox.RunHelper(os.Args[2:]))
	}
	// q's live heap is a few megabytes, so the default GOGC=100 collects
	// every few model rounds, on the same cores that are serving the turn.
	// Twice the headroom halves that for a few megabytes of memory (the
	// benchmark's peak RSS stays under its 40 MB target). GOGC still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	os.Exit(cli.Main())
}
