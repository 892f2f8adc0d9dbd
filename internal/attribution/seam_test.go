package attribution_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/tool"
)

// These tests pin the tool.Env.Credentials seam that the Provider plugs
// into: what execute_bash and use_aws do with its entries and its errors.

// seamEnv returns an Env in a temp dir whose PATH holds a fake aws that
// records that it ran, plus the marker file it creates.
func seamEnv(t *testing.T, creds func(context.Context) ([]string, error)) (*tool.Env, string) {
	t.Helper()
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\ntouch " + marker + "\necho \"key=$AWS_ACCESS_KEY_ID profile=${AWS_PROFILE-unset}\"\n"
	if err := os.WriteFile(filepath.Join(bin, "aws"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	environ := []string{"PATH=" + bin + ":/usr/bin:/bin", "HOME=" + dir,
		"AWS_ACCESS_KEY_ID=userkey", "AWS_PROFILE=prod", "KEEP=1"}
	return &tool.Env{Cwd: dir, Environ: environ, Version: "9.9.9", Credentials: creds}, marker
}

func run(t *testing.T, tl tool.Tool, env *tool.Env, input string) tool.Result {
	t.Helper()
	inv, err := tl.Prepare(env, json.RawMessage(input))
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	return inv.Run(context.Background(), nil)
}

func text(r tool.Result) string {
	var b strings.Builder
	for _, blk := range r.Content {
		if blk.Type == model.TextBlock {
			b.WriteString(blk.Text)
		}
	}
	return b.String()
}

func bashInput(cmd string) string {
	b, _ := json.Marshal(map[string]string{"command": cmd})
	return string(b)
}

const listBuckets = `{"service_name":"s3api","operation_name":"list-buckets","region":"us-east-1","label":"list"}`

func TestSeamAppliesEntriesToChildren(t *testing.T) {
	creds := func(context.Context) ([]string, error) {
		return []string{"AWS_PROFILE", "AWS_ACCESS_KEY_ID=ASIAROLE", "NOT_SET_BEFORE"}, nil
	}
	env, _ := seamEnv(t, creds)
	r := run(t, tool.ExecuteBash{}, env, bashInput(`echo "$AWS_ACCESS_KEY_ID ${AWS_PROFILE-unset} $KEEP ${NOT_SET_BEFORE-unset}"`))
	if r.IsError || !strings.Contains(text(r), `ASIAROLE unset 1 unset`) {
		t.Errorf("execute_bash: %s", text(r))
	}
	r = run(t, tool.UseAWS{}, env, listBuckets)
	if r.IsError || !strings.Contains(text(r), "key=ASIAROLE profile=unset") {
		t.Errorf("use_aws: %s", text(r))
	}
	if got := strings.Join(env.Environ, " "); !strings.Contains(got, "AWS_PROFILE=prod") {
		t.Errorf("the session's Environ was modified: %s", got)
	}
}

func TestSeamErrorRefusesTheCall(t *testing.T) {
	creds := func(context.Context) ([]string, error) {
		return nil, errors.New("cannot assume the attribution role arn:aws:iam::1:role/r: AccessDenied: no")
	}
	want := "AWS credentials for AI-initiated calls are unavailable: cannot assume the attribution role arn:aws:iam::1:role/r: AccessDenied: no"
	env, marker := seamEnv(t, creds)
	for _, c := range []struct {
		tl    tool.Tool
		input string
	}{
		{tool.ExecuteBash{}, bashInput("touch " + marker)},
		{tool.UseAWS{}, listBuckets},
	} {
		r := run(t, c.tl, env, c.input)
		if !r.IsError || text(r) != want {
			t.Errorf("%s: IsError=%v %q", c.tl.Spec().Name, r.IsError, text(r))
		}
		if _, err := os.Stat(marker); err == nil {
			t.Fatalf("%s started the process despite the error", c.tl.Spec().Name)
		}
	}
}

func TestUseAWSRefusesProfileWhileAttributed(t *testing.T) {
	input := `{"service_name":"s3api","operation_name":"list-buckets","region":"us-east-1","label":"l","profile_name":"prod"}`
	env, _ := seamEnv(t, func(context.Context) ([]string, error) { return nil, nil })
	_, err := tool.UseAWS{}.Prepare(env, json.RawMessage(input))
	if err == nil || !strings.Contains(err.Error(), "profile_name") || !strings.Contains(err.Error(), "aws.attributionRoleArn") {
		t.Errorf("Prepare with profile_name: %v", err)
	}
	env.Credentials = nil
	if _, err := (tool.UseAWS{}).Prepare(env, json.RawMessage(input)); err != nil {
		t.Errorf("without attribution profile_name must stay allowed: %v", err)
	}
}
