package agent_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/model/modeltest"
	"github.com/qdev/qdev/internal/model/openai"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/tool"
)

// BenchmarkToolRound measures one model ⇄ tool round against a
// zero-latency fake over loopback: the client's own per-turn cost.
func BenchmarkToolRound(b *testing.B) {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("hello\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	round := []modeltest.Turn{
		{ToolCalls: []modeltest.ToolCall{{ID: "c", Name: "fs_read", Input: `{"operations":[{"mode":"Line","path":"a.txt"}]}`}}},
		{Text: []string{"done"}},
	}
	srv := modeltest.NewOpenAI(round...)
	srv.Loop = true
	defer srv.Close()
	p, err := openai.New(openai.Options{BaseURL: srv.URL, APIKey: "k"})
	if err != nil {
		b.Fatal(err)
	}
	perms, _, err := permission.New(permission.Config{Cwd: dir, Home: dir}, permission.Options{})
	if err != nil {
		b.Fatal(err)
	}
	opts := agent.Options{Kit: agent.Kit{Tools: tool.Builtins(), Permissions: perms}, Provider: p, ModelID: "m",
		Env: &tool.Env{Cwd: dir}, Window: 1 << 20}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		opts.Conv = agent.NewConversation("openai/m", "", dir)
		a := agent.New(opts)
		if err := a.Turn(context.Background(), []model.Block{{Type: model.TextBlock, Text: "go"}}); err != nil {
			b.Fatal(err)
		}
	}
}
