package permission

import (
	"slices"
	"strings"
)

// readOnlyAWSPrefixes are the original's READONLY_OPS. It matches them as
// raw prefixes of the operation name, so its "batch_get" never matches the
// kebab-case names the AWS CLI uses ("batch-get-item"); qdev accepts both
// spellings.
var readOnlyAWSPrefixes = []string{"get", "describe", "list", "ls", "search", "batch-get", "batch_get"}

// IsReadOnlyAWSOperation reports whether an AWS CLI operation name (e.g.
// "list-buckets", "describe-instances", "get-object", "ls") only reads, by
// the original's list of verbs: get, describe, list, ls, search, batch-get.
// Unlike the original, the verb must be the whole name or be followed by '-'
// or '_', so "getaway-foo" or "lsof" do not count.
func IsReadOnlyAWSOperation(op string) bool {
	for _, p := range readOnlyAWSPrefixes {
		if rest, ok := strings.CutPrefix(op, p); ok && (rest == "" || rest[0] == '-' || rest[0] == '_') {
			return true
		}
	}
	return false
}

// decideAWS judges use_aws: a denied service denies, even when
// use_aws is trusted; trust or allowedServices allow; with
// autoAllowReadonly a read-only operation is allowed; else ask. Service
// names are compared exactly, as in the original.
func (c *Checker) decideAWS(service, op string, tr trust) Decision {
	s := c.aws
	if s.invalid != "" {
		return ask(LayerAgent, s.invalid)
	}
	if slices.Contains(s.denied, service) {
		return deny(LayerAgent, `toolsSettings.use_aws.deniedServices "`+service+`"`, service)
	}
	switch {
	case tr.trusted:
		return allow(tr.layer, tr.rule)
	case tr.untrusted:
	case slices.Contains(s.allowed, service):
		return allow(LayerAgent, `toolsSettings.use_aws.allowedServices "`+service+`"`)
	case s.autoAllowReadonly && IsReadOnlyAWSOperation(op):
		return allow(LayerAgent, "read-only operation (toolsSettings.use_aws.autoAllowReadonly)")
	}
	return untrusted(LayerDefault, strings.TrimSpace(service+" "+op))
}
