package iam

import (
	"bytes"
	"encoding/base64"
	"net/netip"
	"strings"
)

// Condition is one (operator, key, values) triple of a Condition block.
// A statement's conditions are ANDed; the values of one condition are ORed
// (NORed for negated operators).
type Condition struct {
	Operator string   // as written, e.g. "ForAnyValue:StringLikeIfExists"
	Key      string   // condition key as written, e.g. "aws:userAgent"
	Values   []string // policy values as written (numbers and booleans as text)

	key      string // lower-cased: key names are case-insensitive
	spec     opSpec
	set      setMode
	ifExists bool
	vals     []condValue
}

// eval reports whether the condition holds for the request context
// (governance.md §1.6).
func (c *Condition) eval(ctx *reqContext) bool {
	got := ctx.get(c.key)
	if c.spec.fam == famNull {
		present := len(got) > 0
		for _, v := range c.vals {
			if v.null != present {
				return true
			}
		}
		return false
	}
	switch c.set {
	case setForAll:
		// True for a missing key or an empty set, which is why AWS warns
		// against ForAllValues with Allow.
		for _, r := range got {
			if !c.evalOne(r, ctx) {
				return false
			}
		}
		return true
	case setForAny:
		// False for a missing key, even with IfExists.
		for _, r := range got {
			if c.evalOne(r, ctx) {
				return true
			}
		}
		return false
	}
	switch {
	case len(got) == 0:
		return c.ifExists || c.spec.negated
	case len(got) > 1:
		// A list given to a single-valued operator matches nothing
		// (governance.md §1.6.4: AWS answered implicitDeny).
		return false
	}
	return c.evalOne(got[0], ctx)
}

// evalOne applies the operator to one request value: does any policy
// value match it (or, negated, none)?
func (c *Condition) evalOne(r string, ctx *reqContext) bool {
	hit := false
	for i := range c.vals {
		if c.matchValue(&c.vals[i], r, ctx) {
			hit = true
			break
		}
	}
	return hit != c.spec.negated
}

// matchValue compares request value r with one policy value using the
// operator's positive form. A policy value whose variables do not resolve
// matches nothing.
func (c *Condition) matchValue(v *condValue, r string, ctx *reqContext) bool {
	switch c.spec.fam {
	case famString, famStringFold, famBool:
		p, ok := v.tmpl.resolveString(ctx)
		if !ok {
			return false
		}
		if c.spec.fam == famString {
			return p == r
		}
		return strings.EqualFold(p, r)
	case famStringLike, famArn:
		g := v.glob
		if g == nil {
			pieces, ok := v.tmpl.resolve(ctx)
			if !ok {
				return false
			}
			mode := globString
			if c.spec.fam == famArn {
				mode = globArn
			}
			g = compileGlob(pieces, mode)
		}
		return g.match(r)
	case famNumeric:
		n, err := parseNumber(r)
		return err == nil && compare(c.spec.cmp, n, v.num)
	case famDate:
		t, ok := parseDate(r)
		return ok && compare(c.spec.cmp, t.Compare(v.date), 0)
	case famIP:
		a, err := netip.ParseAddr(r)
		return err == nil && v.prefix.Contains(a.Unmap().WithZone(""))
	case famBinary:
		b, err := base64.StdEncoding.DecodeString(r)
		return err == nil && bytes.Equal(b, v.bin)
	}
	return false
}
