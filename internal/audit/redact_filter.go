package audit

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// filterFold returns s as candidates wants it: ASCII letters lowercased, the
// long s and the Kelvin sign turned into the letters they fold to, and any
// other non-ASCII character (or invalid byte) into one byte no filter word
// holds. A word found in a match of a rule is then found in filterFold of
// the text, so candidates is exact for any text.
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

// wordIndex finds in one pass over a text which rules may match it: those
// one of whose words it contains. Checking each word with strings.Contains
// would read the text once per word, and there are dozens.
type wordIndex struct {
	// slot holds, for the first two bytes of the words, 1 + the index of
	// their bucket in buckets; 0 for pairs that start no word.
	slot    [1 << 16]uint8
	buckets [][]indexedWord
}

// indexedWord is one filter word and the rules (bit i: rules()[i]) it
// stands for.
type indexedWord struct {
	word  string
	rules uint64
}

// ruleIndex indexes the words of rules(), which are at least two bytes
// long, for candidates.
var ruleIndex = sync.OnceValue(func() *wordIndex {
	x := &wordIndex{}
	rs := rules()
	if len(rs) > 64 {
		panic("audit: more redaction rules than candidates can tell apart")
	}
	for i, r := range rs {
		for _, w := range r.words {
			if len(w) < 2 {
				panic("audit: redaction filter word " + strconv.Quote(w) + " is shorter than two bytes")
			}
			k := uint16(w[0])<<8 | uint16(w[1])
			if x.slot[k] == 0 {
				x.buckets = append(x.buckets, nil)
				x.slot[k] = uint8(len(x.buckets))
			}
			b := &x.buckets[x.slot[k]-1]
			if j := slices.IndexFunc(*b, func(e indexedWord) bool { return e.word == w }); j >= 0 {
				(*b)[j].rules |= 1 << i
			} else {
				*b = append(*b, indexedWord{w, 1 << i})
			}
		}
	}
	return x
})

// candidates returns the set of rules (bit i: rules()[i]) that may match
// text whose filterFold is lower.
func (x *wordIndex) candidates(lower string) uint64 {
	var set uint64
	for i := 0; i+1 < len(lower); i++ {
		b := x.slot[uint16(lower[i])<<8|uint16(lower[i+1])]
		if b == 0 {
			continue
		}
		for _, e := range x.buckets[b-1] {
			if set&e.rules != e.rules && strings.HasPrefix(lower[i:], e.word) {
				set |= e.rules
			}
		}
	}
	return set
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
	if ruleIndex().candidates(lower) != 0 {
		return false
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
