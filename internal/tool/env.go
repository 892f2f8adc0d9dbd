package tool

import "strings"

// MarkerKey is the variable the AWS CLI and SDKs read into their user agent
// as "exec-env/<value>"; Q CLI sets it so policies can tell AI-made calls.
const MarkerKey = "AWS_EXECUTION_ENV"

// Marker returns the value appended to AWS_EXECUTION_ENV for this version.
func Marker(version string) string {
	return "AmazonQ-For-CLI Version/" + version
}

// ChildEnv returns environ with the AI marker appended to AWS_EXECUTION_ENV,
// or set when it is absent or empty, as the Q CLI does for every child.
func ChildEnv(environ []string, version string) []string {
	out := make([]string, 0, len(environ)+1)
	found := false
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, MarkerKey+"="); ok {
			if found {
				continue
			}
			found = true
			if strings.TrimSpace(v) == "" {
				kv = MarkerKey + "=" + Marker(version)
			} else if !strings.Contains(v, Marker(version)) {
				kv = MarkerKey + "=" + v + " " + Marker(version)
			}
		}
		out = append(out, kv)
	}
	if !found {
		out = append(out, MarkerKey+"="+Marker(version))
	}
	return out
}
