package mcp

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseServer(t *testing.T) {
	for _, tc := range []struct {
		name, entry string
		want        ServerConfig // compared when err is ""
		warn, err   string
	}{
		{name: "s", entry: `{"command":"mycommand","args":["arg1","arg2"],"env":{"API_KEY":"value1"},"timeout":60000}`,
			want: ServerConfig{Name: "s", Type: TypeStdio, Command: "mycommand", Args: []string{"arg1", "arg2"}, Env: map[string]string{"API_KEY": "value1"}, Timeout: time.Minute}},
		// Check 70: the default timeout is one minute; 30000 means 30 s.
		{name: "s", entry: `{"command":"npx"}`, want: ServerConfig{Name: "s", Type: TypeStdio, Command: "npx", Timeout: 60 * time.Second}},
		{name: "s", entry: `{"command":"npx","timeout":30000}`, want: ServerConfig{Name: "s", Type: TypeStdio, Command: "npx", Timeout: 30 * time.Second}},
		{name: "s", entry: `{"command":"npx","timeout":0}`, err: `"timeout" must be a positive whole number of milliseconds, got 0`},
		{name: "s", entry: `{"command":"npx","timeout":-1}`, err: `"timeout" must be a positive whole number`},
		{name: "s", entry: `{"command":"npx","timeout":1.5}`, err: `"timeout" must be a positive whole number`},
		{name: "s", entry: `{"command":"npx","timeout":"60000"}`, err: `"timeout" must be a positive number of milliseconds`},
		// Check 66: an unknown attribute warns and is ignored.
		{name: "s", entry: `{"command":"x","foo":1}`, warn: `unknown attribute "foo" is ignored`, want: ServerConfig{Name: "s", Type: TypeStdio, Command: "x", Timeout: DefaultTimeout}},
		// Check 67: names must be 1 to 250 characters.
		{name: "", entry: `{"command":"x"}`, err: "server name must not be empty"},
		{name: strings.Repeat("n", 251), entry: `{"command":"x"}`, err: "251 characters long; the limit is 250"},
		{name: strings.Repeat("é", 250), entry: `{"command":"x"}`, want: ServerConfig{Name: strings.Repeat("é", 250), Type: TypeStdio, Command: "x", Timeout: DefaultTimeout}},
		{name: "builtin", entry: `{"command":"x"}`, err: `"builtin" is reserved`},
		// Check 68: command or url is required; a url makes a remote server.
		{name: "s", entry: `{"args":["a"]}`, err: `needs "command" (a local server) or "url" (a remote server)`},
		{name: "s", entry: `{"url":"https://example.com/mcp","headers":{"Authorization":"Bearer ${env:TOKEN}"}}`,
			want: ServerConfig{Name: "s", Type: TypeHTTP, URL: "https://example.com/mcp", Headers: map[string]string{"Authorization": "Bearer ${env:TOKEN}"}, Timeout: DefaultTimeout}},
		{name: "s", entry: `{"type":"http","command":"x"}`, err: `"type" is "http" but "url" is missing`},
		{name: "s", entry: `{"type":"stdio","url":"https://x"}`, err: `"type" is "stdio" but "command" is missing`},
		{name: "s", entry: `{"type":"sse","url":"https://x"}`, err: `"type" must be "stdio" or "http", got "sse"`},
		{name: "s", entry: `{"url":"ftp://x"}`, err: `"url" must start with http:// or https://`},
		// Check 69: env values must be strings.
		{name: "s", entry: `{"command":"x","env":{"N":1}}`, err: `"env" value of "N" must be a string, got 1`},
		{name: "s", entry: `{"command":"x","env":{"N":null}}`, err: `"env" value of "N" must be a string`},
		{name: "s", entry: `{"command":"x","env":["A=1"]}`, err: `"env" must be an object of strings`},
		{name: "s", entry: `{"command":"x","args":"a b"}`, err: `"args" must be an array of strings`},
		{name: "s", entry: `{"command":"x","args":["a",2]}`, err: `"args" item 1 must be a string, got 2`},
		{name: "s", entry: `{"command":7}`, err: `"command" must be a string, got 7`},
		{name: "s", entry: `{"command":"x","disabled":"yes"}`, err: `"disabled" must be true or false`},
		{name: "s", entry: `{"command":"x","disabled":true}`, want: ServerConfig{Name: "s", Type: TypeStdio, Command: "x", Timeout: DefaultTimeout, Disabled: true}},
		{name: "s", entry: `["x"]`, err: "entry must be a JSON object"},
	} {
		cfg, warns, err := ParseServer(tc.name, json.RawMessage(tc.entry))
		label := tc.entry
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error = %v, want %q", label, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", label, err)
			continue
		}
		if !reflect.DeepEqual(cfg, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", label, cfg, tc.want)
		}
		if got := strings.Join(warns, "; "); !strings.Contains(got, tc.warn) || (tc.warn == "" && got != "") {
			t.Errorf("%s: warnings %q, want %q", label, got, tc.warn)
		}
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func names(servers []ServerConfig) map[string]string {
	out := map[string]string{}
	for _, s := range servers {
		out[s.Name] = s.Command
	}
	return out
}

