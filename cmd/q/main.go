// Command q is qdev: a terminal AI agent compatible with the Amazon Q
// Developer CLI, with organisation governance built in.
package main

import (
	"os"

	"github.com/qdev/qdev/internal/cli"
	"github.com/qdev/qdev/internal/sandbox"
)

func main() {
	// The sandbox helper re-executes q to apply Landlock before running a
	// command; it must not go through the command tree.
	if len(os.Args) > 1 && os.Args[1] == sandbox.HelperArg {
		os.Exit(sandbox.RunHelper(os.Args[2:]))
	}
	os.Exit(cli.Main())
}
