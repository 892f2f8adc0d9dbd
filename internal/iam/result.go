package iam

import (
	"strconv"
	"strings"
)

// result turns the evaluation into a Result; rule is the built-in rule
// that applies to the request, or "". Matched and BlockedBy usually share
// one allocation (see newResultSlices); an ExplicitDeny's Reason is one
// of sixteen fixed strings, as is a rule's; an ImplicitDeny's Reason
// names the action and so is built, with one allocation.
func (e *evaluation) result(action string, rule Rule) Result {
	var res Result
	var blockers [4]bool
	switch {
	case rule == RuleAlwaysAllowed:
		res.Decision, res.Rule, res.Reason = Allow, rule, ruleReasons[rule]
	case e.denied != [4]bool{}:
		res.Decision, blockers = ExplicitDeny, e.denied
		res.Reason = explicitReasons[mask(e.denied)]
	case rule != "":
		// A change to an AWS-managed resource: no Allow can grant it.
		// BlockedBy still names the policy types that lacked an Allow.
		res.Decision, blockers = ImplicitDeny, e.lacking
		res.Rule, res.Reason = rule, ruleReasons[rule]
	case e.lacking != [4]bool{}:
		res.Decision, blockers = ImplicitDeny, e.lacking
		res.Reason = e.implicitReason(action)
	default:
		res.Decision = Allow
	}
	hits := e.allHits()
	nb := 0
	for _, b := range blockers {
		if b {
			nb++
		}
	}
	res.Matched, res.BlockedBy = newResultSlices(len(hits), nb)
	for i, h := range hits {
		res.Matched[i] = Match{File: h.p.Name, Sid: h.st.Sid, Index: h.st.Index, Effect: h.st.Effect, PolicyType: typeOrder[h.typ], Level: h.level}
	}
	nb = 0
	for i, b := range blockers {
		if b {
			res.BlockedBy[nb] = typeOrder[i]
			nb++
		}
	}
	return res
}

func mask(b [4]bool) int {
	m := 0
	for i, v := range b {
		if v {
			m |= 1 << i
		}
	}
	return m
}

// explicitReasons holds, for each set of policy types with a matching
// Deny (a bit mask over typeOrder), the ExplicitDeny reason.
var explicitReasons = func() (out [16]string) {
	for m := range out {
		var why []string
		for i := range typeOrder {
			if m&(1<<i) != 0 {
				why = append(why, "explicit deny in "+typeWording[i])
			}
		}
		out[m] = strings.Join(why, "; ")
	}
	return out
}()

// implicitReason lists every policy type, and every SCP level, that lacks
// a needed Allow, in AWS's wording.
func (e *evaluation) implicitReason(action string) string {
	const (
		scpHead      = "no service control policy at level "
		scpTail      = " allows "
		identityHead = "no identity-based policy allows the "
		boundaryHead = "no permissions boundary allows the "
		sessionHead  = "no session policy allows the "
		tail         = " action"
	)
	levels := e.lackingLevels()
	var b strings.Builder
	b.Grow(len(levels)*(len(scpHead)+len(scpTail)+len(action)+4) + 3*(len(identityHead)+len(action)+len(tail)+2))
	sep := func() {
		if b.Len() > 0 {
			b.WriteString("; ")
		}
	}
	var num [20]byte
	for _, l := range levels {
		sep()
		b.WriteString(scpHead)
		b.Write(strconv.AppendInt(num[:0], int64(l), 10))
		b.WriteString(scpTail)
		b.WriteString(action)
	}
	for i, head := range [4]string{identityIdx: identityHead, boundaryIdx: boundaryHead, sessionIdx: sessionHead} {
		if i != scpIdx && e.lacking[i] {
			sep()
			b.WriteString(head)
			b.WriteString(action)
			b.WriteString(tail)
		}
	}
	return b.String()
}

// newResultSlices returns Matched and BlockedBy slices of lengths nm and
// nb. A typical result has a few matches and at most two blocking types:
// both slices are then carved from one allocation whose size follows nm,
// so a decision allocates once, and little. Each slice's capacity is its
// length, so appending to one can never write into the other.
func newResultSlices(nm, nb int) ([]Match, []PolicyType) {
	if nb > 2 {
		m, _ := newResultSlices(nm, 0)
		return m, make([]PolicyType, nb)
	}
	switch {
	case nm == 0 && nb == 0:
		return []Match{}, []PolicyType{}
	case nm <= 1:
		s := new(struct {
			m [1]Match
			b [2]PolicyType
		})
		return s.m[:nm:nm], s.b[:nb:nb]
	case nm <= 2:
		s := new(struct {
			m [2]Match
			b [2]PolicyType
		})
		return s.m[:nm:nm], s.b[:nb:nb]
	case nm <= 3:
		s := new(struct {
			m [3]Match
			b [2]PolicyType
		})
		return s.m[:nm:nm], s.b[:nb:nb]
	case nm <= 4:
		s := new(struct {
			m [4]Match
			b [2]PolicyType
		})
		return s.m[:nm:nm], s.b[:nb:nb]
	case nm <= 6:
		s := new(struct {
			m [6]Match
			b [2]PolicyType
		})
		return s.m[:nm:nm], s.b[:nb:nb]
	case nm <= 8:
		s := new(struct {
			m [8]Match
			b [2]PolicyType
		})
		return s.m[:nm:nm], s.b[:nb:nb]
	case nm <= 12:
		s := new(struct {
			m [12]Match
			b [2]PolicyType
		})
		return s.m[:nm:nm], s.b[:nb:nb]
	case nm <= 16:
		s := new(struct {
			m [16]Match
			b [2]PolicyType
		})
		return s.m[:nm:nm], s.b[:nb:nb]
	}
	return make([]Match, nm), make([]PolicyType, nb)
}
