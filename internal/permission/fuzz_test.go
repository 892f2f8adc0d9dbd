package permission

import (
	"encoding/json"
	"testing"

	"github.com/qdev/qdev/internal/shell"
	"github.com/qdev/qdev/internal/tool"
)

// FuzzBashDecisions checks, on any line, that a line that cannot be
// analysed is never allowed even by the most permissive allowedCommands
// pattern; that a line running rm (as bash would resolve it, also through
// wrappers, shells and interpreters' stdin) never escapes a deny rule for
// rm, even under trust-all; and that autoAllowReadonly never allows a line
// with a command that writes, runs or reaches the network.
func FuzzBashDecisions(f *testing.F) {
	for _, s := range []string{
		"ls -la | grep foo | wc -l", "git status && git diff | head", "echo $(rm -rf /)",
		"cat <<EOF > f\n$(rm x)\nEOF", "(cd /tmp; rm -rf x)", "find . -exec rm {} +",
		"sudo bash -c 'env rm x'", "a=(1 2); echo ${a[@]}", "ls (", "echo 'x", "$^(calc.exe)",
		"for i in {1..3}; do echo $i; done > out", "time coproc cat", "[[ -v a[$(id)] ]]",
		"x\ry", "f() { :; }", "echo ${x@P}", "let 'x=1'", "exec 3<>/tmp/f", "{rm,-rf,/}",
		`$'\x72m' x`, "echo rm x | sh", "sh <<<'rm x'", "ls > ~/.bashrc", "> f", "cat < /dev/tcp/h/80",
		"env -S 'rm -rf /'", "xargs rm", "alias ls=rm; ls", "git -c core.pager=sh log",
	} {
		f.Add(s)
	}
	newC := func(settings string, opts Options) *Checker {
		c, _, err := New(Config{Cwd: "/", Home: "/", ToolsSettings: map[string]json.RawMessage{
			"execute_bash": json.RawMessage(settings)}}, opts)
		if err != nil {
			f.Fatal(err)
		}
		return c
	}
	permissive := newC(`{"allowedCommands": [".*"], "autoAllowReadonly": true}`, Options{})
	readonly := newC(`{"autoAllowReadonly": true}`, Options{})
	denyRm := newC(`{"deniedCommands": ["rm( .*)?"]}`, Options{TrustAll: true})
	f.Fuzz(func(t *testing.T, src string) {
		a := shell.Analyze(src)
		acc := tool.Access{Command: src}
		if d := permissive.Decide("execute_bash", "", acc); a.Err != nil && d.Kind == Allow {
			t.Fatalf("%q cannot be analysed (%v) but was allowed: %+v", src, a.Err, d)
		}
		d := denyRm.Decide("execute_bash", "", acc)
		ro := readonly.Decide("execute_bash", "", acc)
		for i := range a.Commands {
			c := &a.Commands[i]
			if c.Base() == "rm" && c.Via != shell.ViaMaybe && d.Kind != Deny {
				t.Fatalf("%q runs rm but got %+v under deniedCommands rm", src, d)
			}
			if c.Effects.Has(shell.Writes|shell.Executes|shell.Network|shell.UnknownCode) && ro.Kind == Allow {
				t.Fatalf("%q: %q has effects %v but autoAllowReadonly allowed it", src, c.Text, c.Effects)
			}
		}
	})
}
