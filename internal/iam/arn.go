package iam

import (
	"fmt"
	"strings"
)

// resPattern is one compiled Resource / NotResource entry.
type resPattern struct {
	raw  string
	tmpl *template
	glob glob // variables as placeholders
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
	// Variables sit after the fifth colon, where every wildcard crosses
	// colons anyway, so their values cannot change how the pattern
	// compiles and it is compiled once, here.
	return &resPattern{raw: raw, tmpl: tmpl, glob: compileGlob(tmpl.pieces(), globResource)}, nil
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

// match reports whether the request resource matches the pattern. A
// pattern whose variables do not resolve matches nothing.
func (r *resPattern) match(res string, ctx *reqContext) bool {
	if r.glob.nvars == 0 {
		return r.glob.matchWith(res, false, nil)
	}
	var buf [4]string
	vals, ok := r.tmpl.resolveVars(ctx, buf[:0])
	return ok && r.glob.matchWith(res, false, vals)
}

// resolvable reports whether the pattern's variables all resolve.
func (r *resPattern) resolvable(ctx *reqContext) bool {
	for i := range r.tmpl.parts {
		if p := &r.tmpl.parts[i]; p.isVar {
			if _, ok := p.value(ctx); !ok {
				return false
			}
		}
	}
	return true
}

// matchesAll reports whether the pattern is the bare "*".
func (r *resPattern) matchesAll() bool { return r.raw == "*" }
