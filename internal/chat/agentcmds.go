package chat

import (
	"context"
	"fmt"
	"strings"

	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/chat/termwidth"
	"github.com/qdev/qdev/internal/hook"
	"github.com/qdev/qdev/internal/mcp"
)

func (s *Session) cmdAgent(ctx context.Context, args []string) error {
	ws := s.Workspace
	if ws == nil {
		fmt.Fprintln(s.Info, "Agents are not available in this session.")
		return nil
	}
	sub := "list"
	if len(args) > 0 {
		sub = args[0]
	}
	switch sub {
	case "list":
		agents, warnings := ws.Agents()
		for _, w := range warnings {
			fmt.Fprintln(s.Info, "Warning:", termwidth.Visible(w))
		}
		active := ws.Active().Name
		for _, a := range agents {
			mark := " "
			if a.Name == active {
				mark = "*"
			}
			// Names and paths come from files the workspace ships.
			fmt.Fprintf(s.Info, "%s %-24s %s\n", mark, termwidth.Visible(a.Name), termwidth.Visible(a.Location()))
		}
	case "swap":
		if len(args) < 2 {
			fmt.Fprintln(s.Info, "Usage: /agent swap <name>")
			return nil
		}
		if err := ws.Swap(ctx, args[1]); err != nil {
			fmt.Fprintf(s.Info, "Cannot swap to %s: %v\n", args[1], err)
			return nil
		}
		fmt.Fprintf(s.Info, "Switched to agent %s: its tools, permissions, MCP servers and context apply from now on.\n", termwidth.Visible(ws.Active().Name))
	case "schema":
		fmt.Fprintln(s.Out, string(agentcfg.Schema()))
	case "create":
		if len(args) < 2 {
			fmt.Fprintln(s.Info, "Usage: /agent create <name>")
			return nil
		}
		path, err := ws.CreateAgent(args[1])
		if err != nil {
			fmt.Fprintf(s.Info, "Cannot create agent %s: %v\n", args[1], err)
			return nil
		}
		fmt.Fprintf(s.Info, "Created %s. Edit it, then /agent swap %s.\n", path, args[1])
	default:
		fmt.Fprintf(s.Info, "Unknown /agent subcommand %q. Usage: /agent list|swap <name>|schema|create\n", sub)
	}
	return nil
}

func (s *Session) cmdContext(_ context.Context, args []string) error {
	ws := s.Workspace
	if ws == nil {
		fmt.Fprintln(s.Info, "Context is not available in this session.")
		return nil
	}
	sub := "show"
	if len(args) > 0 {
		sub = args[0]
		args = args[1:]
	}
	global, force, expand := false, false, false
	var paths []string
	for _, a := range args {
		switch a {
		case "--global":
			global = true
		case "--force", "-f":
			force = true
		case "--expand":
			expand = true
		default:
			paths = append(paths, a)
		}
	}
	legacy := ws.Legacy()
	var msg string
	var err error
	switch sub {
	case "show":
		fmt.Fprint(s.Info, legacy.Show(s.Agent.Env().Cwd))
		if r := ws.Active().Resources; len(r) > 0 {
			fmt.Fprintf(s.Info, "\nAgent resources (%s):\n", ws.Active().Name)
			for _, p := range r {
				fmt.Fprintf(s.Info, "  %s\n", p)
			}
		}
		files := ws.ContextFiles()
		total := 0
		fmt.Fprintln(s.Info, "\nFiles in context:")
		for _, f := range files.Files {
			total += f.Tokens
			fmt.Fprintf(s.Info, "  %s (~%s tokens)\n", f.Path, thousands(f.Tokens))
			if expand {
				fmt.Fprintln(s.Out, f.Content)
			}
		}
		fmt.Fprintf(s.Info, "Total: ~%s tokens (%d%% of the context window)\n", thousands(total), pct(total, s.Agent.Window()))
		for _, f := range files.Dropped {
			fmt.Fprintf(s.Info, "Dropped (over the 75%% budget): %s (~%s tokens)\n", f.Path, thousands(f.Tokens))
		}
		return nil
	case "add":
		msg, err = legacy.Add(s.Agent.Env().Cwd, global, force, paths)
	case "rm", "remove":
		msg, err = legacy.Remove(global, paths)
	case "clear":
		msg, err = legacy.Clear(global)
	case "hooks":
		return s.cmdContextHooks(args)
	default:
		fmt.Fprintf(s.Info, "Unknown /context subcommand %q. Usage: /context show [--expand]|add|rm|clear [--global] [--force] <paths>|hooks\n", sub)
		return nil
	}
	if err != nil {
		fmt.Fprintln(s.Info, "Error:", err)
		return nil
	}
	fmt.Fprintln(s.Info, msg)
	return nil
}

