package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/managed"
	"github.com/qdev/qdev/internal/session"
)

// doctorSetup is a machine for q doctor: fresh directories, a settings
// file with content settingsJSON (none when empty), the managed file at
// the returned path (absent until written), and fakes for the kernel and
// the aws CLI.
type doctorSetup struct {
	t            *testing.T
	settingsPath string
	managedPath  string
	env          *doctorEnv
}

func newDoctorSetup(t *testing.T, settingsJSON string) *doctorSetup {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", filepath.Join(dir, "home"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
	t.Setenv("XDG_RUNTIME_DIR", filepath.Join(dir, "run"))
	for _, v := range []string{"AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
		"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "ANTHROPIC_API_KEY", "OLLAMA_HOST"} {
		t.Setenv(v, "")
	}
	t.Setenv("OPENAI_API_KEY", "sk-secret-value")
	s := &doctorSetup{
		t:            t,
		settingsPath: filepath.Join(dir, "config", "qdev", "settings.json"),
		managedPath:  filepath.Join(dir, "etc", "managed.json"),
	}
	t.Setenv(managed.EnvPath, "")
	if settingsJSON != "" {
		s.write(s.settingsPath, settingsJSON)
	}
	s.env = &doctorEnv{
		lookPath:    func(string) (string, error) { return "/usr/bin/aws", nil },
		awsVersion:  func(string) (string, error) { return "aws-cli/2.15.0 Python/3.11", nil },
		probe:       func() (int, error) { return 7, nil },
		loadManaged: func() (*managed.Settings, error) { return managed.LoadPaths(s.managedPath, "") },
	}
	return s
}

func (s *doctorSetup) write(path, content string) {
	s.t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		s.t.Fatal(err)
	}
}

// run runs q doctor ARGS and returns stdout and the exit code.
func (s *doctorSetup) run(args ...string) (string, int) {
	s.t.Helper()
	var out, errOut bytes.Buffer
	cmd := newCmdDoctor(IO{Out: &out, ErrOut: &errOut}, s.env)
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	err := cmd.Execute()
	var ee *ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &ee):
		return out.String(), ee.Code
	}
	s.t.Fatalf("q doctor %v: %v", args, err)
	return "", 0
}

func wantLines(t *testing.T, out string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(out, l) {
			t.Errorf("output lacks %q:\n%s", l, out)
		}
	}
}

func TestDoctorHealthy(t *testing.T) {
	s := newDoctorSetup(t, `{"chat.defaultModel": "openai/gpt-4.1"}`)
	out, code := s.run()
	if code != 0 {
		t.Errorf("exit %d", code)
	}
	wantLines(t, out,
		"qdev ",
		"✔ settings file: "+s.settingsPath+" (valid, 1 value)",
		"• managed settings: "+s.managedPath+" absent: no organisation policy",
		"✔ chat.defaultModel: openai/gpt-4.1 (OPENAI_API_KEY is set)",
		"✔ Landlock: ABI 7 (file writes confined, TCP denial, IPC scoping)",
		"• Landlock limits: ABI 7 cannot restrict Unix socket connections (needs ABI 9), UDP (needs ABI 10), file metadata (no ABI does)",
		"✔ aws CLI: aws-cli/2.15.0 Python/3.11 (/usr/bin/aws)",
		`chat.defaultModel = "openai/gpt-4.1"  (settings `+s.settingsPath+")",
		"✔ Everything looks good!",
	)
	if strings.Contains(out, "sk-secret-value") {
		t.Error("the API key was printed")
	}
}

func TestDoctorManagedLayer(t *testing.T) {
	s := newDoctorSetup(t, `{"chat.defaultModel": "openai/gpt-4o"}`)
	s.write(filepath.Join(filepath.Dir(s.managedPath), "idp.json"), `{}`)
	s.write(s.managedPath, "{\n  \"deniedTools\": [\"fs_write\"],\n  \"allowedModels\": [\"bedrock/*\"],\n"+
		"  \"aws\": {\"policyFiles\": [\"idp.json\", \"missing.json\"]},\n  \"sandbox\": {\"required\": true, \"network\": false}\n}")
	s.env.probe = func() (int, error) { return 0, errors.New("no Landlock in this kernel") }
	out, code := s.run()
	if code != 1 {
		t.Errorf("exit %d, want 1 for errors", code)
	}
	wantLines(t, out,
		"✔ managed settings: "+s.managedPath+" loaded (5 values)",
		`✘ chat.defaultModel: openai/gpt-4o: blocked by organisation policy: allowedModels ["bedrock/*"] does not include "openai/gpt-4o"`,
		"• organisation policy: mode workspace-write, required true, network denied",
		"✘ Landlock: unavailable (no Landlock in this kernel): commands are refused because the organisation requires the sandbox",
		"✔ policy file: "+filepath.Join(filepath.Dir(s.managedPath), "idp.json"),
		"✘ policy file: open "+filepath.Join(filepath.Dir(s.managedPath), "missing.json"),
		`deniedTools = ["fs_write"]  (managed `+s.managedPath+":2)",
		`sandbox.network = false  (managed `+s.managedPath+":5)",
		`chat.defaultModel = "openai/gpt-4o"  (settings `,
	)
	if strings.Contains(out, "Everything looks good") {
		t.Error("errors but Everything looks good")
	}
	// Managed values come before the user's: they take precedence.
	if strings.Index(out, "deniedTools =") > strings.Index(out, "chat.defaultModel =") {
		t.Error("managed values are not listed first")
	}
}

