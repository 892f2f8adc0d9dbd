package mcp

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/tool"
)

// run prepares and runs tool name with input.
func run(t *testing.T, m *Manager, name, input string) tool.Result {
	t.Helper()
	inv, err := findTool(t, m, name).Prepare(&tool.Env{}, json.RawMessage(input))
	if err != nil {
		t.Fatalf("Prepare(%s): %v", input, err)
	}
	return inv.Run(context.Background(), io.Discard)
}

func text(blocks []model.Block) string {
	var b strings.Builder
	for _, bl := range blocks {
		b.WriteString(bl.Text)
	}
	return b.String()
}

func TestStdioToolsAndCalls(t *testing.T) {
	m := startManager(t, Options{Aliases: map[string]string{"@ev/get-env": "environment"}}, everything(t, "ev"))
	st := status(t, m, "ev")
	if st.State != StateReady || st.Transport != "stdio" || st.Tools == 0 || st.LastError != "" {
		t.Fatalf("status = %+v", st)
	}

	echo := findTool(t, m, "echo")
	if srv, host := echo.Server(); srv != "ev" || host != "echo" {
		t.Errorf("Server() = %s, %s", srv, host)
	}
	spec := echo.Spec()
	if spec.Description == "" || !strings.Contains(string(spec.InputSchema), `"message"`) {
		t.Errorf("echo spec = %+v", spec)
	}
	if r := run(t, m, "echo", `{"message":"hi there"}`); r.IsError || text(r.Content) != "Echo: hi there" {
		t.Errorf("echo = %+v", r)
	}

	// "get-sum" is not a valid model-facing name: the Q CLI drops the "-".
	sum := findTool(t, m, "getsum")
	if _, host := sum.Server(); host != "get-sum" {
		t.Errorf("getsum host name = %q", host)
	}
	if r := run(t, m, "getsum", `{"a":2,"b":40}`); r.IsError || !strings.Contains(text(r.Content), "is 42") {
		t.Errorf("get-sum = %+v", r)
	}
	// An error the server reports is an error result, and the server stays up.
	if r := run(t, m, "getsum", `{"a":"x"}`); !r.IsError {
		t.Errorf("bad get-sum input gave %+v, want an error result", r)
	}
	if st := status(t, m, "ev"); st.State != StateReady {
		t.Errorf("after a tool error, state = %s", st.State)
	}

	// The alias replaces the model-facing name; the host name is unchanged.
	env := findTool(t, m, "environment")
	if _, host := env.Server(); host != "get-env" {
		t.Errorf("alias host = %q", host)
	}

	// Images come back as image blocks.
	r := run(t, m, "gettinyimage", `{}`)
	var sawImage bool
	for _, b := range r.Content {
		if b.Type == model.ImageBlock && b.MediaType == "image/png" && len(b.Data) > 8 && string(b.Data[1:4]) == "PNG" {
			sawImage = true
		}
	}
	if r.IsError || !sawImage {
		t.Errorf("get-tiny-image = %+v", r)
	}
}

func TestPrepareRejectsNonObjects(t *testing.T) {
	m := startManager(t, Options{}, everything(t, "ev"))
	echo := findTool(t, m, "echo")
	for _, in := range []string{`[1]`, `"x"`, `3`, `{`} {
		if _, err := echo.Prepare(&tool.Env{}, json.RawMessage(in)); err == nil {
			t.Errorf("Prepare(%s) accepted", in)
		}
	}
	inv, err := echo.Prepare(&tool.Env{}, nil)
	if err != nil {
		t.Fatalf("Prepare(nil): %v", err)
	}
	if inv.Access().Command != "" || len(inv.Access().ReadPaths) != 0 || inv.Access().AlwaysAllowed {
		t.Errorf("Access() = %+v, want nothing known", inv.Access())
	}
	var d strings.Builder
	inv2, _ := echo.Prepare(&tool.Env{}, json.RawMessage(`{"message":"hello"}`))
	inv2.Describe(&d, false)
	if !strings.Contains(d.String(), "echo") || !strings.Contains(d.String(), "ev") || !strings.Contains(d.String(), `"hello"`) {
		t.Errorf("Describe = %q", d.String())
	}
}

