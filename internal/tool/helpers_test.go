package tool

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/model"
)

// testEnv returns an Env whose working directory is a fresh temp dir.
func testEnv(t *testing.T) *Env {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return &Env{
		Cwd:     dir,
		Environ: ChildEnv(os.Environ(), "9.9.9"),
		DataDir: filepath.Join(dir, "data"),
		Version: "9.9.9",
	}
}

// prepare calls tl.Prepare with input and fails the test on error.
func prepare(t *testing.T, tl Tool, env *Env, input string) Invocation {
	t.Helper()
	inv, err := tl.Prepare(env, json.RawMessage(input))
	if err != nil {
		t.Fatalf("Prepare(%s): %v", input, err)
	}
	return inv
}

// prepareErr calls tl.Prepare and returns its error, failing when there is none.
func prepareErr(t *testing.T, tl Tool, env *Env, input string) string {
	t.Helper()
	_, err := tl.Prepare(env, json.RawMessage(input))
	if err == nil {
		t.Fatalf("Prepare(%s) succeeded, want an error", input)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error is not one line: %q", err)
	}
	return err.Error()
}

// runTool prepares and runs input, returning the result.
func runTool(t *testing.T, tl Tool, env *Env, input string) Result {
	t.Helper()
	return prepare(t, tl, env, input).Run(context.Background(), nil)
}

// resultText joins the text blocks of r.
func resultText(r Result) string {
	var b strings.Builder
	for _, blk := range r.Content {
		if blk.Type == model.TextBlock {
			b.WriteString(blk.Text)
		}
	}
	return b.String()
}

// describe returns what inv.Describe prints.
func describe(inv Invocation, color bool) string {
	var b strings.Builder
	inv.Describe(&b, color)
	return b.String()
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func mustContain(t *testing.T, s, want string) {
	t.Helper()
	if !strings.Contains(s, want) {
		t.Errorf("%q does not contain %q", s, want)
	}
}
