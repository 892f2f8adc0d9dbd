package iam

import (
	"fmt"
	"strings"
)

// PolicyType names the kind of policy a statement came from.
type PolicyType string

// The policy types the evaluator knows, with the names used in output.
const (
	TypeIdentity PolicyType = "identity"
	TypeSCP      PolicyType = "scp"
	TypeBoundary PolicyType = "boundary"
	TypeSession  PolicyType = "session"
)

// Decision is the outcome of an evaluation.
type Decision string

// The three outcomes, named as AWS's policy simulator names them.
const (
	Allow        Decision = "Allow"
	ImplicitDeny Decision = "ImplicitDeny"
	ExplicitDeny Decision = "ExplicitDeny"
)

// PolicySet is every policy that applies to one principal.
type PolicySet struct {
	// Identity holds the principal's identity-based policies (user, group
	// and inline policies, or the role's). One of them must allow.
	Identity []*Policy
	// SCPs holds the organisation levels, root first. At each level the
	// policies are unioned, and every level must allow. No levels means
	// no SCPs apply; an empty level denies everything.
	SCPs [][]*Policy
	// Boundary is the permissions boundary, or nil. When set it must allow.
	Boundary *Policy
	// Session is the session policy, or nil. When set it must allow.
	Session *Policy
}

// Request is what is being authorised.
type Request struct {
	// Action is "service:Operation"; matched case-insensitively.
	Action string
	// Resource is the target ARN, "*" for actions without resource-level
	// permissions, or "" when it could not be derived. An unknown resource
	// fails closed: only an Allow on "*" allows it, while any Deny whose
	// action and conditions match denies it (unless it names only "*" in
	// NotResource).
	Resource string
	// Context maps condition keys (case-insensitive) to their values; more
	// than one value makes a key multivalued.
	Context map[string][]string
}

// Match is one statement that applied to the request.
type Match struct {
	File       string     `json:"file"`
	Sid        string     `json:"sid"`
	Index      int        `json:"index"` // 0-based position in the Statement array
	Effect     Effect     `json:"effect"`
	PolicyType PolicyType `json:"policyType"`
	// Level is the SCP organisation level, 1 = root; 0 for other types.
	Level int `json:"level,omitempty"`
}

// Result is an evaluation's outcome.
type Result struct {
	Decision Decision `json:"decision"`
	// Matched lists every statement that applied, Allow and Deny alike:
	// SCP levels root first, then identity, boundary and session policies.
	Matched []Match `json:"matched"`
	// BlockedBy names the policy types that caused a deny: those with a
	// matching Deny for ExplicitDeny, those without a needed Allow for
	// ImplicitDeny. Empty for Allow.
	BlockedBy []PolicyType `json:"blockedBy"`
	// Reason explains a deny in AWS's wording ("explicit deny in a service
	// control policy"); empty for Allow.
	Reason string `json:"-"`
}

// Evaluate decides a request against a policy set (governance.md §1.2):
// any matching Deny gives ExplicitDeny; otherwise every SCP level, the
// boundary and the session policy (when present) and some identity policy
// must have a matching Allow, else ImplicitDeny. A nil set denies.
func Evaluate(set *PolicySet, req Request) Result {
	if set == nil {
		set = &PolicySet{}
	}
	e := &evaluation{req: req, action: strings.ToLower(req.Action), ctx: newContext(req.Context)}
	e.res = Result{Matched: []Match{}, BlockedBy: []PolicyType{}}
	var missing []string
	for i, level := range set.SCPs {
		if !e.scan(TypeSCP, i+1, level...) {
			e.lacking[scpIdx] = true
			missing = append(missing, fmt.Sprintf("no service control policy at level %d allows %s", i+1, req.Action))
		}
	}
	if !e.scan(TypeIdentity, 0, set.Identity...) {
		e.lacking[identityIdx] = true
		missing = append(missing, fmt.Sprintf("no identity-based policy allows the %s action", req.Action))
	}
	if set.Boundary != nil && !e.scan(TypeBoundary, 0, set.Boundary) {
		e.lacking[boundaryIdx] = true
		missing = append(missing, fmt.Sprintf("no permissions boundary allows the %s action", req.Action))
	}
	if set.Session != nil && !e.scan(TypeSession, 0, set.Session) {
		e.lacking[sessionIdx] = true
		missing = append(missing, fmt.Sprintf("no session policy allows the %s action", req.Action))
	}

	res := e.res
	switch {
	case e.denied != [4]bool{}:
		res.Decision = ExplicitDeny
		var why []string
		for i, t := range typeOrder {
			if e.denied[i] {
				res.BlockedBy = append(res.BlockedBy, t)
				why = append(why, "explicit deny in "+typeWording[i])
			}
		}
		res.Reason = strings.Join(why, "; ")
	case e.lacking != [4]bool{}:
		res.Decision = ImplicitDeny
		for i, t := range typeOrder {
			if e.lacking[i] {
				res.BlockedBy = append(res.BlockedBy, t)
			}
		}
		res.Reason = strings.Join(missing, "; ")
	default:
		res.Decision = Allow
	}
	return res
}

// Policy types in the order they are reported, and their indexes.
var typeOrder = [4]PolicyType{TypeSCP, TypeIdentity, TypeBoundary, TypeSession}

const (
	scpIdx = iota
	identityIdx
	boundaryIdx
	sessionIdx
)

func typeIndex(t PolicyType) int {
	switch t {
	case TypeSCP:
		return scpIdx
	case TypeIdentity:
		return identityIdx
	case TypeBoundary:
		return boundaryIdx
	}
	return sessionIdx
}

// scan records every statement of ps that applies and reports whether one
// of them allows.
func (e *evaluation) scan(t PolicyType, level int, ps ...*Policy) bool {
	allowed := false
	for _, p := range ps {
		for _, st := range p.Statements {
			if !e.applies(st) {
				continue
			}
			e.res.Matched = append(e.res.Matched, Match{File: p.Name, Sid: st.Sid, Index: st.Index, Effect: st.Effect, PolicyType: t, Level: level})
			if st.Effect == EffectDeny {
				e.denied[typeIndex(t)] = true
			} else {
				allowed = true
			}
		}
	}
	return allowed
}

// typeWording is AWS's name for each policy type in access-denied messages.
var typeWording = [4]string{
	scpIdx:      "a service control policy",
	identityIdx: "an identity-based policy",
	boundaryIdx: "a permissions boundary",
	sessionIdx:  "a session policy",
}

type evaluation struct {
	req     Request
	action  string // lower-cased
	ctx     *reqContext
	res     Result
	denied  [4]bool // by type index: a Deny applied
	lacking [4]bool // by type index: a needed Allow is missing
}

// applies reports whether a statement matches the request: its action
// (XOR NotAction), its resource (XOR NotResource) and all its conditions.
func (e *evaluation) applies(st *Statement) bool {
	hit := false
	for _, g := range st.actions {
		if g.match(e.action) {
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
		if !c.eval(e.ctx) {
			return false
		}
	}
	return true
}

func (e *evaluation) resourceApplies(st *Statement) bool {
	if e.req.Resource == "" {
		return e.unknownResourceApplies(st)
	}
	hit := false
	for _, rp := range st.resources {
		g, err := rp.pattern(e.ctx)
		if err == nil && g.match(e.req.Resource) {
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
	for _, rp := range st.resources {
		if st.NotResource && rp.matchesAll() {
			return false
		}
	}
	if st.NotResource {
		return true
	}
	for _, rp := range st.resources {
		if _, err := rp.pattern(e.ctx); err == nil {
			return true
		}
	}
	return false
}
