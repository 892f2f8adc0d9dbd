package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/translate"
)

type fakeTranslator struct {
	sugg    []translate.Suggestion
	err     error
	ran     []string
	status  int
	runErr  error
	confirm string // a reason to ask confirmation about, if any
	closed  bool
}

func (f *fakeTranslator) Suggest(context.Context, string, int) ([]translate.Suggestion, error) {
	return f.sugg, f.err
}

func (f *fakeTranslator) Run(_ context.Context, command, _ string, confirm func(string) bool, out io.Writer) (int, error) {
	if f.confirm != "" && !confirm(f.confirm) {
		return 0, errors.New("not run: you declined")
	}
	f.ran = append(f.ran, command)
	io.WriteString(out, "ran "+command+"\n")
	return f.status, f.runErr
}

func (f *fakeTranslator) Close() { f.closed = true }

// answers replays typed answers; Edit appends its answer to the text.
type answers struct {
	lines   []string
	prompts []string
}

func (a *answers) ReadLine(prompt string) (string, error) {
	a.prompts = append(a.prompts, prompt)
	if len(a.lines) == 0 {
		return "", io.EOF
	}
	l := a.lines[0]
	a.lines = a.lines[1:]
	return l, nil
}

func (a *answers) Edit(prompt, text string) (string, error) {
	l, err := a.ReadLine(prompt)
	return text + l, err
}

func runTranslate(t *testing.T, tr *fakeTranslator, interactive bool, typed []string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	f := &translateFactory{IO: IO{Out: &out, ErrOut: &errOut}, Interactive: func() bool { return interactive },
		Open:    func(context.Context) (translator, error) { return tr, nil },
		Answers: &answers{lines: typed},
		EditFile: func(_ context.Context, path string) error {
			return os.WriteFile(path, []byte("edited in editor\n"), 0o600)
		}}
	cmd := newCmdTranslate(f, nil)
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	err := cmd.Execute()
	if !tr.closed && err == nil {
		t.Error("the session was not closed")
	}
	return out.String(), errOut.String(), err
}

func exitCode(err error) int {
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	if err != nil {
		return -1
	}
	return 0
}

var threeSuggestions = []translate.Suggestion{{Command: "ls"}, {Command: "ls -la", Explanation: "With hidden files."}, {Command: "find . -maxdepth 1"}}

func TestTranslateWithoutTerminalPrints(t *testing.T) {
	tr := &fakeTranslator{sugg: threeSuggestions}
	out, _, err := runTranslate(t, tr, false, nil, "-n", "3", "list", "files")
	if err != nil || out != "ls\nls -la\nfind . -maxdepth 1\n" || len(tr.ran) != 0 {
		t.Fatalf("out %q, err %v, ran %v", out, err, tr.ran)
	}
}

func TestTranslateRejectsBadArguments(t *testing.T) {
	for _, args := range [][]string{{"-n", "6", "x"}, {"--n", "0", "x"}, {"-n", "x", "y"}, {}} {
		_, _, err := runTranslate(t, &fakeTranslator{closed: true}, false, nil, args...)
		if exitCode(err) != 2 {
			t.Errorf("%v: %v", args, err)
		}
	}
	if _, _, err := runTranslate(t, &fakeTranslator{sugg: threeSuggestions}, false, nil, "--n", "5", "x"); err != nil {
		t.Errorf("-n 5: %v", err)
	}
}

func TestTranslateInteractive(t *testing.T) {
	tests := []struct {
		name     string
		tr       fakeTranslator
		typed    []string
		wantRan  []string
		wantOut  string
		wantCode int
	}{
		{"pick and run", fakeTranslator{status: 3}, []string{"9", "2", "r"}, []string{"ls -la"}, "ran ls -la\n", 3},
		{"edit inline", fakeTranslator{}, []string{"1", "e", " -R", "r"}, []string{"ls -R"}, "ran ls -R\n", 0},
		{"edit in the editor", fakeTranslator{}, []string{"3", "E", "run"}, []string{"edited in editor"}, "ran edited in editor\n", 0},
		{"copy", fakeTranslator{}, []string{"2", "c"}, nil, "ls -la\n", 0},
		{"quit", fakeTranslator{}, []string{"q"}, nil, "", 0},
		{"quit at the action", fakeTranslator{}, []string{"1", "x", "q"}, nil, "", 0},
		{"end of input", fakeTranslator{}, []string{"1"}, nil, "", 0},
		{"declined confirmation", fakeTranslator{confirm: "requireApproval: rm"}, []string{"1", "r", "n"}, nil, "", 1},
		{"accepted confirmation", fakeTranslator{confirm: "requireApproval: rm"}, []string{"1", "r", "y"}, []string{"ls"}, "ran ls\n", 0},
		{"refused", fakeTranslator{runErr: errors.New("not run: deniedCommands")}, []string{"1", "r"}, []string{"ls"}, "ran ls\n", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := tc.tr
			tr.sugg = threeSuggestions
			out, errOut, err := runTranslate(t, &tr, true, tc.typed, "-n", "3", "list files")
			if got := exitCode(err); got != tc.wantCode {
				t.Fatalf("exit %d (%v), want %d; stderr %s", got, err, tc.wantCode, errOut)
			}
			if out != tc.wantOut || strings.Join(tr.ran, ";") != strings.Join(tc.wantRan, ";") {
				t.Fatalf("out %q ran %v", out, tr.ran)
			}
			if !strings.Contains(errOut, " 2. ls -la\n    With hidden files.") {
				t.Fatalf("suggestions not listed: %q", errOut)
			}
		})
	}
}

func TestTranslateShowsControlCharactersVisibly(t *testing.T) {
	tr := &fakeTranslator{sugg: []translate.Suggestion{{Command: "echo hi", Explanation: "x\u202ey"}}}
	_, errOut, _ := runTranslate(t, tr, true, []string{"q"}, "x")
	if strings.ContainsRune(errOut, '\u202e') {
		t.Fatalf("a bidi override reached the terminal: %q", errOut)
	}
}

func TestTranslateModelFailure(t *testing.T) {
	tr := &fakeTranslator{err: translate.ErrNoCommand}
	if _, _, err := runTranslate(t, tr, true, nil, "x"); exitCode(err) != 1 || !strings.Contains(err.Error(), "no command") {
		t.Fatalf("%v", err)
	}
}
