package iam

import "testing"

// ArnLike and ArnEquals (the same operator) match segment by segment,
// with '*' and '?' allowed in every segment, the service included. A
// wildcard stays within its segment, except in the resource part, which
// may itself hold colons.
func TestArnLikeWildcards(t *testing.T) {
	const (
		s3     = "arn:aws:s3:::bucket"
		lambda = "arn:aws:lambda:us-east-1:123456789012:function:orders:PROD"
		role   = "arn:aws:iam::123456789012:role/Admin"
	)
	for _, tc := range []struct {
		name, op, pattern, value string
		want                     bool
	}{
		{"resource star", "ArnLike", "arn:aws:s3:::*", s3, true},
		{"partition star", "ArnLike", "arn:*:s3:::bucket", "arn:aws-cn:s3:::bucket", true},
		{"partition question marks", "ArnLike", "arn:???:*:*:*:*", lambda, true},
		{"partition question marks, too long", "ArnLike", "arn:???:*:*:*:*", "arn:aws-cn:s3:::bucket", false},
		{"service question mark", "ArnLike", "arn:aws:s?:::bucket", s3, true},
		{"service star", "ArnLike", "arn:aws:*:us-east-1:123456789012:*", lambda, true},
		{"service prefix", "ArnEquals", "arn:aws:lamb*:*:*:function:*", lambda, true},
		{"every segment", "ArnLike", "arn:*:*:*:*:*", role, true},
		{"region wildcards", "ArnLike", "arn:aws:lambda:*-east-?:*:function:*", lambda, true},
		{"account question marks", "ArnLike", "arn:aws:iam::1234567890??:role/*", role, true},
		{"account question marks, wrong length", "ArnLike", "arn:aws:iam::12345678901?:role/*", "arn:aws:iam::12345678901:role/Admin", false},
		{"'?' is exactly one character", "ArnLike", "arn:aws:s3:?::bucket", s3, false},
		{"star matches an empty segment", "ArnLike", "arn:aws:s3:*:*:bucket", s3, true},
		{"service star stays in its segment", "ArnLike", "arn:aws:*:123456789012:role/Admin", role, false},
		{"region star stays in its segment", "ArnLike", "arn:aws:someservice:*:111122223333:finance/*", "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt", false},
		{"resource star crosses colons", "ArnLike", "arn:aws:lambda:*:*:function:*", lambda, true},
		{"resource with colons, literal", "ArnEquals", "arn:aws:logs:*:*:log-group:app:*", "arn:aws:logs:eu-west-1:1:log-group:app:log-stream:s", true},
		{"case-sensitive", "ArnLike", "arn:aws:iam::*:role/admin", role, false},
		{"negated, service wildcard hit", "ArnNotLike", "arn:aws:s*:::*", s3, false},
		{"negated, service wildcard miss", "ArnNotLike", "arn:aws:s*:::*", lambda, true},
		{"negated equals, wildcards", "ArnNotEquals", "arn:aws:iam::*:role/Adm?n", role, false},
		{"service-linked roles", "ArnLike", "arn:aws:iam::*:role/aws-service-role/*", "arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS", true},
		{"variable and service wildcard", "ArnLike", "arn:aws:*::${aws:PrincipalAccount}:role/*", role, true},
		{"IfExists with wildcards", "ArnLikeIfExists", "arn:aws:?am::*:role/*", role, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cond := `{"` + tc.op + `":{"aws:SourceArn":"` + tc.pattern + `"}}`
			ctx := kv{"aws:SourceArn": {tc.value}, "aws:PrincipalAccount": {"123456789012"}}
			if got := condHolds(t, cond, ctx); got != tc.want {
				t.Errorf("%s %q on %q = %v, want %v", tc.op, tc.pattern, tc.value, got, tc.want)
			}
		})
	}
	// Set operators apply the same matching to each value.
	any := `{"ForAnyValue:ArnLike":{"aws:SourceArn":"arn:aws:*:*:*:*"}}`
	if !condHolds(t, any, kv{"aws:SourceArn": {"x", lambda}}) || condHolds(t, any, kv{"aws:SourceArn": {"x"}}) {
		t.Error("ForAnyValue:ArnLike with a service wildcard")
	}
	// No wildcard placement is a finding.
	p := mustParse(t, "w.json", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":["arn:*:*:*:*:*","arn:aws:s?:::b"]}}}}`)
	if len(p.Findings) != 0 {
		t.Errorf("wildcards in ARN segments reported: %v", p.Findings)
	}
}
