package iam

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
)

// condDecision evaluates one statement with the Condition block cond. For
// an Allow the statement alone decides (Allow or ImplicitDeny); for a
// Deny an Allow-everything statement comes first, so the decision says
// whether the Deny applied (ExplicitDeny) or not (Allow).
func condDecision(t *testing.T, effect Effect, cond string, ctx kv) Decision {
	t.Helper()
	stmt := `{"Sid":"Cond","Effect":"` + string(effect) + `","Action":"*","Resource":"*","Condition":` + cond + `}`
	if effect == EffectDeny {
		stmt = `{"Effect":"Allow","Action":"*","Resource":"*"},` + stmt
	}
	p := mustParse(t, "c.json", `{"Version":"2012-10-17","Statement":[`+stmt+`]}`)
	return Evaluate(&PolicySet{Identity: []*Policy{p}}, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctx}).Decision
}

type condVector struct {
	name   string
	effect Effect
	cond   string
	ctx    kv
	want   Decision
}

func runCondVectors(t *testing.T, vectors []condVector) {
	t.Helper()
	for _, tc := range vectors {
		t.Run(tc.name, func(t *testing.T) {
			if got := condDecision(t, tc.effect, tc.cond, tc.ctx); got != tc.want {
				t.Errorf("%s %s with %v: %s, want %s", tc.effect, tc.cond, tc.ctx, got, tc.want)
			}
		})
	}
}