// Spec §11.6 check 69: args in order, env values present, the marker kept.
func TestArgsAndEnvReachTheServer(t *testing.T) {
	bin := serverBin(t, "mcp-server-everything")
	out := filepath.Join(t.TempDir(), "argv")
	cfg := ServerConfig{
		Name: "wrapped", Type: TypeStdio, Command: "sh", Timeout: 30 * time.Second,
		// sh writes its arguments, one a line, then becomes the server.
		Args: []string{"-c", `printf '%s\n' "$@" > "$ARGV_FILE"; exec "$SERVER" stdio`, "sh", "first", "second arg", "${env:FROM_PARENT}"},
		Env:  map[string]string{"ARGV_FILE": out, "SERVER": bin, "API_KEY": "value1", "DERIVED": "x-${FROM_PARENT}", "HOME_COPY": "${HOME}"},
	}
	environ := append(tool.ChildEnv(os.Environ(), "9.9.9"), "FROM_PARENT=parent", "API_KEY=from-parent")
	m := startManager(t, Options{Environ: environ}, cfg)
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := "first\nsecond arg\nparent\n"; string(got) != want {
		t.Errorf("argv = %q, want %q", got, want)
	}
	r := run(t, m, "getenv", `{}`)
	var env map[string]string
	if err := json.Unmarshal([]byte(text(r.Content)), &env); err != nil {
		t.Fatalf("get-env output: %v: %s", err, text(r.Content))
	}
	for k, want := range map[string]string{"API_KEY": "value1", "DERIVED": "x-parent", "HOME_COPY": os.Getenv("HOME")} {
		if env[k] != want {
			t.Errorf("server env %s = %q, want %q", k, env[k], want)
		}
	}
	if !strings.Contains(env[tool.MarkerKey], tool.Marker("9.9.9")) {
		t.Errorf("server %s = %q, want the AI marker", tool.MarkerKey, env[tool.MarkerKey])
	}
}

func TestPromptsAndResources(t *testing.T) {
	m := startManager(t, Options{}, everything(t, "ev"))
	prompts := m.Prompts(context.Background())
	i := slices.IndexFunc(prompts, func(p Prompt) bool { return p.Name == "args-prompt" })
	if i < 0 {
		t.Fatalf("args-prompt not listed: %+v", prompts)
	}
	p := prompts[i]
	if p.Server != "ev" || len(p.Arguments) != 2 || p.Arguments[0].Name != "city" || !p.Arguments[0].Required || p.Arguments[1].Required {
		t.Errorf("args-prompt = %+v", p)
	}

	msgs, err := m.GetPrompt(context.Background(), "args-prompt", []string{"Paris", "Texas"})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Role != model.User || msgs[0].Text() != "What's weather in Paris, Texas?" {
		t.Errorf("messages = %+v", msgs)
	}
	if msgs, err := m.GetPrompt(context.Background(), "ev/args-prompt", []string{"Oslo"}); err != nil || msgs[0].Text() != "What's weather in Oslo?" {
		t.Errorf("qualified prompt: %v, %+v", err, msgs)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"args-prompt", nil, "missing required argument(s) city"},
		{"args-prompt", []string{"a", "b", "c"}, "takes 2 argument(s) (city, state), got 3"},
		{"nope", nil, `no MCP prompt named "nope"`},
	} {
		if _, err := m.GetPrompt(context.Background(), tc.name, tc.args); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("GetPrompt(%s, %q) error = %v, want %q", tc.name, tc.args, err, tc.want)
		}
	}

	res, err := m.Resources(context.Background())
	if err != nil || len(res) == 0 {
		t.Fatalf("Resources = %v, %v", res, err)
	}
	var uri string
	for _, r := range res {
		if r.Server == "ev" && strings.HasSuffix(r.URI, ".md") {
			uri = r.URI
		}
	}
	if uri == "" {
		t.Fatalf("no text resource among %+v", res)
	}
	blocks, err := m.ReadResource(context.Background(), "ev", uri)
	if err != nil || len(blocks) == 0 || blocks[0].Type != model.TextBlock || len(blocks[0].Text) == 0 {
		t.Errorf("ReadResource(%s) = %+v, %v", uri, blocks, err)
	}
	if _, err := m.ReadResource(context.Background(), "nope", uri); err == nil {
		t.Error("ReadResource on an unknown server succeeded")
	}
}

