package iam

import "strings"

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
	// control policy"), or why a built-in rule decided; empty for an Allow
	// that the policies granted.
	Reason string `json:"-"`
	// Rule names the built-in AWS rule that decided, when one did: an
	// action that is always allowed (even against an explicit Deny), or a
	// change to an AWS-managed resource, which is denied whatever the
	// policies allow (ImplicitDeny, unless a policy's Deny also matched:
	// then the Deny decides, as ExplicitDeny, and Rule is empty).
	Rule Rule `json:"rule,omitempty"`
}

// Evaluate decides a request against a policy set (governance.md §1.2):
// any matching Deny gives ExplicitDeny; otherwise every SCP level, the
// boundary and the session policy (when present) and some identity policy
// must have a matching Allow, else ImplicitDeny. A nil set denies. Built-in
// AWS rules come on top (see builtin.go): sts:GetCallerIdentity is always
// allowed, and changes to AWS managed policies and service-linked roles
// are always denied.
//
// Every statement is examined, because Matched lists all that apply; the
// work per statement is kept to compiled comparisons, and the request's
// context is indexed once (see context.go), so a decision allocates only
// its Result.
func Evaluate(set *PolicySet, req Request) Result {
	if set == nil {
		set = &emptySet
	}
	var e evaluation
	e.ctx.src = req.Context
	e.resource = req.Resource
	e.action = req.Action
	if !isASCII(e.action) {
		e.action = strings.ToLower(e.action)
	}
	e.service = e.action
	if i := strings.IndexByte(e.action, ':'); i >= 0 {
		e.service = e.action[:i]
	}
	e.svcBit = svcBit(e.service)
	for i, level := range set.SCPs {
		if !e.scan(scpIdx, i+1, level) {
			e.lacking[scpIdx] = true
			e.lackLevel(i + 1)
		}
	}
	if !e.scan(identityIdx, 0, set.Identity) {
		e.lacking[identityIdx] = true
	}
	if set.Boundary != nil && !e.scan(boundaryIdx, 0, []*Policy{set.Boundary}) {
		e.lacking[boundaryIdx] = true
	}
	if set.Session != nil && !e.scan(sessionIdx, 0, []*Policy{set.Session}) {
		e.lacking[sessionIdx] = true
	}
	return e.result(req.Action, builtinRule(e.service, e.action, e.resource))
}

var emptySet PolicySet

// Policy types in the order they are reported, and their indexes.
var typeOrder = [4]PolicyType{TypeSCP, TypeIdentity, TypeBoundary, TypeSession}

const (
	scpIdx = iota
	identityIdx
	boundaryIdx
	sessionIdx
)

// typeWording is AWS's name for each policy type in access-denied messages.
var typeWording = [4]string{
	scpIdx:      "a service control policy",
	identityIdx: "an identity-based policy",
	boundaryIdx: "a permissions boundary",
	sessionIdx:  "a session policy",
}

// hit is a statement that applied, recorded until the Result is built.
type hit struct {
	p     *Policy
	st    *Statement
	typ   int
	level int
}

// evaluation is one decision's working state. It lives on the stack: the
// fixed arrays hold typical numbers of matches and lacking SCP levels,
// and the slices take over beyond them.
type evaluation struct {
	action   string // lower-cased, or ASCII to be matched case-insensitively
	service  string // action up to its first ':'
	svcBit   uint64 // svcBit(service)
	resource string
	ctx      reqContext
	denied   [4]bool // by type index: a Deny applied
	lacking  [4]bool // by type index: a needed Allow is missing

	nhits     int
	hits      [24]hit
	moreHits  []hit
	nlack     int
	lacks     [4]int // SCP levels without an Allow
	moreLacks []int
}

func (e *evaluation) addHit(h hit) {
	if e.moreHits == nil && e.nhits < len(e.hits) {
		e.hits[e.nhits] = h
		e.nhits++
		return
	}
	if e.moreHits == nil {
		e.moreHits = append(make([]hit, 0, 2*len(e.hits)), e.hits[:]...)
	}
	e.moreHits = append(e.moreHits, h)
}

func (e *evaluation) allHits() []hit {
	if e.moreHits != nil {
		return e.moreHits
	}
	return e.hits[:e.nhits]
}

func (e *evaluation) lackLevel(level int) {
	if e.moreLacks == nil && e.nlack < len(e.lacks) {
		e.lacks[e.nlack] = level
		e.nlack++
		return
	}
	if e.moreLacks == nil {
		e.moreLacks = append([]int(nil), e.lacks[:]...)
	}
	e.moreLacks = append(e.moreLacks, level)
}

func (e *evaluation) lackingLevels() []int {
	if e.moreLacks != nil {
		return e.moreLacks
	}
	return e.lacks[:e.nlack]
}

// scan records every statement of ps that applies and reports whether one
// of them allows.
func (e *evaluation) scan(typ, level int, ps []*Policy) bool {
	allowed := false
	for _, p := range ps {
		for _, st := range p.Statements {
			if !e.applies(st) {
				continue
			}
			e.addHit(hit{p: p, st: st, typ: typ, level: level})
			if st.Effect == EffectDeny {
				e.denied[typ] = true
			} else {
				allowed = true
			}
		}
	}
	return allowed
}
