package chat

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/toolname"
)

// command is one slash command.
type command struct {
	names []string
	usage string
	help  string
	run   func(s *Session, ctx context.Context, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{[]string{"/help"}, "/help [command]", "Show the commands, or help for one", (*Session).cmdHelp},
		{[]string{"/quit", "/q", "/exit"}, "/quit", "Quit the session", func(*Session, context.Context, []string) error { return errQuit }},
		{[]string{"/clear", "/reset"}, "/clear", "Start a new conversation (clears the history)", (*Session).cmdClear},
		{[]string{"/model"}, "/model [provider/model]", "Show the models, or switch this session to one", (*Session).cmdModel},
		{[]string{"/tools"}, "/tools [trust|untrust <tool>…|trust-all|reset|schema]", "Show tools and their permissions, or change them for this session", (*Session).cmdTools},
		{[]string{"/acceptall"}, "/acceptall", "Deprecated: same as /tools trust-all", (*Session).cmdAcceptAll},
		{[]string{"/usage"}, "/usage", "Show the context window usage", (*Session).cmdUsage},
		{[]string{"/compact"}, "/compact [instructions]", "Summarise the conversation to free context", (*Session).cmdCompact},
		{[]string{"/save"}, "/save <file> [-f]", "Save the conversation to a JSON file (-f overwrites)", (*Session).cmdSave},
		{[]string{"/load"}, "/load <file>", "Replace the conversation with one saved by /save", (*Session).cmdLoad},
		{[]string{"/editor"}, "/editor [text]", "Compose a prompt in $EDITOR (default vi)", (*Session).cmdEditor},
		{[]string{"/agent"}, "/agent [list|swap <name>|schema|create]", "Show agents or switch to another", (*Session).cmdAgent},
		{[]string{"/context"}, "/context [show|add|rm|clear|hooks] …", "Manage context files and context hooks", (*Session).cmdContext},
		{[]string{"/hooks"}, "/hooks", "Show the hooks in effect", (*Session).cmdHooks},
		{[]string{"/mcp"}, "/mcp [resources|attach <server> <uri>]", "Show MCP servers; list or attach resources", (*Session).cmdMCP},
		{[]string{"/prompts"}, "/prompts [list|get <name> [args]]", "List MCP prompts; use one with @name args", (*Session).cmdPrompts},
		{[]string{"/tangent"}, "/tangent [tail]", "Start or leave a side conversation (experiment)", (*Session).cmdTangent},
		{[]string{"/checkpoint"}, "/checkpoint [list|diff|restore|clean]", "List, compare or restore workspace checkpoints (experiment)", (*Session).cmdCheckpoint},
		{[]string{"/knowledge"}, "/knowledge [show|add|update|remove|clear|cancel] …", "Manage knowledge bases the model can search (needs chat.enableKnowledge)", (*Session).cmdKnowledge},
	}
}

func findCommand(name string) *command {
	for i := range commands {
		for _, n := range commands[i].names {
			if n == name {
				return &commands[i]
			}
		}
	}
	return nil
}

func isCommand(line string) bool {
	return findCommand(strings.Fields(line)[0]) != nil
}

// looksLikePath tells a prompt that starts with a file path (a dropped
// image, say) from a mistyped command, as the Q CLI does.
func looksLikePath(line string) bool {
	first := strings.Fields(line)[0]
	if strings.ContainsAny(first[1:], `/\.`) {
		return true
	}
	_, err := os.Stat(first)
	return err == nil
}

func (s *Session) command(ctx context.Context, line string) error {
	fields := strings.Fields(line)
	c := findCommand(fields[0])
	return c.run(s, ctx, fields[1:])
}

