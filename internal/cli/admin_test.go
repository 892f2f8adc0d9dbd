package cli

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/apikey"
	"github.com/qdev/qdev/internal/server"
	"github.com/qdev/qdev/internal/serverstore"
	"github.com/qdev/qdev/internal/serverstore/storetest"
)

// runCmd runs cmd with args under a bare root, as Main would, returning
// stdout, stderr and the error.
func runCmd(cmd *cobra.Command, out, errOut *bytes.Buffer, args ...string) error {
	root := &cobra.Command{Use: "q", SilenceErrors: true, SilenceUsage: true}
	root.SetOut(out)
	root.SetErr(errOut)
	root.AddCommand(cmd)
	root.SetArgs(args)
	return root.Execute()
}

func TestAdminFlagParsing(t *testing.T) {
	var got any
	capture := func(v any) error { got = v; return nil }
	f := &adminFactory{Getenv: func(string) string { return "" }}
	r := &adminRunners{
		users:  func(o *usersOptions) error { c := *o; c.adminFactory = nil; return capture(c) },
		groups: func(o *groupsOptions) error { c := *o; c.adminFactory = nil; return capture(c) },
		tiers:  func(o *tiersOptions) error { c := *o; c.adminFactory = nil; return capture(c) },
		subs:   func(o *subsOptions) error { c := *o; c.adminFactory = nil; return capture(c) },
		keys:   func(o *keysOptions) error { c := *o; c.adminFactory = nil; return capture(c) },
		scim:   func(o *scimOptions) error { c := *o; c.adminFactory = nil; return capture(c) },
	}
	n := func(v int64) *int64 { return &v }
	for _, tc := range []struct {
		args    string
		want    any
		wantErr string
	}{
		{"users create a@example.com --name A --group x --group y", usersOptions{Action: "create", Email: "a@example.com", Name: "A", Role: "user", Groups: []string{"x", "y"}}, ""},
		{"users disable a@example.com", usersOptions{Action: "disable", Email: "a@example.com", Role: "user"}, ""},
		{"users show", nil, "accepts 1 arg"},
		{"groups add eng a@example.com b@example.com", groupsOptions{Action: "add", Name: "eng", Emails: []string{"a@example.com", "b@example.com"}}, ""},
		{"groups add eng", nil, "requires at least 2 arg"},
		{"tiers set Team --requests-per-day 5 --models a,b", tiersOptions{Action: "set", Name: "Team",
			Tier: adminapi.SetTier{RequestsPerDay: n(5), Models: []string{"a", "b"}}}, ""},
		{"tiers set Team --tokens-per-month -1", nil, "--tokens-per-month: must not be negative"},
		{"subscriptions assign --group eng --tier Pro", subsOptions{Action: "assign", Assign: adminapi.Assign{Group: "eng", Tier: "Pro"}}, ""},
		{"subscriptions assign --user a@example.com --group eng --tier Pro", nil, "exactly one of --user EMAIL and --group NAME"},
		{"subscriptions assign --user a@example.com", nil, "--tier is required"},
		{"keys create --user a@example.com --expires 90d", keysOptions{Action: "create", User: "a@example.com", Name: "default", Expires: "90d"}, ""},
		{"keys revoke laptop", nil, "--user EMAIL is required"},
		{"users list --format yaml", nil, "--format: expected table or json"},
		{"scim token create --name okta", scimOptions{Action: "create", Name: "okta"}, ""},
		{"scim token revoke okta", scimOptions{Action: "revoke", Name: "okta"}, ""},
		{"scim token revoke", nil, "accepts 1 arg"},
	} {
		got = nil
		// A fresh tree per case: flag values persist in the options.
		var out, errOut bytes.Buffer
		err := runCmd(newCmdAdmin(f, r), &out, &errOut, append([]string{"admin"}, strings.Fields(tc.args)...)...)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: err = %v, want %q", tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v, %v\nwant %+v", tc.args, got, err, tc.want)
		}
	}
}

