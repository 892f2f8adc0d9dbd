package attribution

import "path/filepath"

// Variables removed from a child's environment. An entry without "=" in
// the list Environ returns means "unset" (see tool.Env.Credentials).
//
//   - AWS_PROFILE, AWS_DEFAULT_PROFILE: the AWS CLI and the Go SDK prefer
//     keys in the environment to a profile named there, but the JavaScript
//     SDK v3 (CDK, Amplify, many Node tools) and others skip the keys when
//     AWS_PROFILE is set and would call AWS with the user's own, unmarked,
//     credentials. It cannot be set to "" instead: the AWS CLI then fails
//     with "The config profile () could not be found".
//   - AWS_SECURITY_TOKEN: the legacy name of the session token; a stale
//     one would pair the user's token with the role's keys in old tools.
//   - AWS_CREDENTIAL_EXPIRATION: the user's expiry does not describe these
//     keys, and botocore, given an expiry, "refreshes" from the environment
//     ten minutes before it and fails, since the keys there do not change.
//     Children are better off not knowing: Environ already refreshes
//     RefreshBefore ahead of the real expiry.
//   - the other ways to point an SDK at the user's own credentials: other
//     credential and config files, a web identity token, a role to
//     assume, a container credentials endpoint. Each would sign with
//     something other than the attributed session; the SDKs check most
//     of them before the shared files but after keys in the environment,
//     yet a tool may prefer them (an explicit credential_process, a
//     container endpoint), so none is left behind.
var unsetVars = []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN", "AWS_CREDENTIAL_EXPIRATION",
	"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_SSO_SESSION"}

// CredentialFiles returns the files and directories below home (and those
// the environment points at) that hold the user's own AWS credentials or
// could lead an SDK to them: the shared credential and config files, the
// SSO token cache, the CLI's credential cache and the login cache. The
// sandbox hides them from commands while attribution is on.
func CredentialFiles(home string, getenv func(string) string) []string {
	aws := filepath.Join(home, ".aws")
	out := []string{filepath.Join(aws, "credentials"), filepath.Join(aws, "config"),
		filepath.Join(aws, "sso", "cache"), filepath.Join(aws, "cli", "cache"), filepath.Join(aws, "login")}
	for _, v := range []string{"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		if p := getenv(v); filepath.IsAbs(p) {
			out = append(out, filepath.Clean(p))
		}
	}
	return out
}

// childEnviron is what a child gets in addition to the user's environment:
// the role's keys, the profile variables unset, and, when the region came
// from the removed profile, that region, so the child still talks to the
// region it would have. What the removed profile also configured (an
// endpoint_url, S3 settings) falls back to the default profile: that is
// the price of a child that cannot slip back to the user's credentials.
//
// Unsetting variables does not stop a command that deliberately names a
// profile (aws --profile x) or reads ~/.aws/credentials: the sandbox hides
// the files of CredentialFiles from it. What remains possible is a program
// with its own hard-coded keys; IAM policies and SCPs on the user's own
// keys (deny what only the attributed role should do) and the user-agent
// marker in CloudTrail cover it. use_aws refuses profile_name while
// attribution is on.
func childEnviron(keyID, secret, token, profileRegion string) []string {
	env := make([]string, 0, 9)
	env = append(env, unsetVars...)
	env = append(env,
		"AWS_ACCESS_KEY_ID="+keyID,
		"AWS_SECRET_ACCESS_KEY="+secret,
		"AWS_SESSION_TOKEN="+token,
	)
	if profileRegion != "" {
		env = append(env, "AWS_REGION="+profileRegion, "AWS_DEFAULT_REGION="+profileRegion)
	}
	return env
}
