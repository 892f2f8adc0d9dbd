package iam

import (
	"errors"
	"fmt"
	"strings"
)

// Parse parses a policy document. name labels diagnostics and matches
// (normally the file path). On failure the error is a *ParseError listing
// every problem as file:line:col; the policy is then nil.
func Parse(name string, data []byte) (*Policy, error) {
	p := &parser{pos: position{name: name, src: string(data), data: data}, policy: &Policy{Name: name}}
	root, err := parseJSON(p.pos.src)
	if err != nil {
		var se *syntaxError
		if errors.As(err, &se) {
			return nil, &ParseError{Diags: []Diagnostic{p.pos.at(se.off, "invalid JSON: %s", se.msg)}}
		}
		return nil, &ParseError{Diags: []Diagnostic{p.pos.at(0, "invalid JSON: %v", err)}}
	}
	p.document(root)
	if len(p.errs) > 0 {
		return nil, &ParseError{Diags: p.errs}
	}
	return p.policy, nil
}

type parser struct {
	pos    position
	policy *Policy
	errs   []Diagnostic
	vars   bool // Version 2012-10-17: expand policy variables
}

func (p *parser) errorf(off int, format string, args ...any) {
	p.errs = append(p.errs, p.pos.at(off, format, args...))
}

func (p *parser) warnf(off int, format string, args ...any) {
	p.policy.Warnings = append(p.policy.Warnings, p.pos.at(off, "warning: "+format, args...))
}

// unknownKey reports an element name that is not in known, suggesting the
// right spelling when only the case differs (element names are
// case-sensitive).
func (p *parser) unknownKey(m member, what string, known ...string) {
	for _, k := range known {
		if strings.EqualFold(k, m.key) {
			p.errorf(m.keyOff, "unknown %s %q (names are case-sensitive: did you mean %s?)", what, m.key, k)
			return
		}
	}
	p.errorf(m.keyOff, "unknown %s %q (want one of %s)", what, m.key, strings.Join(known, ", "))
}

func (p *parser) str(n *node, what string) (string, bool) {
	if n.kind != kindString {
		p.errorf(n.off, "%s must be a string, not %s", what, n.kind)
		return "", false
	}
	return n.text, true
}

func (p *parser) document(root *node) {
	if root.kind != kindObject {
		p.errorf(root.off, "a policy must be a JSON object, not %s", root.kind)
		return
	}
	var stmts *node
	for _, m := range root.members {
		switch m.key {
		case "Version":
			if v, ok := p.str(m.val, "Version"); ok {
				if v != Version2012 && v != Version2008 {
					p.errorf(m.val.off, "Version %q is not %s or %s", v, Version2012, Version2008)
				}
				p.policy.Version = v
			}
		case "Id":
			p.policy.ID, _ = p.str(m.val, "Id")
		case "Statement":
			stmts = m.val
		default:
			p.unknownKey(m, "policy element", "Version", "Id", "Statement")
		}
	}
	p.vars = p.policy.Version == Version2012
	if stmts == nil {
		p.errorf(root.off, "the policy has no Statement")
		return
	}
	items := []*node{stmts}
	switch stmts.kind {
	case kindArray:
		items = stmts.items
	case kindObject:
	default:
		p.errorf(stmts.off, "Statement must be an object or an array of objects, not %s", stmts.kind)
		return
	}
	sids := map[string]int{}
	for i, n := range items {
		st := p.statement(n, i)
		if st == nil {
			continue
		}
		if st.Sid != "" {
			if prev, dup := sids[st.Sid]; dup {
				p.errorf(n.off, "duplicate Sid %q (also statement %d); Sids must be unique within a policy", st.Sid, prev)
			}
			sids[st.Sid] = i
		}
		p.policy.Statements = append(p.policy.Statements, st)
	}
	if !p.vars && strings.Contains(p.pos.src, "${") {
		p.warnf(root.off, "policy variables are expanded only with \"Version\": %q; here ${…} is literal text", Version2012)
	}
}

var statementKeys = []string{"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition", "Principal", "NotPrincipal"}

func (p *parser) statement(n *node, index int) *Statement {
	if n.kind != kindObject {
		p.errorf(n.off, "a statement must be a JSON object, not %s", n.kind)
		return nil
	}
	st := &Statement{Index: index, Line: p.pos.line(n.off)}
	nerr, nfind := len(p.errs), len(p.policy.Findings)
	var action, resource *member
	for i := range n.members {
		m := &n.members[i]
		switch m.key {
		case "Sid":
			st.Sid, _ = p.str(m.val, "Sid")
		case "Effect":
			p.effect(st, m.val)
		case "Action", "NotAction":
			if action != nil {
				p.errorf(m.keyOff, "a statement takes Action or NotAction, not both")
				continue
			}
			action = m
			st.NotAction = m.key == "NotAction"
			p.actions(st, m)
		case "Resource", "NotResource":
			if resource != nil {
				p.errorf(m.keyOff, "a statement takes Resource or NotResource, not both")
				continue
			}
			resource = m
			st.NotResource = m.key == "NotResource"
			p.resources(st, m)
		case "Condition":
			p.conditions(st, m.val)
		case "Principal", "NotPrincipal":
			p.warnf(m.keyOff, "%s is ignored: identity policies, boundaries, session policies and SCPs apply to their own principal", m.key)
		default:
			p.unknownKey(*m, "statement element", statementKeys...)
		}
	}
	if st.Effect == "" && !hasKey(n, "Effect") {
		p.errorf(n.off, "statement %d has no Effect", index)
	}
	if action == nil {
		p.errorf(n.off, "statement %d has no Action or NotAction", index)
	}
	if resource == nil {
		p.errorf(n.off, "statement %d has no Resource or NotResource", index)
	}
	if len(p.errs) > nerr {
		return nil
	}
	// The Sid may come after the Condition element.
	for i := nfind; i < len(p.policy.Findings); i++ {
		p.policy.Findings[i].Sid = st.Sid
	}
	return st
}

