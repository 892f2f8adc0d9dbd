package scim

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/serverstore"
)

func TestParseFilter(t *testing.T) {
	user := func(attr, sub string) Path { return Path{Attr: attr, Sub: sub} }
	str := func(s string) Value { return Value{Kind: String, Str: s} }
	for _, tc := range []struct {
		in   string
		want Expr
	}{
		{`userName eq "bjensen"`, &Compare{user("username", ""), "eq", str("bjensen")}},
		{`userName Eq "a\"b\u00e9"`, &Compare{user("username", ""), "eq", str(`a"bé`)}},
		{`name.familyName co "O'Malley"`, &Compare{user("name", "familyname"), "co", str("O'Malley")}},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`, &Compare{user("username", ""), "sw", str("J")}},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "7"`,
			&Compare{Path{URI: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", Attr: "employeenumber"}, "eq", str("7")}},
		{`title pr`, &Present{user("title", "")}},
		{`active eq true and meta.version ne null`, &And{
			&Compare{user("active", ""), "eq", Value{Kind: Bool, Bool: true}},
			&Compare{user("meta", "version"), "ne", Value{Kind: Null}}}},
		{`a eq 1 or b eq 2 and c eq 3`, &Or{
			&Compare{user("a", ""), "eq", Value{Kind: Number, Str: "1"}},
			&And{&Compare{user("b", ""), "eq", Value{Kind: Number, Str: "2"}}, &Compare{user("c", ""), "eq", Value{Kind: Number, Str: "3"}}}}},
		{`(a pr or b pr) AND not (c pr)`, &And{&Or{&Present{user("a", "")}, &Present{user("b", "")}}, &Not{&Present{user("c", "")}}}},
		{`emails[type eq "work" and value co "@example.com"]`, &ValuePath{user("emails", ""), &And{
			&Compare{user("type", ""), "eq", str("work")}, &Compare{user("value", ""), "co", str("@example.com")}}}},
		{`members[value eq "x"] or displayName eq "y"`, &Or{&ValuePath{user("members", ""), &Compare{user("value", ""), "eq", str("x")}},
			&Compare{user("displayname", ""), "eq", str("y")}}},
		{`$ref eq "u"`, &Compare{user("$ref", ""), "eq", str("u")}},
	} {
		got, err := ParseFilter(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseFilter(%s) = %s, %v\nwant %s", tc.in, Format(got), err, Format(tc.want))
			continue
		}
		again, err := ParseFilter(Format(got))
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("Format(%s) = %s does not parse back: %v", tc.in, Format(got), err)
		}
	}
}

func TestParseFilterRejects(t *testing.T) {
	for _, tc := range []struct{ in, msg string }{
		{``, "expected an attribute"},
		{`userName`, "expected an operator"},
		{`userName eq`, "expected a value"},
		{`userName eq "x`, "unterminated string"},
		{`userName eq "\x"`, "malformed string"},
		{`userName eq "a\u0000"`, "contains NUL"},
		{`userName like "x"`, `unknown operator "like"`},
		{`userName eq "x" extra`, `unexpected "extra"`},
		{`(userName eq "x"`, "expected )"},
		{`emails[type eq "work"`, "expected ]"},
		{`emails.value[type eq "work"]`, "a sub-attribute cannot have a value filter"},
		{`not userName eq "x"`, "expected ( after not"},
		{`1abc eq "x"`, "is not a number"},
		{`user-name. eq "x"`, "is not an attribute path"},
		{`userName eq bare`, "expected a value"},
		{`a eq 01x`, "is not a number"},
		{strings.Repeat("(", 40) + `a pr` + strings.Repeat(")", 40), "nests deeper than"},
		{strings.Repeat(`a pr or `, 100) + `a pr`, "more than 100 comparisons"},
		{`a eq "` + strings.Repeat("x", maxFilterLen) + `"`, "longer than"},
	} {
		_, err := ParseFilter(tc.in)
		var fe *filterError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ParseFilter(%.60s) = %v, want an error with %q", tc.in, err, tc.msg)
		}
	}
}

// FuzzParseFilter: any input parses or fails with a filter error, never
// panics; what parses formats back to the same filter; and mapping it to a
// store condition fails, if at all, with a filter error.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{`userName eq "a"`, `emails[type eq "work"].value`, `not (a pr) and b sw "x" or c eq null`,
		`id eq "g" and members eq "u"`, `active eq false`, `x eq -1.5e3`, `a[b[c pr]]`, `"`, `((`, `urn:a:b:c eq true`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseFilter(s)
		if err != nil {
			var fe *filterError
			if !errors.As(err, &fe) {
				t.Fatalf("ParseFilter(%q): error of type %T", s, err)
			}
			return
		}
		again, err := ParseFilter(Format(e))
		if err != nil || !reflect.DeepEqual(again, e) {
			t.Fatalf("%q parses to %s, which parses to %v, %v", s, Format(e), again, err)
		}
		for _, toCond := range []func(Expr) (serverstore.Cond, error){userCond, groupCond} {
			if _, err := toCond(e); err != nil {
				var fe *filterError
				if !errors.As(err, &fe) {
					t.Fatalf("%q: mapping error of type %T", s, err)
				}
			}
		}
		Match(e, map[string]any{"username": "a", "emails": []any{map[string]any{"value": "a@b", "type": "work"}}}, "")
	})
}
