package serverstore

import (
	"errors"
	"fmt"
	"strings"
)

// CondOp is the operator of a Cond.
type CondOp int

// The operators. Comparisons of text fields treat an absent value as the
// empty string; Present is true of a non-empty value.
const (
	CondTrue  CondOp = iota // always
	CondFalse               // never
	CondAnd                 // every Sub
	CondOr                  // any Sub
	CondNot                 // not Sub[0]
	CondEq                  // Field equals Value (Bool for FieldUserActive)
	CondContains
	CondStartsWith
	CondEndsWith
	CondPresent
)

// Field is what a Cond compares: an attribute of a user or of a group as
// SCIM exposes it.
type Field int

// The fields. Each is compared as the store keeps it: identifiers exactly,
// names and emails ignoring the case of ASCII letters (see FoldCase).
const (
	FieldUserID Field = iota + 1
	FieldUserName
	FieldUserEmail
	FieldUserDisplayName
	FieldUserGivenName
	FieldUserFamilyName
	FieldUserExternalID
	FieldUserActive
	FieldGroupID
	FieldGroupDisplayName
	FieldGroupExternalID
	FieldGroupMember // a member's user id; only CondEq and CondPresent
)

// Cond selects users or groups: a comparison of one Field with Value (or
// Bool), or And, Or and Not of Sub.
type Cond struct {
	Op    CondOp
	Field Field
	Value string
	Bool  bool
	Sub   []Cond
}

// FoldCase is the case folding of case-insensitive comparisons: ASCII
// letters only, the folding both databases' lower() agree on, so a query
// selects the same rows on SQLite and PostgreSQL.
func FoldCase(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// fieldKind says how a field's column compares.
type fieldKind int

const (
	exact    fieldKind = iota // as stored
	folded                    // stored folded already: fold only the value
	caseless                  // fold both sides
	active                    // the user is enabled
	member                    // a group member's user id
)

type fieldSQL struct {
	expr string
	kind fieldKind
}

var userFields = map[Field]fieldSQL{
	FieldUserID:          {"u.id", exact},
	FieldUserName:        {"COALESCE(u.user_key, u.email)", folded},
	FieldUserEmail:       {"u.email", caseless},
	FieldUserDisplayName: {"u.name", caseless},
	FieldUserGivenName:   {"u.given_name", caseless},
	FieldUserFamilyName:  {"u.family_name", caseless},
	FieldUserExternalID:  {"COALESCE(u.external_id, '')", exact},
	FieldUserActive:      {"", active},
}

var groupFields = map[Field]fieldSQL{
	FieldGroupID:          {"g.id", exact},
	FieldGroupDisplayName: {"COALESCE(g.display_name, g.name)", caseless},
	FieldGroupExternalID:  {"COALESCE(g.external_id, '')", exact},
	FieldGroupMember:      {"", member},
}

// maxCondNodes bounds a condition's size, and so the query's parameters.
const maxCondNodes = 200

var errCondTooLarge = errors.New("the filter is too large")

// condSQL compiles c to a WHERE expression over fields, appending its
// parameters to args.
type condSQL struct {
	s      *Store
	fields map[Field]fieldSQL
	args   []any
	nodes  int
}

func (q *condSQL) param(v any) string {
	q.args = append(q.args, v)
	return fmt.Sprintf("$%d", len(q.args))
}

func (q *condSQL) compile(c Cond) (string, error) {
	if q.nodes++; q.nodes > maxCondNodes {
		return "", errCondTooLarge
	}
	switch c.Op {
	case CondTrue:
		return "1=1", nil
	case CondFalse:
		return "1=0", nil
	case CondAnd, CondOr:
		if len(c.Sub) == 0 {
			return "", errors.New("an and or or without operands")
		}
		parts := make([]string, len(c.Sub))
		for i, sub := range c.Sub {
			p, err := q.compile(sub)
			if err != nil {
				return "", err
			}
			parts[i] = "(" + p + ")"
		}
		if c.Op == CondAnd {
			return strings.Join(parts, " AND "), nil
		}
		return strings.Join(parts, " OR "), nil
	case CondNot:
		if len(c.Sub) != 1 {
			return "", errors.New("a not without one operand")
		}
		p, err := q.compile(c.Sub[0])
		return "NOT (" + p + ")", err
	}
	f, ok := q.fields[c.Field]
	if !ok {
		return "", fmt.Errorf("field %d cannot be compared here", c.Field)
	}
	switch f.kind {
	case active:
		switch {
		case c.Op == CondPresent:
			return "1=1", nil
		case c.Op == CondEq && c.Bool:
			return "u.disabled_at IS NULL", nil
		case c.Op == CondEq:
			return "u.disabled_at IS NOT NULL", nil
		}
		return "", errors.New("active compares only with eq")
	case member:
		switch c.Op {
		case CondPresent:
			return "EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id)", nil
		case CondEq:
			return "EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id AND m.user_id = " + q.param(c.Value) + ")", nil
		}
		return "", errors.New("members compares only with eq")
	}
	col, v := f.expr, c.Value
	switch f.kind {
	case folded:
		v = FoldCase(v)
	case caseless:
		col, v = q.s.lower(col), FoldCase(v)
	}
	switch c.Op {
	case CondPresent:
		return col + " <> ''", nil
	case CondEq:
		return col + " = " + q.param(v), nil
	case CondContains:
		return q.s.strpos(col, q.param(v)) + " > 0", nil
	case CondStartsWith:
		return q.s.strpos(col, q.param(v)) + " = 1", nil
	case CondEndsWith:
		p := q.param(v)
		n := "length(CAST(" + p + " AS TEXT))"
		return "length(" + col + ") >= " + n + " AND substr(" + col + ", length(" + col + ") - " + n + " + 1) = " + p, nil
	}
	return "", fmt.Errorf("operator %d cannot compare text", c.Op)
}

// lower folds the ASCII letters of a text expression, and only those:
// PostgreSQL's lower() folds every letter unless the collation is C.
func (s *Store) lower(expr string) string {
	if s.postgres {
		return "lower((" + expr + `) COLLATE "C")`
	}
	return "lower(" + expr + ")"
}

// strpos is the 1-based position of needle in haystack, 0 when absent.
func (s *Store) strpos(haystack, needle string) string {
	if s.postgres {
		return "strpos(" + haystack + ", " + needle + ")"
	}
	return "instr(" + haystack + ", " + needle + ")"
}

// forUpdate locks the rows a SELECT in a transaction reads until it ends.
// SQLite needs nothing: its transactions take the write lock at BEGIN.
func (s *Store) forUpdate() string {
	if s.postgres {
		return " FOR UPDATE"
	}
	return ""
}