func hasKey(n *node, key string) bool {
	for _, m := range n.members {
		if m.key == key {
			return true
		}
	}
	return false
}

func (p *parser) effect(st *Statement, n *node) {
	v, ok := p.str(n, "Effect")
	switch {
	case !ok:
	case v == string(EffectAllow) || v == string(EffectDeny):
		st.Effect = Effect(v)
	case strings.EqualFold(v, "allow") || strings.EqualFold(v, "deny"):
		p.errorf(n.off, "Effect %q must be spelled Allow or Deny (Effect is case-sensitive)", v)
	default:
		p.errorf(n.off, "Effect %q is not Allow or Deny", v)
	}
}

// stringList reads a string or a non-empty array of strings.
func (p *parser) stringList(m *member) ([]string, []int) {
	items := []*node{m.val}
	if m.val.kind == kindArray {
		items = m.val.items
		if len(items) == 0 {
			p.errorf(m.val.off, "%s must not be an empty array", m.key)
		}
	}
	var out []string
	var offs []int
	for _, it := range items {
		if s, ok := p.str(it, m.key+" entry"); ok {
			out = append(out, s)
			offs = append(offs, it.off)
		}
	}
	return out, offs
}

func (p *parser) actions(st *Statement, m *member) {
	list, offs := p.stringList(m)
	for i, a := range list {
		if a != "*" {
			svc, op, ok := strings.Cut(a, ":")
			if !ok || svc == "" {
				p.errorf(offs[i], "%s %q must be \"service:action\" or \"*\"", m.key, a)
				continue
			}
			switch {
			case op == "":
				p.warnf(offs[i], "%s %q has an empty action name and matches no action", m.key, a)
			case strings.ContainsAny(a, " \t,"):
				p.warnf(offs[i], "%s %q contains a space or a comma and matches no action (list actions as separate strings)", m.key, a)
			}
		}
		st.Action = append(st.Action, a)
		st.actions = append(st.actions, compileText(strings.ToLower(a), globString))
	}
	groupByService(st)
}

func (p *parser) resources(st *Statement, m *member) {
	list, offs := p.stringList(m)
	for i, r := range list {
		rp, err := compileResource(r, p.vars)
		if err != nil {
			p.errorf(offs[i], "%s: %v", m.key, err)
			continue
		}
		st.Resource = append(st.Resource, r)
		st.resources = append(st.resources, rp)
	}
}

// conditions reads {"Operator": {"key": value-or-values, …}, …}.
func (p *parser) conditions(st *Statement, n *node) {
	if n.kind != kindObject {
		p.errorf(n.off, "Condition must be an object, not %s", n.kind)
		return
	}
	for _, om := range n.members {
		spec, set, ifExists, err := parseOperator(om.key)
		if err != nil {
			p.errorf(om.keyOff, "%v", err)
			continue
		}
		if om.val.kind != kindObject {
			p.errorf(om.val.off, "condition operator %s must map condition keys to values, not be a %s", om.key, om.val.kind)
			continue
		}
		for _, km := range om.val.members {
			c := &Condition{Operator: om.key, Key: km.key, key: newKey(km.key), spec: spec, set: set, ifExists: ifExists}
			if strings.TrimSpace(km.key) == "" {
				p.errorf(km.keyOff, "empty condition key under %s", om.key)
				continue
			}
			if p.conditionValues(st, c, km.val) {
				st.Conditions = append(st.Conditions, c)
			}
		}
	}
}

func (p *parser) conditionValues(st *Statement, c *Condition, n *node) bool {
	items := []*node{n}
	if n.kind == kindArray {
		items = n.items
		if len(items) == 0 {
			p.errorf(n.off, "%s %s: the value list is empty", c.Operator, c.Key)
			return false
		}
	}
	ok := true
	for _, it := range items {
		raw, isScalar := it.scalar()
		if !isScalar {
			p.errorf(it.off, "%s %s: a condition value must be a string, number or boolean, not %s", c.Operator, c.Key, it.kind)
			ok = false
			continue
		}
		v, err := compileValue(c.spec, raw, p.vars)
		if err != nil {
			p.finding(it.off, st, c, raw, err)
		}
		c.Values = append(c.Values, raw)
		c.vals = append(c.vals, v)
	}
	return ok
}

// finding records a condition value that can never match, and disables
// the condition when the value is invalid for its operator.
func (p *parser) finding(off int, st *Statement, c *Condition, raw string, err error) {
	why := err.Error()
	var ve *valueError
	if errors.As(err, &ve) && ve.invalid {
		c.invalid = true
		why += "; the condition never matches"
	}
	d := p.pos.at(off, "")
	p.policy.Findings = append(p.policy.Findings, Finding{File: d.File, Line: d.Line, Col: d.Col,
		Statement: st.Index, Operator: c.Operator, Key: c.Key, Value: raw, Why: why})
}

// String describes a statement for messages: "statement 2 (Sid Foo)".
func (s *Statement) String() string {
	if s.Sid == "" {
		return fmt.Sprintf("statement %d", s.Index)
	}
	return fmt.Sprintf("statement %d (Sid %s)", s.Index, s.Sid)
}
