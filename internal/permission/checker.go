package permission

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/qdev/qdev/internal/tool"
	"github.com/qdev/qdev/internal/toolname"
)

// Config is the permission part of the active agent.
type Config struct {
	// AllowedTools are the agent's allowedTools patterns: built-in names
	// and globs ("fs_*"), "@builtin", "@builtin/<pattern>", "@server",
	// "@server/<tool pattern>".
	AllowedTools []string
	// ToolsSettings are the agent's toolsSettings, by tool name. Keys read
	// here: fs_read, fs_write, execute_bash, use_aws.
	ToolsSettings map[string]json.RawMessage
	// Cwd is the session's working directory; empty means the process's.
	Cwd string
	// Home expands "~" in settings paths; empty means the user's home.
	Home string
	// Source is the agent file the settings come from, named in the
	// decisions its rules reach; empty for the built-in agent.
	Source string
	// DisableTrustAll is the organisation's disableTrustAll: no grant may
	// trust every tool, neither trust-all nor patterns and names that
	// together cover every tool that writes, runs commands or calls AWS.
	DisableTrustAll bool
}

// Options are the launch flags that change trust.
type Options struct {
	// TrustAll is --trust-all-tools.
	TrustAll bool
	// TrustTools are the names given to --trust-tools.
	TrustTools []string
	// TrustToolsSet is true when --trust-tools was given, even empty: the
	// list then replaces the default trust of reads in the working
	// directory.
	TrustToolsSet bool
	// UntrustFsRead is --untrust-fs-read: fs_read starts untrusted, with
	// no working-directory default.
	UntrustFsRead bool
}

// Checker decides tool calls for one session. It is safe for concurrent
// use: Decide may run while /tools changes the trust.
type Checker struct {
	// Fixed at New, never written again, so read without locking.
	cfg     Config
	cwd     string // canonical
	cwdRule pathRule
	read    fsSettings
	write   fsSettings
	bash    bashSettings
	aws     awsSettings
	sub     subagentSettings
	// protected is q's own configuration, which fs_write never writes
	// without asking.
	protected protectedSet

	// mu guards the session state below. Invariant: Trust, Untrust,
	// TrustAll and Reset write it under the write lock only; Decide, Label and
	// TrustedAll read it under the read lock and copy what they need
	// (trustFor returns a value) before any file-system work, so no lock is
	// held across system calls and a decision sees one consistent state.
	// New reads it unlocked before the Checker is shared.
	mu sync.RWMutex
	session
}

// New builds a Checker. Problems in the settings do not fail it: they are
// returned as warnings, one line each, and the affected rules behave as the
// original does (an unparsable settings object makes its tool ask, an
// invalid deniedCommands regex denies every command). The error is for an
// unusable working directory, or launch flags that would trust every tool
// under DisableTrustAll.
func New(cfg Config, opts Options) (*Checker, []string, error) {
	cwd := cfg.Cwd
	if cwd == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, nil, fmt.Errorf("permission: working directory: %w", err)
		}
		cwd = wd
	}
	if !filepath.IsAbs(cwd) {
		return nil, nil, fmt.Errorf("permission: working directory %q is not absolute", cwd)
	}
	home := cfg.Home
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	cfg.AllowedTools = slices.Clone(cfg.AllowedTools) // Reset re-reads it
	// Settings are read by canonical tool name, whatever name the caller
	// kept (execute_cmd's are execute_bash's): two names of one tool are
	// an error rather than one of them being ignored.
	ts := make(map[string]json.RawMessage, len(cfg.ToolsSettings))
	for k, v := range cfg.ToolsSettings {
		ck := toolname.Canonical(k)
		if _, dup := ts[ck]; dup {
			return nil, nil, fmt.Errorf("permission: toolsSettings configure %s under two names", ck)
		}
		ts[ck] = v
	}
	cfg.ToolsSettings = ts
	c := &Checker{cfg: cfg, cwd: canonical(cwd)}
	c.cwdRule = literalRule("working directory", c.cwd)
	c.protected = newProtected(home)
	pe := pathEnv{cwd: cwd, home: home, lookup: os.LookupEnv}

	var warns, w []string
	var err error
	c.read, w = parseFS("fs_read", cfg.ToolsSettings["fs_read"], pe)
	warns = append(warns, w...)
	c.write, w = parseFS("fs_write", cfg.ToolsSettings["fs_write"], pe)
	warns = append(warns, w...)
	c.bash, w = parseBash(cfg.ToolsSettings["execute_bash"])
	warns = append(warns, w...)
	c.aws, w = parseAWS(cfg.ToolsSettings["use_aws"])
	warns = append(warns, w...)
	c.sub, w = parseSubagent(cfg.ToolsSettings["use_subagent"])
	warns = append(warns, w...)
	if cfg.DisableTrustAll {
		warns = append(warns, c.dropWildcardGrants(cfg.Source)...)
	}

	c.session, w, err = initialSession(cfg, opts)
	if err != nil {
		return nil, warns, err
	}
	warns = append(warns, w...)
	warns = append(warns, c.overrideWarnings()...)
	return c, warns, nil
}