func (s *Session) cmdHelp(_ context.Context, args []string) error {
	if len(args) > 0 {
		name := args[0]
		if !strings.HasPrefix(name, "/") {
			name = "/" + name
		}
		c := findCommand(name)
		if c == nil {
			fmt.Fprintf(s.Info, "No command %s. Type /help for the list.\n", name)
			return nil
		}
		fmt.Fprintf(s.Info, "%s\n  %s\n", c.usage, c.help)
		if len(c.names) > 1 {
			fmt.Fprintf(s.Info, "  Aliases: %s\n", strings.Join(c.names[1:], ", "))
		}
		return nil
	}
	fmt.Fprintln(s.Info, "Commands:")
	rows := make([][2]string, 0, len(commands)+1)
	for _, c := range commands {
		rows = append(rows, [2]string{c.usage, c.help})
	}
	rows = append(rows, [2]string{"!<command>", "Run a shell command (not sent to the model)"})
	writeColumns(s.Info, s.width(), "  ", rows)
	fmt.Fprintln(s.Info, "\nKeys: Ctrl-J or Alt-Enter for a new line, a trailing \\ continues the line,")
	fmt.Fprintln(s.Info, "Ctrl-C cancels the answer or tool in progress, Ctrl-D or /quit exits.")
	if s.TangentMode && s.TangentKey != 0 {
		fmt.Fprintf(s.Info, "Ctrl-%c starts or leaves a tangent (/tangent).\n", unicode.ToUpper(s.TangentKey))
	}
	return nil
}

func (s *Session) cmdClear(context.Context, []string) error {
	c := s.Agent.Conversation()
	c.Clear()
	fresh := newConversationLike(c)
	*c = *fresh
	s.save()
	if s.Workspace != nil {
		s.Workspace.ResetHooks()
	}
	fmt.Fprintln(s.Info, "Started a new conversation.")
	return nil
}

func (s *Session) cmdModel(_ context.Context, args []string) error {
	cur := s.Agent.Conversation().Model
	if len(args) == 0 {
		fmt.Fprintf(s.Info, "Current model: %s\n", cur)
		if len(s.KnownModels) > 0 {
			fmt.Fprintln(s.Info, "Models:")
			for i, m := range s.KnownModels {
				mark := " "
				if m == cur {
					mark = "*"
				}
				fmt.Fprintf(s.Info, " %s %d. %s\n", mark, i+1, m)
			}
		}
		fmt.Fprintln(s.Info, "Switch with /model <provider/model> or /model <number>.")
		return nil
	}
	ref := args[0]
	if n := atoi(ref); n > 0 && n <= len(s.KnownModels) {
		ref = s.KnownModels[n-1]
	} else if isNumber(ref) {
		fmt.Fprintf(s.Info, "There is no model %s: /model lists %d; pick one of 1-%d or give provider/model.\n", ref, len(s.KnownModels), len(s.KnownModels))
		return nil
	}
	p, id, err := s.OpenModel(ref)
	if err != nil {
		fmt.Fprintf(s.Info, "Cannot switch model: %v\n", err)
		return nil
	}
	window := 0
	if s.WindowFor != nil {
		window = s.WindowFor(id)
	}
	s.Agent.SetModel(p, id, window)
	s.Agent.Conversation().Model = ref
	fmt.Fprintf(s.Info, "Using %s for the rest of this session.\n", ref)
	return nil
}

func (s *Session) cmdAcceptAll(ctx context.Context, _ []string) error {
	fmt.Fprintln(s.Info, "/acceptall is deprecated; use /tools trust-all.")
	return s.cmdTools(ctx, []string{"trust-all"})
}

