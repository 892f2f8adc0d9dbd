package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/atomicfile"
	"github.com/qdev/qdev/internal/homepath"
	"github.com/qdev/qdev/internal/model"
)

func newConversationLike(c *agent.Conversation) *agent.Conversation {
	return agent.NewConversation(c.Model, c.Agent, c.Cwd)
}

func (s *Session) save() {
	// A tangent is never stored: the main conversation stays as it was.
	if s.SaveConversation == nil || s.tangent != nil {
		return
	}
	if err := s.SaveConversation(s.Agent.Conversation()); err != nil {
		fmt.Fprintf(s.Info, "Warning: could not save the conversation: %v\n", err)
	}
}

// expandHome resolves a leading ~ and makes p absolute against cwd.
func expandHome(p, cwd string) string {
	h, _ := os.UserHomeDir()
	return homepath.Abs(p, h, cwd)
}

func (s *Session) cmdSave(_ context.Context, args []string) error {
	force := false
	var path string
	for _, a := range args {
		switch a {
		case "-f", "--force":
			force = true
		default:
			path = a
		}
	}
	if path == "" {
		fmt.Fprintln(s.Info, "Usage: /save <file> [-f]")
		return nil
	}
	path = expandHome(path, s.Agent.Env().Cwd)
	if _, err := os.Stat(path); err == nil && !force {
		fmt.Fprintf(s.Info, "%s already exists; use /save %s -f to overwrite it.\n", path, args[0])
		return nil
	}
	data, err := json.MarshalIndent(s.Agent.Conversation(), "", "  ")
	if err == nil {
		err = atomicfile.Write(path, append(data, '\n'), 0o600)
	}
	if err != nil {
		fmt.Fprintf(s.Info, "Cannot save: %v\n", err)
		return nil
	}
	fmt.Fprintf(s.Info, "Saved the conversation to %s.\n", path)
	return nil
}

func (s *Session) cmdLoad(_ context.Context, args []string) error {
	if len(args) != 1 {
		fmt.Fprintln(s.Info, "Usage: /load <file>")
		return nil
	}
	path := expandHome(args[0], s.Agent.Env().Cwd)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !strings.HasSuffix(path, ".json") {
		data, err = os.ReadFile(path + ".json")
	}
	if err != nil {
		fmt.Fprintf(s.Info, "Cannot load: %v\n", err)
		return nil
	}
	c, err := agent.Decode(data)
	if err != nil {
		fmt.Fprintf(s.Info, "Cannot load %s: %v\n", path, err)
		return nil
	}
	// The loaded history now belongs to this directory and this session's model.
	cur := s.Agent.Conversation()
	c.Cwd, c.Model = cur.Cwd, cur.Model
	*cur = *c
	s.save()
	// A compacted conversation holds its earlier history as a summary.
	summary := ""
	if c.Summary != "" {
		summary = " and the summary of the earlier conversation"
	}
	fmt.Fprintf(s.Info, "Loaded %d messages%s from %s.\n", len(c.Messages), summary, path)
	return nil
}

func (s *Session) cmdUsage(context.Context, []string) error {
	a := s.Agent
	var user, assistant, results int
	for _, m := range a.Conversation().Messages {
		for _, b := range m.Content {
			n := model.EstimateMessages("", []model.Message{{Role: m.Role, Content: []model.Block{b}}}, nil)
			switch {
			case b.Type == model.ToolResultBlock:
				results += n
			case m.Role == model.User:
				user += n
			default:
				assistant += n
			}
		}
	}
	specs := make([]model.ToolSpec, 0, len(a.AllTools()))
	for _, t := range a.AllTools() {
		specs = append(specs, t.Spec())
	}
	tools := model.EstimateMessages("", nil, specs)
	system := model.EstimateTokens(a.System()) + model.EstimateTokens(a.Conversation().Summary)
	contextFiles := 0
	if text := a.Kit().Context; text != nil {
		contextFiles = model.EstimateTokens(text())
	}
	used := a.ContextTokens()
	st := newStyles(s.Color)
	fmt.Fprintf(s.Info, "%sContext window:%s %s of %s tokens used (%d%%)\n", st.bold, st.reset,
		thousands(used), thousands(a.Window()), pct(used, a.Window()))
	fmt.Fprintf(s.Info, "%s\n", bar(used, a.Window(), 50))
	rows := []struct {
		name string
		n    int
	}{{"System prompt and summary", system}, {"Context files and hooks", contextFiles}, {"Tool definitions", tools},
		{"Your messages", user}, {"Model answers", assistant}, {"Tool results", results}}
	for _, r := range rows {
		fmt.Fprintf(s.Info, "  %-26s ~%s tokens (%d%%)\n", r.name, thousands(r.n), pct(r.n, a.Window()))
	}
	u := a.Conversation().Usage
	est := ""
	if u.Estimated {
		est = " (estimated)"
	}
	fmt.Fprintf(s.Info, "Session total: %s input, %s output tokens over %d model calls%s.\n",
		thousands(u.InputTokens), thousands(u.OutputTokens), a.Conversation().Turns, est)
	fmt.Fprintln(s.Info, "Figures other than the provider's counts are estimates (4 bytes a token). /compact frees space.")
	return nil
}

func pct(n, of int) int {
	if of <= 0 {
		return 0
	}
	return n * 100 / of
}

func bar(n, of, width int) string {
	filled := 0
	if of > 0 {
		filled = min(width, n*width/of)
	}
	return "  [" + strings.Repeat("█", filled) + strings.Repeat("·", width-filled) + "]"
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
