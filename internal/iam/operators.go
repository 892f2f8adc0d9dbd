package iam

import (
	"encoding/base64"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// family groups condition operators that read values the same way.
type family uint8

const (
	famString family = iota
	famStringFold
	famStringLike
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famArn
	famNull
)

// cmpOp is the comparison of a Numeric or Date operator.
type cmpOp uint8

const (
	cmpEq cmpOp = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

// opSpec describes one base operator. Negated operators match when no
// policy value matches (NOR), and when the key is missing.
type opSpec struct {
	fam     family
	cmp     cmpOp
	negated bool
}

// operators is the catalogue of base condition operators (governance.md
// §1.6.3); IfExists and the ForAllValues:/ForAnyValue: prefixes are parsed
// separately.
var operators = map[string]opSpec{
	"StringEquals":              {fam: famString},
	"StringNotEquals":           {fam: famString, negated: true},
	"StringEqualsIgnoreCase":    {fam: famStringFold},
	"StringNotEqualsIgnoreCase": {fam: famStringFold, negated: true},
	"StringLike":                {fam: famStringLike},
	"StringNotLike":             {fam: famStringLike, negated: true},
	"NumericEquals":             {fam: famNumeric},
	"NumericNotEquals":          {fam: famNumeric, negated: true},
	"NumericLessThan":           {fam: famNumeric, cmp: cmpLt},
	"NumericLessThanEquals":     {fam: famNumeric, cmp: cmpLe},
	"NumericGreaterThan":        {fam: famNumeric, cmp: cmpGt},
	"NumericGreaterThanEquals":  {fam: famNumeric, cmp: cmpGe},
	"DateEquals":                {fam: famDate},
	"DateNotEquals":             {fam: famDate, negated: true},
	"DateLessThan":              {fam: famDate, cmp: cmpLt},
	"DateLessThanEquals":        {fam: famDate, cmp: cmpLe},
	"DateGreaterThan":           {fam: famDate, cmp: cmpGt},
	"DateGreaterThanEquals":     {fam: famDate, cmp: cmpGe},
	"Bool":                      {fam: famBool},
	"BinaryEquals":              {fam: famBinary},
	"IpAddress":                 {fam: famIP},
	"NotIpAddress":              {fam: famIP, negated: true},
	"ArnEquals":                 {fam: famArn},
	"ArnLike":                   {fam: famArn},
	"ArnNotEquals":              {fam: famArn, negated: true},
	"ArnNotLike":                {fam: famArn, negated: true},
	"Null":                      {fam: famNull},
}

// setMode is the set operator prefix of a condition operator.
type setMode uint8

const (
	setNone setMode = iota
	setForAll
	setForAny
)

// parseOperator splits "ForAnyValue:StringLikeIfExists" into its parts.
func parseOperator(name string) (opSpec, setMode, bool, error) {
	set := setNone
	base := name
	if prefix, rest, ok := strings.Cut(name, ":"); ok {
		switch prefix {
		case "ForAllValues":
			set = setForAll
		case "ForAnyValue":
			set = setForAny
		default:
			return opSpec{}, 0, false, fmt.Errorf("unknown set operator %q (want ForAllValues or ForAnyValue)", prefix+":")
		}
		base = rest
	}
	ifExists := false
	if b, ok := strings.CutSuffix(base, "IfExists"); ok {
		base, ifExists = b, true
	}
	spec, ok := operators[base]
	if !ok {
		for known := range operators {
			if strings.EqualFold(known, base) {
				return opSpec{}, 0, false, fmt.Errorf("unknown condition operator %q (operator names are case-sensitive: did you mean %s?)", name, known)
			}
		}
		return opSpec{}, 0, false, fmt.Errorf("unknown condition operator %q", name)
	}
	if spec.fam == famNull && (ifExists || set != setNone) {
		return opSpec{}, 0, false, fmt.Errorf("condition operator %q: Null takes neither IfExists nor a set operator", name)
	}
	return spec, set, ifExists, nil
}

// condValue is one policy value of a condition, decoded for its family.
type condValue struct {
	tmpl    *template // string, Bool and ARN families
	glob    glob      // StringLike / ARN patterns, variables as placeholders
	dynamic bool      // an ARN pattern with variables: compiled per use
	num     float64
	date    time.Time
	prefix  netip.Prefix
	bin     []byte
	null    bool // Null: true means "the key must be absent"
}

// valueError is a problem with a condition value. invalid marks a value
// the operator cannot read, which makes the whole condition never match,
// as opposed to a malformed policy variable, which only makes its own
// value match nothing.
type valueError struct {
	msg     string
	invalid bool
}

func (e *valueError) Error() string { return e.msg }

func invalidf(format string, args ...any) error {
	return &valueError{msg: fmt.Sprintf(format, args...), invalid: true}
}

// compileValue decodes a policy value; vars says whether policy variables
// are expanded (Version 2012-10-17). IAM expands variables only in the
// String, ARN and Bool families; elsewhere "${…}" is just text that is not
// a number, date or address.
//
// A value that is not valid for its operator (a non-number for Numeric, a
// non-date for Date, not an address or CIDR for IpAddress, a malformed
// ARN, not true/false for Bool and Null, not base64 for Binary) is not a
// parse error: AWS accepts the policy and the condition simply never
// matches. compileValue reports it as a *valueError with invalid set, and
// the caller records a finding and disables the condition. A malformed
// variable reference is reported too, but only its own value is affected.
func compileValue(spec opSpec, raw string, vars bool) (condValue, error) {
	var v condValue
	var err error
	switch spec.fam {
	case famString, famStringFold, famStringLike, famBool, famArn:
		v.tmpl, err = parseTemplate(raw, vars)
		if err != nil {
			err = &valueError{msg: fmt.Sprintf("value %q: %v; the value matches nothing", raw, err)}
		}
		if v.tmpl.hasVars() {
			switch spec.fam {
			case famStringLike:
				v.glob = compileGlob(v.tmpl.pieces(), globString)
			case famArn:
				// Where an ARN pattern's segments fall depends on the colons
				// in the variables' values, so it is checked and compiled
				// once they are known.
				v.dynamic = true
			}
			return v, err
		}
		switch spec.fam {
		case famStringLike:
			v.glob = compileText(raw, globString)
		case famArn:
			if raw == "*" {
				v.glob = compileText(raw, globString)
				break
			}
			if err := checkARNPattern(raw); err != nil {
				return v, invalidf("%v", err)
			}
			v.glob = compileText(raw, globArn)
		case famBool:
			if !strings.EqualFold(raw, "true") && !strings.EqualFold(raw, "false") {
				return v, invalidf("value %q is not true or false", raw)
			}
		}
	case famNumeric:
		if v.num, err = parseNumber(raw); err != nil {
			return v, invalidf("%v%s", err, noVarsNote(raw, "Numeric"))
		}
	case famDate:
		var ok bool
		if v.date, ok = parseDate(raw); !ok {
			return v, invalidf("value %q is neither ISO 8601 (2006-01-02T15:04:05Z) nor epoch seconds%s", raw, noVarsNote(raw, "Date"))
		}
	case famIP:
		if v.prefix, err = parseCIDR(raw); err != nil {
			return v, invalidf("%v%s", err, noVarsNote(raw, "IP address"))
		}
	case famBinary:
		if v.bin, err = base64.StdEncoding.DecodeString(raw); err != nil {
			return v, invalidf("value %q is not base64%s", raw, noVarsNote(raw, "Binary"))
		}
	case famNull:
		switch {
		case strings.EqualFold(raw, "true"):
			v.null = true
		case !strings.EqualFold(raw, "false"):
			return v, invalidf("value %q is not true or false%s", raw, noVarsNote(raw, "Null"))
		}
	}
	return v, nil
}

// noVarsNote explains, for a value that looks like a policy variable, why
// it was not expanded.
func noVarsNote(raw, family string) string {
	if strings.Contains(raw, "${") {
		return " (policy variables are not expanded in " + family + " conditions)"
	}
	return ""
}

// parseNumber reads an integer or decimal; unlike strconv.ParseFloat alone
// it refuses hex, exponents, underscores, Inf and NaN, which IAM does not
// accept.
func parseNumber(s string) (float64, error) {
	if !isNumber(s) {
		return 0, fmt.Errorf("value %q is not an integer or decimal", s)
	}
	return strconv.ParseFloat(s, 64)
}

// isNumber reports whether s has parseNumber's syntax; it lets request
// values be checked without building an error.
func isNumber(s string) bool {
	t := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	intPart, frac, hasDot := strings.Cut(t, ".")
	return !(intPart == "" && frac == "") && !(hasDot && frac == "") && allDigits(intPart) && allDigits(frac)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// dateLayouts are the W3C profiles of ISO 8601 that IAM documents. A
// timestamp without a zone is read as UTC.
var dateLayouts = []string{
	time.RFC3339, // also accepts fractional seconds when parsing
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
	"2006-01",
}

// parseDate reads an ISO 8601 date or epoch seconds (aws:EpochTime). An
// all-digit value is always epoch seconds, so the bare-year profile "YYYY"
// is not supported.
func parseDate(s string) (time.Time, bool) {
	if isNumber(s) {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			if math.Abs(f) > 1e13 { // beyond year 300000: not a real date
				return time.Time{}, false
			}
			sec, frac := math.Modf(f)
			return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
		}
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// parseCIDR reads an IPv4 or IPv6 CIDR; a bare address is a /32 or /128.
// IPv4-mapped IPv6 forms are read as IPv4, as request addresses are.
func parseCIDR(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("value %q is not a CIDR block", s)
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("value %q is not an IP address or CIDR block", s)
	}
	a = a.Unmap().WithZone("")
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// compare applies a Numeric or Date comparison to request value r and
// policy value p.
func compare[T int | float64](op cmpOp, r, p T) bool {
	switch op {
	case cmpLt:
		return r < p
	case cmpLe:
		return r <= p
	case cmpGt:
		return r > p
	case cmpGe:
		return r >= p
	}
	return r == p
}
