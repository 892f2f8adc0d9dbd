package iam

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// reqContext is a request context. IAM compares condition-key names
// case-insensitively, including the tag key in aws:PrincipalTag/<key>;
// lookups take lower-cased keys. Folding the caller's map would cost an
// allocation per evaluation, so a map with upper-case keys (the usual
// "aws:UserAgent") is scanned instead: contexts hold a handful of keys.
type reqContext struct {
	vals   map[string][]string
	folded bool // every key is already lower case
}

func newContext(m map[string][]string) *reqContext {
	c := &reqContext{vals: m, folded: true}
	for k := range m {
		if !isLower(k) {
			c.folded = false
			break
		}
	}
	return c
}

func isLower(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; ('A' <= b && b <= 'Z') || b >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// get returns the values of a lower-cased key; none means the key is
// missing. Two spellings of one key count as one multivalued key.
func (c *reqContext) get(key string) []string {
	if c.folded {
		return c.vals[key]
	}
	var out []string
	merged := false
	for k, v := range c.vals {
		if !strings.EqualFold(k, key) {
			continue
		}
		if out == nil {
			out = v
			continue
		}
		if !merged {
			out, merged = append([]string(nil), out...), true
		}
		out = append(out, v...)
	}
	return out
}

// single returns the value of a single-valued key. Multivalued keys cannot
// be policy variables, so they do not resolve.
func (c *reqContext) single(key string) (string, bool) {
	v := c.get(key)
	if len(v) != 1 {
		return "", false
	}
	return v[0], true
}

// PrincipalContext derives the global condition keys AWS sets from a
// principal ARN: aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType
// and, for IAM users, aws:username. An assumed-role session ARN
// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION) yields the role's ARN as
// aws:PrincipalArn, as AWS does. It fails on anything that is not an IAM or
// STS principal ARN.
func PrincipalContext(arn string) (map[string][]string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[4] == "" || parts[5] == "" {
		return nil, fmt.Errorf("principal %q is not an ARN (want arn:PARTITION:iam::ACCOUNT:user/NAME or similar)", arn)
	}
	partition, service, account, res := parts[1], parts[2], parts[4], parts[5]
	ctx := map[string][]string{
		"aws:PrincipalArn":     {arn},
		"aws:PrincipalAccount": {account},
	}
	kind, rest, _ := strings.Cut(res, "/")
	switch {
	case service == "iam" && kind == "user" && rest != "":
		ctx["aws:PrincipalType"] = []string{"User"}
		ctx["aws:username"] = []string{rest[strings.LastIndexByte(rest, '/')+1:]}
	case service == "iam" && kind == "role" && rest != "":
		ctx["aws:PrincipalType"] = []string{"AssumedRole"}
	case service == "iam" && res == "root":
		ctx["aws:PrincipalType"] = []string{"Account"}
	case service == "sts" && kind == "assumed-role" && strings.Contains(rest, "/"):
		role := rest[:strings.LastIndexByte(rest, '/')]
		ctx["aws:PrincipalArn"] = []string{fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, account, role)}
		ctx["aws:PrincipalType"] = []string{"AssumedRole"}
	case service == "sts" && kind == "federated-user" && rest != "":
		ctx["aws:PrincipalType"] = []string{"FederatedUser"}
	default:
		return nil, fmt.Errorf("principal %q is not an IAM user, role, root or STS session ARN", arn)
	}
	return ctx, nil
}
