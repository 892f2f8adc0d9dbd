package iam

import (
	"strings"
	"testing"
)

// The fast matchers (the literal/prefix/suffix/infix shapes and the greedy
// matcher) must agree with the dynamic-programming matcher, which is the
// reference: it is the matcher the evaluator has always used.

// piecesWithVars splits pat at each '$' into text and variable
// placeholders, and pairs them with values taken from vals (split at ',').
func piecesWithVars(pat, vals string) ([]piece, []string, []piece) {
	var withVars, resolved []piece
	var values []string
	supply := strings.Split(vals, ",")
	for i, text := range strings.Split(pat, "$") {
		if i > 0 {
			v := supply[(i-1)%len(supply)]
			withVars = append(withVars, piece{literal: true, variable: true})
			resolved = append(resolved, piece{text: v, literal: true})
			values = append(values, v)
		}
		if text != "" {
			withVars = append(withVars, piece{text: text})
			resolved = append(resolved, piece{text: text})
		}
	}
	return withVars, values, resolved
}

func TestMatchersAgree(t *testing.T) {
	for _, tc := range []struct{ pat, s string }{
		{"*", ""}, {"abc", "abc"}, {"ab*", "abc"}, {"*bc", "abc"}, {"*b*", "abc"}, {"a*b*c", "axbyc"},
		{"a*b", "a:b"}, {"*:root", "arn:aws:iam::1:root"}, {"arn:aws:iam::*:*", "arn:aws:iam::1:user/x"},
		{"a*é", "aé"}, {"*\x80", "a\xc3\x80"}, {"*?", "\xff\x80"}, {"?*", "\xc3"}, {"a*$*", "abc"},
		{"*$", "xyz"}, {"s3:get*", "S3:GetObject"}, {"iam:*accesskey", "IAM:CreateAccessKey"},
		{"*a*a*b", strings.Repeat("a", 50)}, {"0?*", "100"}, {"$", "00"}, {"arn:aws:iam::*:*", "xarn:aws:iam::1:u"}, {"arn:aws:ec2:us-*1:*:i/*", "arn:aws:ec2:us-east-1:1:i/x"},
	} {
		checkMatchers(t, tc.pat, tc.s, "v,,bob*")
	}
}

func FuzzMatchers(f *testing.F) {
	f.Add("arn:aws:s3:::b/$/*", "arn:aws:s3:::b/bob/k", "bob")
	f.Add("*exec-env/AmazonQ-For-*", "aws-cli/2 exec-env/AmazonQ-For-CLI-Version-1", "")
	f.Add("arn:aws:iam::*:root", "arn:aws:iam::123:root", "")
	f.Add("s3:get*acl", "S3:GetObjectAcl", "")
	f.Add("a?$*b", "a\xffxb", "\x80,")
	f.Fuzz(func(t *testing.T, pat, s, vals string) {
		if len(pat) > 64 || len(s) > 256 || len(vals) > 64 {
			return
		}
		checkMatchers(t, pat, s, vals)
	})
}

func checkMatchers(t *testing.T, pat, s, vals string) {
	t.Helper()
	for _, mode := range []globMode{globString, globResource, globArn} {
		g := compileText(strings.ReplaceAll(pat, "$", ""), mode)
		for _, fold := range []bool{false, true} {
			if got, want := g.matchWith(s, fold, nil), matchDP(g.toks, s, fold, nil); got != want {
				t.Fatalf("mode %d fold %v: %q ~ %q = %v, reference says %v", mode, fold, pat, s, got, want)
			}
		}
	}
	// Variables compiled as placeholders match like the resolved pattern
	// compiled per request, as the evaluator used to do.
	withVars, values, resolved := piecesWithVars(pat, vals)
	g := compileGlob(withVars, globString)
	want := compileGlob(resolved, globString).match(s)
	if got := g.matchWith(s, false, values); got != want {
		t.Fatalf("%q with values %q ~ %q = %v, resolved pattern says %v", pat, values, s, got, want)
	}
	if got := matchDP(g.toks, s, false, values); got != want {
		t.Fatalf("reference matcher: %q with values %q ~ %q = %v, resolved pattern says %v", pat, values, s, got, want)
	}
}

// template.equal compares piecewise without building the resolved string;
// it must agree with building it.
func FuzzTemplateEqual(f *testing.F) {
	f.Add("home/${aws:username}/", "home/bob/", "bob")
	f.Add("${aws:username, 'x'}${*}", "X*", "")
	f.Add("${AWS:UserName}ß", "BOBSS", "bob")
	f.Add("K${aws:username}", "kbob", "bob")
	f.Fuzz(func(t *testing.T, raw, r, user string) {
		tmpl, err := parseTemplate(raw, true)
		if err != nil {
			return
		}
		ctx := &reqContext{src: map[string][]string{"aws:username": {user}, "AWS:PrincipalTag/team": {user + "-t"}}}
		for _, fold := range []bool{false, true} {
			s, ok := tmpl.resolveString(ctx)
			want := ok && s == r
			if fold {
				want = ok && strings.EqualFold(s, r)
			}
			if got := tmpl.equal(r, ctx, fold); got != want {
				t.Fatalf("template %q (resolved %q, %v) equal %q fold %v = %v, want %v", raw, s, ok, r, fold, got, want)
			}
		}
	})
}
