package cli

import (
	"fmt"
	"io"
	"os"
	"strconv"

	"golang.org/x/term"
)

// defaultWrap is the width `--wrap always` uses when neither the terminal
// nor $COLUMNS says.
const defaultWrap = 80

// wrapColumns turns --wrap into the column answers are wrapped at, 0 for
// none: auto wraps at the terminal's width when the answer goes to a
// terminal, always wraps even when it does not (at $COLUMNS, else 80), and
// never leaves long lines alone.
func wrapColumns(mode string, out io.Writer) (int, error) {
	switch mode {
	case "never":
		return 0, nil
	case "auto", "always":
	default:
		return 0, fmt.Errorf("invalid --wrap %q: use always, never or auto", mode)
	}
	if w := terminalWidth(out); w > 0 {
		return w, nil
	}
	if mode == "auto" {
		return 0, nil
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n, nil
	}
	return defaultWrap, nil
}

// terminalWidth is the width of the terminal out writes to, 0 when out is
// not a terminal.
func terminalWidth(out io.Writer) int {
	f, ok := out.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	w, _, err := term.GetSize(int(f.Fd()))
	if err != nil || w <= 0 {
		return 0
	}
	return w
}

// columns is the interactive session's view of the terminal: its width
// (100 when unknown, for rules) and the column --wrap asks for. It is
// asked again at each answer, so a resized terminal is followed.
func (o *chatOptions) columns() (width, wrap int) {
	width = terminalWidth(o.IO.Out)
	if width == 0 {
		width = 100
	}
	wrap, _ = wrapColumns(o.wrap, o.IO.Out) // the mode was checked at start
	return width, wrap
}
