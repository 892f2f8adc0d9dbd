package chat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/qdev/qdev/internal/chat/termwidth"
	"github.com/qdev/qdev/internal/checkpoint"
	"github.com/qdev/qdev/internal/model"
)

// Action is something the user asks q itself to do that changes files
// outside any tool call, such as restoring a checkpoint: it goes on the
// audit trail like a tool call.
type Action struct {
	// Tool and Event name it on the trail ("checkpoint", "RestoreCheckpoint").
	Tool, Event string
	Params      map[string]any
}

// Recorder puts a on the audit trail before it runs; done records its
// outcome. An error refuses the action: nothing runs that is not on
// record first.
type Recorder func(a Action) (done func(result map[string]any, err error), err error)

// checkpoints records a checkpoint around each turn that changes files
// (the chat.enableCheckpoint experiment). A nil *checkpoints does nothing.
type checkpoints struct {
	store *checkpoint.Store
	info  io.Writer
	st    styles
	// quiet leaves out the line that names a new checkpoint.
	quiet bool
}

// before records what changed in the workspace since the latest
// checkpoint, outside q, so that a restore can bring that state back too.
func (c *checkpoints) before(ctx context.Context, conv, prompt string) {
	if c == nil || c.store == nil {
		return
	}
	_, _, err := c.store.Record(ctx, checkpoint.Checkpoint{Kind: checkpoint.KindOutside, Conversation: conv,
		Label: "changes made outside q, before: " + prompt})
	c.fail(err)
}

// after records what the turn's tools changed; msgs are the messages the
// turn added. A turn that ran no tool changed nothing.
func (c *checkpoints) after(ctx context.Context, conv, prompt string, msgs []model.Message) {
	if c == nil || c.store == nil {
		return
	}
	tools := toolsUsed(msgs)
	if len(tools) == 0 {
		return
	}
	cp, made, err := c.store.Record(context.WithoutCancel(ctx), checkpoint.Checkpoint{Kind: checkpoint.KindTurn,
		Conversation: conv, Label: prompt, Tools: tools})
	if c.fail(err) || !made || c.quiet {
		return
	}
	fmt.Fprintf(c.info, "%s✓ Checkpoint %d: %s (/checkpoint restore %d goes back)%s\n", c.st.dim, cp.N,
		counts(cp), cp.N-1, c.st.reset)
}

// fail reports err; a workspace too large turns checkpoints off.
func (c *checkpoints) fail(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, checkpoint.ErrTooManyFiles) {
		fmt.Fprintf(c.info, "%sCheckpoints are off for this session: %v.%s\n", c.st.yellow, err, c.st.reset)
		c.store = nil
		return true
	}
	fmt.Fprintf(c.info, "%sWarning: checkpoint not recorded: %v%s\n", c.st.yellow, err, c.st.reset)
	return true
}

// toolsUsed lists the tools called in msgs, in order, without repeats.
func toolsUsed(msgs []model.Message) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range msgs {
		for _, b := range m.ToolUses() {
			if !seen[b.Name] {
				seen[b.Name] = true
				out = append(out, b.Name)
			}
		}
	}
	return out
}

func counts(c checkpoint.Checkpoint) string {
	return fmt.Sprintf("%d added, %d modified, %d deleted", c.Added, c.Modified, c.Deleted)
}

const checkpointUsage = "/checkpoint list | diff N [M] | restore N | clean"

func (s *Session) cmdCheckpoint(ctx context.Context, args []string) error {
	if s.cp == nil || s.cp.store == nil {
		fmt.Fprintln(s.Info, "Checkpoints are off. They are an experiment: turn them on with `q settings chat.enableCheckpoint true` and start a new session.")
		return nil
	}
	store := s.cp.store
	sub := "list"
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	nums, err := checkpointNumbers(args)
	if err != nil {
		fmt.Fprintf(s.Info, "%v. Usage: %s\n", err, checkpointUsage)
		return nil
	}
	switch {
	case sub == "list" && len(nums) == 0:
		s.listCheckpoints(ctx, store)
	case sub == "diff" && (len(nums) == 1 || len(nums) == 2):
		to := checkpoint.Current
		if len(nums) == 2 {
			to = nums[1]
		}
		d, err := store.Diff(ctx, nums[0], to)
		if err != nil {
			fmt.Fprintf(s.Info, "Cannot diff: %v\n", err)
			return nil
		}
		if strings.TrimSpace(d) == "" {
			fmt.Fprintln(s.Info, "No differences.")
			return nil
		}
		writeDiff(s.Out, d, newStyles(s.Color))
	case sub == "restore" && len(nums) == 1:
		s.restoreCheckpoint(ctx, store, nums[0])
	case sub == "clean" && len(nums) == 0:
		done, err := s.recordAction(Action{Tool: "checkpoint", Event: "CleanCheckpoints",
			Params: map[string]any{"workspace": store.Workspace}})
		if err != nil {
			fmt.Fprintf(s.Info, "Not cleaned: %v\n", err)
			return nil
		}
		err = store.Clean()
		done(nil, err)
		if err != nil {
			fmt.Fprintf(s.Info, "Cannot clean: %v\n", err)
			return nil
		}
		fmt.Fprintln(s.Info, "Deleted every checkpoint of this workspace.")
	default:
		fmt.Fprintf(s.Info, "Usage: %s\n", checkpointUsage)
	}
	return nil
}

