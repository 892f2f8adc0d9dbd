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
	// invalid is set when a policy value is not valid for the operator.
	// Such a condition never matches, whatever the operator's polarity,
	// IfExists or set prefix and whether or not the key is present: AWS
	// cannot compare with a value it cannot read, and rather than fail the
	// request it treats the condition as not met. The parser records a
	// Finding for each such value.
	invalid bool
}

// eval reports whether the condition holds for the request context
// (governance.md §1.6).
func (c *Condition) eval(ctx *reqContext) bool {
	if c.invalid {
		return false
	}
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
// a number, date, address or ARN) and compares it with every policy value;
// it reports ok false when r cannot be read that way, and then the
// comparison fails for negated operators too: "not equal to 5" cannot be
// decided for "five" any more than "equal to 5" can. The dispatch is a
// switch rather than a function pointer stored at parse time: an
// indirect call would make the request context escape to the heap,
// costing an allocation per decision.
func (c *Condition) evalOne(r string, ctx *reqContext) bool {
	hit, ok := false, true
	switch c.spec.fam {
	case famString, famStringFold, famBool:
		hit = anyEqual(c, r, ctx)
	case famStringLike:
		hit = anyLike(c, r, ctx)
	case famArn:
		hit, ok = anyARN(c, r, ctx)
	case famNumeric:
		hit, ok = anyNumber(c, r)
	case famDate:
		hit, ok = anyDate(c, r)
	case famIP:
		hit, ok = anyIP(c, r)
	case famBinary:
		hit, ok = anyBinary(c, r)
	}
	return ok && hit != c.spec.negated
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

// anyLike serves StringLike. A pattern whose variables do not resolve
// matches nothing.
func anyLike(c *Condition, r string, ctx *reqContext) bool {
	for i := range c.vals {
		v := &c.vals[i]
		if v.glob.nvars == 0 {
			if v.glob.matchWith(r, false, nil) {
				return true
			}
			continue
		}
		var buf [4]string
		if vals, ok := v.tmpl.resolveVars(ctx, buf[:0]); ok && v.glob.matchWith(r, false, vals) {
			return true
		}
	}
	return false
}

// anyARN serves the Arn family. ok is false when r is not an ARN, or when
// a pattern with variables resolves to a malformed ARN (which, like any
// other invalid value, makes the condition fail). A pattern whose
// variables do not resolve matches nothing.
func anyARN(c *Condition, r string, ctx *reqContext) (hit, ok bool) {
	if !isARN(r) {
		return false, false
	}
	for i := range c.vals {
		v := &c.vals[i]
		if !v.dynamic {
			if v.glob.match(r) {
				return true, true
			}
			continue
		}
		// Where the pattern's wildcards may cross ':' depends on the
		// colons in the variables' values, so it is compiled per use.
		pieces, resolved := v.tmpl.resolve(ctx)
		if !resolved {
			continue
		}
		if checkARNPattern(joinPieces(pieces)) != nil {
			return false, false
		}
		if compileGlob(pieces, globArn).match(r) {
			return true, true
		}
	}
	return false, true
}

func anyNumber(c *Condition, r string) (hit, ok bool) {
	if !isNumber(r) {
		return false, false
	}
	n, err := strconv.ParseFloat(r, 64)
	if err != nil {
		return false, false
	}
	for i := range c.vals {
		if compare(c.spec.cmp, n, c.vals[i].num) {
			return true, true
		}
	}
	return false, true
}

func anyDate(c *Condition, r string) (hit, ok bool) {
	t, ok := parseDate(r)
	if !ok {
		return false, false
	}
	for i := range c.vals {
		if compare(c.spec.cmp, t.Compare(c.vals[i].date), 0) {
			return true, true
		}
	}
	return false, true
}

func anyIP(c *Condition, r string) (hit, ok bool) {
	a, err := netip.ParseAddr(r)
	if err != nil {
		return false, false
	}
	a = a.Unmap().WithZone("")
	for i := range c.vals {
		if c.vals[i].prefix.Contains(a) {
			return true, true
		}
	}
	return false, true
}

func anyBinary(c *Condition, r string) (hit, ok bool) {
	b, err := base64.StdEncoding.DecodeString(r)
	if err != nil {
		return false, false
	}
	for i := range c.vals {
		if bytes.Equal(b, c.vals[i].bin) {
			return true, true
		}
	}
	return false, true
}
