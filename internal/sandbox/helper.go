package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
)

// parseHelperArgs reads "--policy JSON [--path PATH] -- ARGV...".
func parseHelperArgs(args []string) (p Policy, path string, argv []string, err error) {
	seenPolicy := false
	for len(args) > 0 {
		switch args[0] {
		case "--policy", "--path":
			if len(args) < 2 {
				return p, "", nil, fmt.Errorf("%s needs a value", args[0])
			}
			if args[0] == "--path" {
				path = args[1]
			} else {
				if err := json.Unmarshal([]byte(args[1]), &p); err != nil {
					return p, "", nil, fmt.Errorf("bad --policy: %v", err)
				}
				seenPolicy = true
			}
			args = args[2:]
		case "--":
			argv = args[1:]
			args = nil
		default:
			return p, "", nil, fmt.Errorf("unexpected argument %q (usage: %s --policy JSON [--path PATH] -- COMMAND...)", args[0], HelperArg)
		}
	}
	switch {
	case !seenPolicy:
		return p, "", nil, errors.New("--policy is required")
	case len(argv) == 0:
		return p, "", nil, errors.New("no command after --")
	}
	if _, err := cleanPaths(p.WritablePaths); err != nil {
		return p, "", nil, err
	}
	if path == "" {
		if path, err = exec.LookPath(argv[0]); err != nil {
			return p, "", nil, err
		}
	}
	return p, path, argv, nil
}

// fail reports err on stderr and returns code.
func fail(code int, err error) int {
	fmt.Fprintf(os.Stderr, "q: sandbox: %v\n", err)
	return code
}
