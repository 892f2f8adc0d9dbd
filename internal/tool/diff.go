package tool

import (
	"fmt"
	"io"
	"strings"
)

// Diff display limits: enough to review an edit, not a flood.
const (
	diffContext  = 3
	maxDiffLines = 400
	// maxEditDistance bounds the Myers search (memory is quadratic in it);
	// beyond it the changed middle is shown as wholly replaced.
	maxEditDistance = 1000
)

// diffOp is one line of a line diff.
type diffOp struct {
	kind byte // ' ', '-' or '+'
	text string
	// oldLine and newLine are 1-based positions, 0 when absent.
	oldLine, newLine int
}

// splitLines splits text into lines without their "\n"; a final line
// without a newline still counts.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\n")
	}
	return lines
}

// lineDiff returns the line edit script from a to b: the common prefix and
// suffix are matched first (most edits are local), and the middle is
// diffed with Myers' O(ND) algorithm.
func lineDiff(a, b []string) []diffOp {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var ops []diffOp
	for i := 0; i < pre; i++ {
		ops = append(ops, diffOp{' ', a[i], i + 1, i + 1})
	}
	for _, op := range myers(a[pre:len(a)-suf], b[pre:len(b)-suf]) {
		if op.oldLine > 0 {
			op.oldLine += pre
		}
		if op.newLine > 0 {
			op.newLine += pre
		}
		ops = append(ops, op)
	}
	for i := 0; i < suf; i++ {
		oi, ni := len(a)-suf+i, len(b)-suf+i
		ops = append(ops, diffOp{' ', a[oi], oi + 1, ni + 1})
	}
	return ops
}

// myers computes a shortest edit script between a and b, keeping one
// V-array snapshot per edit distance for the backtrack.
func myers(a, b []string) []diffOp {
	n, m := len(a), len(b)
	replaceAll := func() []diffOp {
		ops := make([]diffOp, 0, n+m)
		for i, l := range a {
			ops = append(ops, diffOp{'-', l, i + 1, 0})
		}
		for j, l := range b {
			ops = append(ops, diffOp{'+', l, 0, j + 1})
		}
		return ops
	}
	if n == 0 || m == 0 {
		return replaceAll()
	}
	maxD := n + m
	if maxD > maxEditDistance {
		maxD = maxEditDistance
	}
	offset := maxD + 1
	v := make([]int, 2*maxD+3)
	var trace [][]int
	found := -1
	for d := 0; d <= maxD && found < 0; d++ {
		trace = append(trace, append([]int(nil), v...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[offset+k-1] < v[offset+k+1]) {
				x = v[offset+k+1]
			} else {
				x = v[offset+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[offset+k] = x
			if x >= n && y >= m {
				found = d
				break
			}
		}
	}
	if found < 0 {
		return replaceAll()
	}
	// Walk back from (n, m), collecting operations in reverse.
	var rev []diffOp
	x, y := n, m
	for d := found; d > 0; d-- {
		vd := trace[d]
		k := x - y
		var prevK int
		if k == -d || (k != d && vd[offset+k-1] < vd[offset+k+1]) {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := vd[offset+prevK]
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			rev = append(rev, diffOp{' ', a[x-1], x, y})
			x, y = x-1, y-1
		}
		if x == prevX {
			rev = append(rev, diffOp{'+', b[y-1], 0, y})
		} else {
			rev = append(rev, diffOp{'-', a[x-1], x, 0})
		}
		x, y = prevX, prevY
	}
	for x > 0 && y > 0 {
		rev = append(rev, diffOp{' ', a[x-1], x, y})
		x, y = x-1, y-1
	}
	ops := make([]diffOp, len(rev))
	for i, op := range rev {
		ops[len(rev)-1-i] = op
	}
	return ops
}

// writeUnifiedDiff prints the diff between oldText and newText as unified
// diff hunks with diffContext lines of context, coloured when color is on,
// and stops after maxDiffLines lines with a count of what was left out.
func writeUnifiedDiff(w io.Writer, oldText, newText string, color bool) {
	ops := lineDiff(splitLines(oldText), splitLines(newText))
	// Mark the lines to show: changes and their context.
	show := make([]bool, len(ops))
	changed := false
	for i, op := range ops {
		if op.kind == ' ' {
			continue
		}
		changed = true
		for j := max(0, i-diffContext); j <= min(len(ops)-1, i+diffContext); j++ {
			show[j] = true
		}
	}
	if !changed {
		fmt.Fprintln(w, "(no changes)")
		return
	}
	printed := 0
	for i := 0; i < len(ops); {
		if !show[i] {
			i++
			continue
		}
		end := i
		for end < len(ops) && show[end] {
			end++
		}
		oldStart, newStart, oldCount, newCount := hunkRange(ops, i, end)
		if printed >= maxDiffLines {
			fmt.Fprintf(w, "... diff truncated: %d more lines\n", remainingShown(show, i))
			return
		}
		fmt.Fprintln(w, paint(color, ansiCyan, fmt.Sprintf("@@ -%d,%d +%d,%d @@", oldStart, oldCount, newStart, newCount)))
		for j := i; j < end; j++ {
			if printed >= maxDiffLines {
				fmt.Fprintf(w, "... diff truncated: %d more lines\n", remainingShown(show, j))
				return
			}
			line := string(ops[j].kind) + ops[j].text
			switch ops[j].kind {
			case '-':
				line = paint(color, ansiRed, line)
			case '+':
				line = paint(color, ansiGreen, line)
			}
			fmt.Fprintln(w, line)
			printed++
		}
		i = end
	}
}

// hunkRange returns the unified-diff header numbers for ops[i:end].
func hunkRange(ops []diffOp, i, end int) (oldStart, newStart, oldCount, newCount int) {
	for j := i; j < end; j++ {
		if ops[j].kind != '+' {
			oldCount++
			if oldStart == 0 {
				oldStart = ops[j].oldLine
			}
		}
		if ops[j].kind != '-' {
			newCount++
			if newStart == 0 {
				newStart = ops[j].newLine
			}
		}
	}
	// An empty side starts at the line before, as diff(1) prints it.
	if oldCount == 0 {
		oldStart = precedingLine(ops, i, true)
	}
	if newCount == 0 {
		newStart = precedingLine(ops, i, false)
	}
	return
}

// precedingLine is the old (or new) line number just before ops[i].
func precedingLine(ops []diffOp, i int, old bool) int {
	for j := i - 1; j >= 0; j-- {
		if old && ops[j].oldLine > 0 {
			return ops[j].oldLine
		}
		if !old && ops[j].newLine > 0 {
			return ops[j].newLine
		}
	}
	return 0
}

func remainingShown(show []bool, from int) int {
	n := 0
	for _, s := range show[from:] {
		if s {
			n++
		}
	}
	return n
}
