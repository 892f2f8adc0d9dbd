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
		return checkSegments(s, segs)
	}
	if segs[5] == "" {
		return fmt.Errorf("malformed ARN %q: the resource part is empty", s)
	}
	return checkSegments(s, segs)
}

// checkARNPattern accepts the values of the Arn condition operators. They
// match segment by segment, so all six segments must be there; '*' and
// '?' may stand anywhere, the service segment included (unlike in a
// Resource). A literal first segment must be "arn", and the partition,
// service and resource may not be empty, as in every real ARN.
func checkARNPattern(s string) error {
	segs := strings.SplitN(s, ":", 6)
	switch {
	case len(segs) < 6:
		return fmt.Errorf("malformed ARN %q: want arn:partition:service:region:account:resource", s)
	case segs[0] != "arn" && !strings.ContainsAny(segs[0], "*?"):
		return fmt.Errorf("malformed ARN %q: it does not start with \"arn:\"", s)
	case segs[1] == "":
		return fmt.Errorf("malformed ARN %q: the partition is empty", s)
	case segs[2] == "":
		return fmt.Errorf("malformed ARN %q: the service is empty", s)
	case segs[5] == "":
		return fmt.Errorf("malformed ARN %q: the resource part is empty", s)
	}
	return nil
}

// isARN reports whether a request value can be compared by an Arn
// operator: "arn:" and six segments. (The resource part may hold more
// colons.)
func isARN(s string) bool {
	return strings.HasPrefix(s, "arn:") && strings.Count(s, ":") >= 5
}

// checkSegments checks the partition and service of a Resource ARN. The
// service may be empty or a wildcard only when it is the pattern's last
// segment ("arn:aws:*").
func checkSegments(s string, segs []string) error {
	if segs[1] == "" {
		return fmt.Errorf("malformed ARN %q: the partition is empty", s)
	}
	if len(segs) > 3 {
		switch svc := segs[2]; {
		case svc == "":
			return fmt.Errorf("malformed ARN %q: the service is empty", s)
		case strings.ContainsAny(svc, "*?"):
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
