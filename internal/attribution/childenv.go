package attribution

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
var unsetVars = []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN", "AWS_CREDENTIAL_EXPIRATION"}

// childEnviron is what a child gets in addition to the user's environment:
// the role's keys, the profile variables unset, and, when the region came
// from the removed profile, that region, so the child still talks to the
// region it would have. What the removed profile also configured (an
// endpoint_url, S3 settings) falls back to the default profile: that is
// the price of a child that cannot slip back to the user's credentials.
//
// Unsetting AWS_PROFILE does not stop a command that deliberately names a
// profile (aws --profile x) or reads ~/.aws/credentials; that is for the
// sandbox to forbid and for IAM to make pointless. use_aws refuses
// profile_name while attribution is on.
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
