package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/homepath"
	"github.com/qdev/qdev/internal/mcp"
	"github.com/qdev/qdev/internal/paths"
)

// mcpSafetyNote is what the Q CLI prints when servers are imported.
const mcpSafetyNote = "To learn more about MCP safety, see https://docs.aws.amazon.com/amazonq/latest/qdeveloper-ug/command-line-mcp-security.html"

// mcpOptions holds the dependencies and flags of `q mcp`.
type mcpOptions struct {
	io   IO
	home func() string
	cwd  func() (string, error)

	name, command, url, scope, agent, file string
	args, env                              []string
	timeout                                int64
	disabled, force                        bool
}

// NewCmdMCP returns `q mcp add|remove|list|import|status`, which edit and
// show the MCP server configuration: ~/.aws/amazonq/mcp.json (global),
// .amazonq/mcp.json (workspace) or an agent file (--agent). Usage errors
// exit with status 2, other failures with 1.
func NewCmdMCP(stdio IO) *cobra.Command {
	return newCmdMCP(&mcpOptions{io: stdio, home: paths.Home, cwd: os.Getwd})
}

func newCmdMCP(o *mcpOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mcp",
		Short: "Manage MCP servers",
		Args:  usageArgs(cobra.NoArgs),
	}
	add := &cobra.Command{
		Use:   "add --name NAME (--command CMD | --url URL) [flags]",
		Short: "Add or replace a configured server",
		Args:  usageArgs(cobra.NoArgs),
		RunE:  func(c *cobra.Command, _ []string) error { return o.runAdd(c) },
	}
	f := add.Flags()
	f.StringVar(&o.name, "name", "", "name for the server (required)")
	f.StringVar(&o.command, "command", "", "the command that launches the server (required unless --url)")
	f.StringVar(&o.url, "url", "", "the URL of a remote (HTTP) server, instead of --command")
	f.StringArrayVar(&o.args, "args", nil, `arguments: repeat the flag, separate with commas ("\," for a comma) or give a JSON array`)
	f.StringArrayVar(&o.env, "env", nil, "environment variables, as key1=value1,key2=value2")
	f.Int64Var(&o.timeout, "timeout", 0, "request and launch timeout in milliseconds (default 60000)")
	f.BoolVar(&o.disabled, "disabled", false, "add the server disabled (not loaded)")
	f.BoolVar(&o.force, "force", false, "overwrite an existing server with the same name")
	addTargetFlags(add, o, "global")

	remove := &cobra.Command{
		Use:     "remove --name NAME [--scope global|workspace | --agent NAME]",
		Aliases: []string{"rm"},
		Short:   "Remove a server from the MCP configuration",
		Args:    usageArgs(cobra.NoArgs),
		RunE:    func(c *cobra.Command, _ []string) error { return o.runRemove(c) },
	}
	remove.Flags().StringVar(&o.name, "name", "", "name of the server (required)")
	addTargetFlags(remove, o, "global")

	list := &cobra.Command{
		Use:   "list [global|workspace]",
		Short: "List configured servers",
		Args:  usageArgs(cobra.MaximumNArgs(1)),
		RunE:  func(c *cobra.Command, args []string) error { return o.runList(c, args) },
	}
	imp := &cobra.Command{
		Use:   "import --file FILE [global|workspace]",
		Short: "Import a server configuration from another file",
		Args:  usageArgs(cobra.MaximumNArgs(1)),
		RunE:  func(c *cobra.Command, args []string) error { return o.runImport(c, args) },
	}
	imp.Flags().StringVar(&o.file, "file", "", "file with an mcpServers object to import (required)")
	imp.Flags().BoolVar(&o.force, "force", false, "overwrite existing servers with the same names")
	status := &cobra.Command{
		Use:   "status --name NAME",
		Short: "Get the status of a configured server",
		Args:  usageArgs(cobra.NoArgs),
		RunE:  func(c *cobra.Command, _ []string) error { return o.runStatus(c) },
	}
	status.Flags().StringVar(&o.name, "name", "", "name of the server (required)")

	cmd.AddCommand(add, remove, list, imp, status)
	for _, c := range append(cmd.Commands(), cmd) {
		c.SilenceUsage = true
		c.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError(c, err.Error()) })
	}
	cmd.SetOut(o.io.Out)
	cmd.SetErr(o.io.ErrOut)
	return cmd
}

