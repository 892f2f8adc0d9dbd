package index

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// chunk is a run of whole lines of a file, searched and returned as one
// result.
type chunk struct {
	start, end int // first and last line, from 1
	text       string
}

// unit is a line, or a piece of a line too long for one chunk.
type unit struct {
	line  int
	text  string
	words int
}

// isBinary reports whether data looks binary: a NUL byte in its first
// 8 KiB, git's test.
func isBinary(data []byte) bool {
	return bytes.IndexByte(data[:min(len(data), 8<<10)], 0) >= 0
}

// chunkText splits text into chunks of whole lines holding at most size
// words (a line longer than that is cut between words), consecutive
// chunks sharing about overlap words, as the Q CLI's chunker counts them.
// size must be above overlap, which must not be negative.
func chunkText(text string, size, overlap int) []chunk {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	units := splitUnits(text, size)
	var out []chunk
	for start := 0; start < len(units); {
		// Blank lines at the start of a chunk carry nothing.
		for start < len(units) && units[start].words == 0 {
			start++
		}
		if start == len(units) {
			break
		}
		end, words := start, 0
		for end < len(units) && (words+units[end].words <= size || end == start) {
			words += units[end].words
			end++
		}
		last := end
		for units[last-1].words == 0 {
			last--
		}
		out = append(out, makeChunk(units[start:last]))
		if end == len(units) {
			break
		}
		// Step back over whole units while they fit in the overlap, but
		// always move forward.
		next, shared := end, 0
		for next-1 > start && shared+units[next-1].words <= overlap {
			next--
			shared += units[next].words
		}
		start = next
	}
	return out
}

func makeChunk(us []unit) chunk {
	var b strings.Builder
	for i, u := range us {
		if i > 0 {
			if u.line == us[i-1].line {
				b.WriteByte(' ')
			} else {
				b.WriteByte('\n')
			}
		}
		b.WriteString(u.text)
	}
	return chunk{start: us[0].line, end: us[len(us)-1].line, text: strings.TrimRight(b.String(), " \t\n")}
}

// splitUnits cuts text into lines, and lines of more than size words into
// pieces of size words.
func splitUnits(text string, size int) []unit {
	var units []unit
	line := 0
	for text != "" {
		line++
		l, rest, _ := strings.Cut(text, "\n")
		text = rest
		l = strings.TrimSuffix(l, "\r")
		n := countWords(l)
		if n <= size {
			units = append(units, unit{line: line, text: l, words: n})
			continue
		}
		words := strings.Fields(l)
		for i := 0; i < len(words); i += size {
			piece := words[i:min(i+size, len(words))]
			units = append(units, unit{line: line, text: strings.Join(piece, " "), words: len(piece)})
		}
	}
	return units
}

// countWords counts the runs of non-space characters, as strings.Fields
// splits them, without allocating.
func countWords(s string) int {
	n, in := 0, false
	for _, r := range s {
		space := unicode.IsSpace(r)
		if !space && !in {
			n++
		}
		in = !space
	}
	return n
}
