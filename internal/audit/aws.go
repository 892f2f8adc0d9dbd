package audit

import (
	"fmt"
	"os"
	"strings"
	"unicode"
)

// eventSources maps AWS CLI service names whose CloudTrail eventSource is not
// simply "<name>.amazonaws.com".
var eventSources = map[string]string{
	"s3api":           "s3",
	"s3control":       "s3",
	"cloudwatch":      "monitoring",
	"elb":             "elasticloadbalancing",
	"elbv2":           "elasticloadbalancing",
	"sesv2":           "ses",
	"stepfunctions":   "states",
	"configservice":   "config",
	"opensearch":      "es",
	"lexv2-models":    "lex",
	"lexv2-runtime":   "lex",
	"dynamodbstreams": "dynamodb",
}

// AWSEventSource returns the CloudTrail eventSource of an AWS CLI service
// name, as use_aws takes it: "s3api" gives "s3.amazonaws.com", "cloudwatch"
// gives "monitoring.amazonaws.com", "ec2" gives "ec2.amazonaws.com".
func AWSEventSource(service string) string {
	s := strings.ToLower(strings.TrimSpace(service))
	if m, ok := eventSources[s]; ok {
		s = m
	}
	return s + ".amazonaws.com"
}

// AWSEventName returns the API action name of an AWS CLI operation name:
// "list-buckets" gives "ListBuckets". Names already in that form are kept.
func AWSEventName(operation string) string {
	var b strings.Builder
	upper := true
	for _, r := range strings.TrimSpace(operation) {
		if r == '-' || r == '_' {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
		}
		b.WriteRune(r)
		upper = false
	}
	return b.String()
}

// LocalIdentity returns the identity of the local account running q, for
// calls that are not AWS API calls: type "LocalUser", the login name from
// $USER (or $LOGNAME) and principalId "uid:<uid>".
func LocalIdentity() UserIdentity {
	name := os.Getenv("USER")
	if name == "" {
		name = os.Getenv("LOGNAME")
	}
	return UserIdentity{Type: "LocalUser", UserName: name, PrincipalID: fmt.Sprintf("uid:%d", os.Getuid())}
}
