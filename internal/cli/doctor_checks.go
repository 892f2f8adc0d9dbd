package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/qdev/qdev/internal/managed"
	"github.com/qdev/qdev/internal/model/providers"
	"github.com/qdev/qdev/internal/paths"
	"github.com/qdev/qdev/internal/sandbox"
	"github.com/qdev/qdev/internal/settings"
)

// checkPaths reports whether qdev's directories exist or can be created.
func checkPaths(r *doctorReport) {
	for _, d := range []struct {
		name, dir, bad string
	}{
		{"config directory", paths.ConfigDir(), statusError},
		{"data directory", paths.DataDir(), statusError},
		{"log directory", paths.LogDir(), statusWarn},
	} {
		status, msg := dirState(d.dir)
		if status != statusOK {
			status = d.bad
		}
		r.add("Paths", d.name, status, "%s", msg)
	}
}

// dirState says whether dir is a writable directory or could be created.
func dirState(dir string) (status, msg string) {
	fi, err := os.Stat(dir)
	switch {
	case err == nil && !fi.IsDir():
		return statusError, dir + " is not a directory"
	case err == nil && unix.Access(dir, unix.W_OK) != nil:
		return statusError, dir + " (not writable)"
	case err == nil:
		return statusOK, dir + " (writable)"
	case !errors.Is(err, fs.ErrNotExist):
		return statusError, err.Error()
	}
	parent := filepath.Dir(dir)
	for parent != filepath.Dir(parent) {
		if _, err := os.Stat(parent); err == nil {
			break
		}
		parent = filepath.Dir(parent)
	}
	if unix.Access(parent, unix.W_OK) != nil {
		return statusError, fmt.Sprintf("%s (missing, and %s is not writable)", dir, parent)
	}
	return statusOK, dir + " (not created yet; will be created when needed)"
}

// checkSettings loads the settings file; it returns nil when it is not
// JSON. A value q chat would refuse is an error per key.
func checkSettings(r *doctorReport) *settings.Settings {
	path := settings.DefaultPath()
	st, err := settings.LoadUnchecked(path)
	var bad settings.InvalidValues
	switch {
	case err != nil:
		r.add("Settings", "settings file", statusError, "%v", err)
		return nil
	case !exists(path):
		r.add("Settings", "settings file", statusInfo, "%s (not created yet; defaults in use)", path)
	case errors.As(st.Validate(), &bad):
		for _, e := range bad {
			r.add("Settings", "settings file", statusError, "%s: %v; q refuses to start until it is fixed", path, e)
		}
	default:
		r.add("Settings", "settings file", statusOK, "%s (valid, %s)", path, plural(len(st.All()), "value"))
	}
	for _, k := range sortedKeys(st.All()) {
		if _, known := settings.Lookup(k); !known {
			r.add("Settings", k, statusWarn, "unknown setting in %s (ignored; a typo?)", path)
		}
	}
	return st
}

// checkManaged loads the managed settings; it returns nil when they are
// broken.
func checkManaged(r *doctorReport, env *doctorEnv) *managed.Settings {
	const sec = "Managed settings (organisation policy)"
	ms, err := env.loadManaged()
	switch {
	case err != nil:
		r.add(sec, "managed settings", statusError, "%v; q refuses to run until this is fixed", err)
		return nil
	case !ms.Present:
		r.add(sec, "managed settings", statusInfo, "%s absent: no organisation policy", ms.Path)
		return ms
	case len(ms.Files) > 0 && ms.Files[0] != ms.Path:
		r.add(sec, "managed settings", statusInfo, "%s absent: no system policy", ms.Path)
	}
	for _, f := range ms.Files {
		from, n := "", 0
		if f != ms.Path {
			from = " (from $" + managed.EnvPath + "; it can only add restrictions)"
		}
		for _, e := range ms.Provenance() {
			if e.File == f {
				n++
			}
		}
		r.add(sec, "managed settings", statusOK, "%s%s loaded (%s)", f, from, plural(n, "value"))
	}
	if ms.Audit.Dir != "" {
		status, msg := dirState(ms.Audit.Dir)
		if status != statusOK {
			status = statusWarn
		}
		r.add(sec, "audit.dir", status, "%s", msg)
	}
	return ms
}

