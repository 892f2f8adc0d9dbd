package chat

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/checkpoint"
	"github.com/qdev/qdev/internal/model"
)

func checkpointSession(t *testing.T) (*Session, *checkpoint.Store, *bytes.Buffer) {
	t.Helper()
	root := t.TempDir()
	ws := filepath.Join(root, "ws")
	if err := os.MkdirAll(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	st, err := checkpoint.Open(context.Background(), filepath.Join(root, "data"), ws, root)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	s := &Session{Agent: agent.New(agent.Options{Conv: agent.NewConversation("m", "a", ws)}), Out: &out, Info: &out, Checkpoints: st}
	s.cp = &checkpoints{store: st, info: &out}
	return s, st, &out
}

func TestCheckpointCommands(t *testing.T) {
	s, st, out := checkpointSession(t)
	ctx := context.Background()
	file := filepath.Join(st.Workspace, "f.txt")
	_ = os.WriteFile(file, []byte("one\n"), 0o644)
	s.cp.before(ctx, "conv", "first prompt")
	_ = os.WriteFile(file, []byte("two \x1b[31m\n"), 0o644)
	turn := []model.Message{{Role: model.Assistant, Content: []model.Block{{Type: model.ToolUseBlock, Name: "fs_write"}, {Type: model.ToolUseBlock, Name: "fs_write"}}}}
	s.cp.after(ctx, "conv", "first prompt", turn)
	if !strings.Contains(out.String(), "✓ Checkpoint 1: 0 added, 1 modified, 0 deleted (/checkpoint restore 0 goes back)") {
		t.Fatalf("after the turn: %q", out)
	}
	out.Reset()
	_ = s.cmdCheckpoint(ctx, []string{"list"})
	for _, want := range []string{"[0]", "[1]", "first prompt [fs_write]"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("list lacks %q: %s", want, out)
		}
	}
	out.Reset()
	_ = s.cmdCheckpoint(ctx, []string{"diff", "0", "1"})
	if !strings.Contains(out.String(), `+two \x1b[31m`) {
		t.Fatalf("diff does not show the escape visibly: %q", out)
	}
	var actions []Action
	s.RecordAction = func(a Action) (func(map[string]any, error), error) {
		actions = append(actions, a)
		return func(map[string]any, error) { actions = append(actions, Action{Event: "done"}) }, nil
	}
	out.Reset()
	_ = s.cmdCheckpoint(ctx, []string{"restore", "0"})
	if b, _ := os.ReadFile(file); string(b) != "one\n" || len(actions) != 2 || actions[0].Event != "RestoreCheckpoint" {
		t.Fatalf("restore: file %q, actions %v, %s", b, actions, out)
	}
	// A refused audit record refuses the restore.
	s.RecordAction = func(Action) (func(map[string]any, error), error) { return nil, errors.New("trail full") }
	out.Reset()
	_ = s.cmdCheckpoint(ctx, []string{"restore", "1"})
	if b, _ := os.ReadFile(file); string(b) != "one\n" || !strings.Contains(out.String(), "Not restored: trail full") {
		t.Fatalf("restore without a record: file %q, %s", b, out)
	}
	s.RecordAction = nil
	for _, args := range [][]string{{"restore"}, {"restore", "-1"}, {"diff", "a"}, {"bogus"}} {
		out.Reset()
		_ = s.cmdCheckpoint(ctx, args)
		if !strings.Contains(out.String(), "Usage: /checkpoint") {
			t.Errorf("%v: %q", args, out)
		}
	}
	out.Reset()
	_ = s.cmdCheckpoint(ctx, []string{"restore", "42"})
	if !strings.Contains(out.String(), "no checkpoint 42") {
		t.Errorf("restore 42: %q", out)
	}
}

func TestCheckpointsOff(t *testing.T) {
	var out bytes.Buffer
	s := &Session{Info: &out}
	_ = s.cmdCheckpoint(context.Background(), nil)
	if !strings.Contains(out.String(), "q settings chat.enableCheckpoint true") {
		t.Fatalf("%q", out.String())
	}
	// A nil recorder does nothing.
	var cp *checkpoints
	cp.before(context.Background(), "", "")
	cp.after(context.Background(), "", "", nil)
}
