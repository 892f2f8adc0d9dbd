package tool

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/knowledge"
	"github.com/qdev/qdev/internal/knowledge/index"
)

// knowledgeEnv is an Env with a knowledge store whose judge denies the
// "secret" folder of the working directory.
func knowledgeEnv(t *testing.T) *Env {
	t.Helper()
	env := testEnv(t)
	secret := filepath.Join(env.Cwd, "docs", "secret")
	judge := func(p string) error {
		if p == secret || strings.HasPrefix(p, secret+"/") {
			return errors.New("deniedPaths")
		}
		return nil
	}
	s, err := knowledge.Open(filepath.Join(env.DataDir, "kb"), knowledge.Options{Judge: judge, Backend: index.Local{}, Cwd: env.Cwd})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	env.Knowledge = s
	for rel, text := range map[string]string{"docs/guide.md": "The zebra protocol starts with a handshake.\n", "docs/secret/key.md": "zebra secret key\n"} {
		p := filepath.Join(env.Cwd, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return env
}

func waitKnowledge(t *testing.T, s *knowledge.Store) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for len(s.Operations()) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("indexing did not end")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestKnowledgeToolThroughItsCommands(t *testing.T) {
	env := knowledgeEnv(t)
	k := Knowledge{}
	if got := prepareErr(t, k, env, `{"command":"search","query":"zebra"}`); !strings.Contains(got, "/knowledge add NAME PATH") {
		t.Fatal(got)
	}
	add := prepare(t, k, env, `{"command":"add","name":"docs","value":"docs"}`)
	if acc := add.Access(); !reflect.DeepEqual(acc.ReadPaths, []string{filepath.Join(env.Cwd, "docs")}) {
		t.Fatalf("add access: %+v", acc)
	}
	if r := add.Run(t.Context(), nil); r.IsError || !strings.Contains(resultText(r), "Added 'docs' to knowledge base with ID") {
		t.Fatalf("add: %+v", r)
	}
	waitKnowledge(t, env.Knowledge)

	search := prepare(t, k, env, `{"command":"search","query":"zebra"}`)
	if acc := search.Access(); !reflect.DeepEqual(acc.ReadPaths, []string{filepath.Join(env.Cwd, "docs")}) || acc.AlwaysAllowed {
		t.Fatalf("search access: %+v", acc)
	}
	out := resultText(search.Run(t.Context(), nil))
	if !strings.Contains(out, filepath.Join(env.Cwd, "docs", "guide.md")) || !strings.Contains(out, "zebra protocol") || strings.Contains(out, "secret") {
		t.Fatalf("search: %s", out)
	}
	// A base named by its path is judged as by its name: the search reads it.
	docs := filepath.Join(env.Cwd, "docs")
	byPath := prepare(t, k, env, fmt.Sprintf(`{"command":"search","query":"zebra","context_id":%q}`, docs))
	if acc := byPath.Access(); !reflect.DeepEqual(acc.ReadPaths, []string{docs}) || acc.AlwaysAllowed {
		t.Fatalf("search by path access: %+v", acc)
	}
	if r := runTool(t, k, env, `{"command":"search","query":"zebra","context_id":"nosuchbase"}`); !r.IsError || !strings.Contains(resultText(r), "Search failed: no knowledge base named nosuchbase") {
		t.Fatalf("search of a missing base: %+v", r)
	}
	if out := resultText(runTool(t, k, env, `{"command":"search","query":"nothinglikethis"}`)); !strings.Contains(out, "No matching entries") {
		t.Fatalf("no match: %s", out)
	}
	show := prepare(t, k, env, `{"command":"show"}`)
	if !show.Access().AlwaysAllowed {
		t.Fatal("show reads no file and needs no approval")
	}
	if out := resultText(show.Run(t.Context(), nil)); !strings.Contains(out, "Name: docs") || !strings.Contains(out, "State: ready") ||
		!strings.Contains(out, "Files: 1") || !strings.Contains(out, "No active operations") {
		t.Fatalf("show: %s", out)
	}
	if r := runTool(t, k, env, `{"command":"update","name":"docs"}`); r.IsError {
		t.Fatalf("update: %+v", r)
	}
	waitKnowledge(t, env.Knowledge)
	if r := runTool(t, k, env, `{"command":"remove","path":"docs"}`); r.IsError || !strings.Contains(resultText(r), "Removed context 'docs'") {
		t.Fatalf("remove by path: %+v", r)
	}
	if r := runTool(t, k, env, `{"command":"cancel"}`); !r.IsError {
		t.Fatalf("cancel with nothing running: %+v", r)
	}
	if r := runTool(t, k, env, `{"command":"clear"}`); r.IsError || !strings.Contains(resultText(r), "Removed 0") {
		t.Fatalf("clear: %+v", r)
	}
}

func TestKnowledgeToolRefusals(t *testing.T) {
	env := knowledgeEnv(t)
	k := Knowledge{}
	for input, want := range map[string]string{
		`{}`:                           "command is required",
		`{"command":"index"}`:          `unknown command "index"`,
		`{"command":"search"}`:         "needs a query",
		`{"command":"add","name":"x"}`: "needs a name and a value",
		`{"command":"add","name":"x","value":"some text"}`: "not text",
		`{"command":"update"}`:                             "needs a context_id, name or path",
		`{"command":"remove"}`:                             "needs a context_id, name or path",
		`{"command":5}`:                                    `field "command" must be`,
	} {
		if got := prepareErr(t, k, env, input); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", input, got, want)
		}
	}
	// Adding what fs_read may not read fails when it runs, whatever approved it.
	r := runTool(t, k, env, `{"command":"add","name":"s","value":"docs/secret"}`)
	if !r.IsError || !strings.Contains(resultText(r), "may not be read") {
		t.Fatalf("denied add: %+v", r)
	}
	off := testEnv(t)
	if got := prepareErr(t, k, off, `{"command":"show"}`); !strings.Contains(got, "chat.enableKnowledge") {
		t.Fatal(got)
	}
}
