package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/qdev/qdev/internal/managed"
	"github.com/qdev/qdev/internal/sandbox"
	"github.com/qdev/qdev/internal/version"
)

// Check statuses, worst last.
const (
	statusInfo  = "info"
	statusOK    = "ok"
	statusWarn  = "warning"
	statusError = "error"
)

// doctorCheck is one line of the report.
type doctorCheck struct {
	Section string `json:"section"`
	Name    string `json:"name"`
	Status  string `json:"status"`
	Message string `json:"message"`
}

// configValue is one value of the effective layered configuration.
type configValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	// Layer is "managed", "settings" or "default".
	Layer string `json:"layer"`
	// Source is the file (and line, for managed values) that set it.
	Source string `json:"source,omitempty"`
}

// doctorReport is everything q doctor found.
type doctorReport struct {
	Version  string        `json:"version"`
	Checks   []doctorCheck `json:"checks"`
	Config   []configValue `json:"config"`
	Warnings int           `json:"warnings"`
	Errors   int           `json:"errors"`
}

func (r *doctorReport) add(section, name, status, format string, args ...any) {
	r.Checks = append(r.Checks, doctorCheck{Section: section, Name: name, Status: status, Message: fmt.Sprintf(format, args...)})
	switch status {
	case statusWarn:
		r.Warnings++
	case statusError:
		r.Errors++
	}
}

// doctorEnv is doctor's view of the machine; tests replace parts of it.
type doctorEnv struct {
	lookPath    func(string) (string, error)
	awsVersion  func(path string) (string, error)
	probe       func() (int, error)
	loadManaged func() (*managed.Settings, error)
	// sandboxStatus, when set, details the sandbox (it starts the
	// helper); tests leave it nil.
	sandboxStatus func(abi int) sandbox.Report
	// all adds every unset setting with its default, and the environment.
	all bool
}

func defaultDoctorEnv() *doctorEnv {
	return &doctorEnv{
		lookPath:      exec.LookPath,
		awsVersion:    awsCLIVersion,
		probe:         sandbox.Probe,
		loadManaged:   managed.Load,
		sandboxStatus: sandbox.Status,
	}
}

// awsCLIVersion runs "aws --version" and returns its first line.
func awsCLIVersion(path string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "--version").CombinedOutput()
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if err != nil {
		if line != "" {
			return "", fmt.Errorf("%v: %s", err, line)
		}
		return "", err
	}
	return line, nil
}

// NewCmdDoctor returns `q doctor`, which checks the installation and shows
// the effective configuration with where each value comes from: the
// managed settings (organisation policy), the settings file and defaults.
// It ends with "Everything looks good!" when no check warns. Errors (a
// broken settings or managed settings file, for instance) make it exit 1;
// with --strict warnings do too.
func NewCmdDoctor(stdio IO) *cobra.Command {
	return newCmdDoctor(stdio, defaultDoctorEnv())
}

func newCmdDoctor(stdio IO, env *doctorEnv) *cobra.Command {
	var strict bool
	var format string
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the installation and show the effective configuration",
		Long: "Check qdev's directories, settings, managed settings (organisation policy), model\n" +
			"configuration, Landlock sandbox and AWS CLI, and show where each setting comes from.",
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if format != "plain" && format != "json" {
				return fmt.Errorf("invalid --format %q: use plain or json", format)
			}
			r := runDoctor(env)
			var err error
			if format == "json" {
				err = writeDoctorJSON(stdio.Out, r)
			} else {
				err = writeDoctorPlain(stdio.Out, r)
			}
			if err != nil {
				return err
			}
			if r.Errors > 0 || strict && r.Warnings > 0 {
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&env.all, "all", "a", false, "also list unset settings with their defaults, and the environment")
	cmd.Flags().BoolVarP(&strict, "strict", "s", false, "exit with status 1 when any check warns")
	cmd.Flags().StringVarP(&format, "format", "f", "plain", "output format: plain or json")
	return cmd
}

// runDoctor runs every check.
func runDoctor(env *doctorEnv) *doctorReport {
	r := &doctorReport{Version: version.Version, Checks: []doctorCheck{}, Config: []configValue{}}
	checkPaths(r)
	st := checkSettings(r)
	checkExperiments(r, st)
	ms := checkManaged(r, env)
	checkModel(r, st, ms)
	checkAgents(r)
	checkSandbox(r, env, ms)
	checkAWS(r, env, ms)
	checkNetwork(r, st)
	if env.all {
		checkEnvironment(r)
	}
	addConfig(r, env, st, ms)
	return r
}

func writeDoctorJSON(w io.Writer, r *doctorReport) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

var statusMarks = map[string]string{statusInfo: "•", statusOK: "✔", statusWarn: "⚠", statusError: "✘"}

func writeDoctorPlain(w io.Writer, r *doctorReport) error {
	var b strings.Builder
	fmt.Fprintf(&b, "qdev %s\n", r.Version)
	section := ""
	for _, c := range r.Checks {
		if c.Section != section {
			section = c.Section
			fmt.Fprintf(&b, "\n%s\n", section)
		}
		fmt.Fprintf(&b, "  %s %s: %s\n", statusMarks[c.Status], c.Name, c.Message)
	}
	if len(r.Config) > 0 {
		b.WriteString("\nEffective configuration (highest layer first)\n")
		for _, v := range r.Config {
			src := v.Layer
			if v.Source != "" {
				src += " " + v.Source
			}
			fmt.Fprintf(&b, "  %s = %s  (%s)\n", v.Key, v.Value, src)
		}
	}
	b.WriteString("\n")
	switch {
	case r.Errors == 0 && r.Warnings == 0:
		b.WriteString("✔ Everything looks good!\n")
	default:
		fmt.Fprintf(&b, "%s found: fix the lines marked ✘ and ⚠ above.\n", countProblems(r))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func countProblems(r *doctorReport) string {
	var parts []string
	if r.Errors > 0 {
		parts = append(parts, plural(r.Errors, "error"))
	}
	if r.Warnings > 0 {
		parts = append(parts, plural(r.Warnings, "warning"))
	}
	return strings.Join(parts, " and ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
