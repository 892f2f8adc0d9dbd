package iam

import "strings"

// Some outcomes do not depend on policies at all. AWS allows a few
// actions whatever the policies say, and refuses customers any change to
// the resources AWS itself manages, however broad their Allow. Evaluate
// still examines every statement (Matched lists what applied), then lets
// such a rule decide; Result.Rule and Result.Reason say so.

// Rule names a built-in AWS rule that decided a request regardless of
// the policies' Allow statements.
type Rule string

// The built-in rules.
const (
	// RuleAlwaysAllowed: the action needs no permission, and even an
	// explicit Deny cannot refuse it (sts:GetCallerIdentity, and
	// sts:GetSessionToken, an authentication operation that policies do
	// not control).
	RuleAlwaysAllowed Rule = "always-allowed"
	// RuleAWSManagedPolicy: an AWS managed policy
	// (arn:PARTITION:iam::aws:policy/…) cannot be changed or deleted by
	// customers: the request is denied whatever the policies allow.
	RuleAWSManagedPolicy Rule = "aws-managed-policy"
	// RuleServiceLinkedRole: a service-linked role
	// (arn:PARTITION:iam::ACCOUNT:role/aws-service-role/…) belongs to its
	// service. Customers cannot delete it with iam:DeleteRole (only with
	// iam:DeleteServiceLinkedRole), change its trust or permissions
	// policies or boundary, move it between instance profiles, or assume
	// it; they may read it, tag it and edit its description.
	RuleServiceLinkedRole Rule = "service-linked-role"
)

// ruleReasons is the Result.Reason of each rule.
var ruleReasons = map[Rule]string{
	RuleAlwaysAllowed:     "the action needs no permission: AWS allows it whatever the policies say",
	RuleAWSManagedPolicy:  "the resource is an AWS managed policy, which customers cannot change whatever the policies allow",
	RuleServiceLinkedRole: "the resource is a service-linked role, which only its service can change or assume whatever the policies allow",
}

// Operations by rule, lower case. The service-linked-role list is IAM's
// operations that refuse a service-linked role (UnmodifiableEntity),
// less the description edits IAM permits on any role (UpdateRole,
// UpdateRoleDescription), plus STS's role assumption: a service-linked
// role's trust policy names only its service and cannot be edited.
var (
	alwaysAllowedSTS = []string{"getcalleridentity", "getsessiontoken"}
	managedPolicyIAM = []string{
		"createpolicy", "createpolicyversion", "deletepolicy", "deletepolicyversion",
		"setdefaultpolicyversion", "tagpolicy", "untagpolicy",
	}
	serviceLinkedRoleIAM = []string{
		"deleterole", "updateassumerolepolicy", "putrolepolicy", "deleterolepolicy",
		"attachrolepolicy", "detachrolepolicy", "putrolepermissionsboundary",
		"deleterolepermissionsboundary", "addroletoinstanceprofile", "removerolefrominstanceprofile",
	}
	serviceLinkedRoleSTS = []string{"assumerole", "assumerolewithsaml", "assumerolewithwebidentity"}
)

// builtinRule returns the rule that decides the request, or "". action
// is as Evaluate holds it (ASCII in any case, or lower-cased); only IAM
// and STS actions are looked at, so most requests leave after a length
// test.
func builtinRule(service, action, resource string) Rule {
	if len(service) != 3 || len(action) <= len(service) {
		return ""
	}
	op := action[len(service)+1:]
	switch {
	case asciiEqualFold(service, "sts"):
		if oneOf(op, alwaysAllowedSTS) {
			return RuleAlwaysAllowed
		}
		if oneOf(op, serviceLinkedRoleSTS) && isServiceLinkedRole(resource) {
			return RuleServiceLinkedRole
		}
	case asciiEqualFold(service, "iam"):
		if oneOf(op, managedPolicyIAM) && isAWSManagedPolicy(resource) {
			return RuleAWSManagedPolicy
		}
		if oneOf(op, serviceLinkedRoleIAM) && isServiceLinkedRole(resource) {
			return RuleServiceLinkedRole
		}
	}
	return ""
}

func oneOf(op string, ops []string) bool {
	for _, o := range ops {
		if asciiEqualFold(op, o) {
			return true
		}
	}
	return false
}

// iamResource splits an IAM ARN into its account and resource parts; ok
// is false for anything else.
func iamResource(arn string) (account, res string, ok bool) {
	rest, ok := strings.CutPrefix(arn, "arn:")
	if !ok {
		return "", "", false
	}
	partition, rest, _ := strings.Cut(rest, ":")
	rest, ok = strings.CutPrefix(rest, "iam::") // IAM ARNs have no region
	if partition == "" || !ok {
		return "", "", false
	}
	account, res, ok = strings.Cut(rest, ":")
	return account, res, ok
}

// isAWSManagedPolicy reports whether arn names an AWS managed policy:
// account "aws", any partition, any path.
func isAWSManagedPolicy(arn string) bool {
	account, res, ok := iamResource(arn)
	return ok && account == "aws" && strings.HasPrefix(res, "policy/") && len(res) > len("policy/")
}

// isServiceLinkedRole reports whether arn names a service-linked role:
// IAM puts them, and only them, under the path /aws-service-role/.
func isServiceLinkedRole(arn string) bool {
	account, res, ok := iamResource(arn)
	return ok && account != "" && strings.HasPrefix(res, "role/aws-service-role/") && len(res) > len("role/aws-service-role/")
}
