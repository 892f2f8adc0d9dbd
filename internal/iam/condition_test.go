package iam

import (
	"strings"
	"testing"
)

// condHolds reports whether an Allow-everything statement guarded by the
// Condition block cond allows a request carrying ctx.
func condHolds(t *testing.T, cond string, ctx map[string][]string) bool {
	t.Helper()
	p := mustParse(t, "c.json", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":`+cond+`}}`)
	res := Evaluate(&PolicySet{Identity: []*Policy{p}}, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctx})
	return res.Decision == Allow
}

type kv = map[string][]string

// User agents captured in governance.md §4.4 and the seed article.
const (
	uaDebian = "aws-cli/2.9.19 Python/3.11.2 Linux/6.18.44-fc-v769 exec-env/AmazonQ-For-CLI Version/1.13.0 source/x86_64.debian.12 prompt/off command/sts.get-caller-identity"
	uaPip    = "aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.18.44-fc-v769 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython exec-env/AmazonQ-For-CLI-Version-1.13.0 m/b,Z,N,g,D cfg/retry-mode#legacy botocore/1.43.11"
	uaGoSDK  = "aws-sdk-go-v2/1.47.7 ua/2.1 os/linux lang/go#1.26.8 md/GOOS#linux md/GOARCH#amd64 exec-env/AmazonQ-For-CLI-Version-1.13.0 api/sts#1.51.8 m/g"
	uaIDE    = "aws-cli/2.27.17 md/awscrt#0.26.1 ua/2.1 os/macos#24.6.0 md/arch#x86_64 lang/python#3.13.3 md/pyimpl#CPython exec-env/AmazonQ-For-IDE-Version-1.93.0 cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#sts.get-caller-identity"
	uaPlain  = "aws-cli/2.27.17 md/awscrt#0.26.1 ua/2.1 os/macos#24.6.0 md/arch#x86_64 lang/python#3.13.3 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#sts.get-caller-identity"
)

