package iam

import (
	"errors"
	"fmt"
	"strings"
)

// resPattern is one compiled Resource / NotResource entry.
type resPattern struct {
	raw  string
	tmpl *template
	glob glob // when the pattern has no variables
}

// compileResource validates and compiles a Resource entry. Policy variables
// are allowed only in the resource part, after the fifth colon.
func compileResource(raw string, vars bool) (*resPattern, error) {
	tmpl, err := parseTemplate(raw, vars)
	if err != nil {
		return nil, err
	}
	// Validate the shape with each variable replaced by a placeholder:
	// the variable's own name ("aws:username") contains a colon.
	var shape strings.Builder
	colons, varAt := 0, -1
	for _, p := range tmpl.parts {
		if p.isVar || p.quoted {
			if varAt < 0 {
				varAt = colons
			}
			shape.WriteString("x")
			continue
		}
		shape.WriteString(p.text)
		colons += strings.Count(p.text, ":")
	}
	if tmpl.parts == nil {
		shape.WriteString(raw)
	}
	if err := checkResourceShape(shape.String()); err != nil {
		return nil, err
	}
	if varAt >= 0 && varAt < 5 {
		return nil, fmt.Errorf("resource %q: policy variables are allowed only in the resource part of an ARN (after the fifth ':')", raw)
	}
	r := &resPattern{raw: raw, tmpl: tmpl}
	if !tmpl.hasVars() {
		r.glob = compileText(raw, globResource)
	}
	return r, nil
}

// checkResourceShape accepts "*" and ARNs
// arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, where a shorter ARN is
// allowed when its last segment ends in '*' (which then runs past colons).
func checkResourceShape(s string) error {
	if s == "*" {
		return nil
	}
	if !strings.HasPrefix(s, "arn:") {
		return fmt.Errorf("resource %q is not \"*\" or an ARN (arn:partition:service:region:account:resource)", s)
	}
	segs := strings.SplitN(s, ":", 6)
	if len(segs) < 6 {
		if !strings.HasSuffix(s, "*") {
			return fmt.Errorf("malformed ARN %q: want arn:partition:service:region:account:resource", s)
		}
		return checkSegments(s, segs, true)
	}
	if segs[5] == "" {
		return fmt.Errorf("malformed ARN %q: the resource part is empty", s)
	}
	return checkSegments(s, segs, true)
}

// checkARNValue accepts ARNs in condition values of the Arn operators,
// which match segment by segment and so need all six segments.
func checkARNValue(s string) error {
	segs := strings.SplitN(s, ":", 6)
	if len(segs) < 6 || segs[0] != "arn" || segs[5] == "" {
		return fmt.Errorf("malformed ARN %q: want arn:partition:service:region:account:resource", s)
	}
	return checkSegments(s, segs, false)
}

func checkSegments(s string, segs []string, short bool) error {
	if segs[1] == "" {
		return fmt.Errorf("malformed ARN %q: the partition is empty", s)
	}
	if len(segs) > 2 {
		svc := segs[2]
		last := len(segs) == 3
		switch {
		case svc == "" && !(short && last):
			return fmt.Errorf("malformed ARN %q: the service is empty", s)
		case strings.ContainsAny(svc, "*?") && !(short && last):
			return fmt.Errorf("malformed ARN %q: wildcards are not allowed in the service segment", s)
		}
	}
	return nil
}

// errUnresolved marks a Resource whose variables do not resolve; it
// matches nothing.
var errUnresolved = errors.New("unresolved policy variable")

// pattern returns the compiled glob, resolving variables when needed.
func (r *resPattern) pattern(ctx *reqContext) (glob, error) {
	if r.glob != nil || !r.tmpl.hasVars() {
		return r.glob, nil
	}
	pieces, ok := r.tmpl.resolve(ctx)
	if !ok {
		return nil, errUnresolved
	}
	return compileGlob(pieces, globResource), nil
}

// matchesAll reports whether the pattern is the bare "*".
func (r *resPattern) matchesAll() bool { return r.raw == "*" }
