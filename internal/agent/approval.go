package agent

// Approval is how a tool call came to run or not: by a rule, by the user's
// answer, or refused before judgement. The audit record and the displays
// map it to their own vocabularies.
type Approval int

const (
	// Unjudged: the call never reached judgement (its input was invalid,
	// or the tool is unknown).
	Unjudged Approval = iota
	// AllowedByRule: a rule allowed the call; Call.Decision says which.
	AllowedByRule
	// DeniedByRule: a rule refused the call; Call.Decision says which.
	DeniedByRule
	// BlockedByHook: a preToolUse hook refused the call.
	BlockedByHook
	// AllowedOnce: the user answered y.
	AllowedOnce
	// TrustedForSession: the user answered t.
	TrustedForSession
	// DeniedByUser: the user answered n, or typed a reason instead.
	DeniedByUser
	// NotApproved: nobody could answer (--no-interactive) or the question
	// was interrupted.
	NotApproved
)

// String returns the words shown to the user, e.g. "allowed once".
func (a Approval) String() string {
	switch a {
	case AllowedByRule:
		return "trusted"
	case DeniedByRule:
		return "denied by rule"
	case BlockedByHook:
		return "blocked by hook"
	case AllowedOnce:
		return "allowed once"
	case TrustedForSession:
		return "trusted for this session"
	case DeniedByUser:
		return "denied by user"
	case NotApproved:
		return "not approved"
	}
	return ""
}

// UserAnswered reports whether the user was asked and answered.
func (a Approval) UserAnswered() bool {
	return a == AllowedOnce || a == TrustedForSession || a == DeniedByUser
}

// Ran reports whether the call was let through to run.
func (a Approval) Ran() bool {
	return a == AllowedByRule || a == AllowedOnce || a == TrustedForSession
}