// alwaysAllowed are the built-in tools never asked about: they only think,
// describe qdev or keep notes. (report_issue writes a file with the whole
// transcript, so it asks like any tool that writes.) Decide goes by
// tool.Access.AlwaysAllowed; the names serve Label.
var alwaysAllowed = map[string]bool{
	"introspect": true, "thinking": true, "todo_list": true,
}

// Decide judges one call of toolName. server is "" for built-in tools and the
// MCP server's name otherwise, toolName then being the server's own name for
// the tool. Deny rules are checked first and win over every kind of trust.
func (c *Checker) Decide(toolName, server string, acc tool.Access) Decision {
	d := c.decide(toolName, server, acc)
	if d.Layer == LayerAgent {
		d.Source = c.cfg.Source
	}
	return d
}

func (c *Checker) decide(toolName, server string, acc tool.Access) Decision {
	if server == "" && acc.AlwaysAllowed {
		return allow(LayerDefault, "always allowed")
	}
	c.mu.RLock()
	tr := c.trustFor(toolName, server)
	c.mu.RUnlock()
	if server != "" {
		return byTrust(tr)
	}
	switch toolName {
	case "fs_read":
		return c.decideRead(acc.ReadPaths, tr)
	case "fs_write":
		return c.decideWrite(acc.WritePaths, tr)
	case "execute_bash", "execute_cmd":
		return c.decideBash(acc.Command, tr)
	case "use_aws":
		return c.decideAWS(acc.AWSService, acc.AWSOperation, tr)
	case "use_subagent":
		return c.decideSubagent(acc.Agents, tr)
	case "knowledge":
		return c.decideKnowledge(acc.ReadPaths, tr)
	}
	return byTrust(tr)
}

// TrustedAll reports whether trust-all is in effect (--trust-all-tools or
// /tools trust-all, not undone by /tools reset).
func (c *Checker) TrustedAll() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.trustAll
}

// overrideWarnings tells, as the original does, when trusting a tool from the
// start makes its allow-type toolsSettings pointless. Deny-type settings
// still apply and are not mentioned.
func (c *Checker) overrideWarnings() []string {
	var out []string
	check := func(tool string, has bool, what string) {
		if !has {
			return
		}
		if tr := c.trustFor(tool, ""); tr.trusted && !c.trustAll {
			out = append(out, fmt.Sprintf("%s is trusted (%s), which overrides its toolsSettings %s", tool, tr.rule, what))
		}
	}
	check("fs_read", c.read.hasAllow, "allowedPaths/allowReadOnly")
	check("fs_write", c.write.hasAllow, "allowedPaths")
	check("execute_bash", len(c.bash.allowed) > 0 || c.bash.autoAllowReadonly, "allowedCommands/autoAllowReadonly")
	check("use_aws", len(c.aws.allowed) > 0 || c.aws.autoAllowReadonly, "allowedServices/autoAllowReadonly")
	return out
}