// checkpointNumbers parses checkpoint numbers.
func checkpointNumbers(args []string) ([]int, error) {
	var out []int
	for _, a := range args {
		n, err := strconv.Atoi(a)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%q is not a checkpoint number (/checkpoint list shows them)", a)
		}
		out = append(out, n)
	}
	return out, nil
}

func (s *Session) listCheckpoints(ctx context.Context, store *checkpoint.Store) {
	cps, err := store.List(ctx)
	if err != nil {
		fmt.Fprintf(s.Info, "Cannot list checkpoints: %v\n", err)
		return
	}
	if len(cps) == 0 {
		fmt.Fprintln(s.Info, "No checkpoints yet: one is recorded after each turn that changes files.")
		return
	}
	st := newStyles(s.Color)
	fmt.Fprintf(s.Info, "Checkpoints of %s (oldest first):\n", termwidth.Visible(store.Workspace))
	for _, c := range cps {
		label := c.Label
		if len(c.Tools) > 0 {
			label += " [" + strings.Join(c.Tools, ", ") + "]"
		}
		fmt.Fprintf(s.Info, "  %s[%d]%s %s  %s  %s(%s)%s\n", st.bold, c.N, st.reset, c.Time.Local().Format("2006-01-02 15:04:05"),
			termwidth.Visible(label), st.dim, counts(c), st.reset)
	}
	fmt.Fprintln(s.Info, "/checkpoint diff N [M] shows changes; /checkpoint restore N brings the files of N back.")
}

func (s *Session) restoreCheckpoint(ctx context.Context, store *checkpoint.Store, n int) {
	done, err := s.recordAction(Action{Tool: "checkpoint", Event: "RestoreCheckpoint",
		Params: map[string]any{"checkpoint": n, "workspace": store.Workspace}})
	if err != nil {
		fmt.Fprintf(s.Info, "Not restored: %v\n", err)
		return
	}
	r, err := store.Restore(context.WithoutCancel(ctx), n, s.Agent.Conversation().ID)
	done(map[string]any{"written": len(r.Written), "deleted": len(r.Deleted), "kept": len(r.Kept),
		"conflicts": len(r.Conflicts), "undo": r.Undo.N}, err)
	if err != nil {
		fmt.Fprintf(s.Info, "Cannot restore checkpoint %d: %v\n", n, err)
		return
	}
	fmt.Fprintf(s.Info, "Restored checkpoint %d: %d file(s) written, %d deleted. /checkpoint restore %d undoes this.\n",
		n, len(r.Written), len(r.Deleted), r.Undo.N)
	for _, k := range r.Kept {
		fmt.Fprintf(s.Info, "  kept %s (ignored or too large when checkpoint %d was taken)\n", termwidth.Visible(k), n)
	}
	for _, c := range r.Conflicts {
		fmt.Fprintf(s.Info, "  not restored: %s\n", termwidth.Visible(c))
	}
}

func (s *Session) recordAction(a Action) (func(map[string]any, error), error) {
	if s.RecordAction == nil {
		return func(map[string]any, error) {}, nil
	}
	return s.RecordAction(a)
}

// writeDiff prints a unified diff with its control characters made
// visible (file contents are the workspace's) and, with colour, added
// lines green and removed lines red.
func writeDiff(w io.Writer, d string, st styles) {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(d, "\n"), "\n") {
		color := ""
		switch {
		case strings.HasPrefix(line, "+++"), strings.HasPrefix(line, "---"), strings.HasPrefix(line, "diff --git"):
			color = st.bold
		case strings.HasPrefix(line, "+"):
			color = st.green
		case strings.HasPrefix(line, "-"):
			color = st.red
		case strings.HasPrefix(line, "@@"):
			color = st.cyan
		}
		line = termwidth.Visible(line)
		if color != "" {
			line = color + line + st.reset
		}
		b.WriteString(line + "\n")
	}
	_, _ = io.WriteString(w, b.String())
}