// addConfig lists the effective configuration, highest layer first.
func addConfig(r *doctorReport, env *doctorEnv, st *settings.Settings, ms *managed.Settings) {
	for _, e := range ms.Provenance() {
		src := fmt.Sprintf("%s:%d", e.File, e.Line)
		if e.Ignored {
			src += ", ignored: the system file sets it"
		}
		r.Config = append(r.Config, configValue{Key: e.Key, Value: e.Value, Layer: "managed", Source: src})
	}
	if st == nil {
		return
	}
	all := st.All()
	for _, k := range sortedKeys(all) {
		r.Config = append(r.Config, configValue{Key: k, Value: settings.Format(all[k], false), Layer: "settings", Source: st.Path()})
	}
	if !env.all {
		return
	}
	for _, k := range settings.Keys() {
		if _, set := all[k.Name]; set {
			continue
		}
		v := "(not set)"
		if k.Default != nil {
			v = settings.Format(k.Default, false)
		}
		r.Config = append(r.Config, configValue{Key: k.Name, Value: v, Layer: "default"})
	}
}

// checkModel checks chat.defaultModel against the policy and the provider's
// credentials.
func checkModel(r *doctorReport, st *settings.Settings, ms *managed.Settings) {
	const sec = "Model"
	if st == nil {
		r.add(sec, "chat.defaultModel", statusWarn, "unknown: the settings file could not be read")
		return
	}
	ref := st.String("chat.defaultModel", "")
	if ref == "" {
		r.add(sec, "chat.defaultModel", statusWarn, "%s", providers.HowToConfigure)
		return
	}
	provider, id, err := providers.Split(ref)
	if err != nil {
		r.add(sec, "chat.defaultModel", statusError, "%v", err)
		return
	}
	if ok, rule := ms.ModelAllowed(provider + "/" + id); !ok {
		r.add(sec, "chat.defaultModel", statusError, "%s: %s", ref, managed.Blocked(rule))
		return
	}
	status, msg := providerCredentials(provider)
	r.add(sec, "chat.defaultModel", status, "%s (%s)", ref, msg)
}

