package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/qdev/qdev/internal/orgadmin"
	"github.com/qdev/qdev/internal/serverstore"
)

// pageSize is how many rows a listing shows on one page.
const pageSize = 50

// nextAfter returns the key to start the next page after: the last item's,
// when the page is full.
func nextAfter[T any](items []T, key func(T) string) string {
	if len(items) < pageSize {
		return ""
	}
	return key(items[len(items)-1])
}

// page reads the after query parameter of a listing.
func page(r *http.Request) serverstore.Page {
	return serverstore.Page{After: r.URL.Query().Get("after"), Limit: pageSize}
}

// kept returns the posted form without what must never be shown again.
func kept(r *http.Request) url.Values {
	f := url.Values{}
	for k, vs := range r.PostForm {
		if k != "csrf" && k != "password" {
			f[k] = vs
		}
	}
	return f
}

// field returns the posted value named name, trimmed.
func field(r *http.Request, name string) string {
	return strings.TrimSpace(r.PostForm.Get(name))
}

// list splits a field holding several values, separated by commas, spaces
// or new lines.
func list(r *http.Request, name string) []string {
	return strings.FieldsFunc(r.PostForm.Get(name), func(c rune) bool { return c == ',' || unicode.IsSpace(c) })
}

// commaList splits a field holding values separated by commas only, such
// as model names, which may hold spaces.
func commaList(form url.Values, name string) []string {
	var out []string
	for _, v := range strings.Split(form.Get(name), ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// quota reads an optional whole number: empty means none (unlimited).
func quota(form url.Values, name string) (*int64, error) {
	s := strings.TrimSpace(form.Get(name))
	if s == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, orgadmin.Invalid(name, "expected a whole number, or nothing for no limit")
	}
	return &n, nil
}

// number reads a whole number; empty is 0.
func number(form url.Values, name string) (int64, error) {
	s := strings.TrimSpace(form.Get(name))
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, orgadmin.Invalid(name, "expected a whole number")
	}
	return n, nil
}

// done redirects the browser after a change to the page to show, with
// the notice key of what was done.
func done(w http.ResponseWriter, r *http.Request, to, notice string) {
	http.Redirect(w, r, to+"?done="+notice, http.StatusSeeOther)
}

// userPath is the path of a user's page.
func userPath(email string) string { return Prefix + "users/" + url.PathEscape(email) }

// groupPath is the path of a group's page.
func groupPath(name string) string { return Prefix + "groups/" + url.PathEscape(name) }
