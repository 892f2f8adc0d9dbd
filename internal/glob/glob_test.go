package glob

import (
	"testing"
	"unicode/utf8"
)

func TestGlobset(t *testing.T) {
	tests := []struct {
		pat, s string
		want   bool
	}{
		{"fs_*", "fs_read", true},
		{"fs_*", "execute_bash", false},
		{"/a/*.pem", "/a/k.pem", true},
		{"/a/*.pem", "/a/sub/k.pem", true}, // globset: '*' crosses '/'
		{"/a/?", "/a/b", true},
		{"/a/?", "/a/bc", false},
		{"/denied/glob/**/path", "/denied/glob/path", true},
		{"/denied/glob/**/path", "/denied/glob/x/y/path", true},
		{"/denied/glob/**/path", "/denied/glob/x/path/child", false},
		{"/a/**", "/a/b/c", true},
		{"/a/**", "/a", false},
		{"**/x", "x", true},
		{"**/x", "a/b/x", true},
		{"**", "anything/at/all", true},
		{"/a/[bc]d", "/a/cd", true},
		{"/a/[!bc]d", "/a/cd", false},
		{"/a/[^bc]d", "/a/xd", true},
		{"/a/[a-c]", "/a/b", true},
		{"/a/[]]", "/a/]", true},
		{"/a/[c-a]", "/a/[c-a]", true}, // reversed range: literal, not dropped
		{"/a/[c-a]", "/a/b", false},
		{"/a/{x,y}/z", "/a/y/z", true},
		{"/a/{x,y}/z", "/a/w/z", false},
		{"/a/{x,{y,w}}", "/a/w", true},
		{`/a/\*`, "/a/*", true},
		{`/a/\*`, "/a/b", false},
		{"/a/[b", "/a/[b", true}, // unclosed: literal, not dropped
		{"/a/{b", "/a/{b", true},
		{"/a.b+(c)", "/a.b+(c)", true},
		{"/a.b", "/aXb", false},
		{"*status", "@git/status", true},
		{"{fs_read,execute_*}", "execute_bash", true},
	}
	for _, tt := range tests {
		if got := Compile(tt.pat, Globset).MatchString(tt.s); got != tt.want {
			t.Errorf("Compile(%q) on %q = %v, want %v", tt.pat, tt.s, got, tt.want)
		}
		if got := Match(tt.pat, tt.s, Globset); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.pat, tt.s, got, tt.want)
		}
	}
}

func TestPlain(t *testing.T) {
	tests := []struct {
		pattern, text string
		want          bool
	}{
		{"fs_write", "fs_write", true},
		{"fs_write", "fs_writer", false},
		{"fs_*", "fs_read", true},
		{"fs_?ead", "fs_read", true},
		{"rm -rf *", "rm -rf /home/u/x y", true},
		{"rm -rf *", "rm -rf", false},
		{"[a-c]x", "bx", true},
		{"[!a-c]x", "bx", false},
		{"[^a]x", "zx", true},
		{`\*`, "*", true},
		{`\*`, "x", false},
		{"a[b", "a[b", true}, // malformed class is literal
		{"a**b", "a/x/b", true},
		{"**/x", "x", false}, // no directory rule: '**' is '*'
		{"{a,b}", "a", false},
		{"{a,b}*", "{a,b}c", true}, // braces are literal
		{"é*", "été", true},
		{"x.y", "xzy", false}, // regexp metacharacters are literal
		{"a\nb*", "a\nbc", true},
	}
	for _, tt := range tests {
		if got := Match(tt.pattern, tt.text, Plain); got != tt.want {
			t.Errorf("Match(%q, %q, Plain) = %v, want %v", tt.pattern, tt.text, got, tt.want)
		}
	}
}

// FuzzGlob: any pattern compiles without a panic, and an escaped string
// matches itself and nothing else of a different length, in both syntaxes.
func FuzzGlob(f *testing.F) {
	for _, s := range []string{"", "a*b", "[a-", "{x,{y", `\`, "**/", "[]]", "é?"} {
		f.Add(s, "abc")
	}
	f.Fuzz(func(t *testing.T, pat, text string) {
		if !utf8.ValidString(pat) || !utf8.ValidString(text) {
			return
		}
		for _, syn := range []Syntax{Globset, Plain} {
			_ = Compile(pat, syn).MatchString(text)
			esc := Escape(pat)
			if !Match(esc, pat, syn) || !Compile(esc, syn).MatchString(pat) {
				t.Fatalf("Escape(%q) = %q does not match itself (syntax %d)", pat, esc, syn)
			}
			if text != pat && Match(esc, text, syn) {
				t.Fatalf("Escape(%q) matches %q (syntax %d)", pat, text, syn)
			}
		}
	})
}
