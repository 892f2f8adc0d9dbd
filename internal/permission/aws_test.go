package permission

import (
	"testing"

	"github.com/qdev/qdev/internal/tool"
)

func TestIsReadOnlyAWSOperation(t *testing.T) {
	for op, want := range map[string]bool{
		"list-task-definitions": true, // the original's vectors
		"list-functions":        true,
		"put-object":            false,
		"describe-instances":    true,
		"get-object":            true,
		"ls":                    true,
		"search-resources":      true,
		"batch-get-item":        true, // kebab form: fixed gotcha
		"batch_get_item":        true,
		"batch-write-item":      false,
		"getaway-foo":           false, // the original's raw prefix match would say true
		"lsof":                  false,
		"delete-bucket":         false,
		"":                      false,
	} {
		if got := IsReadOnlyAWSOperation(op); got != want {
			t.Errorf("IsReadOnlyAWSOperation(%q) = %v, want %v", op, got, want)
		}
	}
}

func awsAcc(service, op string) tool.Access {
	return tool.Access{AWSService: service, AWSOperation: op, AWSRegion: "us-west-2"}
}

// The original's use_aws test_eval_perm* tests.
func TestUseAWSOriginalVectors(t *testing.T) {
	denyS3 := map[string]string{"use_aws": `{"deniedServices": ["s3"]}`}
	c, _ := newChecker(t, denyS3, nil, Options{})
	if d := c.Decide("use_aws", "", awsAcc("s3", "put-object")); d.Kind != Deny || !hasReason(d, "s3") {
		t.Errorf("denied service: %+v", d)
	}
	if d := c.Decide("use_aws", "", awsAcc("api_gateway", "request")); d.Kind != Ask {
		t.Errorf("other service: %+v", d)
	}
	c, _ = newChecker(t, denyS3, []string{"use_aws"}, Options{})
	if d := c.Decide("use_aws", "", awsAcc("api_gateway", "request")); d.Kind != Allow {
		t.Errorf("trusted: %+v", d)
	}
	if d := c.Decide("use_aws", "", awsAcc("s3", "put-object")); d.Kind != Deny {
		t.Errorf("denied beats trusted: %+v", d)
	}

	c, _ = newChecker(t, nil, nil, Options{})
	for _, op := range []string{"list-objects", "put-object"} {
		if d := c.Decide("use_aws", "", awsAcc("s3", op)); d.Kind != Ask {
			t.Errorf("default %s: %+v", op, d)
		}
	}
	c, _ = newChecker(t, map[string]string{"use_aws": `{"autoAllowReadonly": true}`}, nil, Options{})
	if d := c.Decide("use_aws", "", awsAcc("s3", "list-objects")); d.Kind != Allow {
		t.Errorf("autoAllowReadonly read: %+v", d)
	}
	if d := c.Decide("use_aws", "", awsAcc("s3", "put-object")); d.Kind != Ask {
		t.Errorf("autoAllowReadonly write: %+v", d)
	}
	c, _ = newChecker(t, map[string]string{"use_aws": `{"autoAllowReadonly": true, "deniedServices": ["s3"]}`}, nil, Options{})
	if d := c.Decide("use_aws", "", awsAcc("s3", "list-objects")); d.Kind != Deny {
		t.Errorf("denied read-only: %+v", d)
	}
	c, _ = newChecker(t, map[string]string{"use_aws": `{"allowedServices": ["ec2"], "profile_name": "dev"}`}, nil, Options{TrustAll: true})
	if d := c.Decide("use_aws", "", awsAcc("s3", "delete-bucket")); d.Kind != Allow || d.Rule != "trusted (trust-all)" {
		t.Errorf("trust-all: %+v", d)
	}
}

func TestUseAWSAllowedServices(t *testing.T) {
	c, warns := newChecker(t, map[string]string{"use_aws": `{"allowedServices": ["ec2"], "profile_name": "dev"}`}, nil, Options{})
	if len(warns) != 0 {
		t.Errorf("profile_name is read by the use_aws tool; warnings = %q", warns)
	}
	if d := c.Decide("use_aws", "", awsAcc("ec2", "terminate-instances")); d.Kind != Allow || d.Rule != `toolsSettings.use_aws.allowedServices "ec2"` {
		t.Errorf("allowed service: %+v", d)
	}
	if d := c.Decide("use_aws", "", awsAcc("EC2", "describe-instances")); d.Kind != Ask {
		t.Errorf("service names are exact: %+v", d)
	}
}
