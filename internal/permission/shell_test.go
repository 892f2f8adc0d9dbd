package permission

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func names(cmds []Cmd) []string {
	out := []string{}
	for _, c := range cmds {
		out = append(out, c.Name)
	}
	return out
}

func TestSimpleCommandsFindsEveryCommand(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{"ls", []string{"ls"}},
		{"git status && git diff | head", []string{"git", "git", "head"}},
		{"a; b || c & d", []string{"a", "b", "c", "d"}},
		{"(cd /tmp; rm -rf x)", []string{"cd", "rm"}},
		{"{ ls; cat x; } 2>&1", []string{"ls", "cat"}},
		{"echo $(rm -rf x)", []string{"echo", "rm"}},
		{"echo `rm x`", []string{"echo", "rm"}},
		{"diff <(ls a) >(tee b)", []string{"diff", "ls", "tee"}},
		{"if test -f x; then cat x; else touch x; fi", []string{"test", "cat", "touch"}},
		{"for f in $(ls); do wc -l $f; done", []string{"ls", "wc"}},
		{"while read l; do echo $l; done < f", []string{"read", "echo"}},
		{"case $x in a) rm a;; *) ls;; esac", []string{"rm", "ls"}},
		{"f() { rm x; }; f", []string{"rm", "f"}},
		{"X=$(whoami) ls", []string{"ls", "whoami"}}, // by start offset
		{"X=1", []string{""}},
		{"export A=$(rm x)", []string{"export", "rm"}},
		{"cat <<EOF\n$(rm x)\nEOF", []string{"cat", "rm"}},
		{"cat <<'EOF'\n$(rm x)\nEOF", []string{"cat"}},
		{"ls \\\n  -la", []string{"ls"}},
		{"git status\ngit log", []string{"git", "git"}},
		{"[[ -f x ]] && (( y++ ))", []string{"[[", "(("}},
		{"let x=1", []string{"let"}},
		{"time ls", []string{"ls"}},
		{"echo ${x:-$(rm y)}", []string{"echo", "rm"}},
		{"ls # ; rm -rf x", []string{"ls"}},
		{"", []string{}},
	}
	for _, tt := range tests {
		cmds, err := SimpleCommands(tt.src)
		if err != nil {
			t.Errorf("SimpleCommands(%q): %v", tt.src, err)
			continue
		}
		if got := names(cmds); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SimpleCommands(%q) names = %q, want %q", tt.src, got, tt.want)
		}
	}
}

func TestSimpleCommandsDetails(t *testing.T) {
	one := func(src string) Cmd {
		t.Helper()
		cmds, err := SimpleCommands(src)
		if err != nil || len(cmds) == 0 {
			t.Fatalf("SimpleCommands(%q) = %v, %v", src, cmds, err)
		}
		return cmds[0]
	}
	c := one(`\rm  -rf   'my file' "x"`)
	if c.Name != "rm" || !reflect.DeepEqual(c.Args, []string{"rm", "-rf", "my file", "x"}) {
		t.Errorf("unquoting: %q %q", c.Name, c.Args)
	}
	if c.Text != `\rm -rf 'my file' "x"` {
		t.Errorf("Text = %q, want whitespace normalised source", c.Text)
	}
	if c := one(`$'\x72m' x`); c.Name != "rm" || c.Dynamic {
		t.Errorf("ANSI-C quoting: name %q dynamic %v", c.Name, c.Dynamic)
	}
	if c := one(`$CMD x`); !c.Dynamic || c.Name != "$CMD" {
		t.Errorf("dynamic name: %+v", c)
	}
	if c := one(`find . -${t}exec x`); c.Dynamic || !c.DynamicArgs {
		t.Errorf("dynamic arg: %+v", c)
	}
	for _, src := range []string{"ls *.go", "ls a?", "ls x[12]", "ls {a,b}", "ls {1..3}", "ls @(a|b)"} {
		if c := one(src); !c.GlobArgs || c.DynamicArgs {
			t.Errorf("%q: GlobArgs %v DynamicArgs %v, want glob only", src, c.GlobArgs, c.DynamicArgs)
		}
	}
	for _, src := range []string{"ls '*.go'", `ls \*`, `find . -exec {} \;`, "[ -f x ]", "ls ~/x"} {
		if c := one(src); c.GlobArgs || c.DynamicArgs || c.Dynamic {
			t.Errorf("%q: want a plain literal, got %+v", src, c)
		}
	}
	if c := one("X=1 Y=2 git log"); !reflect.DeepEqual(c.Assigns, []string{"X=1", "Y=2"}) || c.Name != "git" || c.Text != "X=1 Y=2 git log" {
		t.Errorf("assignments: %+v", c)
	}
	if c := one("time ls"); c.Keyword != "time" {
		t.Errorf("time keyword: %+v", c)
	}
	if c := one("cat a 2>/dev/null <in"); !reflect.DeepEqual(c.Redirects, []string{"2>/dev/null", "<in"}) || c.WritesFiles {
		t.Errorf("redirects: %+v", c)
	}
}

