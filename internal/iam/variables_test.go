package iam

import "testing"

// A policy variable that does not resolve (its key is missing,
// multivalued or empty, or the reference is malformed) makes its value
// match nothing: a non-negated condition then does not match, unless
// another of its values does; a negated one, which asks that no value
// match, does. IfExists and ForAllValues still look at the tested key
// first.
func TestUnresolvableVariables(t *testing.T) {
	const (
		allow = EffectAllow
		deny  = EffectDeny
	)
	bob := kv{"k": {"bob"}}
	runCondVectors(t, []condVector{
		{"StringEquals", allow, `{"StringEquals":{"k":"${aws:username}"}}`, bob, ImplicitDeny},
		{"StringEquals empty request value", allow, `{"StringEquals":{"k":"${aws:username}"}}`, kv{"k": {""}}, ImplicitDeny},
		{"StringLike", allow, `{"StringLike":{"k":"home/${aws:username}/*"}}`, kv{"k": {"home//x"}}, ImplicitDeny},
		{"StringEqualsIgnoreCase", allow, `{"StringEqualsIgnoreCase":{"k":"${aws:PrincipalTag/team}"}}`, bob, ImplicitDeny},
		{"ArnLike", allow, `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/${aws:username}"}}`, kv{"aws:PrincipalArn": {"arn:aws:iam::1:user/"}}, ImplicitDeny},
		{"ArnEquals", allow, `{"ArnEquals":{"aws:SourceArn":"arn:aws:s3:::${aws:PrincipalTag/bucket}"}}`, kv{"aws:SourceArn": {"arn:aws:s3:::b"}}, ImplicitDeny},
		{"Bool", allow, `{"Bool":{"k":"${aws:SecureTransport}"}}`, kv{"k": {"true"}}, ImplicitDeny},
		{"in a Deny", deny, `{"StringEquals":{"k":"${aws:username}"}}`, bob, Allow},
		{"another value matches", allow, `{"StringEquals":{"k":["${aws:username}","bob"]}}`, bob, Allow},
		{"StringNotEquals matches", deny, `{"StringNotEquals":{"aws:ResourceTag/owner":"${aws:username}"}}`, kv{"aws:ResourceTag/owner": {"alice"}}, ExplicitDeny},
		{"StringNotLike matches", allow, `{"StringNotLike":{"k":"${aws:username}*"}}`, bob, Allow},
		{"ArnNotLike matches", allow, `{"ArnNotLike":{"aws:SourceArn":"arn:aws:s3:::${aws:username}"}}`, kv{"aws:SourceArn": {"arn:aws:s3:::b"}}, Allow},
		{"negated with another value", deny, `{"StringNotEquals":{"k":["${aws:username}","bob"]}}`, bob, Allow},
		{"ForAnyValue", allow, `{"ForAnyValue:StringEquals":{"k":"${aws:username}"}}`, kv{"k": {"a", "b"}}, ImplicitDeny},
		{"ForAllValues", allow, `{"ForAllValues:StringEquals":{"k":"${aws:username}"}}`, kv{"k": {"a"}}, ImplicitDeny},
		{"ForAllValues negated", allow, `{"ForAllValues:StringNotEquals":{"k":"${aws:username}"}}`, kv{"k": {"a"}}, Allow},
		{"IfExists, key present", allow, `{"StringEqualsIfExists":{"k":"${aws:username}"}}`, bob, ImplicitDeny},
		{"IfExists, key missing", allow, `{"StringEqualsIfExists":{"k":"${aws:username}"}}`, nil, Allow},
		{"multivalued variable key", allow, `{"StringEquals":{"k":"${aws:TagKeys}"}}`, kv{"k": {"a"}, "aws:TagKeys": {"a", "b"}}, ImplicitDeny},
		{"empty variable key", allow, `{"StringEquals":{"k":"${aws:username}"}}`, kv{"k": {"bob"}, "aws:username": {}}, ImplicitDeny},
		{"unterminated reference", allow, `{"StringEquals":{"k":"${aws:username"}}`, kv{"k": {"${aws:username"}, "aws:username": {"bob"}}, ImplicitDeny},
		{"empty reference", allow, `{"StringLike":{"k":"a${}b"}}`, kv{"k": {"ab"}}, ImplicitDeny},
		{"reference with a space", allow, `{"StringEquals":{"k":"${aws:user name}"}}`, kv{"k": {"bob"}, "aws:user name": {"bob"}}, ImplicitDeny},
		{"malformed default", allow, `{"StringEquals":{"k":"${aws:username, x}"}}`, kv{"k": {"x"}}, ImplicitDeny},
		{"malformed, negated", deny, `{"StringNotEquals":{"k":"${aws:username"}}`, bob, ExplicitDeny},
		{"default resolves", allow, `{"StringEquals":{"k":"${aws:username, 'bob'}"}}`, bob, Allow},
		{"resolved", allow, `{"StringEquals":{"k":"${aws:username}"}}`, kv{"k": {"bob"}, "AWS:UserName": {"bob"}}, Allow},
	})
	// A malformed reference is a finding; the policy parses.
	p := mustParse(t, "v.json", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLike":{"k":"${}"}}}}`)
	if len(p.Findings) != 1 || p.Findings[0].Value != "${}" {
		t.Errorf("findings %v", p.Findings)
	}
}