// cmdContextHooks edits the legacy profile hooks (/context hooks …).
func (s *Session) cmdContextHooks(args []string) error {
	legacy := s.Workspace.Legacy()
	if len(args) == 0 {
		fmt.Fprint(s.Info, legacy.ShowHooks())
		return nil
	}
	global := false
	var rest []string
	trigger, command := "", ""
	for i := 1; i < len(args); i++ {
		switch args[i] {
		case "--global":
			global = true
		case "--trigger":
			if i+1 < len(args) {
				trigger = args[i+1]
				i++
			}
		case "--command":
			if i+1 < len(args) {
				command = strings.Trim(strings.Join(args[i+1:], " "), `"'`)
				i = len(args)
			}
		default:
			rest = append(rest, args[i])
		}
	}
	name := ""
	if len(rest) > 0 {
		name = rest[0]
	}
	var msg string
	var err error
	switch args[0] {
	case "add":
		msg, err = legacy.AddHook(global, name, trigger, command)
	case "rm", "remove":
		msg, err = legacy.RemoveHook(global, name)
	case "enable", "disable":
		msg, err = legacy.SetHookDisabled(global, name, args[0] == "disable")
	case "enable-all", "disable-all":
		msg, err = legacy.SetAllHooksDisabled(global, args[0] == "disable-all")
	default:
		fmt.Fprintln(s.Info, "Usage: /context hooks [add <name> --trigger per_prompt|conversation_start --command <cmd>|rm <name>|enable <name>|disable <name>|enable-all|disable-all] [--global]")
		return nil
	}
	if err != nil {
		fmt.Fprintln(s.Info, "Error:", err)
		return nil
	}
	s.Workspace.ReloadHooks()
	fmt.Fprintln(s.Info, msg)
	return nil
}

func (s *Session) cmdHooks(context.Context, []string) error {
	if s.Workspace == nil {
		fmt.Fprintln(s.Info, "No hooks.")
		return nil
	}
	fmt.Fprint(s.Info, hook.FormatList(s.Workspace.Hooks()))
	return nil
}

func (s *Session) cmdMCP(ctx context.Context, args []string) error {
	m := s.mcp()
	if m == nil {
		fmt.Fprintln(s.Info, "No MCP servers are configured.")
		return nil
	}
	if len(args) > 0 {
		return s.mcpResources(ctx, m, args)
	}
	fmt.Fprintf(s.Info, "%-24s %-11s %-6s %s\n", "Server", "State", "Tools", "Last error")
	for _, st := range m.Status() {
		// A server's error carries its stderr, and names and
		// descriptions come from the server: shown with controls visible.
		fmt.Fprintf(s.Info, "%-24s %-11s %-6d %s\n", st.Name, st.State, st.Tools, termwidth.Visible(firstLine(st.LastError, 80)))
		if whole := strings.TrimSpace(st.LastError); whole != firstLine(st.LastError, 80) {
			// The row shows the start; the whole reason follows.
			fmt.Fprintf(s.Info, "  error: %s\n", strings.ReplaceAll(termwidth.Visible(whole), "\n", "\n    "))
		}
		for _, w := range st.Warnings {
			fmt.Fprintf(s.Info, "  warning: %s\n", termwidth.Visible(w))
		}
	}
	return nil
}

// mcpResources lists MCP resources or attaches one to the context.
func (s *Session) mcpResources(ctx context.Context, m *mcp.Manager, args []string) error {
	switch {
	case args[0] == "resources":
		res, err := m.Resources(ctx)
		if err != nil {
			fmt.Fprintln(s.Info, "Warning:", err)
		}
		for _, r := range res {
			fmt.Fprintf(s.Info, "%-16s %-40s %s\n", r.Server, termwidth.Visible(r.URI), termwidth.Visible(firstLine(r.Name+" "+r.Description, 60)))
		}
		if len(res) == 0 {
			fmt.Fprintln(s.Info, "No resources.")
		}
	case args[0] == "attach" && len(args) == 3:
		msg, err := s.Workspace.AttachResource(ctx, args[1], args[2])
		if err != nil {
			fmt.Fprintf(s.Info, "Cannot attach %s: %v\n", args[2], err)
			return nil
		}
		fmt.Fprintln(s.Info, msg)
	default:
		fmt.Fprintln(s.Info, "Usage: /mcp [resources|attach <server> <uri>]")
	}
	return nil
}

func (s *Session) cmdPrompts(ctx context.Context, args []string) error {
	m := s.mcp()
	if m == nil {
		fmt.Fprintln(s.Info, "No MCP servers are configured.")
		return nil
	}
	if len(args) > 0 && args[0] == "get" && len(args) > 1 {
		return s.usePrompt(ctx, args[1], args[2:])
	}
	prompts := m.Prompts(ctx)
	if len(prompts) == 0 {
		fmt.Fprintln(s.Info, "No prompts.")
		return nil
	}
	for _, p := range prompts {
		var names []string
		for _, a := range p.Arguments {
			n := a.Name
			if !a.Required {
				n = "[" + n + "]"
			}
			names = append(names, n)
		}
		fmt.Fprintf(s.Info, "@%-28s %-10s %s %s\n", p.Name, p.Server, termwidth.Visible(strings.Join(names, " ")), termwidth.Visible(firstLine(p.Description, 60)))
	}
	return nil
}

// usePrompt sends an MCP prompt (@name args…) as the next user message.
func (s *Session) usePrompt(ctx context.Context, name string, args []string) error {
	m := s.mcp()
	if m == nil {
		fmt.Fprintln(s.Info, "No MCP servers are configured.")
		return nil
	}
	msgs, err := m.GetPrompt(ctx, name, args)
	if err != nil {
		fmt.Fprintf(s.Info, "Cannot use prompt %s: %v\n", name, err)
		return nil
	}
	var text []string
	for _, msg := range msgs {
		if t := msg.Text(); t != "" {
			text = append(text, t)
		}
	}
	if len(text) == 0 {
		fmt.Fprintf(s.Info, "Prompt %s returned no text.\n", name)
		return nil
	}
	return s.send(ctx, strings.Join(text, "\n\n"))
}

func (s *Session) mcp() *mcp.Manager {
	if s.Workspace == nil {
		return nil
	}
	return s.Workspace.MCP()
}
