package chat

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/tool"
)

// prepare returns a real execute_bash invocation of command.
func prepare(t *testing.T, command string) tool.Invocation {
	t.Helper()
	for _, tl := range tool.Builtins() {
		if tl.Spec().Name == "execute_bash" {
			in, _ := json.Marshal(map[string]string{"command": command})
			inv, err := tl.Prepare(&tool.Env{Cwd: t.TempDir()}, in)
			if err != nil {
				t.Fatal(err)
			}
			return inv
		}
	}
	t.Fatal("no execute_bash tool")
	return nil
}

// TestApprovalShowsCommandExactly: escapes, CR and bidi overrides in a
// command are shown visibly, colour or not, so the approved text is what runs.
func TestApprovalShowsCommandExactly(t *testing.T) {
	hostile := "echo safe\r\x1b[2Krm -rf ~ \u202Eexe.txt"
	for _, color := range []bool{false, true} {
		var info bytes.Buffer
		d := newDisplay(&bytes.Buffer{}, &info, color, nil, nil)
		d.ToolCall(&agent.Call{Name: "execute_bash", Inv: prepare(t, hostile)})
		got := info.String()
		if !strings.Contains(got, `echo safe\r\x1b[2Krm -rf ~ <U+202E>exe.txt`) {
			t.Errorf("color=%v: approval display %q does not show the command exactly", color, got)
		}
		if strings.ContainsAny(got, "\r\u202E") || strings.Contains(got, "\x1b[2K") {
			t.Errorf("color=%v: approval display %q passes control characters through", color, got)
		}
	}
	// A clean command keeps the tool's colours.
	var info bytes.Buffer
	newDisplay(&bytes.Buffer{}, &info, true, nil, nil).ToolCall(&agent.Call{Name: "execute_bash", Inv: prepare(t, "ls -la")})
	if !strings.Contains(info.String(), "\x1b[") || !strings.Contains(info.String(), "ls -la") {
		t.Errorf("clean command display = %q, want it coloured", info.String())
	}
}

// TestToolOutputNeutralised: live output keeps colours but loses screen
// control, clipboard and title sequences.
func TestToolOutputNeutralised(t *testing.T) {
	var info, out bytes.Buffer
	d := newDisplay(&out, &info, true, nil, nil)
	w := d.ToolOutput(&agent.Call{Name: "execute_bash"})
	_, _ = w.Write([]byte("\x1b[32mok\x1b[0m\x1b[2J\x1b]52;c;aGk=\x07\x1b]0;title\x07 done\n"))
	got := info.String()
	if !strings.Contains(got, "\x1b[32mok\x1b[0m done") || strings.Contains(got, "\x1b[2J") || strings.Contains(got, "\x1b]") {
		t.Errorf("tool output shown as %q", got)
	}
	d.Text("answer \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \x1b[H\n")
	d.finish()
	if s := out.String(); strings.Contains(s, "\x1b]") || strings.Contains(s, "\x1b[H") || !strings.Contains(s, "link") {
		t.Errorf("answer shown as %q", s)
	}
}

// TestToolResultLines: a result starts on its own line after output that
// did not end one, names a non-zero exit status, and shows a denial whole.
func TestToolResultLines(t *testing.T) {
	var info bytes.Buffer
	d := newDisplay(&bytes.Buffer{}, &info, false, nil, nil)
	c := &agent.Call{Name: "execute_bash"}
	_, _ = d.ToolOutput(c).Write([]byte("blocked ok"))
	d.ToolResult(c, tool.Result{ExitStatus: 3})
	if got := info.String(); !strings.Contains(got, "blocked ok\n") || !strings.Contains(got, "with exit status 3") {
		t.Errorf("display = %q, want the output's line ended and the exit status named", got)
	}
	info.Reset()
	denial := "IAM ExplicitDeny of s3:DeleteBucket on arn:aws:s3:::" + strings.Repeat("b", 240) + "; statement /etc/qdev/policies/prod.json Sid DenyProdWrites #2 (identity)"
	d.ToolResult(c, tool.ErrorResult(denial))
	if !strings.Contains(info.String(), "Sid DenyProdWrites #2 (identity)") {
		t.Errorf("denial cut short: %q", info.String())
	}
}
