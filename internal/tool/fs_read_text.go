package tool

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Limits of fs_read's text modes.
const (
	// binarySniffBytes is how much of a file is checked for NUL bytes.
	binarySniffBytes = 8 << 10
	// maxLineBytes is how much of one line is kept; longer lines still
	// count their full size against MaxResponseBytes.
	maxLineBytes = MaxResponseBytes + 1
	// maxContextLines bounds Search's context_lines.
	maxContextLines = 1000
)

// openText opens path for reading and fails when it looks binary.
func openText(abs, shown string) (*os.File, error) {
	f, err := os.Open(abs)
	if err != nil {
		return nil, describeStatErr(shown, err)
	}
	head := make([]byte, binarySniffBytes)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		f.Close()
		return nil, fmt.Errorf("cannot read %s: %v", shown, err)
	}
	if bytes.IndexByte(head[:n], 0) >= 0 {
		f.Close()
		return nil, fmt.Errorf("%s is a binary file; fs_read reads text files (use Image mode for images)", shown)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("cannot read %s: %v", shown, err)
	}
	return f, nil
}

// scanLines calls fn for each line of r (with its "\n" when it has one),
// keeping at most maxLineBytes of a line but reporting its full length, so
// a file that is one enormous line cannot exhaust memory. fn returns false
// to stop.
func scanLines(r io.Reader, fn func(line []byte, fullLen int) bool) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var line []byte
	full := 0
	for {
		chunk, err := br.ReadSlice('\n')
		full += len(chunk)
		if room := maxLineBytes - len(line); room > 0 {
			line = append(line, chunk[:min(room, len(chunk))]...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if full > 0 && !fn(line, full) {
			return nil
		}
		line, full = line[:0], 0
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// countLines counts lines as Rust's str::lines does: a final line without
// a newline counts, a trailing newline does not start a new line.
func countLines(r io.Reader) (int, error) {
	n := 0
	err := scanLines(r, func([]byte, int) bool { n++; return true })
	return n, err
}

// lineIndex converts a 1-based line number, negative counting from the
// end, to a 0-based index, as the original's convert_negative_index.
func lineIndex(lineCount, i int) int {
	if i <= 0 {
		return max(lineCount+i, 0)
	}
	return i - 1
}

// readLines returns lines start..end (inclusive, 1-based, negative from the
// end) of a text file joined by "\n".
func readLines(abs, shown string, start, end int) (string, error) {
	f, err := openText(abs, shown)
	if err != nil {
		return "", err
	}
	defer f.Close()
	total, err := countLines(f)
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %v", shown, err)
	}
	if total == 0 {
		return "", nil
	}
	from, to := lineIndex(total, start), lineIndex(total, end)
	to = max(to, from)
	if from >= total {
		return "", fmt.Errorf("start_line %d is outside %s, which has %d lines (use 1 to %d, or -%d to -1 from the end)", start, shown, total, total, total)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("cannot read %s: %v", shown, err)
	}
	var out strings.Builder
	size, idx := 0, 0
	err = scanLines(f, func(line []byte, full int) bool {
		defer func() { idx++ }()
		if idx < from {
			return true
		}
		if idx > to {
			return false
		}
		text := bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
		if idx > from {
			size++ // the joining "\n"
		}
		// A cut line counts what was cut; its ending is then overcounted
		// by a byte, which is why the error says "about".
		size += len(text) + full - len(line)
		line = text
		if size <= MaxResponseBytes {
			if idx > from {
				out.WriteByte('\n')
			}
			out.Write(line)
		}
		return true
	})
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %v", shown, err)
	}
	if size > MaxResponseBytes {
		return "", fmt.Errorf("lines %d-%d of %s are about %d bytes, more than the %d bytes fs_read returns at a time; read fewer lines with start_line and end_line (the file has %d lines)",
			from+1, to+1, shown, size, MaxResponseBytes, total)
	}
	return SanitizeUnicode(strings.ToValidUTF8(out.String(), "\uFFFD")), nil
}

// searchMatch is one Search hit in the original's JSON shape.
type searchMatch struct {
	LineNumber int    `json:"line_number"`
	Context    string `json:"context"`
}

// searchFile finds the lines of a text file that contain pattern, ignoring
// case, and returns them as a JSON array of {line_number, context}, where
// context holds the match ("→ N: line") and its neighbours ("  N: line").
func searchFile(abs, shown, pattern string, contextLines int) (string, error) {
	f, err := openText(abs, shown)
	if err != nil {
		return "", err
	}
	defer f.Close()
	contextLines = min(contextLines, maxContextLines)
	needle := strings.ToLower(pattern)
	type pending struct {
		match searchMatch
		ctx   strings.Builder
		after int
	}
	var (
		before  []string // the previous contextLines lines, numbered
		open    []*pending
		matches []searchMatch
		size    int
		n       int
	)
	finish := func(p *pending) {
		p.match.Context = p.ctx.String()
		size += len(p.match.Context) + 40
		matches = append(matches, p.match)
	}
	err = scanLines(f, func(raw []byte, _ int) bool {
		n++
		text := SanitizeUnicode(strings.ToValidUTF8(string(raw), "\uFFFD"))
		numbered := fmt.Sprintf("%d: %s", n, text)
		kept := open[:0]
		for _, p := range open {
			p.ctx.WriteString("  " + numbered)
			if p.after--; p.after > 0 {
				kept = append(kept, p)
			} else {
				finish(p)
			}
		}
		open = kept
		if strings.Contains(strings.ToLower(text), needle) {
			p := &pending{match: searchMatch{LineNumber: n}, after: contextLines}
			for _, b := range before {
				p.ctx.WriteString("  " + b)
			}
			p.ctx.WriteString("→ " + numbered)
			if contextLines == 0 {
				finish(p)
			} else {
				open = append(open, p)
			}
		}
		if contextLines > 0 {
			if len(before) == contextLines {
				before = before[1:]
			}
			before = append(before, numbered)
		}
		return size <= MaxResponseBytes
	})
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %v", shown, err)
	}
	for _, p := range open {
		finish(p)
	}
	if size > MaxResponseBytes {
		return "", fmt.Errorf("pattern %q matches too much of %s (more than %d bytes of results); use a more specific pattern or fewer context_lines", pattern, shown, MaxResponseBytes)
	}
	if matches == nil {
		matches = []searchMatch{}
	}
	return marshalJSON(matches), nil
}
