package permission

import (
	"fmt"
	"slices"
)

// Probes a grant must not cover under disableTrustAll: a grant that allows
// these allows every call of its tool, which is trusting the tool by
// another name.
var (
	wildcardCommands = []string{"rm -rf /", "sh", "curl http://example.invalid/x"}
	wildcardPaths    = []string{"/etc/passwd", "/"}
)

// dropWildcardGrants removes the toolsSettings allow rules that allow every
// call of their tool (allowedCommands ".*", allowedPaths "/**",
// allowedServices "*"), returning one warning line for each. Under
// disableTrustAll they would trust execute_bash, fs_write and use_aws as
// surely as allowedTools "*"; the calls they covered ask instead.
func (c *Checker) dropWildcardGrants(source string) []string {
	var warns []string
	warn := func(key, pattern string) {
		where := ""
		if source != "" {
			where = " in " + source
		}
		warns = append(warns, fmt.Sprintf("toolsSettings.%s %q%s allows every call, which disableTrustAll forbids; ignored", key, pattern, where))
	}
	c.bash.allowed = slices.DeleteFunc(c.bash.allowed, func(r cmdRule) bool {
		every := slices.ContainsFunc(wildcardCommands, r.re.MatchString)
		if every {
			warn("execute_bash.allowedCommands", r.orig)
		}
		return every
	})
	c.write.allowed = slices.DeleteFunc(c.write.allowed, func(r pathRule) bool {
		every := slices.ContainsFunc(wildcardPaths, func(p string) bool { return r.matches([]string{p}) })
		if every {
			warn("fs_write.allowedPaths", r.orig)
		}
		return every
	})
	c.aws.allowed = slices.DeleteFunc(c.aws.allowed, func(s string) bool {
		every := s == "*"
		if every {
			warn("use_aws.allowedServices", s)
		}
		return every
	})
	return warns
}
