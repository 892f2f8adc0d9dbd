package scim

import (
	"github.com/qdev/qdev/internal/serverstore"
)

// attrField says how a filter attribute maps to the store: a field, or a
// constant every resource has (each user's one email is of type work and
// primary).
type attrField struct {
	field    serverstore.Field
	constant any // string or bool, when field is 0
	isBool   bool
}

var userAttrs = map[string]attrField{
	"id":              {field: serverstore.FieldUserID},
	"username":        {field: serverstore.FieldUserName},
	"externalid":      {field: serverstore.FieldUserExternalID},
	"displayname":     {field: serverstore.FieldUserDisplayName},
	"name.formatted":  {field: serverstore.FieldUserDisplayName},
	"name.givenname":  {field: serverstore.FieldUserGivenName},
	"name.familyname": {field: serverstore.FieldUserFamilyName},
	"emails":          {field: serverstore.FieldUserEmail},
	"emails.value":    {field: serverstore.FieldUserEmail},
	"emails.type":     {constant: "work"},
	"emails.primary":  {constant: true},
	"active":          {field: serverstore.FieldUserActive, isBool: true},
}

var groupAttrs = map[string]attrField{
	"id":            {field: serverstore.FieldGroupID},
	"displayname":   {field: serverstore.FieldGroupDisplayName},
	"externalid":    {field: serverstore.FieldGroupExternalID},
	"members":       {field: serverstore.FieldGroupMember},
	"members.value": {field: serverstore.FieldGroupMember},
}

// userCond maps a filter on users to a store condition.
func userCond(e Expr) (serverstore.Cond, error) { return toCond(e, userAttrs, "") }

// groupCond maps a filter on groups to a store condition.
func groupCond(e Expr) (serverstore.Cond, error) { return toCond(e, groupAttrs, "") }

var (
	condTrue  = serverstore.Cond{Op: serverstore.CondTrue}
	condFalse = serverstore.Cond{Op: serverstore.CondFalse}
)

func toCond(e Expr, attrs map[string]attrField, prefix string) (serverstore.Cond, error) {
	both := func(op serverstore.CondOp, l, r Expr) (serverstore.Cond, error) {
		a, err := toCond(l, attrs, prefix)
		if err != nil {
			return a, err
		}
		b, err := toCond(r, attrs, prefix)
		return serverstore.Cond{Op: op, Sub: []serverstore.Cond{a, b}}, err
	}
	switch e := e.(type) {
	case *And:
		return both(serverstore.CondAnd, e.L, e.R)
	case *Or:
		return both(serverstore.CondOr, e.L, e.R)
	case *Not:
		x, err := toCond(e.X, attrs, prefix)
		return not(x), err
	case *ValuePath:
		if prefix != "" || e.Path.URI != "" {
			return serverstore.Cond{}, filterErrorf("%s: a value filter cannot be used here", e.Path)
		}
		// members has many elements: "members[a and b]" would need one
		// element to satisfy both, which the store's per-attribute
		// conditions cannot say, so only or is allowed inside.
		if e.Path.Attr == "members" && !onlyOr(e.Filter) {
			return serverstore.Cond{}, filterErrorf("members[…]: only comparisons joined by or are supported")
		}
		return toCond(e.Filter, attrs, e.Path.Attr)
	case *Present:
		f, err := attrOf(e.Path, attrs, prefix)
		if err != nil {
			return serverstore.Cond{}, err
		}
		if f.field == 0 {
			return condTrue, nil
		}
		return serverstore.Cond{Op: serverstore.CondPresent, Field: f.field}, nil
	case *Compare:
		return compareCond(e, attrs, prefix)
	}
	return serverstore.Cond{}, filterErrorf("unsupported filter")
}

func not(c serverstore.Cond) serverstore.Cond {
	return serverstore.Cond{Op: serverstore.CondNot, Sub: []serverstore.Cond{c}}
}

func onlyOr(e Expr) bool {
	switch e := e.(type) {
	case *Or:
		return onlyOr(e.L) && onlyOr(e.R)
	case *Compare, *Present:
		return true
	}
	return false
}

func attrOf(p Path, attrs map[string]attrField, prefix string) (attrField, error) {
	name := qualified(prefix, p)
	f, ok := attrs[name]
	if !ok || p.URI != "" {
		return attrField{}, filterErrorf("filtering on %s is not supported", Path{URI: p.URI, Attr: name})
	}
	return f, nil
}

func compareCond(e *Compare, attrs map[string]attrField, prefix string) (serverstore.Cond, error) {
	f, err := attrOf(e.Path, attrs, prefix)
	if err != nil {
		return serverstore.Cond{}, err
	}
	name := qualified(prefix, e.Path)
	if e.Value.Kind == Null && (e.Op == "eq" || e.Op == "ne") {
		c, err := toCond(&Present{Path: Path{Attr: name}}, attrs, "")
		if e.Op == "eq" {
			c = not(c)
		}
		return c, err
	}
	if f.field == 0 {
		// A constant: decide here, as the evaluator would.
		ok := compare(f.constant, e.Op, e.Value, false)
		if e.Op == "ne" {
			ok = !compare(f.constant, "eq", e.Value, false)
		}
		if ok {
			return condTrue, nil
		}
		return condFalse, nil
	}
	wantKind := String
	if f.isBool {
		wantKind = Bool
	}
	if e.Value.Kind != wantKind {
		return serverstore.Cond{}, filterErrorf("%s compares with a %s", name, map[ValueKind]string{String: "string", Bool: "boolean"}[wantKind])
	}
	ops := map[string]serverstore.CondOp{"eq": serverstore.CondEq, "ne": serverstore.CondEq,
		"co": serverstore.CondContains, "sw": serverstore.CondStartsWith, "ew": serverstore.CondEndsWith}
	op, ok := ops[e.Op]
	if !ok || ((f.isBool || f.field == serverstore.FieldGroupMember) && op != serverstore.CondEq) {
		return serverstore.Cond{}, filterErrorf("%s: the operator %s is not supported", name, e.Op)
	}
	c := serverstore.Cond{Op: op, Field: f.field, Value: e.Value.Str, Bool: e.Value.Bool}
	if e.Op == "ne" {
		c = not(c)
	}
	return c, nil
}