// With an additional file, q doctor lists both files and marks the values
// of the additional file that the system file overrules.
func TestDoctorManagedOverride(t *testing.T) {
	s := newDoctorSetup(t, "")
	override := filepath.Join(filepath.Dir(s.managedPath), "override.json")
	s.write(s.managedPath, "{\n  \"audit\": {\"dir\": \"/var/log/qdev\"}\n}")
	s.write(override, "{\n  \"deniedTools\": [\"fs_write\"],\n  \"audit\": {\"dir\": \"/tmp/elsewhere\"}\n}")
	s.env.loadManaged = func() (*managed.Settings, error) { return managed.LoadPaths(s.managedPath, override) }
	out, _ := s.run()
	wantLines(t, out,
		"✔ managed settings: "+s.managedPath+" loaded (1 value)",
		"✔ managed settings: "+override+" (from $Q_MANAGED_SETTINGS; it can only add restrictions) loaded (2 values)",
		`deniedTools = ["fs_write"]  (managed `+override+":2)",
		`audit.dir = "/tmp/elsewhere"  (managed `+override+":3, ignored: the system file sets it)",
	)
}

func TestDoctorBrokenFiles(t *testing.T) {
	s := newDoctorSetup(t, `{"chat.defaultModel": `)
	s.write(s.managedPath, "{\n  \"deniedTool\": []\n}")
	out, code := s.run()
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	wantLines(t, out,
		"✘ settings file: settings file "+s.settingsPath+": line 1, column 23: invalid JSON: the text ends early",
		"✘ managed settings: managed settings "+s.managedPath+`:2:3: unknown key "deniedTool" (did you mean "deniedTools"?); q refuses to run until this is fixed`,
		"⚠ chat.defaultModel: unknown: the settings file could not be read",
		"2 errors and 1 warning found",
	)
}

func TestDoctorWarningsAndStrict(t *testing.T) {
	s := newDoctorSetup(t, `{"chat.defaultModel": "bedrock/x", "chat.defaultModle": "y"}`)
	s.env.lookPath = func(string) (string, error) { return "", errors.New("not found") }
	s.env.probe = func() (int, error) { return 0, errors.New("disabled") }
	out, code := s.run()
	if code != 0 {
		t.Errorf("exit %d, want 0: warnings only", code)
	}
	wantLines(t, out,
		"⚠ chat.defaultModle: unknown setting in "+s.settingsPath,
		"⚠ chat.defaultModel: bedrock/x (no AWS credentials found in the environment or ~/.aws; Bedrock needs them)",
		"⚠ Landlock: unavailable (disabled): commands run without a sandbox, with a warning",
		"⚠ aws CLI: not found on PATH: the use_aws tool needs it",
		"4 warnings found",
	)
	if strings.Contains(out, "Everything looks good") {
		t.Error("warnings but Everything looks good")
	}
	if _, code := s.run("--strict"); code != 1 {
		t.Errorf("--strict exit %d, want 1", code)
	}
	t.Setenv("AWS_PROFILE", "dev")
	out, _ = s.run()
	wantLines(t, out, "✔ chat.defaultModel: bedrock/x (AWS credentials from AWS_PROFILE)")
}

func TestDoctorJSONAndAll(t *testing.T) {
	s := newDoctorSetup(t, "")
	out, code := s.run("--format", "json", "--all")
	if code != 0 {
		t.Errorf("exit %d", code)
	}
	var r doctorReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if r.Warnings != 1 || r.Errors != 0 {
		t.Errorf("warnings %d errors %d, want 1 (no model) and 0", r.Warnings, r.Errors)
	}
	var sawDefault, sawEnv bool
	for _, v := range r.Config {
		if v.Key == "chat.editMode" && v.Layer == "default" && v.Value == `"emacs"` {
			sawDefault = true
		}
	}
	for _, c := range r.Checks {
		if c.Section == "Environment" && c.Name == "OPENAI_API_KEY" {
			sawEnv = c.Message == "(set)"
		}
	}
	if !sawDefault || !sawEnv {
		t.Errorf("--all lacks defaults (%v) or the masked environment (%v):\n%s", sawDefault, sawEnv, out)
	}
	if strings.Contains(out, "sk-secret-value") {
		t.Error("the API key was printed")
	}
	var outBuf, errBuf bytes.Buffer
	cmd := newCmdDoctor(IO{Out: &outBuf, ErrOut: &errBuf}, s.env)
	cmd.SetArgs([]string{"--format", "yaml"})
	cmd.SetOut(&outBuf)
	cmd.SetErr(&errBuf)
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), `invalid --format "yaml"`) {
		t.Errorf("--format yaml: %v", err)
	}
}

// q doctor names the legacy context files awaiting migration and the agent
// files sessions would refuse; both are warnings.
func TestDoctorLegacyAndInvalidAgents(t *testing.T) {
	s := newDoctorSetup(t, `{"chat.defaultModel": "openai/gpt-4.1"}`)
	home := os.Getenv("HOME")
	legacy := filepath.Join(home, ".aws", "amazonq", "global_context.json")
	s.write(legacy, `{"paths": ["~/standards.md"], "hooks": {}}`)
	bad := filepath.Join(home, ".kiro", "agents", "bad.json")
	s.write(bad, `{"name": "bad", "toolsSettings": {"shell": {"deniedCommand": ["rm .*"]}}}`)
	out, code := s.run("--strict")
	if code != 1 {
		t.Errorf("exit %d", code)
	}
	wantLines(t, out,
		"⚠ legacy profiles: "+legacy+" await migration; sessions do not use them: run q agent migrate",
		"⚠ agent file: "+bad+" is invalid (sessions refuse it): "+bad+":1:",
		`unknown setting "deniedCommand" of execute_bash`)
	if err := session.MigrateLegacy(home, false, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	out, _ = s.run()
	wantLines(t, out, "✔ legacy profiles: none awaiting migration")
}