func TestSimpleCommandsWrites(t *testing.T) {
	tests := []struct {
		src    string
		writes []bool
	}{
		{"cat a > b", []bool{true}},
		{"cat a >> b", []bool{true}},
		{"cat a >| b", []bool{true}},
		{"cat a &> b", []bool{true}},
		{"cat a &>> b", []bool{true}},
		{"cat a <> b", []bool{true}},
		{"cat a >& b", []bool{true}},
		{"cat a > $F", []bool{true}},
		// Conservative: a substitution inside a redirected statement counts too.
		{"cat a > >(tee x)", []bool{true, true}},
		{"cat a 2>/dev/null", []bool{false}},
		{"cat a >/dev/stderr 2>&1", []bool{false}},
		{"cat a >&2 3>&- 4>&1-", []bool{false}},
		{"cat < a", []bool{false}},
		{"cat <<< x", []bool{false}},
		{"{ ls; cat x; } > out", []bool{true, true}},
		{"for i in 1; do echo $i; done > out; ls", []bool{true, false}},
		{"ls | tee out", []bool{false, false}},
	}
	for _, tt := range tests {
		cmds, err := SimpleCommands(tt.src)
		if err != nil {
			t.Errorf("%q: %v", tt.src, err)
			continue
		}
		var got []bool
		for _, c := range cmds {
			got = append(got, c.WritesFiles)
		}
		if !reflect.DeepEqual(got, tt.writes) {
			t.Errorf("%q WritesFiles = %v, want %v", tt.src, got, tt.writes)
		}
	}
}

func TestSimpleCommandsErrors(t *testing.T) {
	for _, src := range []string{"ls (", "echo 'unterminated", "$^(calc.exe)", "if true; then", strings.Repeat("x", MaxCommandBytes+1)} {
		if _, err := SimpleCommands(src); err == nil {
			t.Errorf("SimpleCommands(%.40q) succeeded, want an error", src)
		}
	}
}

func TestInner(t *testing.T) {
	tests := []struct {
		src  string
		want []string // Text of each inner command
	}{
		{"sudo -u bob rm -rf x", []string{"bob rm -rf x", "rm -rf x", "x"}},
		{"env A=1 rm x", []string{"rm x", "x"}},
		{"bash -lc 'rm -rf x; ls'", []string{"rm -rf x", "ls"}},
		{"eval rm x", []string{"rm x"}},
		{`find . -name y -exec rm {} \; -print`, []string{"rm {}"}},
		{"/usr/bin/xargs rm", []string{"rm"}},
		{"ls -la", nil},
		{"$X rm", nil},
	}
	for _, tt := range tests {
		cmds, err := SimpleCommands(tt.src)
		if err != nil || len(cmds) != 1 {
			t.Fatalf("%q: %v %v", tt.src, cmds, err)
		}
		var got []string
		for _, in := range cmds[0].Inner() {
			got = append(got, in.Text)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Inner(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
}

func TestSimpleCommandsFindsHiddenCommands(t *testing.T) {
	for _, src := range []string{
		`grep x <<< "$(rm y)"`, `cat < <(rm x)`, `echo $(( $(rm x) + 1 ))`, `a=( $(rm x) )`,
		`echo ${x/$(rm a)/y}`, `[[ $(rm x) ]]`, `case $(rm x) in *) ;; esac`,
		`for i in $(rm x); do :; done`, `echo "$(rm x)"`, "cat <<-EOF\n\t`rm x`\n\tEOF",
		`coproc rm x`, `! rm x`, `select x in a; do rm y; done`, `until rm x; do :; done`,
	} {
		cmds, err := SimpleCommands(src)
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		if !slices.Contains(names(cmds), "rm") {
			t.Errorf("%q: rm not found in %q", src, names(cmds))
		}
	}
}
