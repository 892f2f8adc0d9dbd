package iam

import (
	"slices"
	"testing"
)

// Built-in AWS rules decide whatever the policies say: some actions are
// always allowed, and changes to AWS-managed resources are always denied.
func TestBuiltinRules(t *testing.T) {
	const (
		denyAll     = `{"Version":"2012-10-17","Statement":{"Sid":"NoWay","Effect":"Deny","Action":"*","Resource":"*"}}`
		denyIAM     = `{"Version":"2012-10-17","Statement":{"Sid":"NoIAM","Effect":"Deny","Action":"iam:*","Resource":"*"}}`
		managed     = "arn:aws:iam::aws:policy/AdministratorAccess"
		managedPath = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
		managedCN   = "arn:aws-cn:iam::aws:policy/ReadOnlyAccess"
		customer    = "arn:aws:iam::123456789012:policy/Custom"
		slr         = "arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
		slrGov      = "arn:aws-us-gov:iam::123456789012:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport"
		serviceRole = "arn:aws:iam::123456789012:role/service-role/MyLambdaRole"
		plainRole   = "arn:aws:iam::123456789012:role/Dev"
	)
	all := setSpec{identity: []string{allowAll}}
	for _, tc := range []struct {
		name     string
		set      setSpec
		action   string
		resource string
		want     Decision
		rule     Rule
	}{
		// Always allowed, whatever the policies.
		{"GetCallerIdentity without policies", setSpec{}, "sts:GetCallerIdentity", "*", Allow, RuleAlwaysAllowed},
		{"GetCallerIdentity against an explicit Deny", setSpec{identity: []string{allowAll, denyAll}}, "sts:GetCallerIdentity", "*", Allow, RuleAlwaysAllowed},
		{"GetCallerIdentity against an SCP Deny", setSpec{identity: []string{allowAll}, scps: [][]string{{allowAll, denyAll}}}, "sts:GetCallerIdentity", "*", Allow, RuleAlwaysAllowed},
		{"GetCallerIdentity outside the SCPs", setSpec{identity: []string{allowAll}, scps: [][]string{{allowEC2}}}, "sts:GetCallerIdentity", "*", Allow, RuleAlwaysAllowed},
		{"GetCallerIdentity outside the boundary", setSpec{identity: []string{allowAll}, boundary: allowS3}, "sts:GetCallerIdentity", "*", Allow, RuleAlwaysAllowed},
		{"GetCallerIdentity in any case", setSpec{}, "STS:getcalleridentity", "", Allow, RuleAlwaysAllowed},
		{"GetSessionToken against a Deny", setSpec{identity: []string{denyAll}}, "sts:GetSessionToken", "*", Allow, RuleAlwaysAllowed},
		{"other STS actions need a policy", setSpec{}, "sts:GetAccessKeyInfo", "*", ImplicitDeny, ""},
		{"other STS actions can be denied", setSpec{identity: []string{allowAll, denyAll}}, "sts:DecodeAuthorizationMessage", "*", ExplicitDeny, ""},
		// AWS managed policies cannot be changed.
		{"delete an AWS managed policy", all, "iam:DeletePolicy", managed, ImplicitDeny, RuleAWSManagedPolicy},
		{"new version of an AWS managed policy", all, "iam:CreatePolicyVersion", managedPath, ImplicitDeny, RuleAWSManagedPolicy},
		{"default version, China partition", all, "iam:SetDefaultPolicyVersion", managedCN, ImplicitDeny, RuleAWSManagedPolicy},
		{"delete a version", all, "iam:DeletePolicyVersion", managed, ImplicitDeny, RuleAWSManagedPolicy},
		{"tag an AWS managed policy", all, "iam:TagPolicy", managed, ImplicitDeny, RuleAWSManagedPolicy},
		{"untag an AWS managed policy", all, "iam:UntagPolicy", managed, ImplicitDeny, RuleAWSManagedPolicy},
		{"create in the aws account", all, "iam:CreatePolicy", "arn:aws:iam::aws:policy/Mine", ImplicitDeny, RuleAWSManagedPolicy},
		{"action case folds", all, "IAM:deletepolicy", managed, ImplicitDeny, RuleAWSManagedPolicy},
		{"an explicit Deny still decides", setSpec{identity: []string{allowAll, denyIAM}}, "iam:DeletePolicy", managed, ExplicitDeny, ""},
		{"read an AWS managed policy", all, "iam:GetPolicyVersion", managed, Allow, ""},
		{"list its versions", all, "iam:ListPolicyVersions", managed, Allow, ""},
		{"delete a customer managed policy", all, "iam:DeletePolicy", customer, Allow, ""},
		{"unknown resource", all, "iam:DeletePolicy", "", Allow, ""},
		// Service-linked roles belong to their service.
		{"delete a service-linked role", all, "iam:DeleteRole", slr, ImplicitDeny, RuleServiceLinkedRole},
		{"edit its trust policy", all, "iam:UpdateAssumeRolePolicy", slr, ImplicitDeny, RuleServiceLinkedRole},
		{"add an inline policy", all, "iam:PutRolePolicy", slr, ImplicitDeny, RuleServiceLinkedRole},
		{"delete an inline policy", all, "iam:DeleteRolePolicy", slr, ImplicitDeny, RuleServiceLinkedRole},
		{"attach a managed policy", all, "iam:AttachRolePolicy", slr, ImplicitDeny, RuleServiceLinkedRole},
		{"detach a managed policy", all, "iam:DetachRolePolicy", slr, ImplicitDeny, RuleServiceLinkedRole},
		{"set a boundary", all, "iam:PutRolePermissionsBoundary", slrGov, ImplicitDeny, RuleServiceLinkedRole},
		{"remove a boundary", all, "iam:DeleteRolePermissionsBoundary", slr, ImplicitDeny, RuleServiceLinkedRole},
		{"assume a service-linked role", all, "sts:AssumeRole", slr, ImplicitDeny, RuleServiceLinkedRole},
		{"delete through its own API", all, "iam:DeleteServiceLinkedRole", slr, Allow, ""},
		{"DeleteServiceLinkedRole needs an Allow", setSpec{identity: []string{allowS3}}, "iam:DeleteServiceLinkedRole", slr, ImplicitDeny, ""},
		{"edit its description", all, "iam:UpdateRoleDescription", slr, Allow, ""},
		{"UpdateRole edits descriptions", all, "iam:UpdateRole", slr, Allow, ""},
		{"tag it", all, "iam:TagRole", slr, Allow, ""},
		{"read it", all, "iam:GetRole", slr, Allow, ""},
		{"service-role path is a customer role", all, "iam:DeleteRole", serviceRole, Allow, ""},
		{"ordinary role", all, "iam:AttachRolePolicy", plainRole, Allow, ""},
		{"assume an ordinary role", all, "sts:AssumeRole", plainRole, Allow, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Evaluate(buildSet(t, tc.set), Request{Action: tc.action, Resource: tc.resource})
			if res.Decision != tc.want || res.Rule != tc.rule {
				t.Fatalf("%s on %q: %s (rule %q, %s), want %s (rule %q)", tc.action, tc.resource, res.Decision, res.Rule, res.Reason, tc.want, tc.rule)
			}
			if tc.rule != "" && res.Reason != ruleReasons[tc.rule] {
				t.Errorf("reason %q", res.Reason)
			}
		})
	}
}

