package cli

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/session"
)

// TestChatFlagsBecomeSessionOptions: q chat's flags reach the session as
// typed options, --trust-tools parsed into names.
func TestChatFlagsBecomeSessionOptions(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want session.Options
	}{
		{[]string{}, session.Options{}},
		{[]string{"--agent", "dev", "--model", "openai/gpt-4.1", "-r", "--no-interactive", "hi"},
			session.Options{Agent: "dev", Model: "openai/gpt-4.1", Resume: true, NoInteractive: true}},
		{[]string{"--profile", "old"}, session.Options{Profile: "old"}},
		{[]string{"--agent", "new", "--profile", "old"}, session.Options{Agent: "new", Profile: "old"}},
		{[]string{"-a", "--untrust-fs-read", "--trust-workspace"},
			session.Options{Permissions: permission.Options{TrustAll: true, UntrustFsRead: true}, TrustWorkspace: true}},
		{[]string{"--trust-tools", "fs_read, ,execute_bash,"},
			session.Options{Permissions: permission.Options{TrustToolsSet: true, TrustTools: []string{"fs_read", "execute_bash"}}}},
		{[]string{"--trust-tools="}, session.Options{Permissions: permission.Options{TrustToolsSet: true}}},
	} {
		var errOut bytes.Buffer
		stdio := IO{Out: &bytes.Buffer{}, ErrOut: &errOut}
		g := &globalOptions{verbose: 2}
		var got session.Options
		cmd := newCmdChat(&chatFactory{IO: stdio, Global: g}, func(o *chatOptions) error {
			got = o.sessionOptions()
			return nil
		})
		cmd.SetArgs(tc.args)
		cmd.SetErr(&bytes.Buffer{})
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		want := tc.want
		want.ErrOut, want.Verbose = &errOut, 2
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%v:\n got %+v\nwant %+v", tc.args, got, want)
		}
	}
}
