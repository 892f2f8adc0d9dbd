package lineedit

import (
	"strings"
	"unicode/utf8"
)

// navigator walks the history during one ReadLine. Index len(entries) is the
// line being typed. Edits made to any entry, including the typed line, are
// kept while walking, so going up and back down returns the unfinished line;
// they are dropped when the line is submitted, and the history itself is
// never changed by editing.
type navigator struct {
	entries []string
	idx     int
	edits   map[int]string
}

func newNavigator(entries []string) *navigator {
	return &navigator{entries: entries, idx: len(entries), edits: map[int]string{}}
}

// move steps by delta (-1 older, +1 newer), saving current as the edited
// version of the entry being left. It returns the text to show and false
// when there is nothing further in that direction.
func (n *navigator) move(delta int, current string) (string, bool) {
	next := n.idx + delta
	if next < 0 || next > len(n.entries) {
		return "", false
	}
	n.edits[n.idx] = current
	n.idx = next
	if s, ok := n.edits[next]; ok {
		return s, true
	}
	return n.entries[next], true
}

// search is the state of a Ctrl-R reverse incremental search.
type search struct {
	query   []rune
	match   int // index of the matching entry, or -1 when none
	at      int // byte offset of the query within the match
	failed  bool
	orig    string // buffer before the search, restored by Ctrl-G
	origPos int
}

// find looks for the query in entries older than or equal to from, newest
// first, and records the result. On failure the previous match is kept, as
// readline does, and failed is set.
func (s *search) find(entries []string, from int) {
	q := string(s.query)
	for i := min(from, len(entries)-1); i >= 0; i-- {
		if at := strings.LastIndex(entries[i], q); at >= 0 {
			s.match, s.at, s.failed = i, at, false
			return
		}
	}
	s.failed = true
}

// prompt is what the search shows in place of the normal prompt.
func (s *search) prompt() string {
	label := "reverse-i-search"
	if s.failed {
		label = "failed " + label
	}
	return "(" + label + ")`" + string(s.query) + "': "
}

// view is the text and rune cursor position to show under the search prompt.
func (s *search) view(entries []string) (string, int) {
	if s.match < 0 {
		return s.orig, s.origPos
	}
	text := entries[s.match]
	return text, utf8.RuneCountInString(text[:s.at])
}

// add appends line to h unless it is blank or repeats the newest entry, and
// reports whether it did.
func addHistory(h *[]string, line string) bool {
	if strings.TrimSpace(line) == "" {
		return false
	}
	if n := len(*h); n > 0 && (*h)[n-1] == line {
		return false
	}
	*h = append(*h, line)
	return true
}
