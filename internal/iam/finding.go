package iam

import (
	"fmt"
	"strconv"
)

// Finding is a problem in a policy that nonetheless parses and evaluates:
// a condition value that can never match. AWS accepts such policies, so
// Parse does too, and evaluation treats the condition as not met (see
// Condition); q policy validate lists the findings so that they get fixed.
type Finding struct {
	File string
	Line int // 1-based position of the value in the file
	Col  int
	// Statement is the 0-based index of the statement in the Statement
	// array; Sid is its Sid, if it has one.
	Statement int
	Sid       string
	Operator  string // as written, e.g. "NumericLessThanIfExists"
	Key       string // condition key as written
	Value     string // the offending value, as text
	// Why says what is wrong with the value and what that does.
	Why string
}

// String formats the finding on one line:
// file:line:col: statement 2 (Sid Foo): NumericLessThan n: value "ten" is
// not an integer or decimal; the condition never matches.
func (f Finding) String() string {
	stmt := "statement " + strconv.Itoa(f.Statement)
	if f.Sid != "" {
		stmt += " (Sid " + f.Sid + ")"
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s %s: %s", f.File, f.Line, f.Col, stmt, f.Operator, f.Key, f.Why)
}