// A rule's decision keeps the evidence: the statements that applied, and
// the policy types that lacked an Allow anyway.
func TestBuiltinRuleResult(t *testing.T) {
	const denyWho = `{"Version":"2012-10-17","Statement":{"Sid":"NoWhoAmI","Effect":"Deny","Action":"sts:Get*","Resource":"*"}}`
	set := buildSet(t, setSpec{identity: []string{allowAll, denyWho}})
	res := Evaluate(set, Request{Action: "sts:GetCallerIdentity", Resource: "*"})
	if len(res.Matched) != 2 || res.Matched[1].Sid != "NoWhoAmI" || len(res.BlockedBy) != 0 {
		t.Errorf("always-allowed result %+v", res)
	}
	set = buildSet(t, setSpec{identity: []string{allowAll}, scps: [][]string{{allowEC2}}})
	res = Evaluate(set, Request{Action: "iam:DeletePolicy", Resource: "arn:aws:iam::aws:policy/PowerUserAccess"})
	if res.Decision != ImplicitDeny || res.Rule != RuleAWSManagedPolicy || !slices.Equal(res.BlockedBy, []PolicyType{TypeSCP}) || res.Matched[0].Sid != "FullAWSAccess" {
		t.Errorf("managed-policy result %+v", res)
	}
}

func TestAWSManagedResourceNames(t *testing.T) {
	for arn, want := range map[string]bool{
		"arn:aws:iam::aws:policy/AdministratorAccess":          true,
		"arn:aws:iam::aws:policy/job-function/ViewOnlyAccess":  true,
		"arn:aws:iam::aws:policy/":                             false,
		"arn:aws:iam::123456789012:policy/AdministratorAccess": false,
		"arn:aws:iam:us-east-1:aws:policy/X":                   false,
		"arn:aws:s3:::aws:policy/X":                            false,
		"arn::iam::aws:policy/X":                               false,
	} {
		if got := isAWSManagedPolicy(arn); got != want {
			t.Errorf("isAWSManagedPolicy(%q) = %v", arn, got)
		}
	}
	for arn, want := range map[string]bool{
		"arn:aws:iam::1:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS": true,
		"arn:aws:iam::1:role/aws-service-role/":                                       false,
		"arn:aws:iam::1:role/service-role/x":                                          false,
		"arn:aws:iam::1:role/AWSServiceRoleForECS":                                    false,
		"arn:aws:iam:::role/aws-service-role/x/y":                                     false,
		"arn:aws:iam::1:user/aws-service-role/x":                                      false,
	} {
		if got := isServiceLinkedRole(arn); got != want {
			t.Errorf("isServiceLinkedRole(%q) = %v", arn, got)
		}
	}
}
