package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/qdev/qdev/internal/apikey"
	"github.com/qdev/qdev/internal/identity"
	"github.com/qdev/qdev/internal/org"
	"github.com/qdev/qdev/internal/server"
	"github.com/qdev/qdev/internal/serverstore"
	"github.com/qdev/qdev/internal/serverstore/storetest"
)

func TestLoginFlagParsing(t *testing.T) {
	for _, tc := range []struct {
		args    string
		want    any
		wantErr string
	}{
		{"login --start-url http://q.example --use-device-flow", loginOptions{StartURL: "http://q.example", DeviceFlow: true, License: "pro"}, ""},
		{"login --identity-provider http://q.example --license free --region us-east-1", loginOptions{StartURL: "http://q.example", License: "free", Region: "us-east-1"}, ""},
		{"login --identity-provider http://a --start-url http://b", nil, "name the same thing"},
		{"login --license team", nil, `--license: expected free or pro, not "team"`},
		{"login extra", nil, "unknown command"},
		{"logout", "logout", ""},
		{"logout now", nil, "unknown command"},
		{"whoami -f json-pretty", whoamiOptions{Format: "json-pretty"}, ""},
		{"whoami", whoamiOptions{Format: "plain"}, ""},
		{"whoami --format yaml", nil, `--format: expected plain, json or json-pretty, not "yaml"`},
		{"profile --start-url http://q.example", profileOptions{Select: "http://q.example"}, ""},
	} {
		var got any
		d := &orgDeps{}
		root := &cobra.Command{Use: "q", SilenceErrors: true, SilenceUsage: true}
		root.AddCommand(
			NewCmdLogin(d, func(o *loginOptions) error { c := *o; c.orgDeps = nil; got = c; return nil }),
			NewCmdLogout(d, func(*logoutOptions) error { got = "logout"; return nil }),
			NewCmdWhoami(d, func(o *whoamiOptions) error { c := *o; c.orgDeps = nil; got = c; return nil }),
			NewCmdProfile(d, func(o *profileOptions) error { c := *o; c.orgDeps = nil; got = c; return nil }),
		)
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&out)
		root.SetArgs(strings.Fields(tc.args))
		err := root.Execute()
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

// TestLoginWhoamiAdmin: q login (device flow; the approval recorded in the
// store), then q whoami and q admin use the session; q logout ends it.
func TestLoginWhoamiAdmin(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, serverstore.Options{Dir: t.TempDir()})
	adminKey := apikey.New()
	admin, err := st.Initialise(ctx, "root@example.com", apikey.Store(adminKey))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	idp, err := identity.New(ctx, identity.Config{Store: st, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(server.New(st, log, server.WithIdentity(idp)).Handler())
	defer hs.Close()

	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	dir := filepath.Join(t.TempDir(), "org")
	newDeps := func(out, errOut io.Writer) *orgDeps {
		return &orgDeps{IO: IO{Out: out, ErrOut: errOut}, Org: &org.Client{Dir: dir, Getenv: getenv},
			Interactive: func() bool { return false }}
	}

	// The approver watches q login's instructions for the code.
	pr, pw := io.Pipe()
	go func() {
		buf := make([]byte, 4096)
		var seen string
		re := regexp.MustCompile(`enter the code: ([A-Z]{4}-[A-Z]{4})`)
		for {
			n, err := pr.Read(buf)
			seen += string(buf[:n])
			if m := re.FindStringSubmatch(seen); m != nil {
				st.DecideDeviceGrant(ctx, m[1], admin.ID, true, time.Now())
				io.Copy(io.Discard, pr)
				return
			}
			if err != nil {
				return
			}
		}
	}()
	var out bytes.Buffer
	err = loginRun(&loginOptions{orgDeps: newDeps(&out, pw), StartURL: hs.URL, DeviceFlow: true, License: "pro"})
	pw.Close()
	if err != nil || out.String() != "Logged in to "+hs.URL+" as root@example.com.\n" {
		t.Fatalf("login: %q, %v", out.String(), err)
	}

	out.Reset()
	if err := whoamiRun(&whoamiOptions{orgDeps: newDeps(&out, io.Discard), Format: "json"}); err != nil {
		t.Fatal(err)
	}
	var id Identity
	if err := json.Unmarshal(out.Bytes(), &id); err != nil || id.Email != "root@example.com" || id.StartURL != hs.URL ||
		id.Auth != org.KindLogin || id.Role != "admin" || id.Tier != "Free" || id.Groups == nil {
		t.Fatalf("whoami json %q: %+v %v", out.String(), id, err)
	}
	out.Reset()
	if err := whoamiRun(&whoamiOptions{orgDeps: newDeps(&out, io.Discard), Format: "plain"}); err != nil ||
		!strings.HasPrefix(out.String(), "Logged in to "+hs.URL+" as root@example.com\n") {
		t.Fatalf("whoami plain %q, %v", out.String(), err)
	}
	out.Reset()
	if err := profileRun(&profileOptions{orgDeps: newDeps(&out, io.Discard)}); err != nil || !strings.HasPrefix(out.String(), "Organisation: "+hs.URL+"\n") {
		t.Fatalf("profile %q, %v", out.String(), err)
	}

	// q admin, with no key and no --server, acts as the logged-in user.
	out.Reset()
	f := &adminFactory{IO: IO{Out: &out, ErrOut: io.Discard}, Getenv: getenv, Org: &org.Client{Dir: dir, Getenv: getenv}}
	if err := runCmd(newCmdAdmin(f, nil), &out, &bytes.Buffer{}, "admin", "users", "list"); err != nil {
		t.Fatalf("q admin users list: %v", err)
	}
	if !strings.Contains(out.String(), "root@example.com") {
		t.Fatalf("q admin users list printed %q", out.String())
	}

	out.Reset()
	if err := logoutRun(&logoutOptions{orgDeps: newDeps(&out, io.Discard)}); err != nil || out.String() != "Logged out of "+hs.URL+".\n" {
		t.Fatalf("logout: %q, %v", out.String(), err)
	}
	err = whoamiRun(&whoamiOptions{orgDeps: newDeps(io.Discard, io.Discard), Format: "json"})
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 1 || !errors.Is(err, org.ErrNotLoggedIn) {
		t.Fatalf("whoami after logout: %v", err)
	}
	if err := runCmd(newCmdAdmin(f, nil), &out, &bytes.Buffer{}, "admin", "users", "list"); err == nil ||
		!strings.Contains(err.Error(), "run q login") {
		t.Fatalf("q admin after logout: %v", err)
	}
}

func TestReadPassword(t *testing.T) {
	in := filepath.Join(t.TempDir(), "pw")
	for content, want := range map[string]string{"secret pass\n": "secret pass", "secret pass\r\nmore": "secret pass", "no newline": "no newline", "\n": ""} {
		os.WriteFile(in, []byte(content), 0o600)
		f, err := os.Open(in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := readPassword(IO{In: f, ErrOut: io.Discard})
		f.Close()
		if got != want || (want == "") != (err != nil) {
			t.Errorf("%q: %q, %v; want %q", content, got, err, want)
		}
	}
}
