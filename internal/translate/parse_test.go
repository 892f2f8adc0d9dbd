package translate

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/qdev/qdev/internal/model"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, text string
		n          int
		want       []Suggestion
	}{
		{"object", `{"commands":[{"command":"ls -la","explanation":"List  all\nfiles."},{"command":"ls"}]}`, 5,
			[]Suggestion{{"ls -la", "List all files."}, {"ls", ""}}},
		{"fenced json with prose", "Sure!\n```json\n{\"commands\": [{\"command\": \"du -sh .\"}]}\n```\nEnjoy.", 1,
			[]Suggestion{{"du -sh .", ""}}},
		{"array of strings", `["pwd", "pwd", "ls"]`, 5, []Suggestion{{"pwd", ""}, {"ls", ""}}},
		{"at most n", `{"commands":["a","b","c"]}`, 2, []Suggestion{{"a", ""}, {"b", ""}}},
		{"code blocks", "Try:\n```bash\n$ find . -name '*.go'\n```\nor\n```\ngrep -r x .\n```", 5,
			[]Suggestion{{"find . -name '*.go'", ""}, {"grep -r x .", ""}}},
		{"bare line", "$ ls -1\n", 3, []Suggestion{{"ls -1", ""}}},
		{"inline code", "`df -h`", 3, []Suggestion{{"df -h", ""}}},
		{"one line of prose", "I cannot help with that.", 3, nil},
		{"control characters dropped", `{"commands":["echo \u001b[2Jhi","rm -rf /tmp/x\u202e","ok"]}`, 5, []Suggestion{{"ok", ""}}},
		{"multi-line command kept", `{"commands":["for f in *; do\n  echo $f\ndone"]}`, 1,
			[]Suggestion{{"for f in *; do\n  echo $f\ndone", ""}}},
		{"prose only", "I cannot help with that.\nSorry.", 3, nil},
		{"empty", "", 3, nil},
		{"unclosed fence", "```sh\nls", 3, nil},
		{"too long", `{"commands":["` + strings.Repeat("x", maxCommandBytes+1) + `"]}`, 1, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Parse(tc.text, tc.n); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Parse = %#v, want %#v", got, tc.want)
			}
		})
	}
}

// FuzzParse: whatever the model answers, Parse returns at most n distinct,
// non-empty commands that are valid UTF-8 without control or format
// characters other than newline and tab.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"commands":[{"command":"ls"}]}`, "```sh\nls\n```", `["a","b"]`, "ls -la", "{[}]", "```", "$ x\n"} {
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, text string, n int) {
		n = 1 + (n&0xff)%MaxSuggestions
		got := Parse(text, n)
		if len(got) > n {
			t.Fatalf("%d suggestions for n=%d", len(got), n)
		}
		seen := map[string]bool{}
		for _, s := range got {
			if _, ok := clean(s); !ok || s.Command != strings.TrimSpace(s.Command) || !utf8.ValidString(s.Command) {
				t.Fatalf("unclean command %q", s.Command)
			}
			if seen[s.Command] {
				t.Fatalf("repeated command %q", s.Command)
			}
			seen[s.Command] = true
		}
	})
}

type fakeProvider struct {
	answer string
	req    *model.Request
}

func (p *fakeProvider) Name() string { return "fake" }

func (p *fakeProvider) Stream(_ context.Context, req *model.Request, _ func(model.Event)) (*model.Response, error) {
	p.req = req
	return &model.Response{Message: model.Message{Role: model.Assistant, Content: []model.Block{{Type: model.TextBlock, Text: p.answer}}}}, nil
}

func TestAsk(t *testing.T) {
	p := &fakeProvider{answer: `{"commands":[{"command":"ls -a"}]}`}
	got, err := Ask(context.Background(), p, "m", Request{Question: "list all files", N: 3, Shell: "bash", OS: "linux", Cwd: "/w"})
	if err != nil || len(got) != 1 || got[0].Command != "ls -a" {
		t.Fatalf("Ask = %v, %v", got, err)
	}
	if !strings.Contains(p.req.System, "at most 3") || p.req.Messages[0].Text() != "list all files" {
		t.Fatalf("request: %+v", p.req)
	}
	p.answer = "no idea"
	if _, err := Ask(context.Background(), p, "m", Request{Question: "x", N: 1}); err != ErrNoCommand {
		t.Fatalf("no command: %v", err)
	}
	if _, err := Ask(context.Background(), p, "m", Request{Question: "x", N: 6}); err == nil {
		t.Fatal("n=6 accepted")
	}
}
