package permission

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/tool"
)

// A command part with a known effect, for generated lines.
type genPart struct {
	name   string   // program name, spelt in random ways
	args   string   // its arguments
	denied bool     // rm: denied by the rules below
	effect bool     // writes, runs or reaches the network
	_      struct{} // keep keyed literals
}

var genParts = []genPart{
	{name: "rm", args: " -rf /tmp/x", denied: true, effect: true},
	{name: "rm", args: "", denied: true, effect: true},
	{name: "ls", args: " -la"},
	{name: "cat", args: " README"},
	{name: "echo", args: " hello"},
	{name: "wc", args: " -l"},
	{name: "cp", args: " a b", effect: true},
	{name: "tee", args: " f", effect: true},
	{name: "python3", args: " -c 'print(1)'", effect: true},
	{name: "curl", args: " https://example.com", effect: true},
	{name: "git", args: " log", effect: true}, // runs repository configuration
}

// spell writes a program name in one of the ways bash resolves to it.
func spell(r *rand.Rand, name string) string {
	switch r.Intn(8) {
	case 0:
		return `\` + name
	case 1:
		return "'" + name[:1] + "'" + name[1:]
	case 2:
		return `"` + name + `"`
	case 3:
		var b strings.Builder
		b.WriteString("$'")
		for _, c := range []byte(name) {
			b.WriteString(`\x` + strings.ToLower(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
		}
		return b.String() + "'"
	case 4:
		return "/usr/bin/" + name
	case 5:
		return name[:1] + `\` + name[1:]
	}
	return name
}

var genWrappers = []string{"", "", "", "command ", "env ", "env -i A=1 ", "exec ", "nice -n 5 ", "timeout 5 ",
	"sudo ", "sudo -u root ", "builtin command ", "nohup ", "time ", "stdbuf -o0 ", "xargs "}

func shq(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// embed puts a command where bash will still run it.
func embed(r *rand.Rand, cmd string) string {
	switch r.Intn(11) {
	case 7:
		return "bash <<'EOF'\n" + cmd + "\nEOF\n"
	case 8:
		return "sh <<EOF\n" + strings.NewReplacer(`\`, `\\`, "$", `\$`, "`", "\\`").Replace(cmd) + "\nEOF\n"
	case 0:
		return "bash -c " + shq(cmd)
	case 1:
		return "sh <<<" + shq(cmd)
	case 2:
		return "echo " + shq(cmd) + " | bash"
	case 3:
		return "echo $(" + cmd + ")"
	case 4:
		return "eval " + shq(cmd)
	case 5:
		return "( " + cmd + " )"
	case 6:
		return "{ " + cmd + "; }"
	}
	return cmd
}

var genSeps = []string{"; ", " && ", " || ", " | ", "\n", " & "}
var genRedirs = []string{"", "", " 2>/dev/null", " < in", " > out", " >> out", " 2>&1"}

// TestGeneratedLines builds lines from parts with known effects, spelt,
// wrapped, embedded (bash -c, <<<, here-documents, | bash, $(…), eval,
// subshells, groups) and joined in random ways, and checks that a line
// running rm is denied by agent and managed deny rules, and that a line
// with a write, a run or the network is never allowed as read-only.
func TestGeneratedLines(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	agent := bashSettingsChecker(t, `{"deniedCommands": ["rm( .*)?"]}`, "execute_bash")
	ro := bashSettingsChecker(t, `{"autoAllowReadonly": true}`)
	dir := t.TempDir()
	trusted, _, _ := New(Config{Cwd: dir, Home: dir}, Options{TrustAll: true})
	managedL := &Layered{Checker: trusted, Managed: loadManaged(t, `{"deniedCommands":["rm *"]}`)}
	n := 3000
	if testing.Short() {
		n = 300
	}
	for i := 0; i < n; i++ {
		var line strings.Builder
		denied, effect, prevHeredoc := false, false, false
		for k := 0; k <= r.Intn(3); k++ {
			p := genParts[r.Intn(len(genParts))]
			wrapper, name := genWrappers[r.Intn(len(genWrappers))], spell(r, p.name)
			cmd := wrapper + name + p.args
			wrapped := embed(r, cmd)
			redir := genRedirs[r.Intn(len(genRedirs))]
			if redir == " < in" && (strings.Contains(wrapped, "<<<") || strings.HasSuffix(wrapped, "| bash")) {
				redir = "" // stdin would be the file, not the command
			}
			heredoc := strings.HasSuffix(wrapped, "EOF\n")
			if heredoc {
				redir = "" // it would follow the delimiter line
			}
			if k > 0 && !prevHeredoc {
				line.WriteString(genSeps[r.Intn(len(genSeps))])
			}
			prevHeredoc = heredoc
			line.WriteString(wrapped + redir)
			denied = denied || p.denied
			effect = effect || p.effect || wrapper != "" || strings.Contains(name, "/") ||
				strings.Contains(redir, "out") || strings.Contains(wrapped, "bash") ||
				strings.Contains(wrapped, "sh <<") || strings.Contains(wrapped, "eval")
		}
		src := line.String()
		if denied {
			if d := decideBash(agent, src); d.Kind != Deny {
				t.Fatalf("agent deny rm: %q got %v %q %q", src, d.Kind, d.Rule, d.Reasons)
			}
			if d := managedL.Decide("execute_bash", "", tool.Access{Command: src}); d.Kind != Deny {
				t.Fatalf("managed deny rm: %q got %v %q", src, d.Kind, d.Rule)
			}
		}
		if effect || denied {
			if d := decideBash(ro, src); d.Kind == Allow {
				t.Fatalf("autoAllowReadonly allowed %q: %q", src, d.Rule)
			}
		}
	}
}
