package permission

import "github.com/qdev/qdev/internal/managed"

// decideKnowledge judges the knowledge tool, which reads like fs_read: its
// paths are the folders and files of the knowledge bases a call searches or
// indexes. A path fs_read may not read denies the call, also when knowledge
// is trusted. Otherwise the call runs when knowledge is trusted, or when
// fs_read's rules allow reading every one of its paths (the working
// directory, allowedPaths, fs_read's own trust), and asks else. Calls
// without paths (remove, clear, cancel) go by knowledge's trust, as in the
// original. Which files the bases let through is judged file by file
// apart (ReadDenied), when they are indexed and when they are returned.
func (c *Checker) decideKnowledge(paths []string, tr trust) Decision {
	if len(paths) == 0 {
		return byTrust(tr)
	}
	c.mu.RLock()
	readTrust := c.trustFor("fs_read", "")
	c.mu.RUnlock()
	read := c.decideRead(paths, readTrust)
	switch {
	case read.Kind == Deny, c.read.invalid != "":
		// A denied path, or fs_read's deny rules cannot be read (the
		// call then asks): whatever trusts knowledge.
		return read
	case !tr.trusted && !tr.untrusted && read.Kind == Allow:
		return read
	}
	return byTrust(tr)
}

// ReadDenied reports whether fs_read may never read path (absolute) under
// the agent's rules: a deniedPaths entry matches one of its forms, or
// fs_read's settings are unreadable, so its deny rules are unknown and
// nothing is let through. Content taken from a file, such as a knowledge
// base's, is withheld from the model when it is.
func (c *Checker) ReadDenied(path string) (Decision, bool) {
	if c.read.invalid != "" {
		return c.withSource(deny(LayerAgent, c.read.invalid)), true
	}
	if m := c.read.denied.match(requestForms(path, c.cwd)...); len(m) > 0 {
		return c.withSource(deny(LayerAgent, `toolsSettings.fs_read.deniedPaths "`+m[0]+`"`, path)), true
	}
	return Decision{}, false
}

func (c *Checker) withSource(d Decision) Decision {
	d.Source = c.cfg.Source
	return d
}

// ReadDenied is Checker.ReadDenied beneath the organisation's layer: a
// managed deny of fs_read or of knowledge denies every path.
func (l *Layered) ReadDenied(path string) (Decision, bool) {
	for _, name := range []string{"fs_read", "knowledge"} {
		if rule, denied := l.Managed.DenyTool(name, ""); denied {
			return l.managedDecision(Deny, managed.Blocked(rule)), true
		}
	}
	return l.Checker.ReadDenied(path)
}
