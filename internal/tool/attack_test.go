package tool

// Red-team finding (branch h-attack): the AWS CLI (argparse) accepts any
// unambiguous prefix of an option, and the last --region wins. use_aws
// refuses the parameters "region", "profile", "debug", "ca-bundle" and
// "no-verify-ssl" by exact name only, so "regio" moves the call to a
// region the IAM guard never judged (it judges the region field), "prof"
// switches credentials (defeating the attribution role), "debu" logs the
// signed headers with the session token. Verified with aws-cli/1.45.11:
// `aws ec2 describe-regions --region us-east-1 --regio ap-south-1` calls
// ec2.ap-south-1.amazonaws.com.
//
//   go test ./internal/tool -run TestAttack -v -count=1

import (
	"encoding/json"
	"testing"
)

func TestAttackUseAWSAbbreviatedGlobalOptions(t *testing.T) {
	env := testEnv(t)
	for _, p := range []string{
		`{"regio":"ap-south-1"}`, `{"reg":"ap-south-1"}`, `{"prof":"admin"}`, `{"profil":"admin"}`,
		`{"debu":null}`, `{"no-verify":null}`, `{"ca-bund":"/tmp/ca.pem"}`,
	} {
		in := `{"service_name":"ec2","operation_name":"stop-instances","region":"us-east-1","label":"x",
			"parameters":{"instance-ids":"i-1","x":1}}`
		var m map[string]any
		_ = json.Unmarshal([]byte(in), &m)
		var extra map[string]any
		_ = json.Unmarshal([]byte(p), &extra)
		params := m["parameters"].(map[string]any)
		delete(params, "x")
		for k, v := range extra {
			params[k] = v
		}
		b, _ := json.Marshal(m)
		inv, err := UseAWS{}.Prepare(env, b)
		if err == nil {
			t.Errorf("use_aws parameter %s accepted: runs aws %q while the judges see region %q profile %q",
				p, inv.(*awsCall).Args(), inv.Access().AWSRegion, inv.Access().AWSProfile)
		}
	}
}
