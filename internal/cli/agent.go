package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/editor"
	"github.com/qdev/qdev/internal/paths"
	"github.com/qdev/qdev/internal/session"
)

// agentCmd holds what the q agent subcommands share.
type agentCmd struct {
	io IO
}

// NewCmdAgent returns `q agent`, which manages agent files as the Q CLI's
// command of that name does:
//
//	q agent [list]                                   agents, the default marked *
//	q agent create -n NAME [-d global|workspace|DIR] [-f FROM] [--no-edit]
//	q agent edit -n NAME                             $EDITOR, then validate
//	q agent validate -p FILE                         problems as FILE:LINE:COL, exit 1
//	q agent set-default -n NAME                      sets chat.defaultAgent
//	q agent schema                                   the JSON schema of agent files
//	q agent migrate [--force]                        legacy profiles become agents
func NewCmdAgent(stdio IO) *cobra.Command {
	a := &agentCmd{io: stdio}
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Manage agents (list, create, edit, validate, set-default, schema, migrate)",
		Long: "Agents configure chat sessions. Workspace agents are in .amazonq/cli-agents and .kiro/agents of the\n" +
			"current directory, global agents in ~/.aws/amazonq/cli-agents and ~/.kiro/agents. On a name clash the\n" +
			"workspace's agent wins over a global one, and at one level the .amazonq file wins over the .kiro one.",
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return a.list() },
	}
	var name, dir, from, path string
	var noEdit, force bool
	sub := func(use, short string, run func() error) *cobra.Command {
		return &cobra.Command{Use: use, Short: short, Args: cobra.NoArgs, SilenceUsage: true,
			RunE: func(*cobra.Command, []string) error { return run() }}
	}
	list := sub("list", "List the agents; * marks the one q chat uses by default", a.list)
	create := sub("create", "Create an agent file and open it in $EDITOR", func() error { return a.create(name, dir, from, noEdit) })
	create.Flags().StringVarP(&name, "name", "n", "", "name of the new agent (required)")
	create.Flags().StringVarP(&dir, "directory", "d", "global", "where to save it: global, workspace, or a project directory")
	create.Flags().StringVarP(&from, "from", "f", "", "agent to start from (default: the built-in default agent)")
	create.Flags().BoolVar(&noEdit, "no-edit", false, "do not open the new file in $EDITOR")
	edit := sub("edit", "Open an agent file in $EDITOR and validate it afterwards", func() error { return a.edit(name) })
	edit.Flags().StringVarP(&name, "name", "n", "", "agent to edit (required)")
	validate := sub("validate", "Check an agent file; print each problem as FILE:LINE:COL", func() error { return a.validate(path) })
	validate.Flags().StringVarP(&path, "path", "p", "", "agent file to check (required)")
	setDefault := sub("set-default", "Make an agent the default of new chat sessions", func() error { return a.setDefault(name) })
	setDefault.Flags().StringVarP(&name, "name", "n", "", "agent to use by default (required)")
	schema := sub("schema", "Print the JSON schema of agent files", func() error {
		_, err := a.io.Out.Write(agentcfg.Schema())
		return err
	})
	migrate := sub("migrate", "Turn the legacy profiles (~/.aws/amazonq/global_context.json, profiles/) into agents", func() error {
		_, home, err := a.where()
		if err != nil {
			return err
		}
		return session.MigrateLegacy(home, force, a.io.ErrOut)
	})
	migrate.Flags().BoolVar(&force, "force", false, "replace agent files of the same names")
	for _, c := range []*cobra.Command{create, edit, setDefault} {
		_ = c.MarkFlagRequired("name")
	}
	_ = validate.MarkFlagRequired("path")
	cmd.AddCommand(list, create, edit, validate, setDefault, schema, migrate)
	return cmd
}

// where returns the working directory and the home directory.
func (a *agentCmd) where() (cwd, home string, err error) {
	cwd, err = os.Getwd()
	if err != nil {
		return "", "", fmt.Errorf("working directory: %w", err)
	}
	return cwd, paths.Home(), nil
}

// agents lists the agents and prints the load warnings.
func (a *agentCmd) agents() ([]*agentcfg.Agent, error) {
	cwd, home, err := a.where()
	if err != nil {
		return nil, err
	}
	all, warnings := agentcfg.List(agentcfg.Dirs(cwd, home))
	for _, w := range warnings {
		fmt.Fprintf(a.io.ErrOut, "Warning: %s\n", w)
	}
	return all, nil
}

func findAgent(all []*agentcfg.Agent, name string) *agentcfg.Agent {
	for _, ag := range all {
		if ag.Name == name {
			return ag
		}
	}
	return nil
}

func (a *agentCmd) list() error {
	all, err := a.agents()
	if err != nil {
		return err
	}
	def := agentcfg.DefaultName
	if s, err := loadSettings(); err == nil {
		if n := s.String("chat.defaultAgent", ""); findAgent(all, n) != nil {
			def = n
		}
	} else {
		fmt.Fprintf(a.io.ErrOut, "Warning: %v\n", err)
	}
	nameW, locW := 0, 0
	for _, ag := range all {
		nameW, locW = max(nameW, len(ag.Name)), max(locW, len(ag.Location()))
	}
	for _, ag := range all {
		mark := "  "
		if ag.Name == def {
			mark = "* "
		}
		line := fmt.Sprintf("%s%-*s  %-*s  %s", mark, nameW, ag.Name, locW, ag.Location(), ag.Description)
		fmt.Fprintln(a.io.Out, strings.TrimRight(line, " "))
	}
	return nil
}

