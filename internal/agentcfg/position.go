package agentcfg

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/qdev/qdev/internal/jsonerr"
)

// span locates one JSON value in a file: the offset of its key (-1 for
// array elements and the root) and of its first byte.
type span struct {
	key, start int64
}

// jsonIndex maps a JSON pointer ("/hooks/preToolUse/0/command") to where
// that value is in the file, so problems found in the decoded tree can be
// reported at a line and column. dups lists pointers of keys that occur
// twice in one object (serde rejects those, encoding/json keeps the last).
type jsonIndex struct {
	data  []byte
	dec   *json.Decoder
	spans map[string]span
	dups  []dupKey
}

// dupKey is the second occurrence of a key in one object.
type dupKey struct {
	ptr string
	off int64
}

// indexJSON indexes data, which must be valid JSON.
func indexJSON(data []byte) (*jsonIndex, error) {
	ix := &jsonIndex{data: data, dec: json.NewDecoder(bytes.NewReader(data)), spans: map[string]span{}}
	ix.dec.UseNumber()
	if err := ix.value("", -1); err != nil {
		return nil, err
	}
	return ix, nil
}

// skip returns the offset of the next token at or after off: the decoder
// reports offsets before the ',' and ':' it elides.
func (ix *jsonIndex) skip(off int64) int64 {
	for off < int64(len(ix.data)) && strings.IndexByte(" \t\r\n,:", ix.data[off]) >= 0 {
		off++
	}
	return off
}

func (ix *jsonIndex) value(ptr string, keyOff int64) error {
	start := ix.skip(ix.dec.InputOffset())
	tok, err := ix.dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); ok {
		switch d {
		case '{':
			seen := map[string]bool{}
			for ix.dec.More() {
				koff := ix.skip(ix.dec.InputOffset())
				ktok, err := ix.dec.Token()
				if err != nil {
					return err
				}
				key, _ := ktok.(string)
				child := ptr + "/" + escapePointer(key)
				if seen[key] {
					ix.dups = append(ix.dups, dupKey{child, koff})
				}
				seen[key] = true
				if err := ix.value(child, koff); err != nil {
					return err
				}
			}
		case '[':
			for i := 0; ix.dec.More(); i++ {
				if err := ix.value(ptr+"/"+strconv.Itoa(i), -1); err != nil {
					return err
				}
			}
		}
		if _, err := ix.dec.Token(); err != nil { // the closing delimiter
			return err
		}
	}
	if _, dup := ix.spans[ptr]; !dup {
		ix.spans[ptr] = span{key: keyOff, start: start}
	}
	return nil
}

// escapePointer escapes a key for a JSON pointer (RFC 6901).
func escapePointer(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}

// keyPos is the line and column of the key of ptr, or of its value when it
// has no key.
func (ix *jsonIndex) keyPos(ptr string) (int, int) {
	s := ix.spans[ptr]
	if s.key >= 0 {
		return jsonerr.Position(ix.data, s.key)
	}
	return jsonerr.Position(ix.data, s.start)
}

// valuePos is the line and column where the value of ptr starts.
func (ix *jsonIndex) valuePos(ptr string) (int, int) {
	return jsonerr.Position(ix.data, ix.spans[ptr].start)
}