func TestConditionOperators(t *testing.T) {
	const qUA = `{"StringLike":{"aws:userAgent":"*exec-env/AmazonQ-For-*"}}`
	for _, tc := range []struct {
		name string
		cond string
		ctx  kv
		want bool
	}{
		// String family; values ORed, negated values NORed.
		{"StringEquals", `{"StringEquals":{"k":"abc"}}`, kv{"k": {"abc"}}, true},
		{"StringEquals case", `{"StringEquals":{"k":"abc"}}`, kv{"k": {"ABC"}}, false},
		{"StringEquals OR hit", `{"StringEquals":{"k":["a","b"]}}`, kv{"k": {"b"}}, true},
		{"StringEquals OR miss", `{"StringEquals":{"k":["a","b"]}}`, kv{"k": {"c"}}, false},
		{"StringEquals missing", `{"StringEquals":{"k":"a"}}`, nil, false},
		{"StringNotEquals NOR hit", `{"StringNotEquals":{"k":["a","b"]}}`, kv{"k": {"c"}}, true},
		{"StringNotEquals NOR miss", `{"StringNotEquals":{"k":["a","b"]}}`, kv{"k": {"a"}}, false},
		{"StringNotEquals missing", `{"StringNotEquals":{"k":"a"}}`, nil, true},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"k":"ABC"}}`, kv{"k": {"abc"}}, true},
		{"StringNotEqualsIgnoreCase", `{"StringNotEqualsIgnoreCase":{"k":"ABC"}}`, kv{"k": {"abc"}}, false},
		{"StringNotEqualsIgnoreCase other", `{"StringNotEqualsIgnoreCase":{"k":"ABC"}}`, kv{"k": {"abd"}}, true},
		{"StringLike case-sensitive", `{"StringLike":{"k":"*amazonq*"}}`, kv{"k": {"AmazonQ"}}, false},
		{"StringLike ?", `{"StringLike":{"k":"v?"}}`, kv{"k": {"v1"}}, true},
		{"StringNotLike missing", `{"StringNotLike":{"k":"a*"}}`, nil, true},
		{"StringNotLike hit", `{"StringNotLike":{"k":"a*"}}`, kv{"k": {"abc"}}, false},
		{"UA debian raw form", qUA, kv{"aws:UserAgent": {uaDebian}}, true},
		{"UA pip sanitized form", qUA, kv{"aws:UserAgent": {uaPip}}, true},
		{"UA Go SDK", qUA, kv{"aws:UserAgent": {uaGoSDK}}, true},
		{"UA IDE", qUA, kv{"aws:UserAgent": {uaIDE}}, true},
		{"UA without marker", qUA, kv{"aws:UserAgent": {uaPlain}}, false},
		{"UA legacy-only pattern", `{"StringLike":{"aws:UserAgent":"*AmazonQ-For-CLI Version/*"}}`, kv{"aws:UserAgent": {uaPip}}, false},
		{"key names fold case", qUA, kv{"AWS:USERAGENT": {uaPip}}, true},
		// Numeric.
		{"NumericEquals decimal", `{"NumericEquals":{"n":"10"}}`, kv{"n": {"10.0"}}, true},
		{"NumericEquals JSON number", `{"NumericEquals":{"n":10}}`, kv{"n": {"10"}}, true},
		{"NumericNotEquals", `{"NumericNotEquals":{"n":"10"}}`, kv{"n": {"11"}}, true},
		{"NumericNotEquals same", `{"NumericNotEquals":{"n":"10"}}`, kv{"n": {"10"}}, false},
		{"NumericLessThan", `{"NumericLessThan":{"n":"10"}}`, kv{"n": {"9.5"}}, true},
		{"NumericLessThan equal", `{"NumericLessThan":{"n":"10"}}`, kv{"n": {"10"}}, false},
		{"NumericLessThanEquals", `{"NumericLessThanEquals":{"n":"10"}}`, kv{"n": {"10"}}, true},
		{"NumericGreaterThan", `{"NumericGreaterThan":{"n":"10"}}`, kv{"n": {"11"}}, true},
		{"NumericGreaterThanEquals", `{"NumericGreaterThanEquals":{"n":"10"}}`, kv{"n": {"9"}}, false},
		{"Numeric request not a number", `{"NumericLessThan":{"n":"10"}}`, kv{"n": {"five"}}, false},
		// Date: ISO 8601 or epoch seconds, compared as instants.
		{"DateLessThan", `{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}`, kv{"aws:CurrentTime": {"2025-01-15T10:30:00Z"}}, true},
		{"DateGreaterThan", `{"DateGreaterThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}`, kv{"aws:CurrentTime": {"2025-01-15T10:30:00Z"}}, false},
		{"DateEquals across zones", `{"DateEquals":{"t":"2025-01-15T10:30:00Z"}}`, kv{"t": {"2025-01-15T11:30:00+01:00"}}, true},
		{"DateEquals epoch vs ISO", `{"DateEquals":{"t":"2025-01-15T10:30:00Z"}}`, kv{"t": {"1736937000"}}, true},
		{"DateNotEquals", `{"DateNotEquals":{"t":"2025-01-15"}}`, kv{"t": {"2025-01-15T00:00:01Z"}}, true},
		{"DateLessThanEquals epoch", `{"DateLessThanEquals":{"aws:EpochTime":"1736937000"}}`, kv{"aws:EpochTime": {"1736937000"}}, true},
		{"DateGreaterThanEquals", `{"DateGreaterThanEquals":{"t":"2025-01-15T10:30:00.5Z"}}`, kv{"t": {"2025-01-15T10:30:00Z"}}, false},
		{"Date request garbage", `{"DateLessThan":{"t":"2030-01-01"}}`, kv{"t": {"soon"}}, false},
		// Bool.
		{"Bool true", `{"Bool":{"aws:SecureTransport":"true"}}`, kv{"aws:SecureTransport": {"true"}}, true},
		{"Bool JSON literal", `{"Bool":{"aws:SecureTransport":true}}`, kv{"aws:SecureTransport": {"TRUE"}}, true},
		{"Bool mismatch", `{"Bool":{"aws:SecureTransport":"true"}}`, kv{"aws:SecureTransport": {"false"}}, false},
		{"Bool missing", `{"Bool":{"aws:MultiFactorAuthPresent":"false"}}`, nil, false},
		// Binary.
		{"BinaryEquals", `{"BinaryEquals":{"b":"QmluYXJ5VmFsdWU="}}`, kv{"b": {"QmluYXJ5VmFsdWU="}}, true},
		{"BinaryEquals differs", `{"BinaryEquals":{"b":"QmluYXJ5VmFsdWU="}}`, kv{"b": {"QmluYXJ5VmFsdWF="}}, false},
		// IP.
		{"IpAddress CIDR", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, kv{"aws:SourceIp": {"203.0.113.12"}}, true},
		{"IpAddress outside", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, kv{"aws:SourceIp": {"198.51.100.1"}}, false},
		{"IpAddress bare is /32", `{"IpAddress":{"aws:SourceIp":"203.0.113.12"}}`, kv{"aws:SourceIp": {"203.0.113.13"}}, false},
		{"IpAddress IPv6", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, kv{"aws:SourceIp": {"2001:db8:1::1"}}, true},
		{"IpAddress mapped IPv4", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, kv{"aws:SourceIp": {"::ffff:10.1.2.3"}}, true},
		{"NotIpAddress inside", `{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}}`, kv{"aws:SourceIp": {"192.168.1.1"}}, false},
		{"NotIpAddress outside", `{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}}`, kv{"aws:SourceIp": {"8.8.8.8"}}, true},
		{"NotIpAddress missing", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, nil, true},
		{"IpAddress request garbage", `{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`, kv{"aws:SourceIp": {"vpce"}}, false},
		// ARN.
		{"ArnLike", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Admin*"}}`, kv{"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/AdminX"}}, true},
		{"ArnEquals is ArnLike", `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::*:role/Admin*"}}`, kv{"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/AdminX"}}, true},
		{"ArnLike per segment", `{"ArnLike":{"aws:SourceArn":"arn:aws:someservice:*:111122223333:finance/*"}}`, kv{"aws:SourceArn": {"arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"}}, false},
		{"StringLike across segments", `{"StringLike":{"aws:SourceArn":"arn:aws:someservice:*:111122223333:finance/*"}}`, kv{"aws:SourceArn": {"arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"}}, true},
		{"ArnNotLike", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Admin*"}}`, kv{"aws:PrincipalArn": {"arn:aws:iam::1:role/Dev"}}, true},
		{"ArnNotEquals missing", `{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::1:role/x"}}`, nil, true},
		{"ArnLike star", `{"ArnLike":{"aws:SourceArn":"*"}}`, kv{"aws:SourceArn": {"arn:aws:s3:::b"}}, true},
		// Null.
		{"Null true, absent", `{"Null":{"k":"true"}}`, nil, true},
		{"Null true, present", `{"Null":{"k":"true"}}`, kv{"k": {"v"}}, false},
		{"Null false, present", `{"Null":{"k":"false"}}`, kv{"k": {"v"}}, true},
		{"Null false, absent", `{"Null":{"k":"false"}}`, nil, false},
		{"Null empty set is absent", `{"Null":{"k":"true"}}`, kv{"k": {}}, true},
		// IfExists.
		{"IfExists absent", `{"StringEqualsIfExists":{"k":"a"}}`, nil, true},
		{"IfExists present mismatch", `{"StringEqualsIfExists":{"k":"a"}}`, kv{"k": {"b"}}, false},
		{"NotEqualsIfExists absent", `{"StringNotEqualsIfExists":{"k":"a"}}`, nil, true},
		{"NumericIfExists absent", `{"NumericLessThanIfExists":{"n":"1"}}`, nil, true},
		{"BoolIfExists present", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`, kv{"aws:MultiFactorAuthPresent": {"true"}}, false},
		// Set operators.
		{"ForAllValues subset", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`, kv{"aws:TagKeys": {"a"}}, true},
		{"ForAllValues stray", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`, kv{"aws:TagKeys": {"a", "c"}}, false},
		{"ForAllValues missing", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a"]}}`, nil, true},
		{"ForAllValues empty", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a"]}}`, kv{"aws:TagKeys": {}}, true},
		{"ForAnyValue hit", `{"ForAnyValue:StringEquals":{"aws:CalledVia":"q.amazonaws.com"}}`, kv{"aws:CalledVia": {"athena.amazonaws.com", "q.amazonaws.com"}}, true},
		{"ForAnyValue miss", `{"ForAnyValue:StringEquals":{"aws:CalledVia":"q.amazonaws.com"}}`, kv{"aws:CalledVia": {"athena.amazonaws.com"}}, false},
		{"ForAnyValue missing", `{"ForAnyValue:StringEquals":{"aws:CalledVia":"q.amazonaws.com"}}`, nil, false},
		{"ForAnyValue IfExists missing", `{"ForAnyValue:StringEqualsIfExists":{"aws:CalledVia":"q.amazonaws.com"}}`, nil, false},
		{"ForAllValues NotEquals", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":"a"}}`, kv{"aws:TagKeys": {"b", "c"}}, true},
		{"ForAllValues NotEquals hit", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":"a"}}`, kv{"aws:TagKeys": {"a", "b"}}, false},
		{"ForAnyValue NotLike", `{"ForAnyValue:StringNotLike":{"aws:TagKeys":"a*"}}`, kv{"aws:TagKeys": {"ab", "x"}}, true},
		{"ForAnyValue NotLike none", `{"ForAnyValue:StringNotLike":{"aws:TagKeys":"a*"}}`, kv{"aws:TagKeys": {"ab"}}, false},
		{"ForAnyValue Numeric", `{"ForAnyValue:NumericGreaterThan":{"n":"5"}}`, kv{"n": {"1", "9"}}, true},
		// A list meeting a single-valued operator matches nothing.
		{"list vs StringEquals", `{"StringEquals":{"k":"a"}}`, kv{"k": {"a", "b"}}, false},
		{"list vs StringNotEquals", `{"StringNotEquals":{"k":"c"}}`, kv{"k": {"a", "b"}}, false},
		// AND across keys and operators.
		{"AND keys both", `{"StringEquals":{"a":"1","b":"2"}}`, kv{"a": {"1"}, "b": {"2"}}, true},
		{"AND keys one", `{"StringEquals":{"a":"1","b":"2"}}`, kv{"a": {"1"}, "b": {"3"}}, false},
		{"AND operators", `{"StringEquals":{"a":"1"},"NumericLessThan":{"n":"5"}}`, kv{"a": {"1"}, "n": {"7"}}, false},
		{"AND operators both", `{"StringEquals":{"a":"1"},"NumericLessThan":{"n":"5"}}`, kv{"a": {"1"}, "n": {"4"}}, true},
		// Two spellings of one key are one multivalued key.
		{"folded keys merge", `{"ForAllValues:StringEquals":{"k":["a","b"]}}`, kv{"K": {"a"}, "k": {"c"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := condHolds(t, tc.cond, tc.ctx); got != tc.want {
				t.Errorf("%s with %v = %v, want %v", tc.cond, tc.ctx, got, tc.want)
			}
		})
	}
}

// Policy variables (governance.md §1.7).
func TestConditionVariables(t *testing.T) {
	for _, tc := range []struct {
		name string
		cond string
		ctx  kv
		want bool
	}{
		{"resolved", `{"StringEquals":{"k":"${aws:username}"}}`, kv{"aws:username": {"bob"}, "k": {"bob"}}, true},
		{"key name folds", `{"StringEquals":{"k":"${AWS:UserName}"}}`, kv{"aws:username": {"bob"}, "k": {"bob"}}, true},
		{"embedded", `{"StringLike":{"k":"home/${aws:username}/*"}}`, kv{"aws:username": {"bob"}, "k": {"home/bob/x"}}, true},
		{"unresolved positive", `{"StringEquals":{"k":"${aws:username}"}}`, kv{"k": {""}}, false},
		{"unresolved negated", `{"StringNotEquals":{"k":"${aws:username}"}}`, kv{"k": {"x"}}, true},
		{"unresolved like", `{"StringLike":{"k":"${aws:username}*"}}`, kv{"k": {"x"}}, false},
		{"multivalued is unresolved", `{"StringEquals":{"k":"${aws:TagKeys}"}}`, kv{"aws:TagKeys": {"a", "b"}, "k": {"a"}}, false},
		{"default used", `{"StringEquals":{"k":"${aws:PrincipalTag/team, 'company-wide'}"}}`, kv{"k": {"company-wide"}}, true},
		{"default not used", `{"StringEquals":{"k":"${aws:PrincipalTag/team, 'company-wide'}"}}`, kv{"aws:PrincipalTag/Team": {"red"}, "k": {"red"}}, true},
		{"default with brace", `{"StringEquals":{"k":"${aws:x,'a}b'}"}}`, kv{"k": {"a}b"}}, true},
		{"escape star literal", `{"StringLike":{"k":"${*}x"}}`, kv{"k": {"*x"}}, true},
		{"escape star not wildcard", `{"StringLike":{"k":"${*}x"}}`, kv{"k": {"ax"}}, false},
		{"escape question", `{"StringLike":{"k":"a${?}"}}`, kv{"k": {"a?"}}, true},
		{"escape question not wildcard", `{"StringLike":{"k":"a${?}"}}`, kv{"k": {"ab"}}, false},
		{"escape dollar", `{"StringEquals":{"k":"${$}{x}"}}`, kv{"k": {"${x}"}}, true},
		{"value wildcard is literal", `{"StringLike":{"k":"${aws:username}"}}`, kv{"aws:username": {"Bob*"}, "k": {"Bobby"}}, false},
		{"value wildcard literal hit", `{"StringLike":{"k":"${aws:username}"}}`, kv{"aws:username": {"Bob*"}, "k": {"Bob*"}}, true},
		{"ArnLike variable", `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::${aws:username}-*"}}`, kv{"aws:username": {"bob"}, "aws:SourceArn": {"arn:aws:s3:::bob-logs"}}, true},
		{"Bool variable", `{"Bool":{"k":"${aws:SecureTransport}"}}`, kv{"aws:SecureTransport": {"true"}, "k": {"TRUE"}}, true},
		{"no variables in Numeric", `{"NumericEquals":{"n":"1"}}`, kv{"n": {"1"}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := condHolds(t, tc.cond, tc.ctx); got != tc.want {
				t.Errorf("%s with %v = %v, want %v", tc.cond, tc.ctx, got, tc.want)
			}
		})
	}
	// Variables are not expanded in Numeric values: "${aws:n}" is not a
	// number, so the condition never matches and validation says why.
	p := mustParse(t, "v.json", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericEquals":{"n":"${aws:n}"}}}}`)
	if len(p.Findings) != 1 || !strings.Contains(p.Findings[0].Why, "not expanded in Numeric conditions") {
		t.Errorf("findings %v", p.Findings)
	}
	if condHolds(t, `{"NumericEquals":{"n":"${aws:n}"}}`, kv{"n": {"1"}, "aws:n": {"1"}}) {
		t.Error("a variable in a Numeric value must not match")
	}
}
