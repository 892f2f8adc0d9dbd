package scim

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/qdev/qdev/internal/serverstore"
)

// listQuery is what a GET on a resource type asks for.
type listQuery struct {
	projection
	cond       serverstore.Cond
	startIndex int // 1-based
	count      int
}

// projection is the attributes and excludedAttributes parameters: which
// top-level attributes a response shows.
type projection struct {
	attributes, excluded map[string]bool
}

// listQueryOf reads filter, startIndex, count, attributes and
// excludedAttributes. toCond maps the filter to a store condition.
func listQueryOf(r *http.Request, toCond func(Expr) (serverstore.Cond, error)) (listQuery, error) {
	p, err := projectionOf(r)
	if err != nil {
		return listQuery{}, err
	}
	q := listQuery{projection: p, cond: serverstore.Cond{Op: serverstore.CondTrue}, startIndex: 1, count: defaultPageCount}
	v := r.URL.Query()
	if f := v.Get("filter"); f != "" {
		e, err := ParseFilter(f)
		if err != nil {
			return listQuery{}, err
		}
		if q.cond, err = toCond(e); err != nil {
			return listQuery{}, err
		}
	}
	// Out-of-range numbers are clamped, as RFC 7644 §3.4.2.4 says.
	if s := v.Get("startIndex"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return listQuery{}, invalidValue("startIndex: expected an integer")
		}
		q.startIndex = max(n, 1)
	}
	if s := v.Get("count"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return listQuery{}, invalidValue("count: expected an integer")
		}
		q.count = min(max(n, 0), maxPageCount)
	}
	return q, nil
}

// projectionOf reads attributes and excludedAttributes.
func projectionOf(r *http.Request) (projection, error) {
	v := r.URL.Query()
	p := projection{attributes: attrSet(v.Get("attributes")), excluded: attrSet(v.Get("excludedAttributes"))}
	if p.attributes != nil && p.excluded != nil {
		return projection{}, invalidValue("attributes and excludedAttributes cannot both be given")
	}
	return p, nil
}

// attrSet reads a comma-separated list of attribute paths into the set of
// their top-level attributes, nil for an empty list.
func attrSet(list string) map[string]bool {
	if strings.TrimSpace(list) == "" {
		return nil
	}
	set := map[string]bool{}
	for _, a := range strings.Split(list, ",") {
		if p, err := parsePath(strings.TrimSpace(a)); err == nil && p.URI == "" {
			set[p.Attr] = true
		} else if err == nil {
			set[strings.ToLower(p.URI)] = true
		}
	}
	return set
}

// shows reports whether the top-level attribute attr (lower case) is in
// the response.
func (p projection) shows(attr string) bool {
	switch {
	case attr == "id" || attr == "schemas" || attr == "meta":
		return true
	case p.attributes != nil:
		return p.attributes[attr]
	}
	return !p.excluded[attr]
}

// project returns res with only the attributes p shows.
func (p projection) project(res any) (any, error) {
	if p.attributes == nil && p.excluded == nil {
		return res, nil
	}
	obj, err := toObjectKeepCase(res)
	if err != nil {
		return nil, err
	}
	for k := range obj {
		if !p.shows(strings.ToLower(k)) {
			delete(obj, k)
		}
	}
	return obj, nil
}

// listResponse is the ListResponse message for one page.
func listResponse(items []any, total, startIndex int) map[string]any {
	return map[string]any{
		"schemas":      []string{listSchema},
		"totalResults": total,
		"startIndex":   startIndex,
		"itemsPerPage": len(items),
		"Resources":    items,
	}
}

// writePage answers a list request with one page of what it found: each
// resource as show makes it, projected as q asks. total counts every
// match, not only this page.
func writePage[T any](w http.ResponseWriter, q listQuery, found []T, total int, show func(T) any) error {
	out := make([]any, len(found))
	for i, res := range found {
		var err error
		if out[i], err = q.project(show(res)); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, listResponse(out, total, q.startIndex))
	return nil
}
