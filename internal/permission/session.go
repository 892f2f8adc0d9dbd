package permission

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/qdev/qdev/internal/toolname"
)

// session is the trust that /tools and the launch flags change. The
// original keeps one list (the agent's allowed_tools, extended by
// --trust-tools and /tools trust, shrunk by /tools untrust); qdev keeps the
// same list plus an explicit "untrusted" set, so that untrusting a tool
// also works when a pattern ("fs_*", "@builtin", "@git") trusts it, and
// wins over trust-all.
type session struct {
	entries  []entry         // trusted patterns, in order: config, flags, session
	untrust  map[string]bool // names untrusted this session: built-in, "@server", "@server/tool"
	trustAll bool
	// trustAllLayer says who turned trust-all on: the flag or the session.
	trustAllLayer Layer
	// cwdReads is the default trust of fs_read inside the working directory.
	cwdReads bool
}

// initialSession builds the trust of the agent's configuration and the
// launch flags. Under DisableTrustAll an allowedTools entry that would
// complete the trust of every tool is left out with a warning (its calls
// ask), while such a flag is an error: the user asked for it just now.
func initialSession(cfg Config, opts Options) (session, []string, error) {
	s := session{untrust: map[string]bool{}, trustAll: opts.TrustAll, trustAllLayer: LayerFlag, cwdReads: !opts.TrustToolsSet}
	if opts.TrustAll && cfg.DisableTrustAll {
		return s, nil, fmt.Errorf("--trust-all-tools is not allowed: %s", ErrTrustAllDisabled)
	}
	var warns []string
	for _, p := range cfg.AllowedTools {
		e := entry{pattern: toolname.Pattern(p), from: fromConfig}
		if err := s.refuseEvery(cfg, e); err != nil {
			where := ""
			if cfg.Source != "" {
				where = " in " + cfg.Source
			}
			warns = append(warns, fmt.Sprintf("%s%s is ignored (those calls ask): %v", e.rule(), where, err))
			continue
		}
		s.entries = append(s.entries, e)
	}
	for _, p := range opts.TrustTools {
		p = toolname.Pattern(p)
		e := entry{pattern: p, from: fromFlag}
		if err := s.refuseEvery(cfg, e); err != nil {
			return s, warns, fmt.Errorf("--trust-tools %s is not allowed: %w", p, err)
		}
		s.entries = append(s.entries, e)
	}
	if opts.UntrustFsRead {
		s.untrustOne("fs_read")
	}
	return s, warns, nil
}

// everyTool are the built-in tools that change things: they write files,
// run commands, call AWS. A session trusting all of them at once trusts
// every tool in all that matters, so under disableTrustAll no combination
// of grants may cover them all, whether one pattern ("*", "@builtin",
// "*_*") or several grants one after another.
var everyTool = []string{"fs_write", "execute_bash", "use_aws"}

// refuseEvery returns an error when adding the entries more to the
// session's trust would trust every tool of everyTool while the
// organisation forbids trusting every tool.
func (s *session) refuseEvery(cfg Config, more ...entry) error {
	if !cfg.DisableTrustAll {
		return nil
	}
	all := append(slices.Clone(s.entries), more...)
	for _, name := range everyTool {
		if _, ok := matchBuiltin(all, name); !ok {
			return nil
		}
	}
	return fmt.Errorf("it would trust every tool (%s together); %w", strings.Join(everyTool, ", "), ErrTrustAllDisabled)
}

// trust is what the session says about one tool.
type trust struct {
	trusted bool
	rule    string // why it is trusted
	layer   Layer  // which layer trusts it, or untrusted it
	// untrusted: explicitly untrusted this session; allow-type
	// toolsSettings are then ignored too, so that every call asks.
	untrusted bool
	// cwdReads: fs_read inside the working directory is allowed.
	cwdReads bool
}

// trustFor tells how the session trusts a tool. Callers hold c.mu.
func (s *session) trustFor(name, server string) trust {
	if server != "" {
		one := "@" + server + "/" + name
		switch {
		case s.untrust[one]:
			return trust{untrusted: true, layer: LayerSession}
		case s.hasExact(one):
			// Trusting one tool after untrusting its server.
			return trust{trusted: true, rule: "trusted for this session", layer: LayerSession}
		case s.untrust["@"+server]:
			return trust{untrusted: true, layer: LayerSession}
		case s.trustAll:
			return trust{trusted: true, rule: "trusted (trust-all)", layer: s.trustAllLayer}
		}
		if e, ok := matchMCP(s.entries, server, name); ok {
			return trust{trusted: true, rule: e.rule(), layer: e.layer()}
		}
		return trust{}
	}
	if s.untrust[name] || s.untrust["@builtin"] || s.untrust["@builtin/"+name] {
		return trust{untrusted: true, layer: LayerSession}
	}
	t := trust{cwdReads: name == "fs_read" && s.cwdReads}
	if s.trustAll {
		t.trusted, t.rule, t.layer = true, "trusted (trust-all)", s.trustAllLayer
	} else if e, ok := matchBuiltin(s.entries, name); ok {
		t.trusted, t.rule, t.layer = true, e.rule(), e.layer()
	}
	return t
}

