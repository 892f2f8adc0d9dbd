package chat

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"

	"github.com/qdev/qdev/internal/chat/termwidth"
	"github.com/qdev/qdev/internal/knowledge"
)

const knowledgeUsage = "/knowledge [show|add NAME PATH [--include GLOB]… [--exclude GLOB]… [--index-type Fast|Best]|update NAME|PATH|remove NAME|PATH|clear|cancel [ID|all]]"

// cmdKnowledge manages the active agent's knowledge bases. Indexing runs
// in the background; the prompt returns at once, and notices before later
// prompts tell how it goes.
func (s *Session) cmdKnowledge(_ context.Context, args []string) error {
	st, err := s.knowledgeStore()
	if st == nil {
		if err != nil {
			fmt.Fprintf(s.Info, "Knowledge bases cannot be used: %s\n", termwidth.Visible(err.Error()))
			return nil
		}
		fmt.Fprintln(s.Info, "Knowledge tool is disabled. Enable it with: q settings chat.enableKnowledge true")
		fmt.Fprintln(s.Info, "Your knowledge base data is preserved and will be available when re-enabled.")
		return nil
	}
	words, err := commandWords(strings.Join(args, " "))
	if err != nil {
		fmt.Fprintf(s.Info, "Cannot read the arguments: %v\n", err)
		return nil
	}
	sub, rest := "show", []string(nil)
	if len(words) > 0 {
		sub, rest = words[0], words[1:]
	}
	switch sub {
	case "show":
		s.showKnowledge(st)
	case "add":
		s.addKnowledge(st, rest)
	case "update":
		if len(rest) == 0 || len(rest) > 2 {
			fmt.Fprintln(s.Info, "Usage: /knowledge update NAME|PATH [NEW_PATH]")
			return nil
		}
		newPath := ""
		if len(rest) == 2 {
			newPath = expandHome(rest[1], s.Agent.Env().Cwd)
		}
		b, err := st.Update(rest[0], newPath)
		if err != nil {
			fmt.Fprintf(s.Info, "Error: Failed to update: %s\n", termwidth.Visible(err.Error()))
			return nil
		}
		fmt.Fprintf(s.Info, "Updating %s (%s) in the background; /knowledge show has its progress.\n", termwidth.Visible(b.Name), b.ShortID())
	case "remove", "rm":
		if len(rest) != 1 {
			fmt.Fprintln(s.Info, "Usage: /knowledge remove NAME|PATH|ID")
			return nil
		}
		b, err := st.Remove(rest[0])
		if err != nil {
			fmt.Fprintf(s.Info, "Entry not found in agent knowledge base: %s\n", termwidth.Visible(err.Error()))
			return nil
		}
		fmt.Fprintf(s.Info, "Removed agent knowledge base entry %s (%s).\n", termwidth.Visible(b.Name), termwidth.Visible(b.Path))
	case "clear":
		s.clearKnowledge(st)
	case "cancel":
		id := ""
		if len(rest) > 0 {
			id = rest[0]
		}
		names, err := st.Cancel(id)
		if err != nil {
			fmt.Fprintf(s.Info, "Error: Failed to cancel operation: %s\n", termwidth.Visible(err.Error()))
			return nil
		}
		fmt.Fprintf(s.Info, "Cancelled indexing of %s.\n", termwidth.Visible(strings.Join(names, ", ")))
	default:
		fmt.Fprintf(s.Info, "Unknown /knowledge subcommand %q. Usage: %s\n", sub, knowledgeUsage)
	}
	return nil
}

// knowledgeStore is the active agent's knowledge bases: nil when the
// experiment is off, or with the error that kept them from opening.
func (s *Session) knowledgeStore() (*knowledge.Store, error) {
	if s.Workspace == nil {
		return nil, nil
	}
	return s.Workspace.Knowledge()
}