func addTargetFlags(c *cobra.Command, o *mcpOptions, def string) {
	c.Flags().StringVar(&o.scope, "scope", "", "global (~/.aws/amazonq/mcp.json) or workspace (.amazonq/mcp.json); default "+def)
	c.Flags().StringVar(&o.agent, "agent", "", "edit this agent's mcpServers instead of an mcp.json")
}

// usageError is a command-line mistake: exit status 2 with the usage line.
func usageError(c *cobra.Command, msg string) error {
	return &ExitError{Code: 2, Err: fmt.Errorf("%s\nUsage: %s", msg, c.UseLine())}
}

func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if err := check(c, args); err != nil {
			return usageError(c, err.Error())
		}
		return nil
	}
}

// target resolves --agent / --scope (default def) to the file to edit and
// a label for messages.
func (o *mcpOptions) target(c *cobra.Command, def string) (path, label string, err error) {
	cwd, err := o.cwd()
	if err != nil {
		return "", "", fmt.Errorf("working directory: %w", err)
	}
	home := o.home()
	if o.agent != "" {
		if o.scope != "" {
			return "", "", usageError(c, "--scope and --agent cannot be used together")
		}
		agents, _ := agentcfg.LoadAll(agentcfg.Dirs(cwd, home))
		for _, a := range agents {
			if a.Name == o.agent {
				return a.Path, "agent " + a.Name, nil
			}
		}
		return "", "", fmt.Errorf("agent %q not found in %s", o.agent, strings.Join(agentcfg.Dirs(cwd, home), " or "))
	}
	scope := o.scope
	if scope == "" {
		scope = def
	}
	return scopePath(c, scope, cwd, home)
}

func scopePath(c *cobra.Command, scope, cwd, home string) (path, label string, err error) {
	switch scope {
	case "global":
		return mcp.GlobalConfigPath(home), "global config", nil
	case "workspace":
		return mcp.WorkspaceConfigPath(cwd), "workspace config", nil
	}
	return "", "", usageError(c, fmt.Sprintf("invalid scope %q: use global or workspace", scope))
}

func (o *mcpOptions) runAdd(c *cobra.Command) error {
	switch {
	case o.name == "":
		return usageError(c, "--name is required")
	case o.command == "" && o.url == "":
		return usageError(c, "--command is required (or --url for a remote server)")
	case o.command != "" && o.url != "":
		return usageError(c, "--command and --url cannot be used together")
	case c.Flags().Changed("timeout") && o.timeout <= 0:
		return usageError(c, fmt.Sprintf("--timeout must be a positive number of milliseconds, got %d", o.timeout))
	case o.url != "" && len(o.args) > 0:
		return usageError(c, "--args needs --command")
	}
	entry := map[string]any{}
	if o.url != "" {
		entry["url"] = o.url
	} else {
		entry["command"] = o.command
	}
	var args []string
	for _, a := range o.args {
		parsed, err := mcp.ParseArgsFlag(a)
		if err != nil {
			return usageError(c, err.Error())
		}
		args = append(args, parsed...)
	}
	if len(args) > 0 {
		entry["args"] = args
	}
	env := map[string]string{}
	for _, e := range o.env {
		if err := mcp.ParseEnvFlag(e, env); err != nil {
			return usageError(c, err.Error())
		}
	}
	if len(env) > 0 {
		entry["env"] = env
	}
	if o.timeout > 0 {
		entry["timeout"] = o.timeout
	}
	if o.disabled {
		entry["disabled"] = true
	}
	raw, err := orderedEntry(entry)
	if err != nil {
		return err
	}
	if _, _, err := mcp.ParseServer(o.name, raw); err != nil {
		return usageError(c, fmt.Sprintf("server %q: %v", o.name, err))
	}
	path, label, err := o.target(c, "global")
	if err != nil {
		return err
	}
	f, err := mcp.OpenFile(path)
	if err != nil {
		return err
	}
	if _, exists := f.Get(o.name); exists && !o.force {
		return fmt.Errorf("MCP server '%s' already exists in %s (%s). Use --force to overwrite", o.name, label, path)
	}
	f.Set(o.name, raw)
	if err := f.Save(); err != nil {
		return err
	}
	fmt.Fprintf(o.io.Out, "✓ Added MCP server '%s' to %s (%s)\n", o.name, label, path)
	return nil
}

