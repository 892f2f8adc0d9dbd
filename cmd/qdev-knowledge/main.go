// Command qdev-knowledge is q's knowledge-base helper: q starts it, next to
// its own executable, to build and search the full-text indexes of
// /knowledge, so that q itself does not carry the search engine. It reads
// one JSON request on standard input and answers in JSON lines; it is not
// meant to be run by hand.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/qdev/qdev/internal/knowledge/index"
)

func main() {
	if len(os.Args) > 1 || term.IsTerminal(int(os.Stdin.Fd())) {
		fmt.Fprintln(os.Stderr, "qdev-knowledge: q's knowledge-base helper; q starts it, it is not meant to be run by hand")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := index.Serve(ctx, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "qdev-knowledge:", err)
		os.Exit(1)
	}
}
