package iam

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func mustParse(t testing.TB, name, doc string) *Policy {
	t.Helper()
	p, err := Parse(name, []byte(doc))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return p
}

func TestParseShapes(t *testing.T) {
	single := mustParse(t, "one.json", `{"Version":"2012-10-17","Statement":
		{"Sid":"S","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`)
	if len(single.Statements) != 1 || single.Statements[0].Sid != "S" || single.Statements[0].Line != 2 {
		t.Fatalf("single statement object: %+v", single.Statements)
	}
	multi := mustParse(t, "many.json", `{"Statement":[
		{"Effect":"Deny","NotAction":["iam:*","sts:*"],"NotResource":"arn:aws:s3:::b/*",
		 "Principal":{"AWS":"*"}},
		{"Effect":"Allow","Action":"*","Resource":["*"],"Condition":{"Bool":{"aws:SecureTransport":true}}}]}`)
	st := multi.Statements
	if len(st) != 2 || !st[0].NotAction || !st[0].NotResource || st[1].Index != 1 || st[1].Conditions[0].Values[0] != "true" {
		t.Fatalf("statement array: %+v %+v", st[0], st[1])
	}
	if multi.Version != "" || len(multi.Warnings) != 1 || !strings.Contains(multi.Warnings[0].String(), "many.json:3:") {
		t.Errorf("Principal should warn at line 3: %v", multi.Warnings)
	}
}

