package iam

import (
	"fmt"
	"strings"
)

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
