// Command q is qdev: a terminal AI agent compatible with the Amazon Q
// Developer CLI, with organisation governance built in.
package main

import (
	"os"

	"github.com/qdev/qdev/internal/cli"
)

func main() {
	os.Exit(cli.Main())
}
