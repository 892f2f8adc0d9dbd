package cli

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/mcp"
)

// runList prints the servers of each scope (both when none is named): the
// scope's mcp.json, then the agents defined in that scope.
func (o *mcpOptions) runList(c *cobra.Command, args []string) error {
	scopes := []string{"global", "workspace"}
	if len(args) == 1 {
		if args[0] != "global" && args[0] != "workspace" {
			return usageError(c, fmt.Sprintf("invalid scope %q: use global or workspace", args[0]))
		}
		scopes = args[:1]
	}
	srcs, err := o.sources()
	for _, scope := range scopes {
		fmt.Fprintf(o.io.Out, "%s:\n", scope)
		shown := false
		for _, s := range srcs {
			if s.scope != scope || (len(s.file.Names()) == 0 && s.label != "mcp.json") {
				continue
			}
			shown = true
			fmt.Fprintf(o.io.Out, "  %s (%s)\n", s.label, s.path)
			if len(s.file.Names()) == 0 {
				fmt.Fprintln(o.io.Out, "    (no servers)")
			}
			for _, name := range s.file.Names() {
				raw, _ := s.file.Get(name)
				fmt.Fprintf(o.io.Out, "    • %-12s %s\n", name, describeEntry(name, raw))
			}
		}
		if !shown {
			fmt.Fprintln(o.io.Out, "  (no servers)")
		}
	}
	return err
}

// describeEntry summarises an entry on one line: how it is launched.
func describeEntry(name string, raw []byte) string {
	cfg, _, err := mcp.ParseServer(name, raw)
	if err != nil {
		return "(invalid: " + err.Error() + ")"
	}
	s := cfg.URL
	if cfg.Type == mcp.TypeStdio {
		s = strings.Join(append([]string{cfg.Command}, cfg.Args...), " ")
	}
	if cfg.Disabled {
		s += " (disabled)"
	}
	return s
}

// runStatus prints every definition of server --name, as the Q CLI does.
func (o *mcpOptions) runStatus(c *cobra.Command) error {
	if o.name == "" {
		return usageError(c, "--name is required")
	}
	srcs, err := o.sources()
	found := false
	for _, s := range srcs {
		raw, ok := s.file.Get(o.name)
		if !ok {
			continue
		}
		found = true
		w := o.io.Out
		fmt.Fprintln(w, "─────────────")
		fmt.Fprintf(w, "Scope   : %s\n", s.scope)
		fmt.Fprintf(w, "Source  : %s (%s)\n", s.label, s.path)
		cfg, warns, perr := mcp.ParseServer(o.name, raw)
		if perr != nil {
			fmt.Fprintf(w, "Invalid : %v\n", perr)
			continue
		}
		if cfg.Type == mcp.TypeHTTP {
			fmt.Fprintf(w, "URL     : %s\n", cfg.URL)
		} else {
			fmt.Fprintf(w, "Command : %s\n", cfg.Command)
			fmt.Fprintf(w, "Args    : %s\n", orNone(strings.Join(cfg.Args, " ")))
		}
		fmt.Fprintf(w, "Timeout : %d ms\n", cfg.Timeout.Milliseconds())
		fmt.Fprintf(w, "Disabled: %t\n", cfg.Disabled)
		var env []string
		for _, k := range slices.Sorted(maps.Keys(cfg.Env)) {
			env = append(env, k+"="+cfg.Env[k])
		}
		fmt.Fprintf(w, "Env Vars: %s\n", orNone(strings.Join(env, ", ")))
		for _, warn := range warns {
			fmt.Fprintf(w, "Warning : %s\n", warn)
		}
	}
	if !found {
		if err != nil {
			return err
		}
		return fmt.Errorf("no MCP server named '%s' found in any configuration", o.name)
	}
	return err
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// configSource is one place servers are configured, for list and status.
type configSource struct {
	scope, label, path string
	file               *mcp.File
}

// sources returns the mcp.json files and the agents with servers, global
// first. Files that cannot be read are reported as errors.
func (o *mcpOptions) sources() ([]configSource, error) {
	cwd, err := o.cwd()
	if err != nil {
		return nil, err
	}
	home := o.home()
	var out []configSource
	var errs []error
	add := func(scope, label, path string) {
		f, err := mcp.OpenFile(path)
		if err != nil {
			errs = append(errs, err)
			return
		}
		out = append(out, configSource{scope: scope, label: label, path: path, file: f})
	}
	for _, p := range mcp.ConfigPaths(cwd, home) {
		scope := "workspace"
		if strings.HasPrefix(p, filepath.Join(home, ".aws")+"/") || strings.HasPrefix(p, filepath.Join(home, ".kiro")+"/") {
			scope = "global"
		}
		add(scope, "mcp.json", p)
	}
	agents, _ := agentcfg.LoadAll(agentcfg.Dirs(cwd, home))
	for _, a := range agents {
		if len(a.MCPServers) == 0 {
			continue
		}
		scope := "workspace"
		if agentcfg.IsGlobal(a.Path, home) {
			scope = "global"
		}
		add(scope, "agent "+a.Name, a.Path)
	}
	return out, errors.Join(errs...)
}
