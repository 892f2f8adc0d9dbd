//go:build !linux

package sandbox

import "errors"

var errNotLinux = errors.New("the Landlock sandbox exists only on Linux")

func probeKernel() (int, error) { return 0, errNotLinux }

// RunHelper is the "q __sandbox-exec" entry point. Outside Linux it checks
// its arguments and reports that no sandbox exists, with ExitSetupFailed.
func RunHelper(args []string) int {
	if _, _, _, err := parseHelperArgs(args); err != nil {
		return fail(ExitSetupFailed, err)
	}
	return fail(ExitSetupFailed, errNotLinux)
}
