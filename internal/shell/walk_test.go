package shell

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// simpleCommands returns the commands of the line itself (ViaLine).
func simpleCommands(src string) ([]Command, error) {
	a := Analyze(src)
	if a.Err != nil {
		return nil, a.Err
	}
	var out []Command
	for _, c := range a.Commands {
		if c.Via == ViaLine {
			out = append(out, c)
		}
	}
	return out, nil
}

func names(cmds []Command) []string {
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
		{"f() { rm x; }; f", []string{"", "rm", "f"}}, // the definition, then its body
		{"X=$(whoami) ls", []string{"ls", "whoami"}},  // by start offset
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
		cmds, err := simpleCommands(tt.src)
		if err != nil {
			t.Errorf("simpleCommands(%q): %v", tt.src, err)
			continue
		}
		if got := names(cmds); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("simpleCommands(%q) names = %q, want %q", tt.src, got, tt.want)
		}
	}
}

func TestSimpleCommandsDetails(t *testing.T) {
	one := func(src string) Command {
		t.Helper()
		cmds, err := simpleCommands(src)
		if err != nil || len(cmds) == 0 {
			t.Fatalf("simpleCommands(%q) = %v, %v", src, cmds, err)
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
	if c := one(`$'\x72m' x`); c.Name != "rm" || c.Unknown {
		t.Errorf("ANSI-C quoting: name %q dynamic %v", c.Name, c.Unknown)
	}
	if c := one(`$CMD x`); !c.Unknown || c.Name != "" || c.Args[0] != "$CMD" {
		t.Errorf("dynamic name: %+v", c)
	}
	if c := one(`find . -${t}exec x`); c.Unknown || !c.DynamicArgs {
		t.Errorf("dynamic arg: %+v", c)
	}
	for _, src := range []string{"ls *.go", "ls a?", "ls x[12]", "ls {1..3}", "ls @(a|b)"} {
		if c := one(src); !c.GlobArgs || c.DynamicArgs {
			t.Errorf("%q: GlobArgs %v DynamicArgs %v, want glob only", src, c.GlobArgs, c.DynamicArgs)
		}
	}
	for _, src := range []string{"ls '*.go'", `ls \*`, `find . -exec {} \;`, "[ -f x ]", "ls ~/x"} {
		if c := one(src); c.GlobArgs || c.DynamicArgs || c.Unknown {
			t.Errorf("%q: want a plain literal, got %+v", src, c)
		}
	}
	if c := one("X=1 Y=2 git log"); !reflect.DeepEqual(c.Assigns, []string{"X=1", "Y=2"}) || c.Name != "git" || c.Text != "X=1 Y=2 git log" {
		t.Errorf("assignments: %+v", c)
	}
	if c := one("time ls"); c.Keyword != "time" {
		t.Errorf("time keyword: %+v", c)
	}
	if c := one("cat a 2>/dev/null <in"); !reflect.DeepEqual(c.Redirects, []string{"2>/dev/null", "<in"}) || c.Redirected.Has(Writes) {
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
		cmds, err := simpleCommands(tt.src)
		if err != nil {
			t.Errorf("%q: %v", tt.src, err)
			continue
		}
		var got []bool
		for _, c := range cmds {
			got = append(got, c.Redirected.Has(Writes))
		}
		if !reflect.DeepEqual(got, tt.writes) {
			t.Errorf("%q WritesFiles = %v, want %v", tt.src, got, tt.writes)
		}
	}
}

func TestSimpleCommandsErrors(t *testing.T) {
	for _, src := range []string{"ls (", "echo 'unterminated", "$^(calc.exe)", "if true; then", strings.Repeat("x", MaxBytes+1)} {
		if _, err := simpleCommands(src); err == nil {
			t.Errorf("simpleCommands(%.40q) succeeded, want an error", src)
		}
	}
}

func TestInner(t *testing.T) {
	tests := []struct {
		src  string
		want []string // Canonical of each command run by another
	}{
		{"sudo -u bob rm -rf x", []string{"rm -rf x"}},
		{"env A=1 rm x", []string{"rm x"}},
		{"env -i -u HOME -- rm x", []string{"rm x"}},
		{"env -S 'rm -rf /'", []string{"rm -rf /"}},
		{"bash -lc 'rm -rf x; ls'", []string{"rm -rf x", "ls"}},
		{"eval rm x", []string{"rm x"}},
		{`eval "r""m -rf /"`, []string{"rm -rf /"}},
		{"builtin eval 'rm x'", []string{"eval rm x", "rm x"}},
		{`find . -name y -exec rm {} \; -print`, []string{"rm {}"}},
		{"/usr/bin/xargs rm", []string{"rm"}},
		{"xargs -n 1 -I{} rm {}", []string{"rm {}"}},
		{"exec -a x rm -rf /", []string{"rm -rf /"}},
		{"nice -n 5 rm x", []string{"rm x"}},
		{"timeout -s KILL 5 rm x", []string{"rm x"}},
		{"command rm x", []string{"rm x"}},
		{"command -v rm", nil},
		{"echo 'rm -rf /' | sh", []string{"rm -rf /"}},
		{"sh <<<'rm -rf /'", []string{"rm -rf /"}},
		{"bash <<'EOF'\nrm -rf /\nEOF", []string{"rm -rf /"}},
		{"trap 'rm -rf /' EXIT", []string{"rm -rf /"}},
		{"alias ls='rm -rf /'", []string{"rm -rf /"}},
		{"git -c core.pager='rm -rf /' log", []string{"rm -rf /"}},
		{"watch -n 1 rm x", []string{"rm x"}},
		{"ls -la", nil},
		{"$X rm", nil},
	}
	for _, tt := range tests {
		a := Analyze(tt.src)
		if a.Err != nil {
			t.Fatalf("%q: %v", tt.src, a.Err)
		}
		var got []string
		for _, c := range a.Commands {
			if c.Via == ViaRuns {
				got = append(got, c.Canonical())
			}
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("inner(%q) = %q, want %q", tt.src, got, tt.want)
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
		cmds, err := simpleCommands(src)
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		if !slices.Contains(names(cmds), "rm") {
			t.Errorf("%q: rm not found in %q", src, names(cmds))
		}
	}
}
