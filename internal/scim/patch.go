package scim

import (
	"fmt"
	"net/http"
	"strings"
)

// maxPatchOps bounds the operations of one PATCH request.
const maxPatchOps = 1000

// patchOp is one operation of a PATCH request (RFC 7644 §3.5.2).
type patchOp struct {
	op    string     // add, replace or remove
	path  *patchPath // nil when the request gave none
	value any
}

// patchPath is "attrPath[filter].sub": Filter selects elements of a
// multi-valued attribute.
type patchPath struct {
	Path
	filter Expr
}

func (p *patchPath) String() string {
	if p.filter == nil {
		return p.Path.String()
	}
	s := Path{URI: p.URI, Attr: p.Attr}.String() + "[…]"
	if p.Sub != "" {
		s += "." + p.Sub
	}
	return s
}

func patchError(scimType, format string, args ...any) error {
	return &scimError{status: http.StatusBadRequest, scimType: scimType, detail: fmt.Sprintf(format, args...)}
}

// parsePatch reads a PatchOp message (in the form decodeObject gives).
// Operation names are case-insensitive, as Entra ID capitalises them.
func parsePatch(obj map[string]any) ([]patchOp, error) {
	list, ok := obj["operations"].([]any)
	if !ok || len(list) == 0 {
		return nil, invalidValue("Operations: expected a non-empty array of operations")
	}
	if len(list) > maxPatchOps {
		return nil, invalidValue(fmt.Sprintf("Operations: more than %d operations", maxPatchOps))
	}
	ops := make([]patchOp, 0, len(list))
	for i, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, invalidValue(fmt.Sprintf("Operations[%d]: expected an object", i))
		}
		name, _ := m["op"].(string)
		op := patchOp{op: strings.ToLower(name), value: m["value"]}
		switch op.op {
		case "add", "replace", "remove":
		default:
			return nil, invalidValue(fmt.Sprintf("Operations[%d].op: expected add, replace or remove", i))
		}
		switch p := m["path"].(type) {
		case nil:
		case string:
			pp, err := parsePatchPath(p)
			if err != nil {
				return nil, err
			}
			op.path = pp
		default:
			return nil, invalidValue(fmt.Sprintf("Operations[%d].path: expected a string", i))
		}
		if op.path == nil && op.op == "remove" {
			return nil, patchError("noTarget", "Operations[%d]: remove needs a path", i)
		}
		if op.op != "remove" && op.value == nil {
			return nil, invalidValue(fmt.Sprintf("Operations[%d].value: required for %s", i, op.op))
		}
		if _, isObj := op.value.(map[string]any); op.path == nil && !isObj {
			return nil, invalidValue(fmt.Sprintf("Operations[%d].value: expected an object when there is no path", i))
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// parsePatchPath parses "attr", "attr.sub", "urn:…:attr",
// "attr[filter]" and "attr[filter].sub".
func parsePatchPath(s string) (*patchPath, error) {
	if len(s) > maxFilterLen {
		return nil, patchError("invalidPath", "the path is longer than %d bytes", maxFilterLen)
	}
	open := strings.IndexByte(s, '[')
	if open < 0 {
		p, err := parsePath(s)
		if err != nil {
			return nil, patchError("invalidPath", "%q is not an attribute path", s)
		}
		return &patchPath{Path: p}, nil
	}
	p, err := parsePath(s[:open])
	if err != nil || p.Sub != "" {
		return nil, patchError("invalidPath", "%q is not an attribute path", s)
	}
	ps := &parser{lex: lexer{src: s[open+1:]}}
	if err := ps.next(); err != nil {
		return nil, err
	}
	f, err := ps.or(1)
	if err != nil {
		return nil, err
	}
	if ps.tok.kind != tRBracket {
		return nil, patchError("invalidPath", "%q: expected ] after the value filter", s)
	}
	rest := ps.lex.src[ps.lex.pos:]
	if rest != "" {
		sub, ok := strings.CutPrefix(rest, ".")
		if !ok || !validAttrName(sub) {
			return nil, patchError("invalidPath", "%q is not an attribute path", s)
		}
		p.Sub = strings.ToLower(sub)
	}
	return &patchPath{Path: p, filter: f}, nil
}

// applyPatch applies ops in order to res, a resource in the form
// decodeObject gives. Attributes qdev does not keep may be changed freely:
// reading the result back ignores them.
func applyPatch(res map[string]any, ops []patchOp) error {
	for _, op := range ops {
		if op.path == nil {
			// Without a path, each attribute of the value is the target
			// of the operation; a key may itself be a path.
			for k, v := range op.value.(map[string]any) {
				p, err := parsePatchPath(k)
				if err != nil {
					return err
				}
				if err := applyAt(res, op.op, p, v); err != nil {
					return err
				}
			}
			continue
		}
		if err := applyAt(res, op.op, op.path, op.value); err != nil {
			return err
		}
	}
	return nil
}

// applyAt applies one operation at path p.
func applyAt(res map[string]any, op string, p *patchPath, value any) error {
	obj := res
	if p.URI != "" {
		key := strings.ToLower(p.URI)
		ext, _ := res[key].(map[string]any)
		if ext == nil {
			ext = map[string]any{}
			res[key] = ext
		}
		obj = ext
	}
	if p.filter != nil {
		return applyFiltered(obj, op, p, value)
	}
	cur, exists := obj[p.Attr]
	if p.Sub != "" {
		switch c := cur.(type) {
		case nil:
			if op != "remove" {
				obj[p.Attr] = map[string]any{p.Sub: value}
			}
		case map[string]any:
			setOrRemove(c, op, p.Sub, value)
		case []any:
			for _, el := range c {
				if m, ok := el.(map[string]any); ok {
					setOrRemove(m, op, p.Sub, value)
				}
			}
		default:
			return patchError("invalidPath", "%s: %s has no sub-attributes", p, p.Attr)
		}
		return nil
	}
	switch op {
	case "remove":
		if list, ok := cur.([]any); ok && value != nil {
			obj[p.Attr] = removeValues(list, value)
		} else {
			delete(obj, p.Attr)
		}
	case "add":
		list, isList := cur.([]any)
		_, valueIsList := value.([]any)
		switch {
		case isList || (!exists && valueIsList):
			added := asList(value)
			obj[p.Attr] = append(demote(list, added), added...)
		default:
			obj[p.Attr] = merge(cur, value)
		}
	case "replace":
		if list, ok := value.([]any); ok {
			obj[p.Attr] = list
		} else {
			obj[p.Attr] = merge(cur, value)
		}
	}
	return nil
}

// applyFiltered applies an operation to the elements of a multi-valued
// attribute that p's filter selects. Adding or replacing where none
// matches adds an element made of the filter's "eq" terms, as Entra ID
// expects of paths like emails[type eq "work"].value.
func applyFiltered(obj map[string]any, op string, p *patchPath, value any) error {
	list, _ := obj[p.Attr].([]any)
	var kept []any
	matched := false
	for _, el := range list {
		m, ok := el.(map[string]any)
		if !ok || !Match(p.filter, m, p.Attr) {
			kept = append(kept, el)
			continue
		}
		matched = true
		switch {
		case p.Sub != "":
			setOrRemove(m, op, p.Sub, value)
			kept = append(kept, m)
		case op == "remove":
		default:
			v, ok := value.(map[string]any)
			if !ok {
				return invalidValue(fmt.Sprintf("%s: expected an object", p))
			}
			kept = append(kept, merge(m, v))
		}
	}
	if !matched && op != "remove" {
		el, ok := eqTerms(p.filter)
		if !ok {
			return patchError("noTarget", "%s: no value matches the filter", p)
		}
		if p.Sub != "" {
			el[p.Sub] = value
		} else if v, ok := value.(map[string]any); ok {
			el = merge(el, v).(map[string]any)
		} else {
			return invalidValue(fmt.Sprintf("%s: expected an object", p))
		}
		kept = append(demote(kept, []any{el}), el)
	}
	obj[p.Attr] = kept
	return nil
}

// setOrRemove sets or removes the sub-attribute sub of a complex value.
func setOrRemove(m map[string]any, op, sub string, value any) {
	if op == "remove" {
		delete(m, sub)
	} else {
		m[sub] = merge(m[sub], value)
	}
}

// merge returns value, or, when both are objects, cur with value's
// attributes set: a complex attribute's sub-attributes that an add or
// replace leaves out are kept (RFC 7644 §3.5.2.1, §3.5.2.3).
func merge(cur, value any) any {
	c, ok1 := cur.(map[string]any)
	v, ok2 := value.(map[string]any)
	if !ok1 || !ok2 {
		return value
	}
	out := make(map[string]any, len(c)+len(v))
	for k, x := range c {
		out[k] = x
	}
	for k, x := range v {
		out[k] = x
	}
	return out
}

// demote clears "primary" on the elements of list when an element being
// added is primary: only one value may be.
func demote(list, added []any) []any {
	for _, a := range added {
		if m, ok := a.(map[string]any); ok && m["primary"] == true {
			for _, el := range list {
				if e, ok := el.(map[string]any); ok {
					delete(e, "primary")
				}
			}
		}
	}
	return list
}

// removeValues drops from list the elements whose "value" is the "value"
// of one of value's elements, as Entra ID removes group members.
func removeValues(list []any, value any) []any {
	drop := map[string]bool{}
	for _, v := range asList(value) {
		if m, ok := v.(map[string]any); ok {
			if s, ok := m["value"].(string); ok {
				drop[s] = true
			}
		}
	}
	var kept []any
	for _, el := range list {
		if m, ok := el.(map[string]any); ok {
			if s, ok := m["value"].(string); ok && drop[s] {
				continue
			}
		}
		kept = append(kept, el)
	}
	return kept
}

// eqTerms returns the attributes a filter made only of "attr eq value"
// joined by and requires, as an element that satisfies it.
func eqTerms(e Expr) (map[string]any, bool) {
	switch e := e.(type) {
	case *And:
		l, ok1 := eqTerms(e.L)
		r, ok2 := eqTerms(e.R)
		if !ok1 || !ok2 {
			return nil, false
		}
		for k, v := range r {
			l[k] = v
		}
		return l, true
	case *Compare:
		if e.Op != "eq" || e.Path.Sub != "" || e.Path.URI != "" {
			return nil, false
		}
		switch e.Value.Kind {
		case String:
			return map[string]any{e.Path.Attr: e.Value.Str}, true
		case Bool:
			return map[string]any{e.Path.Attr: e.Value.Bool}, true
		}
	}
	return nil, false
}