// commandWords splits a command's arguments as a shell would: quotes group,
// $VAR expands; nothing is run and no glob or brace is expanded, so
// patterns reach the command as written.
func commandWords(line string) ([]string, error) {
	cfg := &expand.Config{Env: expand.ListEnviron(os.Environ()...)}
	var out []string
	for w, err := range syntax.NewParser().WordsSeq(strings.NewReader(line)) {
		if err != nil {
			return nil, err
		}
		lit, err := expand.Literal(cfg, w)
		if err != nil {
			return nil, err
		}
		out = append(out, lit)
	}
	return out, nil
}

// addKnowledge parses /knowledge add: NAME PATH, or the Q CLI's --name and
// --path, with repeatable --include and --exclude and --index-type.
func (s *Session) addKnowledge(st *knowledge.Store, args []string) {
	var name, path string
	var opts knowledge.AddOptions
	var positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		flag, value, inline := strings.Cut(a, "=")
		if !strings.HasPrefix(flag, "-") {
			positional = append(positional, a)
			continue
		}
		if !inline {
			if i+1 >= len(args) {
				fmt.Fprintf(s.Info, "%s needs a value. Usage: %s\n", flag, knowledgeUsage)
				return
			}
			i++
			value = args[i]
		}
		switch flag {
		case "--name", "-n":
			name = value
		case "--path", "-p":
			path = value
		case "--include":
			opts.Include = append(opts.Include, value)
		case "--exclude":
			opts.Exclude = append(opts.Exclude, value)
		case "--index-type":
			opts.IndexType = value
		default:
			fmt.Fprintf(s.Info, "Unknown option %s. Usage: %s\n", flag, knowledgeUsage)
			return
		}
	}
	if name == "" && len(positional) > 0 {
		name, positional = positional[0], positional[1:]
	}
	if path == "" && len(positional) > 0 {
		path, positional = positional[0], positional[1:]
	}
	if name == "" || path == "" || len(positional) > 0 {
		fmt.Fprintf(s.Info, "Usage: /knowledge add NAME PATH [--include GLOB]… [--exclude GLOB]… [--index-type Fast|Best]\n")
		return
	}
	b, notes, err := st.Add(name, expandHome(path, s.Agent.Env().Cwd), opts)
	if err != nil {
		fmt.Fprintf(s.Info, "Error: Failed to add: %s\n", termwidth.Visible(err.Error()))
		return
	}
	for _, n := range notes {
		fmt.Fprintln(s.Info, termwidth.Visible(n))
	}
	fmt.Fprintf(s.Info, "Indexing %s (%s) from %s in the background; /knowledge show has its progress.\n",
		termwidth.Visible(b.Name), b.ShortID(), termwidth.Visible(b.Path))
}

func (s *Session) clearKnowledge(st *knowledge.Store) {
	fmt.Fprintln(s.Info, "This action will remove all knowledge base entries.")
	line, err := s.Input.ReadLine("Clear the knowledge base? (y/N): ")
	if err != nil || !strings.EqualFold(strings.TrimSpace(line), "y") && !strings.EqualFold(strings.TrimSpace(line), "yes") {
		fmt.Fprintln(s.Info, "Clear operation cancelled.")
		return
	}
	n, err := st.Clear()
	if err != nil {
		fmt.Fprintf(s.Info, "Error: Failed to clear: %s\n", termwidth.Visible(err.Error()))
		return
	}
	fmt.Fprintf(s.Info, "Removed %d knowledge base entries.\n", n)
}