// targetDir is the agent directory of --directory: "global", "workspace"
// (this directory's .amazonq/cli-agents) or, as in the Q CLI, a project
// directory whose .amazonq/cli-agents is used.
func (a *agentCmd) targetDir(dir string) (string, error) {
	cwd, home, err := a.where()
	if err != nil {
		return "", err
	}
	switch dir {
	case "", "global":
		return agentcfg.GlobalDir(home), nil
	case "workspace":
		return agentcfg.WorkspaceDir(cwd), nil
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(cwd, dir)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", fmt.Errorf("--directory %s: not global, workspace or an existing directory", dir)
	}
	return agentcfg.WorkspaceDir(dir), nil
}

func (a *agentCmd) create(name, dir, from string, noEdit bool) error {
	if err := agentcfg.CheckName(name); err != nil {
		return err
	}
	target, err := a.targetDir(dir)
	if err != nil {
		return err
	}
	all, err := a.agents()
	if err != nil {
		return err
	}
	base := agentcfg.Default()
	base.Description = ""
	if from != "" {
		if base = findAgent(all, from); base == nil {
			return fmt.Errorf("no agent with name %s found", from)
		}
	}
	fresh := *base
	fresh.Name, fresh.Path, fresh.Notes = name, "", nil
	file, err := agentcfg.Create(target, &fresh)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%v; use q agent edit --name %s", err, name)
	}
	if err != nil {
		return err
	}
	if !noEdit && a.canEdit() {
		if err := a.editAndCheck(file); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.io.ErrOut, "Created agent %s '%s'\n", name, file)
	return nil
}

// canEdit says whether to open an editor: $EDITOR is set, or there is a
// terminal for vi.
func (a *agentCmd) canEdit() bool {
	return os.Getenv("EDITOR") != "" || a.io.In != nil && term.IsTerminal(int(a.io.In.Fd()))
}

// editAndCheck runs $EDITOR (default vi) on file, then validates it. An
// invalid file is kept for the user to fix; the problems are printed and
// the command exits 1.
func (a *agentCmd) editAndCheck(file string) error {
	c := editor.Command(context.Background(), file)
	if a.io.In != nil {
		c.Stdin = a.io.In
	}
	c.Stdout, c.Stderr = a.io.Out, a.io.ErrOut
	if err := c.Run(); err != nil {
		return fmt.Errorf("editor %s: %v", c.Args[0], err)
	}
	return a.report(file)
}

// report validates file, printing each problem as FILE:LINE:COL: what and
// each note as a warning; problems make it an exit-1 error.
func (a *agentCmd) report(file string) error {
	ag, err := agentcfg.ParseFile(file)
	var pe *agentcfg.ParseError
	switch {
	case errors.As(err, &pe):
		for _, p := range pe.Problems {
			fmt.Fprintln(a.io.ErrOut, p.String())
		}
		return &ExitError{Code: 1}
	case err != nil:
		return &ExitError{Code: 1, Err: err}
	}
	for _, n := range ag.Notes {
		fmt.Fprintf(a.io.ErrOut, "warning: %s\n", n)
	}
	return nil
}

func (a *agentCmd) edit(name string) error {
	cwd, home, err := a.where()
	if err != nil {
		return err
	}
	// A file named after the agent comes first, as in the Q CLI: it is
	// found even when it no longer parses, which is when it needs editing.
	file := ""
	for _, d := range agentcfg.Dirs(cwd, home) {
		if p := filepath.Join(d, name+".json"); fileExists(p) {
			file = p
			break
		}
	}
	if file == "" {
		all, err := a.agents()
		if err != nil {
			return err
		}
		ag := findAgent(all, name)
		switch {
		case ag == nil:
			return fmt.Errorf("no agent with name %s found", name)
		case ag.Path == "":
			return fmt.Errorf("%s is built in; to change it, create a file: q agent create --name %s", name, name)
		}
		file = ag.Path
	}
	if err := a.editAndCheck(file); err != nil {
		return err
	}
	fmt.Fprintf(a.io.ErrOut, "Edited agent %s '%s'\n", name, file)
	return nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

func (a *agentCmd) validate(path string) error {
	if err := a.report(path); err != nil {
		return err
	}
	fmt.Fprintf(a.io.Out, "%s: valid\n", path)
	return nil
}

func (a *agentCmd) setDefault(name string) error {
	all, err := a.agents()
	if err != nil {
		return err
	}
	if findAgent(all, name) == nil {
		return fmt.Errorf("failed to set default agent: no agent with name %s found", name)
	}
	s, err := loadSettings()
	if err != nil {
		return err
	}
	if err := s.Set("chat.defaultAgent", name); err != nil {
		return err
	}
	if err := s.Save(); err != nil {
		return err
	}
	fmt.Fprintf(a.io.ErrOut, "✓ Default agent set to '%s'. This will take effect the next time q chat is launched.\n", name)
	return nil
}
