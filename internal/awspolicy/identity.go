package awspolicy

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// UserAgent is the aws:userAgent an AI-initiated AWS CLI call carries: the
// AI marker as AWS CLI v2 sanitises it into its user agent.
func UserAgent(version string) string {
	return "aws-cli/2 exec-env/AmazonQ-For-CLI-Version-" + version
}

// CallerIdentity returns a function that asks `aws sts get-caller-identity`
// once, on first use, and then returns the cached answer. A failure gives an
// empty Identity: policies that need the principal then simply do not match.
func CallerIdentity(environ []string) func() Identity {
	var once sync.Once
	var id Identity
	return func() Identity {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, "aws", "sts", "get-caller-identity", "--output", "json")
			cmd.Env = environ
			out, err := cmd.Output()
			if err != nil {
				return
			}
			var resp struct{ Arn string }
			if json.Unmarshal(out, &resp) == nil {
				id = identityFromARN(resp.Arn)
			}
		})
		return id
	}
}

// identityFromARN derives aws:username for IAM users; roles and federated
// sessions have none.
func identityFromARN(arn string) Identity {
	id := Identity{ARN: arn}
	if _, name, ok := strings.Cut(arn, ":user/"); ok {
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			name = name[i+1:]
		}
		id.UserName = name
	}
	return id
}