func TestParseDays(t *testing.T) {
	for in, want := range map[string]int{"": 0, "1d": 1, "90d": 90} {
		if got, err := parseDays(in); err != nil || got != want {
			t.Errorf("parseDays(%q) = %d, %v", in, got, err)
		}
	}
	for _, in := range []string{"90", "0d", "3w", "-1d", "99999d"} {
		if _, err := parseDays(in); err == nil {
			t.Errorf("parseDays(%q) accepted", in)
		}
	}
}

// TestAdminAgainstServer runs q admin commands against a real server on a
// SQLite store, as a user would.
func TestAdminAgainstServer(t *testing.T) {
	st := storetest.Open(t, serverstore.Options{Dir: t.TempDir()})
	key := apikey.New()
	if _, err := st.Initialise(t.Context(), "root@example.com", apikey.Store(key)); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler())
	defer hs.Close()
	env := map[string]string{"QDEV_API_KEY": key, "QDEV_START_URL": hs.URL}
	q := func(args string) (string, string, error) {
		var out, errOut bytes.Buffer
		f := &adminFactory{IO: IO{Out: &out, ErrOut: &errOut}, Getenv: func(k string) string { return env[k] }}
		err := runCmd(newCmdAdmin(f, nil), &out, &errOut, append([]string{"admin"}, strings.Fields(args)...)...)
		return out.String(), errOut.String(), err
	}
	for _, args := range []string{
		"groups create eng",
		"users create alice@example.com --name Alice --group eng",
		"tiers set Team --requests-per-day 500",
		"subscriptions assign --group eng --tier Team",
	} {
		if _, _, err := q(args); err != nil {
			t.Fatalf("%s: %v", args, err)
		}
	}
	out, _, err := q("subscriptions list")
	if err != nil || !strings.Contains(out, "group eng") || !strings.Contains(out, "Subscribed") {
		t.Fatalf("subscriptions list = %q, %v", out, err)
	}
	out, _, err = q("keys create --user alice@example.com --name laptop")
	if err != nil || strings.Count(out, "\n") != 1 {
		t.Fatalf("keys create printed %q, %v", out, err)
	}
	aliceKey := strings.TrimSpace(out)
	if _, err := apikey.Parse(aliceKey); err != nil {
		t.Fatalf("keys create printed %q", out)
	}
	out, _, err = q("keys list --format json")
	if err != nil || strings.Contains(out, aliceKey) || !strings.Contains(out, `"laptop"`) {
		t.Fatalf("keys list = %q, %v", out, err)
	}
	env["QDEV_API_KEY"] = aliceKey
	_, _, err = q("users list")
	var p *adminapi.Problem
	if !errors.As(err, &p) || p.Status != 403 {
		t.Fatalf("a user listing users: %v", err)
	}
	env["QDEV_API_KEY"] = key
	if _, _, err := q("keys revoke laptop --user alice@example.com"); err != nil {
		t.Fatal(err)
	}
	out, msg, err := q("scim token create --name okta")
	scimToken := strings.TrimSpace(out)
	if _, perr := apikey.Parse(scimToken); err != nil || perr != nil || strings.Count(out, "\n") != 1 ||
		!strings.Contains(msg, hs.URL+"/scim/v2") {
		t.Fatalf("scim token create printed %q and %q, %v", out, msg, err)
	}
	if out, _, err := q("scim token list"); err != nil || !strings.Contains(out, "okta") || strings.Contains(out, scimToken) {
		t.Fatalf("scim token list = %q, %v", out, err)
	}
	if _, msg, err := q("scim token revoke okta"); err != nil || msg != "Revoked SCIM token \"okta\"\n" {
		t.Fatalf("scim token revoke: %q, %v", msg, err)
	}
	_, _, err = q("users create bad")
	if err == nil || err.Error() != `email: "bad" is not an email address` {
		t.Fatalf("bad email: %v", err)
	}
}
