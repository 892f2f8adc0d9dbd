package permission

import (
	"encoding/json"
	"strings"
)

// subagentSettings is toolsSettings.use_subagent (the Kiro CLI's
// toolsSettings.subagent): which agents a use_subagent call may start at
// all, and which it starts without asking. Both hold agent names or globs
// ("docs-*").
type subagentSettings struct {
	available []string
	// availableSet is true when availableAgents is given, even empty: an
	// empty list lets no agent start.
	availableSet bool
	trusted      []string
	invalid      string
}

func parseSubagent(raw json.RawMessage) (subagentSettings, []string) {
	var s subagentSettings
	if raw == nil {
		return s, nil
	}
	var available *[]string
	warns, err := settingsObject("use_subagent", raw, map[string]any{
		"availableAgents": &available,
		"trustedAgents":   &s.trusted,
	})
	if err != nil {
		// Which agents are available cannot be known: none is.
		return subagentSettings{invalid: err.Error(), availableSet: true}, append(warns, err.Error()+"; no subagent may start")
	}
	if available != nil {
		s.available, s.availableSet = *available, true
	}
	return s, warns
}

// decideSubagent judges a use_subagent call that starts agents. An agent
// availableAgents does not name is denied, even when use_subagent is
// trusted, as deniedServices is for use_aws; trust, or trustedAgents
// naming every agent of the call, allows it; else the user is asked.
// Starting an agent is all this judges: the calls the agent then makes are
// judged one by one, and never more permissively than this session's.
func (c *Checker) decideSubagent(agents []string, tr trust) Decision {
	s := c.sub
	if s.invalid != "" {
		return deny(LayerAgent, s.invalid, agents...)
	}
	var missing []string
	for _, a := range agents {
		if !c.SubagentAvailable(a) {
			missing = append(missing, a)
		}
	}
	if len(missing) > 0 {
		return deny(LayerAgent, "not in toolsSettings.use_subagent.availableAgents", missing...)
	}
	var unlisted []string
	for _, a := range agents {
		if !matchesAny(s.trusted, a) {
			unlisted = append(unlisted, a)
		}
	}
	switch {
	case tr.trusted:
		return allow(tr.layer, tr.rule)
	case tr.untrusted:
		return untrusted(LayerSession, agents...)
	case len(unlisted) == 0 && len(agents) > 0:
		return allow(LayerAgent, "toolsSettings.use_subagent.trustedAgents")
	}
	return untrusted(LayerDefault, unlisted...)
}

// SubagentAvailable reports whether the agent's availableAgents lets a
// use_subagent call start the agent called name.
func (c *Checker) SubagentAvailable(name string) bool {
	s := c.sub
	return s.invalid == "" && (!s.availableSet || matchesAny(s.available, name))
}

// matchesAny reports whether name matches one of the agent name globs.
func matchesAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if matchPattern(p, name) {
			return true
		}
	}
	return false
}

// subagentLabel is use_subagent's /tools label.
func (c *Checker) subagentLabel(base string, tr trust) (string, bool) {
	s := c.sub
	if !tr.trusted && !tr.untrusted && len(s.trusted) > 0 {
		base = "trust agents " + strings.Join(s.trusted, ", ")
	}
	return base, s.invalid != ""
}
