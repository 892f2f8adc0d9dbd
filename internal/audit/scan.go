package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
)

// scanBufSize is how much scanLog reads at a time: large reads keep system
// calls and per-read work rare next to hashing.
const scanBufSize = 1 << 20

// fileSummary is what one pass over a log file learns: all a digest says
// about the file.
type fileSummary struct {
	sum         [32]byte // SHA-256 of every byte read
	records     int      // complete lines
	first, last [32]byte // chain hashes of the first and last complete lines
	torn        bool     // bytes follow the last newline
	// lastLine is the last complete line, valid until buf is reused.
	lastLine []byte
}

// hexOf returns sum in lineHash form.
func hexOf(sum *[32]byte) string { return hex.EncodeToString(sum[:]) }

// lineFunc receives complete line n (1-based, without its newline), its
// SHA-256, and the line before it in the file (nil for the first). The
// slices are valid only during the call.
type lineFunc func(n int, line []byte, sum *[32]byte, prev []byte)

// scanner streams log files, reusing its buffers from one file to the next.
type scanner struct {
	buf  []byte // grows to hold the longest line
	prev []byte // the line before a buffer's first, copied out of buf
}

// scan reads r to its end, hashing the whole and every complete line, and
// calls fn (if not nil) for each line in order. Only a line longer than the
// buffer costs more than one copy: the buffer doubles.
func (s *scanner) scan(r io.Reader, fn lineFunc) (fileSummary, error) {
	if s.buf == nil {
		s.buf = make([]byte, scanBufSize)
	}
	var sum fileSummary
	h := sha256.New()
	var prev []byte
	filled, pos := 0, 0 // buf[pos:filled] is the unfinished line
	for {
		if pos > 0 { // keep the unfinished line, and prev, before refilling
			if prev != nil {
				s.prev = append(s.prev[:0], prev...)
				prev = s.prev
			}
			filled = copy(s.buf, s.buf[pos:filled])
			pos = 0
		}
		if filled == len(s.buf) {
			s.buf = append(s.buf, make([]byte, len(s.buf))...)
		}
		n, err := r.Read(s.buf[filled:])
		h.Write(s.buf[filled : filled+n])
		from := filled
		filled += n
		for {
			i := bytes.IndexByte(s.buf[from:filled], '\n')
			if i < 0 {
				break
			}
			end := from + i
			line := s.buf[pos:end]
			ls := sha256.Sum256(line)
			sum.records++
			if sum.records == 1 {
				sum.first = ls
			}
			sum.last = ls
			if fn != nil {
				fn(sum.records, line, &ls, prev)
			}
			prev = line
			pos, from = end+1, end+1
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return sum, err
		}
	}
	sum.torn = pos < filled
	sum.lastLine = prev
	h.Sum(sum.sum[:0])
	return sum, nil
}

// summarizeFile summarizes the first limit bytes of the log file at path
// (all of it when limit < 0).
func summarizeFile(path string, limit int64) (fileSummary, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileSummary{}, err
	}
	defer f.Close()
	var r io.Reader = f
	if limit >= 0 {
		r = io.NewSectionReader(f, 0, limit)
	}
	var s scanner
	return s.scan(r, nil)
}
