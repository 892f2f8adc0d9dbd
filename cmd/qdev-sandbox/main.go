// Command qdev-sandbox is q's sandbox helper: q starts it, next to its own
// executable, to confine each command it runs for the model. It is kept
// apart from q so that it starts in about a millisecond.
package main

import (
	"fmt"
	"os"

	"github.com/qdev/qdev/internal/sandbox"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == sandbox.HelperArg {
		os.Exit(sandbox.RunHelper(os.Args[2:]))
	}
	fmt.Fprintln(os.Stderr, "qdev-sandbox: q's sandbox helper; q starts it, it is not meant to be run by hand")
	os.Exit(2)
}
