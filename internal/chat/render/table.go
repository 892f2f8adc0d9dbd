package render

import (
	"strings"

	"github.com/qdev/qdev/internal/chat/termwidth"
)

// A Markdown table is held until it ends, since every column's width
// depends on all its rows; then it is drawn with aligned columns. Lines
// that start with '|' but are not a table (no delimiter row under the
// first) are written as they came.

// align is a column's alignment from the delimiter row.
type align int

const (
	alignLeft align = iota
	alignCenter
	alignRight
)

// cells splits a table line into its trimmed cells; pipes escaped with a
// backslash or inside inline code stay in their cell.
func cells(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimPrefix(line, "|")
	if strings.HasSuffix(line, "|") && !strings.HasSuffix(line, `\|`) {
		line = line[:len(line)-1]
	}
	var out []string
	var cur strings.Builder
	inCode := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\' && i+1 < len(line) && line[i+1] == '|':
			cur.WriteByte('|')
			i++
			continue
		case c == '`':
			inCode = !inCode
		case c == '|' && !inCode:
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	return append(out, strings.TrimSpace(cur.String()))
}

// delimiterRow reports whether row is a table's delimiter row (---, :--,
// --:, :-:) and returns the alignments it sets.
func delimiterRow(row []string) ([]align, bool) {
	aligns := make([]align, len(row))
	for i, c := range row {
		core := strings.Trim(c, ":")
		if core == "" || strings.Trim(core, "-") != "" {
			return nil, false
		}
		switch {
		case strings.HasPrefix(c, ":") && strings.HasSuffix(c, ":"):
			aligns[i] = alignCenter
		case strings.HasSuffix(c, ":"):
			aligns[i] = alignRight
		}
	}
	return aligns, true
}

// cellText is what a cell shows: its inline markers for bold and code
// removed (the table draws the header bold itself).
func cellText(c string) string {
	return strings.NewReplacer("**", "", "`", "").Replace(c)
}

// flushTable draws the table held in m.table and forgets it.
func (m *Markdown) flushTable() {
	lines := m.table
	m.table = nil
	rows := make([][]string, len(lines))
	for i, l := range lines {
		rows[i] = cells(l)
	}
	var aligns []align
	ok := len(rows) >= 2
	if ok {
		aligns, ok = delimiterRow(rows[1])
	}
	cols := len(aligns)
	widths := make([]int, cols)
	if ok {
		for i, r := range rows {
			if i == 1 {
				continue
			}
			for c := 0; c < cols && c < len(r); c++ {
				widths[c] = max(widths[c], termwidth.Width(cellText(r[c])))
			}
		}
		total := 0
		for _, w := range widths {
			total += w + 3
		}
		// Too wide for the terminal: aligned columns would wrap into a
		// jumble, the source lines read better.
		ok = m.opts.Width <= 0 || total-1 <= m.opts.Width
	}
	if !ok {
		for _, l := range lines {
			m.text(l)
			m.out.WriteString("\n")
		}
		return
	}
	for i, r := range rows {
		if i == 1 {
			parts := make([]string, cols)
			for c, w := range widths {
				parts[c] = strings.Repeat("─", w)
			}
			m.styled(strings.Join(parts, "─┼─"), style{rule: true})
			m.out.WriteString("\n")
			continue
		}
		for c := 0; c < cols; c++ {
			if c > 0 {
				m.styled(" │ ", style{rule: true})
			}
			text := ""
			if c < len(r) {
				text = cellText(r[c])
			}
			m.styled(pad(text, widths[c], aligns[c]), style{bold: i == 0})
		}
		m.out.WriteString("\n")
	}
}

// pad fills s to w columns as a aligns it.
func pad(s string, w int, a align) string {
	gap := w - termwidth.Width(s)
	switch a {
	case alignRight:
		return strings.Repeat(" ", gap) + s
	case alignCenter:
		return strings.Repeat(" ", gap/2) + s + strings.Repeat(" ", gap-gap/2)
	}
	return s + strings.Repeat(" ", gap)
}
