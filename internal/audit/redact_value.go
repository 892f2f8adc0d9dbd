package audit

import (
	"math"
	"regexp"
	"strings"
)

// What a value found after a secret's name or a secret word must look like
// to be masked: not a placeholder, and for the entropy rule, random.

// maskValue masks value after prefix, keeping its quotes, unless it is a
// placeholder rather than a secret.
func maskValue(whole, prefix, value string) string {
	if placeholder(value) {
		return whole
	}
	if q := value[0]; q == '"' || q == '\'' {
		return prefix + string(q) + Mask + string(q)
	}
	return prefix + Mask
}

// shellVar matches a reference to a variable or command output, which a
// shell replaces: "$NAME", "${NAME}", "$(cmd ...", "${{ expr".
var shellVar = regexp.MustCompile(`^\$(?:[A-Za-z_][A-Za-z0-9_]*$|\{[A-Za-z_][A-Za-z0-9_]*\}$|\(|\{\{)`)

// placeholder reports whether a value stands for a secret without being
// one: a shell variable (unless single-quoted, where it is literal), a
// <hint>, a mask of stars, or a YOUR_..._HERE template.
func placeholder(value string) bool {
	v := value
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		if v[0] == '\'' && strings.HasPrefix(v, "'$") {
			return false
		}
		v = v[1 : len(v)-1]
	}
	if v == "" || strings.Trim(v, "*") == "" || shellVar.MatchString(v) {
		return true
	}
	if v[0] == '<' && v[len(v)-1] == '>' {
		return true
	}
	u := strings.ToUpper(v)
	return strings.HasPrefix(u, "YOUR_") || strings.HasPrefix(u, "YOUR-") || u == "CHANGEME" || u == "REDACTED"
}

// highEntropy tells a generated secret from a word, number, path or hex
// identifier: it mixes upper and lower case with digits, and few of its
// characters repeat.
func highEntropy(s string) bool {
	// Base64 has "/" but never "-", "_" or "."; paths have both.
	if len(s) < 12 || strings.ContainsAny(s[:1], "/~.") || strings.Contains(s, "/") && strings.ContainsAny(s, "-_.") {
		return false
	}
	var upper, lower, digit bool
	var seen [256]int
	for i := 0; i < len(s); i++ {
		c := s[i]
		seen[c]++
		switch {
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= '0' && c <= '9':
			digit = true
		}
	}
	if !upper || !lower || !digit {
		return false
	}
	h := 0.0
	for _, n := range seen {
		if n > 0 {
			p := float64(n) / float64(len(s))
			h -= p * math.Log2(p)
		}
	}
	return h >= 3.3
}

// looksRandom tells a random base64 string from a path or identifier of the
// same length: secrets mix cases with digits or "/" and "+", but rarely
// contain many "/".
func looksRandom(s string) bool {
	var upper, lower, digit, sep int
	for _, c := range s {
		switch {
		case c >= 'A' && c <= 'Z':
			upper++
		case c >= 'a' && c <= 'z':
			lower++
		case c >= '0' && c <= '9':
			digit++
		default:
			sep++
		}
	}
	return upper >= 2 && lower >= 2 && digit+sep >= 2 && sep <= 4
}