func (s *session) hasExact(p string) bool {
	return slices.ContainsFunc(s.entries, func(e entry) bool { return e.pattern == p })
}

// Trust trusts the named tools for the rest of the session: built-in names,
// "@server/tool" or "@server" for all of a server's tools. Deny rules still
// apply. Checking that built-in names exist is the caller's job. Nothing is
// changed if any name is malformed.
func (c *Checker) Trust(names ...string) error {
	if err := validNames(names); err != nil {
		return err
	}
	names = canonicalNames(names)
	c.mu.Lock()
	defer c.mu.Unlock()
	more := make([]entry, len(names))
	for i, n := range names {
		more[i] = entry{pattern: n, from: fromSession}
	}
	if err := c.refuseEvery(c.cfg, more...); err != nil {
		return fmt.Errorf("trusting %s is not allowed: %w", strings.Join(names, ", "), err)
	}
	for _, n := range names {
		delete(c.untrust, n)
		if isServer(n) {
			c.dropUntrust(n + "/")
		}
		if !slices.Contains(c.entries, entry{pattern: n, from: fromSession}) {
			c.entries = append(c.entries, entry{pattern: n, from: fromSession})
		}
	}
	return nil
}

// Untrust makes the named tools ask on every call for the rest of the
// session, whatever allowedTools patterns, allow-type toolsSettings,
// trust-all or, for fs_read, the working-directory default say.
func (c *Checker) Untrust(names ...string) error {
	if err := validNames(names); err != nil {
		return err
	}
	names = canonicalNames(names)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range names {
		c.untrustOne(n)
	}
	return nil
}

func (s *session) untrustOne(n string) {
	s.entries = slices.DeleteFunc(s.entries, func(e entry) bool {
		return e.pattern == n || isServer(n) && strings.HasPrefix(e.pattern, n+"/")
	})
	if isServer(n) {
		s.dropUntrust(n + "/")
	}
	s.untrust[n] = true
}

func (s *session) dropUntrust(prefix string) {
	for k := range s.untrust {
		if strings.HasPrefix(k, prefix) {
			delete(s.untrust, k)
		}
	}
}

// TrustAll trusts every tool, including MCP tools that load later, and
// forgets earlier Untrust calls. Deny rules still apply. Under
// Config.DisableTrustAll it does nothing: Layered.TrustAll tells why.
func (c *Checker) TrustAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cfg.DisableTrustAll {
		return
	}
	c.trustAll = true
	c.trustAllLayer = LayerSession
	c.untrust = map[string]bool{}
}

// Reset returns to the agent's configuration: its allowedTools only, reads
// in the working directory trusted, no trust-all. Launch flags
// (--trust-tools, --untrust-fs-read, --trust-all-tools) are not restored.
func (c *Checker) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	// The configuration's warnings were given when the session started.
	c.session, _, _ = initialSession(c.cfg, Options{})
}

// canonicalNames returns names with the Q and Kiro CLIs' other names of
// built-in tools ("shell", "gh_issue") replaced by the canonical ones.
func canonicalNames(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = toolname.Pattern(n)
	}
	return out
}

// isServer reports whether n names a whole MCP server ("@git").
func isServer(n string) bool {
	return strings.HasPrefix(n, "@") && !strings.Contains(n, "/")
}

// validNames checks the shape of tool names given to Trust and Untrust.
func validNames(names []string) error {
	for _, n := range names {
		if n == "" || strings.IndexFunc(n, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
			return fmt.Errorf("invalid tool name %q: want a built-in tool name, @server or @server/tool", n)
		}
		if rest, ok := strings.CutPrefix(n, "@"); ok {
			server, tool, hasTool := strings.Cut(rest, "/")
			if server == "" || hasTool && tool == "" {
				return fmt.Errorf("invalid tool name %q: want a built-in tool name, @server or @server/tool", n)
			}
		}
	}
	return nil
}
