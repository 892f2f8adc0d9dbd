package chat

import (
	"fmt"
	"io"
	"strings"

	"github.com/qdev/qdev/internal/chat/termwidth"
)

// writeColumns writes rows as two columns fitted to a terminal width
// columns wide (0 for unknown): the first as wide as its longest entry but
// at most 40% of the line, the second wrapped at spaces under itself. A
// first entry too long for its column puts the second on the next line.
func writeColumns(w io.Writer, width int, indent string, rows [][2]string) {
	if width <= 0 {
		width = 100
	}
	first := 0
	for _, r := range rows {
		first = max(first, termwidth.Width(r[0]))
	}
	first = min(first, width*2/5)
	pad := indent + strings.Repeat(" ", first+2)
	for _, r := range rows {
		lines := wrapWords(r[1], max(width-len(pad), 20))
		n := termwidth.Width(r[0])
		if n > first {
			fmt.Fprintf(w, "%s%s\n", indent, r[0])
			for _, l := range lines {
				fmt.Fprintf(w, "%s%s\n", pad, l)
			}
			continue
		}
		fmt.Fprintf(w, "%s%s%s", indent, r[0], strings.Repeat(" ", first-n+2))
		for i, l := range lines {
			if i > 0 {
				w.Write([]byte(pad))
			}
			fmt.Fprintln(w, l)
		}
		if len(lines) == 0 {
			fmt.Fprintln(w)
		}
	}
}

// wrapWords splits s into lines of at most width columns at spaces; a word
// longer than that gets a line of its own.
func wrapWords(s string, width int) []string {
	var lines []string
	var cur strings.Builder
	curW := 0
	for _, word := range strings.Fields(s) {
		ww := termwidth.Width(word)
		if curW > 0 && curW+1+ww > width {
			lines = append(lines, cur.String())
			cur.Reset()
			curW = 0
		}
		if curW > 0 {
			cur.WriteByte(' ')
			curW++
		}
		cur.WriteString(word)
		curW += ww
	}
	if curW > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
