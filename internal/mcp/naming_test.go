package mcp

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSanitizeName(t *testing.T) {
	for in, want := range map[string]string{
		"@awslabs.cdk-mcp-server": "awslabscdkmcpserver",
		"good_name":               "good_name",
		"a___b___c":               "abc",
		"1tool":                   "a1tool",
		"_x":                      "a_x",
		"get-sum":                 "getsum",
		"naïve":                   "nave",
	} {
		if got := sanitizeName(in); got != want {
			t.Errorf("sanitizeName(%q) = %q, want %q", in, got, want)
		}
	}
	got := sanitizeName("@@@@@")
	if !validToolName.MatchString(got) || len(got) != 4 || got != sanitizeName("@@@@@") {
		t.Errorf("sanitizeName(@@@@@) = %q, want a stable a+3 digits", got)
	}
}

func TestNameTable(t *testing.T) {
	tools := func(names ...string) []rawTool {
		var out []rawTool
		for _, n := range names {
			out = append(out, rawTool{name: n, description: "d"})
		}
		return out
	}
	model := func(es []toolEntry) string {
		var s []string
		for _, e := range es {
			s = append(s, e.host+"="+e.model)
		}
		return strings.Join(s, " ")
	}
	for _, tc := range []struct {
		name    string
		tools   []rawTool
		want    string
		warning string
	}{
		{"sanitised clash gets a 1", tools("getsum", "get-sum"), "getsum=getsum get-sum=getsum1", "get-sum -> getsum1"},
		{"valid name after a sanitised one is renamed", tools("get-sum", "getsum"), "get-sum=getsum getsum=s_getsum", "getsum -> s_getsum"},
		{"64 characters is the limit", tools(strings.Repeat("a", 64), strings.Repeat("b", 65)), strings.Repeat("a", 64) + "=" + strings.Repeat("a", 64), "exceeds max length of 64"},
		{"empty description", []rawTool{{name: "nodesc"}}, "", "tool schema contains empty description"},
		{"a built-in name is renamed", tools("fs_read", "ok"), "fs_read=s_fs_read ok=ok", "fs_read -> s_fs_read"},
		{"alias", tools("git-status"), "git-status=status", ""},
	} {
		nt := newNameTable([]string{"fs_read"})
		got, warns := nt.assign("s", tc.tools, map[string]string{"@s/git-status": "status"})
		if model(got) != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, model(got), tc.want)
		}
		if w := strings.Join(warns, "\n"); !strings.Contains(w, tc.warning) {
			t.Errorf("%s: warnings %q lack %q", tc.name, w, tc.warning)
		}
	}

	nt := newNameTable(nil)
	nt.assign("a", tools("echo"), nil)
	if got, warns := nt.assign("b", tools("echo", "other"), nil); model(got) != "echo=b_echo other=other" || !strings.Contains(strings.Join(warns, ""), "echo -> b_echo") {
		t.Errorf("cross-server clash: %q %q", model(got), warns)
	}
	// An alias that clashes is the user's choice, so it is rejected, not renamed.
	if got, warns := nt.assign("c", tools("x"), map[string]string{"@c/x": "echo"}); model(got) != "" || !strings.Contains(strings.Join(warns, ""), "conflict with existing tools") {
		t.Errorf("clashing alias: %q %q", model(got), warns)
	}
	// Re-listing a server keeps its own names; releasing frees them.
	if got, _ := nt.assign("a", tools("echo"), nil); model(got) != "echo=echo" {
		t.Errorf("re-list: %q", model(got))
	}
	nt.release("a")
	if got, _ := nt.assign("b", tools("echo"), nil); model(got) != "echo=echo" {
		t.Errorf("after release: %q", model(got))
	}
	long := strings.Repeat("x", maxDescriptionLen+50)
	if got, _ := newNameTable(nil).assign("s", []rawTool{{name: "t", description: long}}, nil); len(got[0].description) != maxDescriptionLen {
		t.Errorf("description length %d", len(got[0].description))
	}
}

func TestConfigFileEditKeepsOtherKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "mcp.json")
	f, err := OpenFile(path)
	if err != nil || f.Exists {
		t.Fatalf("OpenFile(missing) = %+v, %v", f, err)
	}
	f.Set("a", []byte(`{"command":"x"}`))
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("new file: %v, %v", fi, err)
	}
	writeFile(t, path, `{"zeta": true, "mcpServers": {"b": {"command": "y", "custom": [1, 2]}, "a": {"command": "x"}}, "alpha": {"k": "v"}}`)
	f, err = OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.Names(), ","); got != "b,a" {
		t.Errorf("Names = %s", got)
	}
	if !f.Remove("a") || f.Remove("a") {
		t.Error("Remove")
	}
	f.Set("c", []byte(`{"command":"z"}`))
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	want := `{
  "zeta": true,
  "mcpServers": {
    "b": {
      "command": "y",
      "custom": [
        1,
        2
      ]
    },
    "c": {
      "command": "z"
    }
  },
  "alpha": {
    "k": "v"
  }
}
`
	if string(b) != want {
		t.Errorf("saved:\n%s\nwant:\n%s", b, want)
	}
	for _, bad := range []string{`[]`, `{"mcpServers": []}`, `{"a":1} x`, `{`} {
		writeFile(t, path, bad)
		if _, err := OpenFile(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("OpenFile(%s) error = %v, want one naming the file", bad, err)
		}
	}
}

func TestHeadersAreSent(t *testing.T) {
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("Authorization")
	}))
	defer srv.Close()
	hc := &http.Client{Transport: &headerTransport{base: http.DefaultTransport, headers: map[string]string{"Authorization": "Bearer t"}}}
	resp, err := hc.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if h := <-got; h != "Bearer t" {
		t.Errorf("Authorization = %q", h)
	}
}
