package audit

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// Redaction runs a dozen regular expressions over every string of a
// record, yet most strings hold no secret, and no rule can match text that
// lacks all of its words. The filters here find that cheaply, so that only
// the rules that might match run. They are exact: they skip work only
// where it cannot change the result.

// isASCII reports whether s is all ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Case-insensitive matching folds two non-ASCII letters onto ASCII ones,
// which lowercasing leaves apart: the long s and the Kelvin sign.
const (
	longS  = '\u017f' // folds to s
	kelvin = '\u212a' // folds to k
)

// filterFold returns s as mayMatch wants it: ASCII letters lowercased, the
// long s and the Kelvin sign turned into the letters they fold to, and any
// other non-ASCII character (or invalid byte) into one byte no filter word
// holds. A word found in a match of a rule is then found in filterFold of
// the text, so mayMatch is exact for any text.
func filterFold(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			b = append(b, byte(r)+'a'-'A')
		case r < utf8.RuneSelf:
			b = append(b, byte(r))
		case r == longS:
			b = append(b, 's')
		case r == kelvin:
			b = append(b, 'k')
		default:
			b = append(b, utf8.RuneSelf)
		}
	}
	return string(b)
}

// mayMatch reports whether r can match text whose filterFold is lower.
func (r rule) mayMatch(lower string) bool {
	for _, w := range r.words {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// hasKeyRun reports whether s holds a run of 40 characters of
// secretKeyShape's alphabet, without which that expression cannot match.
func hasKeyRun[T string | []byte](s T) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '/', c == '+':
			if run++; run >= 40 {
				return true
			}
		default:
			run = 0
		}
	}
	return false
}

// nameSeparators are dropped from parameter names before secretKey looks
// for secret words in them.
var nameSeparators = strings.NewReplacer("-", "", "_", "", ".", "", " ", "")

// plainDocument reports whether RedactJSON would return doc unchanged
// without having to decode it: doc is one JSON value, ASCII without
// escapes (so every string in it reads as written), no rule can match any
// of its text, and no name in it can be a secret's, even with separators
// dropped.
func plainDocument(doc []byte) bool {
	if !isASCII(string(doc)) || bytes.IndexByte(doc, '\\') >= 0 || hasKeyRun(doc) {
		return false
	}
	lower := strings.ToLower(string(doc))
	for _, r := range rules() {
		if r.mayMatch(lower) {
			return false
		}
	}
	names := nameSeparators.Replace(lower)
	for _, w := range secretWords {
		if strings.Contains(names, w) {
			return false
		}
	}
	// secretKey also takes the names "auth" and "pass" whole.
	if strings.Contains(names, "auth") || strings.Contains(names, "pass") {
		return false
	}
	return json.Valid(doc)
}
