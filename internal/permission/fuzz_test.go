package permission

import (
	"encoding/json"
	"testing"

	"github.com/qdev/qdev/internal/tool"
)

// FuzzSimpleCommands checks that shell analysis never panics and that a
// command which does not parse is never allowed, even by the most permissive
// allowedCommands pattern, and never escapes a matching deny rule.
func FuzzSimpleCommands(f *testing.F) {
	for _, s := range []string{
		"ls -la | grep foo | wc -l", "git status && git diff | head", "echo $(rm -rf /)",
		"cat <<EOF > f\n$(rm x)\nEOF", "(cd /tmp; rm -rf x)", "find . -exec rm {} +",
		"sudo bash -c 'env rm x'", "a=(1 2); echo ${a[@]}", "ls (", "echo 'x", "$^(calc.exe)",
		"for i in {1..3}; do echo $i; done > out", "time coproc cat", "[[ -v a[$(id)] ]]",
		"x\ry", "f() { :; }", "echo ${x@P}", "let 'x=1'", "exec 3<>/tmp/f",
	} {
		f.Add(s)
	}
	permissive, _, err := New(Config{Cwd: "/", Home: "/", ToolsSettings: map[string]json.RawMessage{
		"execute_bash": json.RawMessage(`{"allowedCommands": [".*"], "autoAllowReadonly": true}`),
	}}, Options{})
	if err != nil {
		f.Fatal(err)
	}
	denyRm, _, err := New(Config{Cwd: "/", Home: "/", ToolsSettings: map[string]json.RawMessage{
		"execute_bash": json.RawMessage(`{"deniedCommands": ["rm( .*)?"]}`),
	}}, Options{TrustAll: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src string) {
		cmds, perr := SimpleCommands(src)
		for _, c := range cmds {
			IsReadOnly(c)
			c.Inner()
		}
		d := permissive.Decide("execute_bash", "", tool.Access{Command: src})
		if perr != nil && d.Kind == Allow {
			t.Fatalf("%q does not parse (%v) but was allowed: %+v", src, perr, d)
		}
		d = denyRm.Decide("execute_bash", "", tool.Access{Command: src})
		for _, c := range cmds {
			if c.Name == "rm" && d.Kind != Deny {
				t.Fatalf("%q runs rm but got %+v under deniedCommands rm", src, d)
			}
		}
	})
}