// Check 65: both files load; on a clash the workspace entry wins, with a warning.
func TestCollectLegacyFiles(t *testing.T) {
	home, cwd := t.TempDir(), t.TempDir()
	global := GlobalConfigPath(home)
	workspace := WorkspaceConfigPath(cwd)
	writeFile(t, global, `{"mcpServers":{"a":{"command":"ga"},"x":{"command":"gx"},"bad":{"command":"b","timeout":0}}}`)
	writeFile(t, workspace, `{"mcpServers":{"b":{"command":"wb","foo":1},"x":{"command":"wx"}}}`)

	servers, warnings := Collect(nil, true, cwd, home)
	if got, want := names(servers), map[string]string{"a": "ga", "b": "wb", "x": "wx"}; !reflect.DeepEqual(got, want) {
		t.Errorf("servers = %v, want %v", got, want)
	}
	all := joinWarnings(warnings)
	for _, want := range []string{
		`"x" is defined in both ` + global + " and " + workspace + "; using " + workspace,
		workspace + `: server "b": unknown attribute "foo" is ignored`,
		global + `: server "bad": "timeout" must be a positive whole number of milliseconds, got 0; skipped`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings lack %q:\n%s", want, all)
		}
	}
	for _, s := range servers {
		if s.Name == "x" && s.Source != workspace {
			t.Errorf("x comes from %s", s.Source)
		}
	}

	// Without useLegacyMcpJson only the agent's servers count, and the
	// agent's definition wins over a legacy one.
	agent := map[string]json.RawMessage{"x": json.RawMessage(`{"command":"ax"}`), "c": json.RawMessage(`{"command":"ac"}`)}
	servers, _ = Collect(agent, false, cwd, home)
	if got, want := names(servers), map[string]string{"c": "ac", "x": "ax"}; !reflect.DeepEqual(got, want) {
		t.Errorf("agent only: %v, want %v", got, want)
	}
	servers, warnings = Collect(agent, true, cwd, home)
	if got, want := names(servers), map[string]string{"a": "ga", "b": "wb", "c": "ac", "x": "ax"}; !reflect.DeepEqual(got, want) {
		t.Errorf("agent + legacy: %v, want %v", got, want)
	}
	if !strings.Contains(joinWarnings(warnings), `"x" from `+workspace+" is shadowed by the agent") {
		t.Errorf("no shadowing warning: %q", warnings)
	}
}

func joinWarnings(ws []Warning) string {
	var lines []string
	for _, w := range ws {
		lines = append(lines, w.String())
	}
	return strings.Join(lines, "\n")
}