func (s *Session) cmdTools(_ context.Context, args []string) error {
	if len(args) == 0 {
		s.listTools()
		return nil
	}
	switch args[0] {
	case "trust", "untrust":
		if len(args) < 2 {
			fmt.Fprintf(s.Info, "Usage: /tools %s <tool>...\n", args[0])
			return nil
		}
		for i, n := range args[1:] {
			n = toolname.Pattern(n)
			args[i+1] = n
			if !strings.HasPrefix(n, "@") && !s.hasTool(n) {
				fmt.Fprintf(s.Info, "No tool named %q. /tools lists them.\n", n)
				return nil
			}
		}
		var err error
		if args[0] == "trust" {
			err = s.perms().Trust(args[1:]...)
		} else {
			err = s.perms().Untrust(args[1:]...)
		}
		if err != nil {
			fmt.Fprintln(s.Info, err)
			return nil
		}
		verb := map[string]string{"trust": "trusted", "untrust": "set to ask"}[args[0]]
		fmt.Fprintf(s.Info, "%s %s for this session.\n", strings.Join(args[1:], ", "), verb)
	case "trust-all":
		if err := s.perms().TrustAll(); err != nil {
			fmt.Fprintln(s.Info, err)
			return nil
		}
		fmt.Fprintln(s.Info, "All tools are now trusted for this session. Deny rules still apply. Use /tools reset to undo.")
	case "reset":
		s.perms().Reset()
		fmt.Fprintln(s.Info, "Tool permissions reset to their defaults.")
	case "schema":
		for _, t := range s.Agent.AllTools() {
			sp := t.Spec()
			fmt.Fprintf(s.Info, "%s: %s\n", sp.Name, sp.InputSchema)
		}
	default:
		fmt.Fprintf(s.Info, "Unknown /tools subcommand %q. Usage: %s\n", args[0], findCommand("/tools").usage)
	}
	return nil
}

// listTools prints every tool with its permission, MCP tools under their
// server, and the MCP servers that are still loading or failed.
func (s *Session) listTools() {
	type row struct{ name, label string }
	var rows []row
	for _, t := range s.Agent.AllTools() {
		name, server, host := t.Spec().Name, "", t.Spec().Name
		if sv, ok := t.(agent.Server); ok {
			server, host = sv.Server()
			name = "@" + server + "/" + host
		}
		rows = append(rows, row{name, s.perms().Label(host, server)})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].name < rows[j].name })
	table := [][2]string{{"Tool", "Permission"}}
	for _, r := range rows {
		table = append(table, [2]string{r.name, r.label})
	}
	writeColumns(s.Info, s.width(), "", table)
	if m := s.mcp(); m != nil {
		for _, st := range m.Status() {
			if st.State != "ready" {
				fmt.Fprintf(s.Info, "MCP server %s is %s %s\n", st.Name, st.State, firstLine(st.LastError, 80))
			}
		}
	}
	if s.perms().TrustedAll() {
		fmt.Fprintln(s.Info, "\nAll tools are trusted for this session (deny rules still apply).")
	}
}

// width is the terminal's width, 0 when unknown.
func (s *Session) width() int {
	if s.Columns == nil {
		return 0
	}
	w, _ := s.Columns()
	return w
}

func (s *Session) hasTool(name string) bool {
	for _, t := range s.Agent.AllTools() {
		if t.Spec().Name == name {
			return true
		}
	}
	return false
}

func (s *Session) cmdCompact(ctx context.Context, args []string) error {
	ctx, cancel := s.interruptible(ctx)
	defer cancel()
	summary, err := s.Agent.Compact(ctx, strings.Join(args, " "))
	if err != nil {
		fmt.Fprintf(s.Info, "Cannot compact: %v\n", err)
		return nil
	}
	fmt.Fprintln(s.Info, "Conversation compacted. Summary:")
	fmt.Fprintln(s.Out, summary)
	return nil
}

// shell runs a "!command" line: the user's own command, so no approval and
// no AI marker — AWS calls it makes are the user's, not the agent's.
func (s *Session) shell(ctx context.Context, cmdline string) error {
	if strings.TrimSpace(cmdline) == "" {
		return nil
	}
	ctx, cancel := s.interruptible(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", cmdline)
	cmd.Dir = s.Agent.Env().Cwd
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, s.Out, s.Info
	defer s.tty.userMode()()
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(s.Info, "%v\n", err)
	}
	return nil
}

// atoi is the number s spells, 0 when it is not one.
func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || !isNumber(s) {
		return 0
	}
	return n
}

// isNumber reports whether s is all digits (a menu number, maybe too big).
func isNumber(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
