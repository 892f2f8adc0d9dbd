package iam

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestGlobString(t *testing.T) {
	for _, tc := range []struct {
		pat, s string
		want   bool
	}{
		{"*", "", true},
		{"*", "anything:at/all", true},
		{"", "", true},
		{"", "x", false},
		{"abc", "abc", true},
		{"abc", "abcd", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a?c", "a:c", true}, // '?' crosses ':' in strings
		{"a*c", "a:b/c", true},
		{"*exec-env/AmazonQ-For-*", "aws-cli/2.27.17 ua/2.1 exec-env/AmazonQ-For-CLI-Version-1.15.0 cfg/x", true},
		{"*exec-env/AmazonQ-For-*", "aws-cli/2.27.17 ua/2.1 cfg/retry-mode#standard", false},
		{"?", "é", true}, // one character, not one byte
		{"??", "é", false},
		{"*??", "€", false},
		{"*?", "€", true},
		{"a**b", "ab", true},
		{"*a*a*a*a*a*b", strings.Repeat("a", 200), false}, // no exponential blow-up
	} {
		if got := compileText(tc.pat, globString).match(tc.s); got != tc.want {
			t.Errorf("string glob %q ~ %q = %v, want %v", tc.pat, tc.s, got, tc.want)
		}
	}
}

// Resource matching (governance.md §1.5): per segment, '*' spans '/', a
// segment-final '*' runs past ':', and case matters.
func TestGlobResource(t *testing.T) {
	for _, tc := range []struct {
		pat, s string
		want   bool
	}{
		{"*", "arn:aws:s3:::bucket/key", true},
		{"*", "*", true},
		{"arn:aws:s3:::BUCKET/*/test/*", "arn:aws:s3:::BUCKET/1/2/test/3/object.jpg", true},
		{"arn:aws:s3:::BUCKET/*/test/*", "arn:aws:s3:::BUCKET//test/object.jpg", true},
		{"arn:aws:s3:::BUCKET/*/test/*", "arn:aws:s3:::BUCKET/test/object.jpg", false},
		{"arn:aws:iam::123456789012:user/Bob", "arn:aws:iam::123456789012:user/bob", false},
		{"arn:aws:s3:::bucket?", "arn:aws:s3:::bucket1", true},
		{"arn:aws:s3:::bucket?", "arn:aws:s3:::bucket12", false},
		{"arn:aws:s3:*", "arn:aws:s3:::bucket/key", true}, // segment-final '*' crosses ':'
		{"arn:aws:*", "arn:aws:ec2:us-east-1:1:instance/i-1", true},
		{"arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:us-east-1:123456789012:instance/i-1", true},
		{"arn:aws:ec2:us-*1:*:instance/*", "arn:aws:ec2:us-east-1:1:instance/i-1", true},
		// A '*' inside a segment does not cross a colon.
		{"arn:aws:ec2:us-*1:*:instance/*", "arn:aws:ec2:us-east:x1:1:instance/i-1", false},
		// A '?' outside the resource part never matches ':'.
		{"arn:aws:ec2:us-east-?:1:x", "arn:aws:ec2:us-east-::1:x", false},
		// The resource part may contain colons and '*' spans them.
		{"arn:aws:logs:us-east-1:1:log-group:*", "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s", true},
		{"arn:aws:s3:::bucket", "*", false},
		{"arn:aws:s3:::*", "*", false}, // a specific-ARN pattern does not cover "*"
	} {
		if got := compileText(tc.pat, globResource).match(tc.s); got != tc.want {
			t.Errorf("resource %q ~ %q = %v, want %v", tc.pat, tc.s, got, tc.want)
		}
	}
}

// The doc's StringLike vs ArnLike example (governance.md §1.5).
func TestStringLikeVersusArnLike(t *testing.T) {
	pat := "arn:aws:someservice:*:111122223333:finance/*"
	val := "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
	if !compileText(pat, globString).match(val) {
		t.Error("StringLike must match across colons")
	}
	if compileText(pat, globArn).match(val) {
		t.Error("ArnLike must not match across segments")
	}
	if !compileText(pat, globArn).match("arn:aws:someservice:us-east-2:111122223333:finance/a/b.txt") {
		t.Error("ArnLike must match per segment")
	}
}

func TestGlobLiteralPieces(t *testing.T) {
	g := compileGlob([]piece{{text: "user/"}, {text: "Bob*", literal: true}, {text: "/*"}}, globString)
	if !g.match("user/Bob*/x") || g.match("user/Bobby/x") {
		t.Error("a substituted value's '*' must be literal")
	}
}

// refRegexp is an independent statement of the string-glob rule, for the
// differential fuzz target.
func refRegexp(pat string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	for _, r := range pat {
		switch r {
		case '*':
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`\z`)
	return regexp.MustCompile(b.String())
}

func FuzzMatch(f *testing.F) {
	f.Add("*exec-env/AmazonQ-For-*", "aws-cli/2 exec-env/AmazonQ-For-CLI-Version-1")
	f.Add("a?c*", "abcdef")
	f.Add("arn:aws:s3:*", "arn:aws:s3:::b/k")
	f.Add("arn:aws:ec2:*:1:i/*", "arn:aws:ec2:x:y:1:i/a")
	f.Fuzz(func(t *testing.T, pat, s string) {
		if len(pat) > 64 || len(s) > 256 || !utf8.ValidString(pat) || !utf8.ValidString(s) {
			return
		}
		got := compileText(pat, globString).match(s)
		if want := refRegexp(pat).MatchString(s); got != want {
			t.Fatalf("string glob %q ~ %q = %v, regexp says %v", pat, s, got, want)
		}
		// The ARN dialects only ever narrow the string dialect.
		for _, mode := range []globMode{globResource, globArn} {
			if compileText(pat, mode).match(s) && !got {
				t.Fatalf("mode %d matched %q ~ %q where the string glob did not", mode, pat, s)
			}
		}
	})
}
