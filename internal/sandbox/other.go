//go:build !linux

package sandbox

import (
	"errors"
	"os/exec"
)

var errNotLinux = errors.New("the sandbox exists only on Linux")

func probeKernel() (int, error) { return 0, errNotLinux }

func helperPath(override string) (string, bool) { return override, override == "" }

func binaries(string) []string { return nil }

func namespacesWork(string) bool { return false }

func setProcAttr(*exec.Cmd, config) {}

// RunHelper is the helper's entry point. Outside Linux it checks its
// arguments and reports that no sandbox exists, with ExitSetupFailed.
func RunHelper(args []string) int {
	if _, _, _, err := parseHelperArgs(args); err != nil {
		return fail(ExitSetupFailed, err)
	}
	return fail(ExitSetupFailed, errNotLinux)
}
