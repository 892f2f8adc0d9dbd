package awspolicy

// Red-team findings (branch h-attack): shell lines that call AWS but which
// the IAM-policy guard does not judge at all (judged=false), so an agent
// that trusts execute_bash runs them. Asserts the secure outcome.
//
//   go test ./internal/awspolicy -run 'TestAttack' -v -count=1

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/tool"
)

func TestAttackGuardUnjudged(t *testing.T) {
	g, _ := guard(t)
	home := t.TempDir()
	g.Environ = []string{"HOME=" + home, "AWS_REGION=us-east-1"}
	if err := os.MkdirAll(filepath.Join(home, ".aws", "cli"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"cp /usr/local/bin/aws ./x; ./x s3 rm s3://prod/k",
		"ln -s /usr/local/bin/aws ./x; ./x s3 rm s3://prod/k",
		"/proc/self/exe -c 'aws s3 rm s3://prod/k'",
		"make -f - <<< $'all:\\n\\taws s3 rm s3://prod/k'",
		"man -P 'aws s3 rm s3://prod/k' ls",
		"exec 3<<< 'aws s3 rm s3://prod/k'; bash <&3",
		"sed --expression='1e aws s3 rm s3://prod/k' f",
		"setpriv aws s3 rm s3://prod/k",
		"dbus-run-session aws s3 rm s3://prod/k",
		"sg users 'aws s3 rm s3://prod/k'",
		"make --eval='x:; aws s3 rm s3://prod/k' x",
		"npx -c 'aws s3 rm s3://prod/k'",
		"bash --rcfile <(echo 'aws s3 rm s3://prod/k; exit') -i",
		"echo 'aws s3 rm s3://prod/k' > e; env BASH_ENV=./e bash -c true",
		"y='a[$(c=aws; $c s3 rm s3://prod/k)]'; [[ 1 -eq $y ]]",
		"x='$(c=aws; $c s3 rm s3://prod/k)'; echo \"${x@P}\"",
		"git -c core.fsmonitor= -c core.hooksPath=/dev/null -C fx status", // fx/config: filter.x.clean = aws s3 rm …
		// credential_process runs an arbitrary command on the next aws call
		"aws configure set credential_process 'sh -c \"rm -rf ~\"'",
	} {
		d, judged := g.Check(tool.Access{Command: line})
		if !judged || d.Kind == permission.Allow {
			t.Errorf("IAM guard bypass: %q judged=%v %v (%q), want Ask or Deny", line, judged, d.Kind, d.Rule)
		}
	}
}

// The same AWS CLI option abbreviation on the shell: the guard judges
// us-east-1 (allowed by the SCP) while the CLI calls ap-south-1, which the
// SCP DenyOutsideEU forbids.
func TestAttackGuardAbbreviatedRegion(t *testing.T) {
	g, _ := guard(t)
	home := t.TempDir()
	g.Environ = []string{"HOME=" + home, "AWS_REGION=us-east-1"}
	for _, line := range []string{
		"aws s3 ls s3://prod --regio ap-south-1",
		"aws --regi ap-south-1 s3 ls s3://prod",
		"aws ec2 stop-instances --instance-ids i-1 --reg ap-south-1",
	} {
		d, judged := g.Check(tool.Access{Command: line})
		if !judged || d.Kind == permission.Allow {
			t.Errorf("IAM guard region bypass: %q judged=%v %v (%q), want Deny (ap-south-1 is outside the SCP's regions)", line, judged, d.Kind, d.Rule)
		}
	}
}