// Each bad document yields an error at the right line and column that
// names the cause.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"syntax", "{\n  \"Statement\": [,]\n}", "p.json:2:17: invalid JSON: unexpected ','"},
		{"trailing comma", `{"Statement":[{"Effect":"Allow",}]}`, "p.json:1:33: invalid JSON: unexpected '}', want a quoted object key"},
		{"duplicate key", `{"Statement":{"Effect":"Allow","Effect":"Deny"}}`, `p.json:1:32: invalid JSON: duplicate key "Effect"`},
		{"not object", `[1]`, "p.json:1:1: a policy must be a JSON object, not array"},
		{"no statement", `{"Version":"2012-10-17"}`, "p.json:1:1: the policy has no Statement"},
		{"bad version", `{"Version":"2012-10-18","Statement":[]}`, `p.json:1:12: Version "2012-10-18" is not`},
		{"unknown top", `{"statement":[]}`, `p.json:1:2: unknown policy element "statement" (names are case-sensitive: did you mean Statement?)`},
		{"bad effect case", `{"Statement":{"Effect":"allow","Action":"*","Resource":"*"}}`, `p.json:1:24: Effect "allow" must be spelled Allow or Deny`},
		{"bad effect", `{"Statement":{"Effect":"Permit","Action":"*","Resource":"*"}}`, `Effect "Permit" is not Allow or Deny`},
		{"no effect", `{"Statement":{"Action":"*","Resource":"*"}}`, "p.json:1:14: statement 0 has no Effect"},
		{"no action", `{"Statement":{"Effect":"Allow","Resource":"*"}}`, "statement 0 has no Action or NotAction"},
		{"both actions", `{"Statement":{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}}`, "p.json:1:45: a statement takes Action or NotAction, not both"},
		{"no resource", `{"Statement":{"Effect":"Allow","Action":"*"}}`, "statement 0 has no Resource or NotResource"},
		{"action no vendor", `{"Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}`, `p.json:1:41: Action "GetObject" must be "service:action"`},
		{"empty action list", `{"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}`, "Action must not be an empty array"},
		{"action number", `{"Statement":{"Effect":"Allow","Action":[5],"Resource":"*"}}`, "Action entry must be a string, not number"},
		{"malformed arn", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3"}}`, `p.json:1:56: Resource: malformed ARN "arn:aws:s3"`},
		{"not arn", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"my-bucket"}}`, `resource "my-bucket" is not "*" or an ARN`},
		{"service wildcard", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:s*:::b"}}`, "wildcards are not allowed in the service segment"},
		{"empty resource part", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::"}}`, "the resource part is empty"},
		{"var in account", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:iam::${aws:PrincipalAccount}:user/x"}}`, "policy variables are allowed only in the resource part"},
		{"unterminated var", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::${aws:username"}}`, "unterminated policy variable"},
		{"bad default", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::${aws:username, x}"}}`, "malformed default"},
		{"unknown operator", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringSortOf":{"k":"v"}}}}`, `p.json:1:73: unknown condition operator "StringSortOf"`},
		{"operator case", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"stringlike":{"k":"v"}}}}`, "did you mean StringLike?"},
		{"set prefix", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForSomeValues:StringLike":{"k":"v"}}}}`, "unknown set operator"},
		{"null ifexists", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NullIfExists":{"k":"true"}}}}`, "Null takes neither IfExists"},
		{"empty values", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":[]}}}}`, "the value list is empty"},
		{"object value", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":{}}}}}`, "not object"},
		{"duplicate sid", `{"Statement":[{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"*","Resource":"*"}]}`, `duplicate Sid "A"`},
		{"unknown element", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Actions":"x"}}`, `unknown statement element "Actions"`},
		{"deep", strings.Repeat("[", 100), "nesting deeper than 64"},
		{"unicode column", "{\"Id\":\"été\", \"Statement\": 5}", "p.json:1:27: Statement must be an object or an array"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("p.json", []byte(tc.doc))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			if msg := err.Error(); !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q, want one line containing %q", msg, tc.want)
			}
		})
	}
}

func TestParseErrorListsAll(t *testing.T) {
	_, err := Parse("p.json", []byte(`{"Statement":[{"Effect":"allow","Action":"x","Resource":"y"}]}`))
	var pe *ParseError
	if !errors.As(err, &pe) || len(pe.Diags) != 3 || !strings.HasSuffix(err.Error(), "(and 2 more errors)") {
		t.Fatalf("want 3 diagnostics, got %v", err)
	}
}

func TestParseWarnings(t *testing.T) {
	p := mustParse(t, "w.json", `{"Statement":[{"Effect":"Deny","Action":["s3:GetObject,s3:PutObject","s3: GetObject","s3:"],
		"Resource":"arn:aws:s3:::${aws:username}"}]}`)
	var all []string
	for _, w := range p.Warnings {
		all = append(all, w.String())
	}
	joined := strings.Join(all, "\n")
	for _, want := range []string{"comma", "empty action name", "expanded only with"} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings lack %q:\n%s", want, joined)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["s3:Get*"],"Resource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"StringLike":{"aws:userAgent":"*exec-env/*"},"ForAnyValue:StringEquals":{"aws:CalledVia":["q.amazonaws.com"]}}}]}`))
	f.Add([]byte(`{"Statement":{"Effect":"Deny","NotAction":"iam:*","NotResource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}}`))
	f.Add([]byte(`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Null":{"k":"true"},"NumericLessThan":{"n":"1.5"}}}]}`))
	f.Add([]byte("\uFEFF{\"a\":\"\\ud83d\\ude00\"}"))
	// Values invalid for their operator, wildcards in every ARN segment and
	// malformed variables parse, with findings.
	f.Add([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NumericNotEquals":{"n":"ten"},"NotIpAddress":{"aws:SourceIp":"10.0.0.0/33"},"ArnLike":{"aws:SourceArn":"arn:*:s?:*:*:*"},"StringEquals":{"k":"${aws:username"}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Whatever the position-keeping JSON reader accepts is JSON.
		if _, err := parseJSON(string(data)); err == nil && !json.Valid(bytes.TrimPrefix(data, []byte("\uFEFF"))) {
			t.Fatalf("parseJSON accepted invalid JSON %q", data)
		}
		p, err := Parse("f.json", data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || len(pe.Diags) == 0 {
				t.Fatalf("error %v is not a ParseError with diagnostics", err)
			}
			return
		}
		// Whatever parses must evaluate without panicking.
		set := &PolicySet{Identity: []*Policy{p}, SCPs: [][]*Policy{{p}}, Boundary: p, Session: p}
		for _, res := range []string{"arn:aws:s3:::b/k", "*", ""} {
			Evaluate(set, Request{Action: "s3:GetObject", Resource: res, Context: map[string][]string{
				"aws:username": {"bob"}, "k": {"v", "w"}, "aws:SourceIp": {"10.1.2.3"}, "n": {"1"},
			}})
		}
	})
}