// A condition value that is not valid for its operator makes the whole
// condition never match: not an evaluation error, and not a negated
// operator's "nothing matched, so true" either. That holds whatever the
// key's presence, IfExists or set prefix. A request value the operator
// cannot read fails the comparison in the same way, negated or not.
func TestInvalidConditionValues(t *testing.T) {
	const (
		allow = EffectAllow
		deny  = EffectDeny
	)
	n5 := kv{"n": {"5"}}
	src := kv{"aws:SourceIp": {"8.8.8.8"}}
	now := kv{"aws:CurrentTime": {"2026-03-01T12:00:00Z"}}
	arn := kv{"aws:SourceArn": {"arn:aws:s3:::b"}}
	runCondVectors(t, []condVector{
		// Numeric.
		{"numeric word", allow, `{"NumericLessThan":{"n":"ten"}}`, n5, ImplicitDeny},
		{"numeric word in Deny", deny, `{"NumericLessThan":{"n":"ten"}}`, n5, Allow},
		{"numeric negated", deny, `{"NumericNotEquals":{"n":"ten"}}`, n5, Allow},
		{"numeric negated, key missing", deny, `{"NumericNotEquals":{"n":"ten"}}`, nil, Allow},
		{"numeric IfExists, key missing", allow, `{"NumericLessThanIfExists":{"n":"ten"}}`, nil, ImplicitDeny},
		{"numeric one bad value of two", allow, `{"NumericEquals":{"n":["ten","5"]}}`, n5, ImplicitDeny},
		{"numeric hex", allow, `{"NumericEquals":{"n":"0x10"}}`, kv{"n": {"16"}}, ImplicitDeny},
		{"numeric exponent", allow, `{"NumericEquals":{"n":"1e3"}}`, kv{"n": {"1000"}}, ImplicitDeny},
		{"numeric variable", allow, `{"NumericEquals":{"n":"${aws:n}"}}`, kv{"n": {"1"}, "aws:n": {"1"}}, ImplicitDeny},
		{"ForAllValues numeric, key missing", allow, `{"ForAllValues:NumericLessThan":{"n":"ten"}}`, nil, ImplicitDeny},
		// Date.
		{"date word", allow, `{"DateLessThan":{"aws:CurrentTime":"tomorrow"}}`, now, ImplicitDeny},
		{"date negated", deny, `{"DateNotEquals":{"aws:CurrentTime":"soon"}}`, now, Allow},
		{"date out of range", allow, `{"DateGreaterThan":{"aws:CurrentTime":"2024-13-45"}}`, now, ImplicitDeny},
		{"date IfExists negated, key missing", deny, `{"DateNotEqualsIfExists":{"aws:CurrentTime":"never"}}`, nil, Allow},
		// IP.
		{"ip prefix too long", allow, `{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}`, kv{"aws:SourceIp": {"10.1.1.1"}}, ImplicitDeny},
		{"NotIpAddress word", deny, `{"NotIpAddress":{"aws:SourceIp":"not-an-ip"}}`, src, Allow},
		{"NotIpAddress bad octet, key missing", deny, `{"NotIpAddress":{"aws:SourceIp":"300.1.1.1"}}`, nil, Allow},
		{"NotIpAddress one bad of two", deny, `{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","bogus"]}}`, src, Allow},
		{"ForAnyValue IpAddress", allow, `{"ForAnyValue:IpAddress":{"aws:SourceIp":"bogus"}}`, src, ImplicitDeny},
		// ARN.
		{"arn too short", allow, `{"ArnLike":{"aws:SourceArn":"arn:aws:s3"}}`, arn, ImplicitDeny},
		{"arn not an arn, negated", deny, `{"ArnNotLike":{"aws:SourceArn":"not-an-arn"}}`, arn, Allow},
		{"arn five segments", allow, `{"ArnEquals":{"aws:SourceArn":"arn:aws:iam::123456789012"}}`, kv{"aws:SourceArn": {"arn:aws:iam::123456789012:root"}}, ImplicitDeny},
		{"arn empty service, negated", deny, `{"ArnNotEquals":{"aws:SourceArn":"arn:aws::::b"}}`, arn, Allow},
		// Bool, Binary, Null.
		{"bool yes", allow, `{"Bool":{"aws:SecureTransport":"yes"}}`, kv{"aws:SecureTransport": {"true"}}, ImplicitDeny},
		{"bool IfExists, key missing", deny, `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"1"}}`, nil, Allow},
		{"binary not base64", allow, `{"BinaryEquals":{"b":"%%%"}}`, kv{"b": {"%%%"}}, ImplicitDeny},
		{"null maybe", allow, `{"Null":{"k":"maybe"}}`, nil, ImplicitDeny},
		{"null variable", allow, `{"Null":{"k":"${aws:username}"}}`, kv{"aws:username": {"true"}}, ImplicitDeny},
		// An invalid condition fails its statement, not its neighbours.
		{"other statements unaffected", deny, `{"StringEquals":{"k":"v"},"NumericLessThan":{"n":"x"}}`, kv{"k": {"v"}, "n": {"1"}}, Allow},
		// Request values the operator cannot read.
		{"request not a number, negated", deny, `{"NumericNotEquals":{"n":"5"}}`, kv{"n": {"five"}}, Allow},
		{"request not an IP, negated", deny, `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, kv{"aws:SourceIp": {"vpce-1a2b"}}, Allow},
		{"request not a date, negated", deny, `{"DateNotEquals":{"aws:CurrentTime":"2026-01-01"}}`, kv{"aws:CurrentTime": {"garbage"}}, Allow},
		{"request not an ARN, negated", deny, `{"ArnNotLike":{"aws:SourceArn":"arn:aws:s3:::*"}}`, kv{"aws:SourceArn": {"bucket-name"}}, Allow},
		{"request not base64", allow, `{"BinaryEquals":{"b":"QQ=="}}`, kv{"b": {"!"}}, ImplicitDeny},
		{"ForAllValues with an unreadable element", allow, `{"ForAllValues:NumericLessThan":{"n":"10"}}`, kv{"n": {"5", "abc"}}, ImplicitDeny},
		{"ForAnyValue skips an unreadable element", allow, `{"ForAnyValue:NumericLessThan":{"n":"10"}}`, kv{"n": {"abc", "5"}}, Allow},
		{"ForAnyValue negated, only unreadable", allow, `{"ForAnyValue:NumericNotEquals":{"n":"5"}}`, kv{"n": {"abc"}}, ImplicitDeny},
		// Controls: valid values behave as before.
		{"valid negated applies", deny, `{"NumericNotEquals":{"n":"10"}}`, n5, ExplicitDeny},
		{"valid negated, key missing", deny, `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, nil, ExplicitDeny},
		{"valid numeric", allow, `{"NumericLessThan":{"n":"10"}}`, n5, Allow},
	})
}