// orderedEntry encodes an entry with its keys in the order users expect.
func orderedEntry(entry map[string]any) (json.RawMessage, error) {
	var parts []string
	for _, k := range []string{"command", "url", "args", "env", "timeout", "disabled"} {
		if v, ok := entry[k]; ok {
			b, err := json.Marshal(v)
			if err != nil {
				return nil, err
			}
			parts = append(parts, fmt.Sprintf("%q:%s", k, b))
		}
	}
	return json.RawMessage("{" + strings.Join(parts, ",") + "}"), nil
}

func (o *mcpOptions) runRemove(c *cobra.Command) error {
	if o.name == "" {
		return usageError(c, "--name is required")
	}
	path, label, err := o.target(c, "global")
	if err != nil {
		return err
	}
	f, err := mcp.OpenFile(path)
	if err != nil {
		return err
	}
	if !f.Remove(o.name) {
		// As in the Q CLI, removing what is not there is reported, not an error.
		fmt.Fprintf(o.io.Out, "No MCP server named '%s' found in %s (%s)\n", o.name, label, path)
		return nil
	}
	if err := f.Save(); err != nil {
		return err
	}
	fmt.Fprintf(o.io.Out, "✓ Removed MCP server '%s' from %s (%s)\n", o.name, label, path)
	return nil
}

func (o *mcpOptions) runImport(c *cobra.Command, args []string) error {
	if o.file == "" {
		return usageError(c, "--file is required")
	}
	scope := "workspace" // the Q CLI's default for import
	if len(args) == 1 {
		scope = args[0]
	}
	cwd, err := o.cwd()
	if err != nil {
		return err
	}
	dst, label, err := scopePath(c, scope, cwd, o.home())
	if err != nil {
		return err
	}
	src := o.file
	src = homepath.Abs(src, o.home(), cwd)
	from, err := mcp.OpenFile(src)
	if err != nil {
		return err
	}
	if !from.Exists {
		return fmt.Errorf("%s: no such file", src)
	}
	to, err := mcp.OpenFile(dst)
	if err != nil {
		return err
	}
	var conflicts []string
	for _, name := range from.Names() {
		raw, _ := from.Get(name)
		_, warns, err := mcp.ParseServer(name, raw)
		if err != nil {
			return fmt.Errorf("%s: server %q: %v; nothing imported", src, name, err)
		}
		for _, w := range warns {
			fmt.Fprintf(o.io.ErrOut, "Warning: %s: server %q: %s\n", src, name, w)
		}
		if _, exists := to.Get(name); exists && !o.force {
			conflicts = append(conflicts, name)
		}
	}
	if len(conflicts) > 0 {
		return fmt.Errorf("MCP server(s) %s already exist in %s (%s). Use --force to overwrite; nothing imported", strings.Join(conflicts, ", "), label, dst)
	}
	for _, name := range from.Names() {
		raw, _ := from.Get(name)
		to.Set(name, raw)
	}
	if err := to.Save(); err != nil {
		return err
	}
	fmt.Fprintf(o.io.Out, "%s\n\n✓ Imported %d MCP server(s) into %s (%s)\n", mcpSafetyNote, len(from.Names()), label, dst)
	return nil
}
