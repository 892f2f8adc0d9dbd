package permission

import "strings"

// decideRead judges fs_read: a denied path denies the call,
// even when fs_read is trusted; each other path must be allowed by trust,
// allowReadOnly, the working directory or allowedPaths, else the call asks.
// Unlike the original, image paths are canonicalised like the others.
func (c *Checker) decideRead(paths []string, tr trust) Decision {
	s := c.read
	if s.invalid != "" {
		return ask(LayerAgent, s.invalid)
	}
	if len(paths) == 0 {
		return byTrust(tr)
	}
	var denied, unasked []string
	var rules ruleSet
	for _, p := range paths {
		forms := requestForms(p, c.cwd)
		if m := s.denied.match(forms...); len(m) > 0 {
			denied = append(denied, m...)
			continue
		}
		canon := forms[:1]
		switch {
		case tr.trusted:
			rules.add(tr.layer, tr.rule)
		case tr.untrusted:
			unasked = append(unasked, p)
		case s.allowReadOnly:
			rules.add(LayerAgent, "toolsSettings.fs_read.allowReadOnly")
		case tr.cwdReads && c.cwdRule.matches(canon):
			rules.add(LayerDefault, "working directory read")
		default:
			if m := s.allowed.match(canon...); len(m) > 0 {
				rules.add(LayerAgent, `toolsSettings.fs_read.allowedPaths "`+m[0]+`"`)
			} else {
				unasked = append(unasked, p)
			}
		}
	}
	return pathVerdict("fs_read", denied, unasked, rules, tr)
}

// decideWrite judges fs_write: as fs_read, without a
// working-directory default or allowReadOnly. A write to q's own
// configuration asks whatever trusts fs_write (trust-all, allowedTools,
// allowedPaths, the session); deny rules still deny it.
func (c *Checker) decideWrite(paths []string, tr trust) Decision {
	s := c.write
	if s.invalid != "" {
		return ask(LayerAgent, s.invalid)
	}
	if len(paths) == 0 {
		return byTrust(tr)
	}
	var denied, outside, unasked, protected []string
	var rules ruleSet
	for _, p := range paths {
		forms := requestForms(p, c.cwd)
		if m := s.denied.match(forms...); len(m) > 0 {
			denied = append(denied, m...)
			continue
		}
		if s.fallbackDeny && len(s.allowed.match(forms[0])) == 0 {
			outside = append(outside, p)
			continue
		}
		if c.protected.match(p, c.cwd) {
			protected = append(protected, p)
		}
		switch {
		case tr.trusted:
			rules.add(tr.layer, tr.rule)
		case tr.untrusted:
			unasked = append(unasked, p)
		default:
			if m := s.allowed.match(forms[0]); len(m) > 0 {
				rules.add(LayerAgent, `toolsSettings.fs_write.allowedPaths "`+m[0]+`"`)
			} else {
				unasked = append(unasked, p)
			}
		}
	}
	if len(denied) == 0 && len(outside) > 0 {
		// A deny-type setting: it wins over trust, as deniedPaths do.
		return deny(LayerAgent, `toolsSettings.fs_write.fallbackAction "deny"`, dedupe(outside)...)
	}
	if len(denied) == 0 && len(protected) > 0 {
		return ask(LayerDefault, ProtectedReason, dedupe(protected)...)
	}
	return pathVerdict("fs_write", denied, unasked, rules, tr)
}

// pathVerdict combines per-path results: any denied path denies, any path
// not covered asks, else allow.
func pathVerdict(tool string, denied, unasked []string, rules ruleSet, tr trust) Decision {
	if len(denied) > 0 {
		denied = dedupe(denied)
		return deny(LayerAgent, `toolsSettings.`+tool+`.deniedPaths "`+denied[0]+`"`, denied...)
	}
	if len(unasked) > 0 {
		if tool == "fs_read" && tr.cwdReads {
			return ask(LayerDefault, "outside the working directory and allowed paths", dedupe(unasked)...)
		}
		return untrusted(LayerDefault, dedupe(unasked)...)
	}
	return allow(rules.layer, strings.Join(dedupe(rules.rules), "; "))
}

// ruleSet collects the rules that allowed each path of a call. Its layer is
// the first one other than the built-in default that allowed a path: the
// layer the call's allowance depends on.
type ruleSet struct {
	rules []string
	layer Layer
}

func (r *ruleSet) add(layer Layer, rule string) {
	r.rules = append(r.rules, rule)
	if r.layer == "" || r.layer == LayerDefault {
		r.layer = layer
	}
}

// byTrust is the verdict for a call that touches nothing the settings
// speak about.
func byTrust(tr trust) Decision {
	if tr.trusted {
		return allow(tr.layer, tr.rule)
	}
	if tr.untrusted {
		return untrusted(LayerSession)
	}
	return untrusted(LayerDefault)
}