// The Kiro CLI's mcp.json files are read too: the workspace's files win
// over the user's, and at one level the Q CLI's file wins. Unknown
// attributes of a file carry its digest (shown once per version); the
// Kiro CLI's own attributes are not warned about, nor are the agent's
// unknown attributes (its file's notes say so).
func TestCollectKiroFilesAndIgnoredAttributes(t *testing.T) {
	home, cwd := t.TempDir(), t.TempDir()
	writeFile(t, KiroGlobalConfigPath(home), `{"mcpServers":{"a":{"command":"kg"},"b":{"command":"kg"},"c":{"command":"kg"},"d":{"command":"kg","autoApprove":["x"],"disabledTools":["rm"]}}}`)
	writeFile(t, GlobalConfigPath(home), `{"mcpServers":{"b":{"command":"qg"},"c":{"command":"qg"}}}`)
	writeFile(t, KiroWorkspaceConfigPath(cwd), `{"mcpServers":{"c":{"command":"kw","foo":1}}}`)
	agent := map[string]json.RawMessage{"e": json.RawMessage(`{"command":"ae","bar":2}`)}
	servers, warnings := Collect(agent, true, cwd, home)
	if got, want := names(servers), map[string]string{"a": "kg", "b": "qg", "c": "kw", "d": "kg", "e": "ae"}; !reflect.DeepEqual(got, want) {
		t.Errorf("servers = %v, want %v", got, want)
	}
	var ignored []Warning
	for _, w := range warnings {
		if w.Digest != "" {
			ignored = append(ignored, w)
		}
	}
	if len(ignored) != 1 || ignored[0].File != KiroWorkspaceConfigPath(cwd) || !strings.Contains(ignored[0].Msg, `unknown attribute "foo"`) {
		t.Errorf("ignored attributes: %+v", ignored)
	}
	all := joinWarnings(warnings)
	if strings.Contains(all, "autoApprove") || strings.Contains(all, "bar") {
		t.Errorf("warned about what is accepted or noted elsewhere:\n%s", all)
	}
	for _, s := range servers {
		if s.Name == "d" && !reflect.DeepEqual(s.DisabledTools, []string{"rm"}) {
			t.Errorf("disabledTools %v", s.DisabledTools)
		}
	}
	if got := ConfigPaths(home, home); len(got) != 3 || got[2] != WorkspaceConfigPath(home) {
		t.Errorf("in the home directory the workspace files are the user's: %v", got)
	}
	// The workspace trust gate judges exactly the files Collect reads
	// beyond the user's own two.
	for _, dir := range []string{cwd, home, ""} {
		if got, all := WorkspaceConfigPaths(dir, home), ConfigPaths(dir, home); !reflect.DeepEqual(got, all[2:]) && len(got)+len(all[2:]) > 0 {
			t.Errorf("cwd %q: workspace files %v, collected %v", dir, got, all)
		}
	}
}

func TestCollectBadFiles(t *testing.T) {
	home, cwd := t.TempDir(), t.TempDir()
	writeFile(t, GlobalConfigPath(home), "{\n  \"mcpServers\": {\n    \"a\": {\"command\": \"x\",}\n  }\n}")
	writeFile(t, WorkspaceConfigPath(cwd), `{"mcpServers":{"d":{"command":"one"},"d":{"command":"two"}}}`)
	servers, warnings := Collect(nil, true, cwd, home)
	all := joinWarnings(warnings)
	if !strings.Contains(all, GlobalConfigPath(home)+": line 3, column") || !strings.Contains(all, "file ignored") {
		t.Errorf("syntax error not reported with file and position:\n%s", all)
	}
	if !strings.Contains(all, `server "d" is defined more than once`) {
		t.Errorf("duplicate key not reported:\n%s", all)
	}
	if got := names(servers); !reflect.DeepEqual(got, map[string]string{"d": "two"}) {
		t.Errorf("servers = %v", got)
	}
	// Missing files are not errors.
	if servers, warnings := Collect(nil, true, t.TempDir(), t.TempDir()); len(servers) != 0 || len(warnings) != 0 {
		t.Errorf("no files: %v, %v", servers, warnings)
	}
}

func TestExpand(t *testing.T) {
	lookup := lookupIn([]string{"A=1", "HOME=/h", "A=2", "EMPTY="})
	for in, want := range map[string]string{
		"${env:A}-${A}":   "2-2",
		"${env:MISSING}x": "${env:MISSING}x",
		"${EMPTY}|":       "|",
		"no refs":         "no refs",
		"${unclosed":      "${unclosed",
		"$A stays":        "$A stays",
	} {
		if got := expandRefs(in, lookup); got != want {
			t.Errorf("expandRefs(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"~/bin/server": "/h/bin/server",
		"$A/srv":       "2/srv",
		"${HOME}/x":    "/h/x",
		"$NOPE/x":      "$NOPE/x",
		"npx":          "npx",
	} {
		if got := expandCommand(in, "/h", lookup); got != want {
			t.Errorf("expandCommand(%q) = %q, want %q", in, got, want)
		}
	}
	env := childEnv([]string{"PATH=/bin", "KEY=parent"}, map[string]string{"KEY": "mine", "NEW": "${env:PATH}"}, lookupIn([]string{"PATH=/bin"}))
	if want := []string{"PATH=/bin", "KEY=mine", "NEW=/bin"}; !reflect.DeepEqual(env, want) {
		t.Errorf("childEnv = %q, want %q", env, want)
	}
}
