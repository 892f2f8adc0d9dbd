package iam

import (
	"slices"
	"strings"
)

// Matching one statement against a request. Every statement of every
// policy is examined on each decision, so this is the hot path: action
// patterns are grouped by service at parse time (groupByService), and a
// 64-bit set of the services a statement names rules most statements out
// with one AND before any pattern is tried.

// applies reports whether a statement matches the request: its action
// (XOR NotAction), its resource (XOR NotResource) and all its conditions.
func (e *evaluation) applies(st *Statement) bool {
	hit := false
	acts := e.candidates(st)
	for i := range acts {
		if acts[i].matchWith(e.action, true, nil) {
			hit = true
			break
		}
	}
	if hit == st.NotAction {
		return false
	}
	if !e.resourceApplies(st) {
		return false
	}
	for _, c := range st.Conditions {
		if !c.eval(&e.ctx) {
			return false
		}
	}
	return true
}

// candidates returns the action patterns that could match the request:
// those of its service, or all when the statement's are not grouped.
func (e *evaluation) candidates(st *Statement) []glob {
	if st.services == nil {
		return st.actions
	}
	if st.svcMask&e.svcBit == 0 {
		return nil
	}
	for _, sp := range st.services {
		if len(sp.name) == len(e.service) && equalLit(e.service, sp.name, true) {
			return st.actions[sp.lo:sp.hi]
		}
	}
	return nil
}

func (e *evaluation) resourceApplies(st *Statement) bool {
	if e.resource == "" {
		return e.unknownResourceApplies(st)
	}
	hit := false
	for _, rp := range st.resources {
		if rp.match(e.resource, &e.ctx) {
			hit = true
			break
		}
	}
	return hit != st.NotResource
}

// unknownResourceApplies is the fail-closed rule for a resource that could
// not be derived: an Allow applies only through a literal "*" Resource (a
// NotResource allow might exclude the very resource), while a Deny applies
// through any resolvable Resource pattern, and through NotResource unless
// it excludes everything with "*".
func (e *evaluation) unknownResourceApplies(st *Statement) bool {
	if st.Effect == EffectAllow {
		if st.NotResource {
			return false
		}
		for _, rp := range st.resources {
			if rp.matchesAll() {
				return true
			}
		}
		return false
	}
	if st.NotResource {
		for _, rp := range st.resources {
			if rp.matchesAll() {
				return false
			}
		}
		return true
	}
	for _, rp := range st.resources {
		if rp.resolvable(&e.ctx) {
			return true
		}
	}
	return false
}

// groupByService orders st.actions by service and records the spans.
func groupByService(st *Statement) {
	svcs := make([]string, len(st.actions))
	for i, a := range st.Action {
		if svcs[i] = actionService(strings.ToLower(a)); svcs[i] == "" {
			return
		}
	}
	order := make([]int, len(svcs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(svcs[a], svcs[b]) })
	sorted := make([]glob, 0, len(order))
	for _, i := range order {
		if n := len(st.services); n == 0 || st.services[n-1].name != svcs[i] {
			st.services = append(st.services, serviceSpan{name: svcs[i], lo: len(sorted)})
		}
		sorted = append(sorted, st.actions[i])
		st.services[len(st.services)-1].hi = len(sorted)
		st.svcMask |= svcBit(svcs[i])
	}
	st.actions = sorted
}

// svcBit places a service name in a 64-bit set; names differing only in
// the case of ASCII letters share a bit.
func svcBit(name string) uint64 {
	h, _ := foldHash(name)
	return 1 << (h & 63)
}

// actionService returns the service of a lower-cased action pattern, the
// text before its first ':', or "" when a wildcard comes first or there is
// no ':'. Only actions of that service can match the pattern.
func actionService(p string) string {
	i := strings.IndexAny(p, ":*?")
	if i <= 0 || p[i] != ':' {
		return ""
	}
	return p[:i]
}
