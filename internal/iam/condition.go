package iam

import (
	"bytes"
	"encoding/base64"
	"net/netip"
	"strconv"
)

// Condition is one (operator, key, values) triple of a Condition block.
// A statement's conditions are ANDed; the values of one condition are ORed
// (NORed for negated operators).
type Condition struct {
	Operator string   // as written, e.g. "ForAnyValue:StringLikeIfExists"
	Key      string   // condition key as written, e.g. "aws:userAgent"
	Values   []string // policy values as written (numbers and booleans as text)

	key      ckey // key names are case-insensitive
	spec     opSpec
	set      setMode
	ifExists bool
	vals     []condValue // decoded for the family at parse time
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
// value match it (or, negated, none)? Each any* function reads r once (as
// a number, date or address) and compares it with every policy value.
// The dispatch is a switch rather than a function pointer stored at parse
// time: an indirect call would make the request context escape to the
// heap, costing an allocation per decision.
func (c *Condition) evalOne(r string, ctx *reqContext) bool {
	var hit bool
	switch c.spec.fam {
	case famString, famStringFold, famBool:
		hit = anyEqual(c, r, ctx)
	case famStringLike, famArn:
		hit = anyLike(c, r, ctx)
	case famNumeric:
		hit = anyNumber(c, r)
	case famDate:
		hit = anyDate(c, r)
	case famIP:
		hit = anyIP(c, r)
	case famBinary:
		hit = anyBinary(c, r)
	}
	return hit != c.spec.negated
}

// anyEqual serves the String, IgnoreCase and Bool families; Bool compares
// "true" and "false" without regard to case.
func anyEqual(c *Condition, r string, ctx *reqContext) bool {
	fold := c.spec.fam != famString
	for i := range c.vals {
		if c.vals[i].tmpl.equal(r, ctx, fold) {
			return true
		}
	}
	return false
}

func anyLike(c *Condition, r string, ctx *reqContext) bool {
	for i := range c.vals {
		if c.vals[i].like(r, ctx) {
			return true
		}
	}
	return false
}

// like matches r against a StringLike or ARN pattern. A pattern whose
// variables do not resolve matches nothing.
func (v *condValue) like(r string, ctx *reqContext) bool {
	switch {
	case v.dynamic:
		// An ARN pattern with variables: where its wildcards may cross ':'
		// depends on the colons in the values, so it is compiled per use.
		pieces, ok := v.tmpl.resolve(ctx)
		if !ok {
			return false
		}
		g := compileGlob(pieces, globArn)
		return g.match(r)
	case v.glob.nvars > 0:
		var buf [4]string
		vals, ok := v.tmpl.resolveVars(ctx, buf[:0])
		return ok && v.glob.matchWith(r, false, vals)
	}
	return v.glob.matchWith(r, false, nil)
}

func anyNumber(c *Condition, r string) bool {
	if !isNumber(r) {
		return false
	}
	n, err := strconv.ParseFloat(r, 64)
	if err != nil {
		return false
	}
	for i := range c.vals {
		if compare(c.spec.cmp, n, c.vals[i].num) {
			return true
		}
	}
	return false
}

func anyDate(c *Condition, r string) bool {
	t, ok := parseDate(r)
	if !ok {
		return false
	}
	for i := range c.vals {
		if compare(c.spec.cmp, t.Compare(c.vals[i].date), 0) {
			return true
		}
	}
	return false
}

func anyIP(c *Condition, r string) bool {
	a, err := netip.ParseAddr(r)
	if err != nil {
		return false
	}
	a = a.Unmap().WithZone("")
	for i := range c.vals {
		if c.vals[i].prefix.Contains(a) {
			return true
		}
	}
	return false
}

func anyBinary(c *Condition, r string) bool {
	b, err := base64.StdEncoding.DecodeString(r)
	if err != nil {
		return false
	}
	for i := range c.vals {
		if bytes.Equal(b, c.vals[i].bin) {
			return true
		}
	}
	return false
}
