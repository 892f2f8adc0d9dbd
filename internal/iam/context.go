package iam

import (
	"strings"
	"unicode/utf8"
)

// IAM compares condition-key names case-insensitively, including the tag
// key in aws:PrincipalTag/<key>. Folding the caller's map into a new map
// would cost allocations on every decision, so the request context is
// indexed once per request, on the stack: an array of entries and a small
// open-addressing table keyed by a hash of each ASCII-folded name.
// Condition keys carry the same hash, computed at parse time, so a lookup
// is a probe or two. Names with non-ASCII bytes, which only
// strings.EqualFold can judge, are compared one by one.

// ckey is a lower-cased condition-key name with its folded hash.
type ckey struct {
	name  string
	hash  uint64
	ascii bool
}

func newKey(name string) ckey {
	lower := strings.ToLower(name)
	h, ascii := foldHash(lower)
	return ckey{name: lower, hash: h, ascii: ascii}
}

// foldHash hashes s eight bytes at a time with every byte's 0x20 bit set,
// so names that differ only in the case of ASCII letters hash alike (the
// few other names this merges are told apart by the comparison that
// follows). ascii is false when s has non-ASCII bytes.
func foldHash(s string) (h uint64, ascii bool) {
	const m = 0x9E3779B97F4A7C15
	n := len(s)
	h = uint64(n) * m
	if n < 8 {
		var w uint64
		for i := range n {
			if s[i] >= utf8.RuneSelf {
				return 0, false
			}
			w |= uint64(s[i]|0x20) << (8 * i)
		}
		h = (h ^ w) * m
		return h ^ h>>32, true
	}
	// Whole words, then the last eight bytes, overlapping the words
	// before them when n is not a multiple of eight.
	for i := 0; ; i += 8 {
		if i+8 > n {
			i = n - 8
		}
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if w&0x8080808080808080 != 0 {
			return 0, false
		}
		h = (h ^ (w | 0x2020202020202020)) * m
		if i+8 == n {
			return h ^ h>>32, true
		}
	}
}

type ctxEntry struct {
	key   string
	hash  uint64
	ascii bool
	vals  []string
}

// ctxSlots is the size of the lookup table: a power of two, four times the
// entries it indexes, so probes are short.
const ctxSlots = 64

// reqContext is a request context, indexed on first use. Contexts larger
// than the fixed array are held in more and scanned.
type reqContext struct {
	src    map[string][]string
	built  bool
	folded bool // every key is ASCII lower case: keys match exactly
	wide   int  // entries whose names have non-ASCII bytes
	n      int
	fixed  [ctxSlots / 4]ctxEntry
	slots  [ctxSlots]uint8 // 1 + index of an ASCII entry in fixed; 0 = free
	more   []ctxEntry
}

func (c *reqContext) entry(i int) *ctxEntry {
	if c.more != nil {
		return &c.more[i]
	}
	return &c.fixed[i]
}

// build indexes the caller's map. Two spellings of one key count as one
// multivalued key, so they are merged here (the one case that allocates).
func (c *reqContext) build() {
	c.built, c.folded = true, true
	if len(c.src) > len(c.fixed) {
		c.more = make([]ctxEntry, 0, len(c.src))
	}
	for k, v := range c.src {
		h, ascii := foldHash(k)
		if c.folded && !isLower(k) {
			c.folded = false
		}
		if ascii && c.more == nil && c.wide == 0 {
			// The common case: one probe sequence finds either the same
			// key under another spelling or the free slot for this one.
			s := h & (ctxSlots - 1)
			for ; c.slots[s] != 0; s = (s + 1) & (ctxSlots - 1) {
				if e := &c.fixed[c.slots[s]-1]; e.hash == h && asciiEqualFold(e.key, k) {
					e.merge(v)
					break
				}
			}
			if c.slots[s] == 0 {
				c.fixed[c.n] = ctxEntry{key: k, hash: h, ascii: true, vals: v}
				c.n++
				c.slots[s] = uint8(c.n)
			}
			continue
		}
		if i := c.findFold(k, h, ascii); i >= 0 {
			c.entry(i).merge(v)
			continue
		}
		e := ctxEntry{key: k, hash: h, ascii: ascii, vals: v}
		if !ascii {
			c.wide++
		}
		if c.more != nil {
			c.more = append(c.more, e)
			continue
		}
		c.fixed[c.n] = e
		c.n++
		if ascii {
			s := h & (ctxSlots - 1)
			for c.slots[s] != 0 {
				s = (s + 1) & (ctxSlots - 1)
			}
			c.slots[s] = uint8(c.n)
		}
	}
}

// merge adds the values of another spelling of the entry's key.
func (e *ctxEntry) merge(v []string) {
	e.vals = append(append(make([]string, 0, len(e.vals)+len(v)), e.vals...), v...)
}

func isLower(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; ('A' <= b && b <= 'Z') || b >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// findFold returns the index of the entry whose name equals name under
// strings.EqualFold, or -1.
func (c *reqContext) findFold(name string, h uint64, ascii bool) int {
	if ascii {
		if c.more == nil {
			for s := h & (ctxSlots - 1); c.slots[s] != 0; s = (s + 1) & (ctxSlots - 1) {
				i := int(c.slots[s]) - 1
				if e := &c.fixed[i]; e.hash == h && asciiEqualFold(e.key, name) {
					return i
				}
			}
		} else {
			for i := range c.more {
				if e := &c.more[i]; e.ascii && e.hash == h && asciiEqualFold(e.key, name) {
					return i
				}
			}
		}
		if c.wide == 0 {
			return -1
		}
	}
	n := c.n
	if c.more != nil {
		n = len(c.more)
	}
	for i := range n {
		if e := c.entry(i); (!ascii || !e.ascii) && strings.EqualFold(e.key, name) {
			return i
		}
	}
	return -1
}

// asciiEqualFold is strings.EqualFold for ASCII strings.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// get returns the values of a key; none means the key is missing.
func (c *reqContext) get(key ckey) []string {
	if len(c.src) == 0 {
		return nil
	}
	if !c.built {
		c.build()
	}
	// In an all-lower-case context keys match exactly, as a map lookup
	// would: only a non-ASCII key could tell the difference, by folding
	// to an ASCII one.
	if c.folded && !key.ascii {
		return nil
	}
	if i := c.findFold(key.name, key.hash, key.ascii); i >= 0 {
		return c.entry(i).vals
	}
	return nil
}

// single returns the value of a single-valued key. Multivalued keys cannot
// be policy variables, so they do not resolve.
func (c *reqContext) single(key ckey) (string, bool) {
	v := c.get(key)
	if len(v) != 1 {
		return "", false
	}
	return v[0], true
}
