package scim

import (
	"encoding/json"
	"strings"

	"github.com/qdev/qdev/internal/serverstore"
)

// caseExact lists the attributes compared case-sensitively: identifiers.
// Every other string compares ignoring the case of ASCII letters, as the
// store does.
var caseExact = map[string]bool{
	"id": true, "externalid": true, "members.value": true, "groups.value": true,
	"members.$ref": true, "groups.$ref": true, "meta.location": true,
}

// Match reports whether obj, a resource or an element of a multi-valued
// attribute in the form decodeObject gives (lower-case keys), satisfies e.
// prefix is the attribute obj is an element of ("emails"), empty for a
// resource. It is the reference the store's queries are tested against,
// and selects the elements a PATCH path's value filter names.
func Match(e Expr, obj map[string]any, prefix string) bool {
	switch e := e.(type) {
	case *And:
		return Match(e.L, obj, prefix) && Match(e.R, obj, prefix)
	case *Or:
		return Match(e.L, obj, prefix) || Match(e.R, obj, prefix)
	case *Not:
		return !Match(e.X, obj, prefix)
	case *Present:
		for _, v := range values(obj, e.Path) {
			if present(v) {
				return true
			}
		}
		return false
	case *Compare:
		name := qualified(prefix, e.Path)
		vals := values(obj, e.Path)
		switch e.Value.Kind {
		case Null:
			has := false
			for _, v := range vals {
				has = has || present(v)
			}
			return has == (e.Op == "ne")
		}
		if e.Op == "ne" {
			return !Match(&Compare{e.Path, "eq", e.Value}, obj, prefix)
		}
		if len(vals) == 0 && e.Value.Kind == String {
			vals = []any{""} // an absent text compares as empty, as in the store
		}
		for _, v := range vals {
			if compare(v, e.Op, e.Value, caseExact[name]) {
				return true
			}
		}
		return false
	case *ValuePath:
		elems, _ := lookup(obj, e.Path.Attr).([]any)
		for _, el := range elems {
			if m, ok := el.(map[string]any); ok && Match(e.Filter, m, qualified(prefix, e.Path)) {
				return true
			}
		}
	}
	return false
}

// qualified names path inside prefix: "emails" and "value" give
// "emails.value".
func qualified(prefix string, p Path) string {
	name := p.Attr
	if p.Sub != "" {
		name += "." + p.Sub
	}
	if prefix != "" {
		name = prefix + "." + name
	}
	return name
}

func lookup(obj map[string]any, attr string) any {
	return obj[attr]
}

// values returns the values path names in obj: several for a multi-valued
// attribute. A multi-valued complex attribute named without a
// sub-attribute stands for its elements' "value".
func values(obj map[string]any, p Path) []any {
	var v any = obj
	if p.URI != "" {
		v = obj[strings.ToLower(p.URI)]
	}
	m, _ := v.(map[string]any)
	v = lookup(m, p.Attr)
	sub := p.Sub
	var out []any
	for _, x := range asList(v) {
		if el, ok := x.(map[string]any); ok {
			s := sub
			if s == "" {
				s = "value"
			}
			if y, ok := el[s]; ok {
				out = append(out, y)
			}
			continue
		}
		if sub == "" {
			out = append(out, x)
		}
	}
	return out
}

func asList(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	}
	return []any{v}
}

func present(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case string:
		return v != ""
	case []any:
		return len(v) > 0
	case map[string]any:
		return len(v) > 0
	}
	return true
}

// compare applies op to an attribute's value and a filter's value.
func compare(attr any, op string, v Value, exact bool) bool {
	switch a := attr.(type) {
	case bool:
		return v.Kind == Bool && op == "eq" && a == v.Bool
	case json.Number:
		return v.Kind == Number && op == "eq" && a.String() == v.Str
	case string:
		if v.Kind != String {
			return false
		}
		b := v.Str
		if !exact {
			a, b = serverstore.FoldCase(a), serverstore.FoldCase(b)
		}
		switch op {
		case "eq":
			return a == b
		case "co":
			return strings.Contains(a, b)
		case "sw":
			return strings.HasPrefix(a, b)
		case "ew":
			return strings.HasSuffix(a, b)
		case "gt":
			return a > b
		case "ge":
			return a >= b
		case "lt":
			return a < b
		case "le":
			return a <= b
		}
	}
	return false
}
