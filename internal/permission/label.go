package permission

// Label describes for /tools how a tool is trusted right now, truthfully:
// "trusted", "not trusted", "trust working directory", "trust read-only
// commands" and similar, with " (deny rules apply)" when deny-type
// toolsSettings still refuse some calls, and "(invalid toolsSettings)" when
// every call asks because the settings could not be read. The original's
// labels claim "trust read-only commands" for use_aws even when it asks;
// these follow what Decide does.
func (c *Checker) Label(toolName, server string) string {
	c.mu.RLock()
	tr := c.trustFor(toolName, server)
	c.mu.RUnlock()
	if server != "" {
		if tr.trusted {
			return "trusted"
		}
		return "not trusted"
	}
	if alwaysAllowed[toolName] {
		return "trusted"
	}
	base, invalid, denies := c.toolLabel(toolName, tr)
	switch {
	case invalid:
		return "not trusted (invalid toolsSettings)"
	case denies:
		return base + " (deny rules apply)"
	}
	return base
}

// toolLabel returns the label of a built-in tool without its suffix, whether
// its settings are invalid and whether it has deny rules.
func (c *Checker) toolLabel(name string, tr trust) (string, bool, bool) {
	base := "not trusted"
	if tr.trusted {
		base = "trusted"
	}
	switch name {
	case "fs_read":
		s := c.read
		if !tr.trusted && !tr.untrusted {
			switch {
			case s.allowReadOnly:
				base = "trusted"
			case tr.cwdReads && len(s.allowed) > 0:
				base = "trust working directory and allowed paths"
			case tr.cwdReads:
				base = "trust working directory"
			case len(s.allowed) > 0:
				base = "trust allowed paths"
			}
		}
		return base, s.invalid != "", len(s.denied) > 0
	case "fs_write":
		s := c.write
		if !tr.trusted && !tr.untrusted && len(s.allowed) > 0 {
			base = "trust allowed paths"
		}
		return base, s.invalid != "", len(s.denied) > 0 || s.fallbackDeny
	case "execute_bash", "execute_cmd":
		s := c.bash
		if !tr.trusted && !tr.untrusted {
			switch {
			case s.autoAllowReadonly && len(s.allowed) > 0:
				base = "trust read-only and allowed commands"
			case s.autoAllowReadonly:
				base = "trust read-only commands"
			case len(s.allowed) > 0:
				base = "trust allowed commands"
			}
			if s.denyByDefault {
				base += ", deny others"
			}
		}
		return base, s.invalid != "", len(s.denied) > 0
	case "knowledge":
		// Searches go as fs_read's reads of the bases' paths.
		if !tr.trusted && !tr.untrusted {
			c.mu.RLock()
			rt := c.trustFor("fs_read", "")
			c.mu.RUnlock()
			if rt.trusted || rt.cwdReads || c.read.allowReadOnly || len(c.read.allowed) > 0 {
				base = "trust paths fs_read may read"
			}
		}
		return base, c.read.invalid != "", len(c.read.denied) > 0
	case "use_aws":
		s := c.aws
		if !tr.trusted && !tr.untrusted {
			switch {
			case s.autoAllowReadonly && len(s.allowed) > 0:
				base = "trust read-only commands and allowed services"
			case s.autoAllowReadonly:
				base = "trust read-only commands"
			case len(s.allowed) > 0:
				base = "trust allowed services"
			}
		}
		return base, s.invalid != "", len(s.denied) > 0
	case "use_subagent":
		base, invalid := c.subagentLabel(base, tr)
		return base, invalid, c.sub.availableSet
	}
	return base, false, false
}