// Every invalid value is a finding that names the file, position,
// statement, operator, key and value and says why; the policy still
// parses.
func TestConditionFindings(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":["10","ten"]}},"Sid":"Late"},
 {"Effect":"Deny","Action":"*","Resource":"*","Condition":{
   "IpAddress":{"aws:SourceIp":"10.0.0.0/33"},
   "ArnLike":{"aws:SourceArn":"arn:aws:s3"},
   "StringEquals":{"k":"${aws:username"},
   "Bool":{"aws:SecureTransport":"yes"}}}]}`
	p := mustParse(t, "f.json", doc)
	want := []string{
		`f.json:2:100: statement 0 (Sid Late): NumericLessThan s3:max-keys: value "ten" is not an integer or decimal; the condition never matches`,
		`f.json:4:32: statement 1: IpAddress aws:SourceIp: value "10.0.0.0/33" is not a CIDR block; the condition never matches`,
		`f.json:5:31: statement 1: ArnLike aws:SourceArn: malformed ARN "arn:aws:s3": want arn:partition:service:region:account:resource; the condition never matches`,
		`f.json:6:24: statement 1: StringEquals k: value "${aws:username": unterminated policy variable (missing '}'); the value matches nothing`,
		`f.json:7:34: statement 1: Bool aws:SecureTransport: value "yes" is not true or false; the condition never matches`,
	}
	if len(p.Findings) != len(want) {
		t.Fatalf("%d findings, want %d: %v", len(p.Findings), len(want), p.Findings)
	}
	for i, f := range p.Findings {
		if f.String() != want[i] {
			t.Errorf("finding %d:\n got  %s\n want %s", i, f, want[i])
		}
	}
	if f := p.Findings[0]; f.Value != "ten" || f.Key != "s3:max-keys" || f.Operator != "NumericLessThan" || f.Statement != 0 || f.Sid != "Late" {
		t.Errorf("fields %+v", f)
	}
	if strings.Contains(p.Findings[3].String(), "\n") {
		t.Error("a finding must be one line")
	}
	if clean := mustParse(t, "ok.json", allowAll); len(clean.Findings) != 0 {
		t.Errorf("a clean policy has findings: %v", clean.Findings)
	}
}

// fuzzOperators are the base operators FuzzConditionValue draws from.
var fuzzOperators = []string{
	"StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "NumericEquals", "NumericNotEquals",
	"NumericLessThan", "DateEquals", "DateNotEquals", "DateGreaterThan", "Bool", "BinaryEquals",
	"IpAddress", "NotIpAddress", "ArnLike", "ArnNotLike", "ArnEquals", "Null",
}

// FuzzConditionValue checks, for any operator and any policy and request
// values, that a string condition value never makes a policy fail to
// parse; that a value reported as invalid disables its condition, present
// key or not; and that a negated operator is the complement of its
// positive form whenever the values are valid and readable.
func FuzzConditionValue(f *testing.F) {
	f.Add(uint8(4), "ten", "5", false)
	f.Add(uint8(13), "10.0.0.0/33", "10.1.2.3", true)
	f.Add(uint8(15), "arn:aws:s?:::*", "arn:aws:s3:::b", false)
	f.Add(uint8(1), "${aws:username", "bob", true)
	f.Add(uint8(8), "2026-01-01", "garbage", false)
	f.Add(uint8(17), "maybe", "", true)
	f.Fuzz(func(t *testing.T, opIdx uint8, value, request string, ifExists bool) {
		op := fuzzOperators[int(opIdx)%len(fuzzOperators)]
		if ifExists && op != "Null" {
			op += "IfExists"
		}
		doc, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": map[string]any{
			"Effect": "Allow", "Action": "*", "Resource": "*",
			"Condition": map[string]any{op: map[string]any{"k": value}}}})
		if err != nil {
			return
		}
		p, err := Parse("f.json", doc)
		if err != nil {
			t.Fatalf("%s %q: %v", op, value, err)
		}
		c := p.Statements[0].Conditions[0]
		ctx := &reqContext{src: map[string][]string{"k": {request}, "aws:username": {"bob"}}}
		missing := &reqContext{}
		if c.invalid && (c.eval(ctx) || c.eval(missing)) {
			t.Fatalf("%s %q holds although its value is invalid", op, value)
		}
		if c.invalid != (len(p.Findings) > 0 && strings.HasSuffix(p.Findings[0].Why, "never matches")) {
			t.Fatalf("%s %q: invalid %v, findings %v", op, value, c.invalid, p.Findings)
		}
		if !c.spec.negated || c.invalid || strings.Contains(value, "${") {
			return
		}
		pos := *c
		pos.spec.negated = false
		readable := true
		switch c.spec.fam {
		case famNumeric:
			readable = isNumber(request)
		case famDate:
			_, readable = parseDate(request)
		case famIP:
			_, err := netip.ParseAddr(request)
			readable = err == nil
		case famArn:
			readable = isARN(request)
		}
		if readable && c.eval(ctx) == pos.eval(ctx) {
			t.Fatalf("%s %q on %q: negated and positive forms agree", op, value, request)
		}
		if !readable && (c.eval(ctx) || pos.eval(ctx)) {
			t.Fatalf("%s %q on unreadable %q holds", op, value, request)
		}
	})
}
