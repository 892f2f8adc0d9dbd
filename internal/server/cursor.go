package server

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/serverstore"
)

// cursorPrefix versions the cursor format, so it can change without old
// cursors being misread.
const cursorPrefix = "c1."

// encodeCursor makes the opaque cursor for the page after the item with
// sort key after.
func encodeCursor(after string) string {
	return cursorPrefix + base64.RawURLEncoding.EncodeToString([]byte(after))
}

// decodeCursor is encodeCursor's inverse; any other text is an error.
func decodeCursor(c string) (string, error) {
	if c == "" {
		return "", nil
	}
	if len(c) > 1024 || len(c) < len(cursorPrefix) || c[:len(cursorPrefix)] != cursorPrefix {
		return "", invalid("cursor", "not a cursor from a previous page")
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(c[len(cursorPrefix):])
	// Decoding skips newlines: re-encoding rejects every non-canonical form.
	if err != nil || !utf8.Valid(b) || encodeCursor(string(b)) != c {
		return "", invalid("cursor", "not a cursor from a previous page")
	}
	return string(b), nil
}

// pageOf reads the cursor and limit query parameters.
func pageOf(r *http.Request) (serverstore.Page, error) {
	after, err := decodeCursor(r.URL.Query().Get("cursor"))
	if err != nil {
		return serverstore.Page{}, err
	}
	p := serverstore.Page{After: after}
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			return serverstore.Page{}, invalid("limit", "expected a number from 1 to 500")
		}
		p.Limit = n
	}
	return p, nil
}

// listPage is the response for items fetched with p: it carries a next
// cursor when the page is full, keyed by the last item.
func listPage[T any](items []T, p serverstore.Page, key func(T) string) adminapi.List[T] {
	out := adminapi.List[T]{Items: items}
	if len(items) == p.Size() {
		out.NextCursor = encodeCursor(key(items[len(items)-1]))
	}
	return out
}