func TestFilesystemServer(t *testing.T) {
	bin := serverBin(t, "mcp-server-filesystem")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "note.txt"), []byte("hello from the filesystem"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := startManager(t, Options{}, ServerConfig{Name: "fs", Type: TypeStdio, Command: bin, Args: []string{dir}, Timeout: 30 * time.Second})
	r := run(t, m, "read_text_file", `{"path":"`+filepath.Join(dir, "note.txt")+`"}`)
	if r.IsError || !strings.Contains(text(r.Content), "hello from the filesystem") {
		t.Errorf("read_text_file = %+v", r)
	}
	// Outside the allowed directory the server refuses: an error result.
	if r := run(t, m, "read_text_file", `{"path":"/etc/hostname"}`); !r.IsError {
		t.Errorf("reading outside the allowed directory = %+v", r)
	}
	if r := run(t, m, "write_file", `{"path":"`+filepath.Join(dir, "new.txt")+`","content":"written"}`); r.IsError {
		t.Errorf("write_file = %+v", r)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "new.txt")); err != nil || string(b) != "written" {
		t.Errorf("new.txt = %q, %v", b, err)
	}
}

func TestRemoteStreamableHTTPAndSSE(t *testing.T) {
	for _, tc := range []struct{ mode, path, transport string }{
		{"streamableHttp", "/mcp", "http"},
		// The SSE server answers POST /sse with 404, so Streamable HTTP
		// fails first and the SSE fallback is exercised.
		{"sse", "/sse", "sse"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			base := startHTTPEverything(t, tc.mode)
			cfg := ServerConfig{Name: "remote", Type: TypeHTTP, URL: base + tc.path, Timeout: 30 * time.Second,
				Headers: map[string]string{"X-Test": "${TEST_HEADER}"}}
			m := startManager(t, Options{Environ: []string{"TEST_HEADER=abc"}}, cfg)
			if st := status(t, m, "remote"); st.State != StateReady || st.Transport != tc.transport {
				t.Fatalf("status = %+v", st)
			}
			if r := run(t, m, "echo", `{"message":"over http"}`); r.IsError || text(r.Content) != "Echo: over http" {
				t.Errorf("echo = %+v", r)
			}
		})
	}
}

func TestDisabledServerIsNotStarted(t *testing.T) {
	cfg := ServerConfig{Name: "off", Type: TypeStdio, Command: "/nonexistent/never-run", Timeout: time.Second, Disabled: true}
	m := startManager(t, Options{}, cfg)
	if st := status(t, m, "off"); st.State != StateDisabled || st.LastError != "" {
		t.Errorf("status = %+v", st)
	}
}

// The Kiro CLI's disabledTools hides those tools of a server from the model.
func TestDisabledToolsAreHidden(t *testing.T) {
	cfg := everything(t, "ev")
	cfg.DisabledTools = []string{"echo"}
	m := startManager(t, Options{}, cfg)
	var names []string
	for _, tl := range m.Tools() {
		names = append(names, tl.Spec().Name)
	}
	if slices.Contains(names, "echo") || !slices.Contains(names, "getsum") {
		t.Fatalf("tools = %v", names)
	}
}
