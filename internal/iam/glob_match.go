package iam

import (
	"strings"
	"unicode/utf8"
)

// matchGreedy matches patterns whose wildcards may all cross ':'. It is
// the classic wildcard matcher: a '*' first matches nothing, and on a
// mismatch the most recent '*' takes one more character. Taking the
// leftmost match of each star-free stretch is always safe when every star
// accepts any run, so one backtrack point suffices: the cost is at most
// len(pattern)×len(s), never exponential. Like matchDP, a '*' only stops
// at a character boundary, and '?' takes one whole character.
func matchGreedy(toks []tok, s string, fold bool, vals []string) bool {
	n := len(s)
	ti, si := 0, 0
	starT, starS := -1, 0
	for {
		if ti < len(toks) {
			t := &toks[ti]
			switch t.kind {
			case tokMany:
				if ti == len(toks)-1 && t.cross {
					return true // a final '*' can always stop at the end
				}
				starT, starS = ti, skipToRuneStart(s, si)
				ti, si = ti+1, starS
				continue
			case tokOne:
				if si < n {
					_, size := utf8.DecodeRuneInString(s[si:])
					ti, si = ti+1, si+size
					continue
				}
			default:
				lit := tokText(t, vals)
				if starT >= 0 && starT == ti-1 && !fold && lit != "" && utf8.RuneStart(lit[0]) {
					// A literal right after the active star: jump to its
					// next occurrence, or, when it ends the pattern, to the
					// only place it can match. The star may stop at either
					// place, since each starts a character.
					if ti == len(toks)-1 {
						i := n - len(lit)
						return i >= si && s[i:] == lit
					}
					j := strings.Index(s[si:], lit)
					if j < 0 {
						return false
					}
					starS, si = si+j, si+j
				}
				if litAt(s, si, lit, fold) {
					ti, si = ti+1, si+len(lit)
					continue
				}
			}
		} else if si == n {
			return true
		}
		if starT < 0 || starS >= n {
			return false
		}
		starS = skipToRuneStart(s, starS+1)
		ti, si = starT+1, starS
	}
}

// skipToRuneStart returns the first character boundary at or after i.
func skipToRuneStart(s string, i int) int {
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return i
}

// matchDP matches any pattern, including wildcards that stop at ':'.
// reach[i] says the tokens so far can match s[:i]. Dynamic programming
// keeps the cost at len(pattern)×len(s) whatever the pattern, where
// backtracking can go exponential on crafted input.
func matchDP(toks []tok, s string, fold bool, vals []string) bool {
	var bufA, bufB [160]bool
	n := len(s)
	var cur, next []bool
	if n < len(bufA) {
		cur, next = bufA[:n+1], bufB[:n+1]
	} else {
		cur, next = make([]bool, n+1), make([]bool, n+1)
	}
	cur[0] = true
	for ti := range toks {
		t := &toks[ti]
		clear(next)
		hit := false
		switch t.kind {
		case tokLit, tokVar:
			lit := tokText(t, vals)
			for i := 0; i+len(lit) <= n; i++ {
				if cur[i] && litAt(s, i, lit, fold) {
					next[i+len(lit)], hit = true, true
				}
			}
		case tokOne:
			for i := range n {
				if cur[i] && (t.cross || s[i] != ':') {
					_, size := utf8.DecodeRuneInString(s[i:])
					next[i+size], hit = true, true
				}
			}
		case tokMany:
			run := false
			for i := 0; i <= n; i++ {
				run = run || cur[i]
				if run && (i == n || utf8.RuneStart(s[i])) {
					next[i], hit = true, true
				}
				if i < n && !t.cross && s[i] == ':' {
					run = false
				}
			}
		}
		if !hit {
			return false
		}
		cur, next = next, cur
	}
	return cur[n]
}