// showKnowledge lists the bases with their state and counts, then the
// operations running.
func (s *Session) showKnowledge(st *knowledge.Store) {
	c := newStyles(s.Color)
	v := termwidth.Visible
	fmt.Fprintf(s.Info, "%s👤 Agent (%s):%s\n", c.bold, v(s.Workspace.Active().Name), c.reset)
	bases, err := st.Bases()
	if err != nil {
		fmt.Fprintf(s.Info, "    Error: %s\n", v(err.Error()))
		return
	}
	ops := st.Operations()
	if len(bases) == 0 && len(ops) == 0 {
		fmt.Fprintf(s.Info, "    %s<none>%s\n", c.dim, c.reset)
		return
	}
	for _, b := range bases {
		fmt.Fprintf(s.Info, "    📂 %s%s%s %s(%s)%s\n", c.bold, v(b.Name), c.reset, c.green, b.ShortID(), c.reset)
		fmt.Fprintf(s.Info, "       %s%s%s\n", c.dim, v(b.Path), c.reset)
		fmt.Fprintf(s.Info, "       %s • %s • %s • %s\n", count(b.Files, "file"), count(b.Items, "item"), b.IndexDescription(), b.UpdatedAt.Local().Format("01/02 15:04"))
		fmt.Fprintf(s.Info, "       %s\n", stateLine(b, c))
		if sk := b.Skipped.String(); sk != "" && b.Index != "" {
			fmt.Fprintf(s.Info, "       %sleft out: %s%s\n", c.dim, sk, c.reset)
		}
	}
	for _, p := range ops {
		id := p.ID
		if p.Remote {
			id = "another q session"
		}
		fmt.Fprintf(s.Info, "    🔄 %s %s (%s)\n       %s\n       %s\n", p.Kind, v(p.Name), id, v(p.Path), progressText(p))
	}
}

// stateLine says where a base stands, and what to do when it failed.
func stateLine(b knowledge.Base, c styles) string {
	switch b.State {
	case knowledge.Ready:
		return c.green + "ready" + c.reset
	case knowledge.Indexing:
		if b.Index != "" {
			return c.yellow + "updating; the previous index is searched meanwhile" + c.reset
		}
		return c.yellow + "indexing" + c.reset
	}
	msg := fmt.Sprintf("%s: %s; /knowledge update %s indexes it again", b.State, b.Error, b.Name)
	if b.Index != "" {
		msg += " (the previous index is searched meanwhile)"
	}
	return c.red + termwidth.Visible(msg) + c.reset
}

// progressText says how far an operation is.
func progressText(p knowledge.Progress) string {
	switch {
	case p.Remote:
		return "In progress"
	case p.Phase == "scanning":
		return fmt.Sprintf("finding files: %s so far", thousands(p.Found))
	case p.Phase == "saving":
		return "saving the index"
	}
	s := fmt.Sprintf("%d%% (%s of %s files)", max(p.Percent(), 0), thousands(p.Done), thousands(p.Total))
	if p.ETA > 0 {
		s += fmt.Sprintf(" • ETA: %ds", int(p.ETA.Round(time.Second).Seconds()))
	}
	return s
}

// knowledgeNotices tells, before a prompt, how background indexing went
// since the last one: each operation that ended, once, and the progress of
// those still running.
func (s *Session) knowledgeNotices() {
	st, _ := s.knowledgeStore()
	if st == nil {
		return
	}
	c := newStyles(s.Color)
	v := termwidth.Visible
	for _, p := range st.TakeFinished() {
		switch p.State {
		case knowledge.Ready:
			left := ""
			if n := p.Skipped.Total(); n > 0 {
				left = fmt.Sprintf("; left out %s", p.Skipped)
			}
			fmt.Fprintf(s.Info, "%s✓ Knowledge base %s indexed: %s, %s in %.1fs%s.%s\n", c.green, v(p.Name),
				count(p.Done, "file"), count(p.Items, "item"), p.Elapsed.Seconds(), left, c.reset)
		default:
			fmt.Fprintf(s.Info, "%s✗ Knowledge base %s: indexing %s: %s%s\n", c.red, v(p.Name), p.State, v(p.Err), c.reset)
		}
	}
	for _, p := range st.Running() {
		// The command that started it has just said so.
		if p.Elapsed >= time.Second {
			fmt.Fprintf(s.Info, "%s⟳ %s %s: %s (/knowledge show)%s\n", c.dim, p.Kind, v(p.Name), progressText(p), c.reset)
		}
	}
}

// count is n and word, in the plural unless n is 1, with thousands marked.
func count(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return thousands(n) + " " + word + "s"
}
