// Package iam evaluates AWS IAM policy documents locally, with the
// semantics AWS documents for identity policies, service control policies
// (SCPs), permissions boundaries and session policies: explicit deny wins,
// every ceiling policy type that is present must allow, and an identity
// policy must allow. Everything here is a pure function of its inputs; the
// only I/O is LoadFile in loader.go.
package iam

import (
	"fmt"

	"github.com/qdev/qdev/internal/jsonerr"
)

// Effect is a statement's Effect: EffectAllow or EffectDeny.
type Effect string

// The two statement effects, spelled as IAM requires (case-sensitive).
const (
	EffectAllow Effect = "Allow"
	EffectDeny  Effect = "Deny"
)

// Policy versions IAM accepts. Policy variables are only expanded under
// Version2012; under Version2008 (also the default when Version is absent)
// "${aws:username}" is literal text.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Policy is one parsed policy document.
type Policy struct {
	// Name identifies the policy in matches and diagnostics (usually the
	// file path given to Parse).
	Name string
	// Version is the document's Version, or "" when it has none.
	Version string
	// ID is the optional Id element.
	ID string
	// Statements are in document order; Statement.Index is the position.
	Statements []*Statement
	// Warnings are legal but suspicious constructs (for example an action
	// containing a comma, which can never match); they do not affect
	// evaluation.
	Warnings []Diagnostic
	// Findings are condition values that can never match (a non-number
	// for a Numeric operator, a malformed ARN, a malformed policy
	// variable…). The policy still evaluates, as AWS would evaluate it.
	Findings []Finding
}

// Statement is one parsed policy statement. Action and Resource hold the
// patterns as written; NotAction / NotResource say which element was used.
type Statement struct {
	Sid         string
	Index       int // 0-based position in the Statement array
	Line        int // line of the statement's opening brace
	Effect      Effect
	Action      []string
	NotAction   bool
	Resource    []string
	NotResource bool
	Conditions  []*Condition

	actions   []glob        // lower-cased action patterns
	resources []*resPattern // compiled Resource / NotResource patterns
	// services groups actions by the service their patterns name
	// literally ("s3" for "s3:Get*"; actions is ordered to match), so a
	// request is compared only with its own service's patterns. nil when
	// some pattern's service has a wildcard: then all are tried.
	services []serviceSpan
	svcMask  uint64 // bit svcBit(name) of every service in services
}

// serviceSpan says that actions[lo:hi] are the patterns of one service.
type serviceSpan struct {
	name   string
	lo, hi int
}

// Diagnostic is a problem found in a policy document, at a 1-based line and
// column (columns count characters, not bytes).
type Diagnostic struct {
	File string
	Line int
	Col  int
	Msg  string
}

// String formats the diagnostic as "file:line:col: message".
func (d Diagnostic) String() string {
	return fmt.Sprintf("%s:%d:%d: %s", d.File, d.Line, d.Col, d.Msg)
}

// ParseError is returned by Parse when a document is invalid. It lists
// every problem found; Error summarises them on one line.
type ParseError struct {
	Diags []Diagnostic
}

// Error returns the first diagnostic, followed by how many more there are.
func (e *ParseError) Error() string {
	if len(e.Diags) == 0 {
		return "invalid policy"
	}
	s := e.Diags[0].String()
	if n := len(e.Diags) - 1; n == 1 {
		s += " (and 1 more error)"
	} else if n > 1 {
		s += fmt.Sprintf(" (and %d more errors)", n)
	}
	return s
}

// position converts byte offsets in a source text to lines and columns.
type position struct {
	name string
	src  string
	data []byte // src, for jsonerr.Position
}

func (p position) at(off int, format string, args ...any) Diagnostic {
	line, col := jsonerr.Position(p.data, int64(off))
	return Diagnostic{File: p.name, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

func (p position) line(off int) int {
	return p.at(off, "").Line
}
