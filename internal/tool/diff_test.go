package tool

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// lcsLen is the textbook dynamic-programming LCS length, the reference
// the Myers diff must match.
func lcsLen(a, b []string) int {
	dp := make([][]int, len(a)+1)
	for i := range dp {
		dp[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				dp[i][j] = dp[i+1][j+1] + 1
			} else {
				dp[i][j] = max(dp[i+1][j], dp[i][j+1])
			}
		}
	}
	return dp[0][0]
}

// checkDiff verifies ops turn a into b, with consistent line numbers.
func checkDiff(t *testing.T, a, b []string, ops []diffOp) (equal int) {
	t.Helper()
	var gotA, gotB []string
	for _, op := range ops {
		switch op.kind {
		case ' ':
			equal++
			gotA, gotB = append(gotA, op.text), append(gotB, op.text)
			if op.oldLine != len(gotA) || op.newLine != len(gotB) {
				t.Fatalf("bad line numbers in %+v", op)
			}
		case '-':
			gotA = append(gotA, op.text)
			if op.oldLine != len(gotA) {
				t.Fatalf("bad old line in %+v", op)
			}
		case '+':
			gotB = append(gotB, op.text)
			if op.newLine != len(gotB) {
				t.Fatalf("bad new line in %+v", op)
			}
		}
	}
	if strings.Join(gotA, "\n") != strings.Join(a, "\n") || strings.Join(gotB, "\n") != strings.Join(b, "\n") {
		t.Fatalf("diff of %q → %q does not reproduce them: %+v", a, b, ops)
	}
	return equal
}

func TestLineDiffIsMinimal(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	gen := func() []string {
		n := rng.Intn(12)
		out := make([]string, n)
		for i := range out {
			out[i] = string(rune('a' + rng.Intn(4)))
		}
		return out
	}
	for i := 0; i < 2000; i++ {
		a, b := gen(), gen()
		ops := lineDiff(a, b)
		if eq := checkDiff(t, a, b, ops); eq != lcsLen(a, b) {
			t.Fatalf("diff %q → %q keeps %d lines, LCS is %d", a, b, eq, lcsLen(a, b))
		}
	}
}

func TestLineDiffBeyondEditLimit(t *testing.T) {
	var a, b []string
	for i := 0; i < maxEditDistance; i++ {
		a = append(a, fmt.Sprint("old", i))
		b = append(b, fmt.Sprint("new", i))
	}
	a = append([]string{"same"}, a...)
	b = append([]string{"same"}, b...)
	checkDiff(t, a, b, lineDiff(a, b))
}

func TestUnifiedDiff(t *testing.T) {
	tests := []struct{ old, new, want string }{
		{"a\nb\nc\n", "a\nB\nc\n", "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
		{"", "x\ny\n", "@@ -0,0 +1,2 @@\n+x\n+y\n"},
		{"1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "@@ -7,3 +7,4 @@\n 7\n 8\n 9\n+10\n"},
		{"a\n", "a\n", "(no changes)\n"},
	}
	for _, tc := range tests {
		var b strings.Builder
		writeUnifiedDiff(&b, tc.old, tc.new, false)
		if b.String() != tc.want {
			t.Errorf("diff %q → %q:\n%s\nwant\n%s", tc.old, tc.new, b.String(), tc.want)
		}
	}
	// Two distant changes make two hunks, with context limited to 3 lines.
	var old, neu strings.Builder
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&old, "%d\n", i)
		if i == 2 || i == 28 {
			fmt.Fprintf(&neu, "changed %d\n", i)
		} else {
			fmt.Fprintf(&neu, "%d\n", i)
		}
	}
	var b strings.Builder
	writeUnifiedDiff(&b, old.String(), neu.String(), false)
	if strings.Count(b.String(), "@@ -") != 2 || strings.Contains(b.String(), " 15\n") {
		t.Errorf("hunks:\n%s", b.String())
	}
	// A huge new file is cut.
	b.Reset()
	writeUnifiedDiff(&b, "", strings.Repeat("line\n", 5000), false)
	if lines := strings.Count(b.String(), "\n"); lines > maxDiffLines+2 || !strings.Contains(b.String(), "diff truncated: 4600 more lines") {
		t.Errorf("big diff: %d lines, tail %q", lines, b.String()[len(b.String())-60:])
	}
}