// providerCredentials says whether the environment looks configured for
// provider, without contacting it.
func providerCredentials(provider string) (status, msg string) {
	key := map[string]string{"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}[provider]
	switch provider {
	case "openai", "anthropic":
		if os.Getenv(key) == "" {
			return statusWarn, key + " is not set"
		}
		return statusOK, key + " is set"
	case "ollama":
		if h := os.Getenv("OLLAMA_HOST"); h != "" {
			return statusOK, "server at OLLAMA_HOST=" + h
		}
		return statusOK, "server on localhost:11434; no key needed"
	}
	for _, v := range []string{"AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"} {
		if os.Getenv(v) != "" {
			return statusOK, "AWS credentials from " + v
		}
	}
	home := paths.Home()
	for _, f := range []struct{ env, def string }{
		{"AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, ".aws", "credentials")},
		{"AWS_CONFIG_FILE", filepath.Join(home, ".aws", "config")},
	} {
		p := os.Getenv(f.env)
		if p == "" {
			p = f.def
		}
		if exists(p) {
			return statusOK, "AWS credentials may come from " + p
		}
	}
	return statusWarn, "no AWS credentials found in the environment or ~/.aws; Bedrock needs them"
}

// checkSandbox reports the Landlock ABI, what the policy makes of it and,
// restriction by restriction, what this system enforces and by what.
func checkSandbox(r *doctorReport, env *doctorEnv, ms *managed.Settings) {
	const sec = "Sandbox"
	required := ms != nil && ms.Sandbox.Required
	if ms.SandboxEnabled() {
		net := "left to the user"
		if n := ms.Sandbox.Network; n != nil {
			net = map[bool]string{true: "allowed", false: "denied"}[*n]
		}
		r.add(sec, "organisation policy", statusInfo, "mode %s, required %v, network %s", ms.Sandbox.Mode, required, net)
	}
	abi, err := env.probe()
	if abi < 1 {
		if required {
			r.add(sec, "Landlock", statusError, "unavailable (%v): commands are refused because the organisation requires the sandbox", err)
		} else {
			r.add(sec, "Landlock", statusWarn, "unavailable (%v): commands run without a sandbox, with a warning", err)
		}
		return
	}
	features := []string{"file writes confined"}
	var lacks []string
	for _, f := range []struct {
		abi        int
		what, cant string
	}{{sandbox.NetworkABI, "TCP denial", "TCP"}, {sandbox.ScopeABI, "IPC scoping", "signals and abstract Unix sockets"},
		{sandbox.UnixSocketABI, "Unix socket denial", "Unix socket connections"}, {sandbox.UDPABI, "UDP denial", "UDP"}} {
		if abi >= f.abi {
			features = append(features, f.what)
		} else {
			lacks = append(lacks, fmt.Sprintf("%s (needs ABI %d)", f.cant, f.abi))
		}
	}
	r.add(sec, "Landlock", statusOK, "ABI %d (%s)", abi, strings.Join(features, ", "))
	// What Landlock itself leaves open on this kernel; the lines below say
	// what else holds it.
	lacks = append(lacks, "file metadata (no ABI does)")
	r.add(sec, "Landlock limits", statusInfo, "ABI %d cannot restrict %s", abi, strings.Join(lacks, ", "))
	if env.sandboxStatus == nil {
		return
	}
	st := env.sandboxStatus(abi)
	if st.Reexec {
		r.add(sec, "helper", statusInfo, "%s is missing next to q: q re-executes itself for each command (about 35 ms and 40 MB more); install it beside q (make build does)", sandbox.HelperName)
	} else {
		r.add(sec, "helper", statusOK, "%s", st.Helper)
	}
	if st.Namespaces {
		r.add(sec, "namespaces", statusOK, "user, mount, PID and network namespaces available")
	} else {
		r.add(sec, "namespaces", statusWarn, "unprivileged user namespaces are unavailable: Landlock alone confines commands")
	}
	for _, f := range st.Features {
		switch {
		case f.Enforced:
			r.add(sec, f.Name, statusOK, "enforced (%s)", f.By)
		case required:
			r.add(sec, f.Name, statusError, "not enforced (%s): commands needing it are refused", f.By)
		default:
			r.add(sec, f.Name, statusWarn, "not enforced (%s)", f.By)
		}
	}
}

// checkAWS reports the aws CLI and the policy files of the managed layer.
func checkAWS(r *doctorReport, env *doctorEnv, ms *managed.Settings) {
	const sec = "AWS"
	if path, err := env.lookPath("aws"); err != nil {
		r.add(sec, "aws CLI", statusWarn, "not found on PATH: the use_aws tool needs it")
	} else if v, err := env.awsVersion(path); err != nil {
		r.add(sec, "aws CLI", statusWarn, "%s does not run: %v", path, err)
	} else {
		r.add(sec, "aws CLI", statusOK, "%s (%s)", v, path)
	}
	if ms == nil {
		return
	}
	files := slices.Clone(ms.AWS.PolicyFiles)
	for _, level := range ms.AWS.SCPFiles {
		files = append(files, level...)
	}
	for _, f := range files {
		if fh, err := os.Open(f); err != nil {
			r.add(sec, "policy file", statusError, "%v: AI-initiated AWS calls will be refused", err)
		} else {
			fh.Close()
			r.add(sec, "policy file", statusOK, "%s", f)
		}
	}
	if arn := ms.AWS.AttributionRoleArn; arn != "" {
		r.add(sec, "attribution role", statusInfo, "%s", arn)
	}
}

// environmentVars are shown by --all; secrets only as "(set)".
var environmentVars = []string{managed.EnvPath, "HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR", "TMPDIR",
	"AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "OPENAI_API_KEY", "OPENAI_BASE_URL",
	"ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "OLLAMA_HOST"}

func checkEnvironment(r *doctorReport) {
	for _, v := range environmentVars {
		val := os.Getenv(v)
		switch {
		case val == "":
			continue
		case strings.HasSuffix(v, "_KEY") || strings.HasSuffix(v, "_KEY_ID"):
			val = "(set)"
		}
		r.add("Environment", v, statusInfo, "%s", val)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
