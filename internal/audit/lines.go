package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
)

// lineHash is the chain hash of a record: SHA-256, hex, of its line's exact
// bytes without the newline.
func lineHash(line []byte) string {
	sum := sha256.Sum256(line)
	return hex.EncodeToString(sum[:])
}

// splitLines cuts a log file into its complete lines (without newlines) and
// the torn tail a crash may leave after the last newline (nil if none).
func splitLines(data []byte) (lines [][]byte, torn []byte) {
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return lines, data
		}
		lines = append(lines, data[:i])
		data = data[i+1:]
	}
	return lines, nil
}

// tailChunk is how much of a file's end lastLine reads at a time; a record
// is normally much smaller, so one read usually suffices.
const tailChunk = 64 << 10

// lastLine finds the last complete line of the size bytes readable from r,
// reading backwards from the end. It reports whether the file ends with a
// torn line; found is false when no line is complete.
func lastLine(r io.ReaderAt, size int64) (line []byte, found, torn bool, err error) {
	if size == 0 {
		return nil, false, false, nil
	}
	var buf []byte // r's bytes [start, size)
	start := size
	end := int64(-1) // offset of the newline ending the last complete line
	for start > 0 {
		n := min(int64(tailChunk), start)
		chunk := make([]byte, n)
		if _, err := r.ReadAt(chunk, start-n); err != nil {
			return nil, false, false, err
		}
		start -= n
		buf = append(chunk, buf...)
		if end < 0 {
			torn = buf[len(buf)-1] != '\n'
			if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
				end = start + int64(i)
			}
		}
		if end >= 0 {
			if i := bytes.LastIndexByte(buf[:end-start], '\n'); i >= 0 {
				return buf[i+1 : end-start], true, torn, nil
			}
		}
	}
	if end < 0 {
		return nil, false, torn, nil
	}
	return buf[:end], true, torn, nil
}
