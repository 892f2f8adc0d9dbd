package tool

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestIntrospect(t *testing.T) {
	docs := fstest.MapFS{
		"README.md":          {Data: []byte("# qdev\n\nAn agent.\n\n## Install\n\nRun make.\n")},
		"docs/settings.md":   {Data: []byte("# Settings\n\n## chat.defaultModel\n\nThe model used for chat.\n```sh\n# not a heading: model\n```\n")},
		"docs/hooks.md":      {Data: []byte("# Hooks\n\nHooks run commands.\n")},
		"docs/ignored.txt":   {Data: []byte("model model model")},
		"docs/sub/nested.md": {Data: []byte("model model model")},
	}
	env := testEnv(t)
	inv := prepare(t, Introspect{Docs: docs}, env, `{"query":"How do I change the default model?"}`)
	if !inv.Access().AlwaysAllowed {
		t.Error("introspect must be always allowed")
	}
	text := resultText(inv.Run(t.Context(), nil))
	mustContain(t, text, "qdev 9.9.9 documentation relevant to: How do I change the default model?")
	mustContain(t, text, "CRITICAL INSTRUCTION: Answer ONLY from the documentation below")
	first := strings.Index(text, "--- ")
	if !strings.HasPrefix(text[first:], "--- docs/settings.md § chat.defaultModel ---\n## chat.defaultModel") {
		t.Errorf("most relevant section is not first:\n%s", text)
	}
	mustContain(t, text, "# not a heading: model\n```")
	if strings.Contains(text, "ignored") || strings.Contains(text, "nested") {
		t.Errorf("non-doc files included:\n%s", text)
	}
	// No query: the README comes first.
	text = resultText(prepare(t, Introspect{Docs: docs}, env, `{}`).Run(t.Context(), nil))
	if i := strings.Index(text, "--- "); !strings.HasPrefix(text[i:], "--- README.md § qdev ---") {
		t.Errorf("general answer:\n%s", text)
	}
	// The output is capped even when the docs are large.
	big := fstest.MapFS{"README.md": {Data: []byte(strings.Repeat("## Part\n\n"+strings.Repeat("words ", 2000)+"\n", 20))}}
	if n := len(resultText(prepare(t, Introspect{Docs: big}, env, `{"query":"words"}`).Run(t.Context(), nil))); n > maxIntrospectBytes || n < maxIntrospectBytes/2 {
		t.Errorf("capped answer is %d bytes", n)
	}
	// The embedded docs load.
	text = resultText(prepare(t, Introspect{}, env, `{"query":"settings"}`).Run(t.Context(), nil))
	mustContain(t, text, "--- docs/settings.md")
	mustContain(t, prepareErr(t, Introspect{}, env, `{"query":5}`), `"query" must be a string`)
}

func TestThinking(t *testing.T) {
	env := testEnv(t)
	inv := prepare(t, Thinking{}, env, `{"thought":"first A, then B"}`)
	if !inv.Access().AlwaysAllowed {
		t.Error("thinking must be always allowed")
	}
	mustContain(t, describe(inv, false), "first A, then B")
	if r := inv.Run(t.Context(), nil); r.IsError || resultText(r) == "" {
		t.Errorf("result: %+v", r)
	}
	mustContain(t, prepareErr(t, Thinking{}, env, `{}`), "thought is required")
}
