package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// config is what Wrap passes to the helper: the policy with clean paths
// and what Wrap learnt about the system, so the helper probes nothing.
type config struct {
	Writable []string `json:"writable"`
	ReadOnly []string `json:"readOnly,omitempty"`
	Hidden   []string `json:"hidden,omitempty"`
	Network  bool     `json:"network"`
	// Namespaces says the helper starts in fresh user, mount and PID
	// namespaces (and a network one without Network).
	Namespaces bool `json:"ns,omitempty"`
	// ABI is the Landlock ABI Wrap saw.
	ABI int `json:"abi,omitempty"`
	// Parent is q's process id: the helper dies if q is already gone and
	// reads q's view of the Unix sockets to hide them.
	Parent int `json:"parent,omitempty"`
	// Probe makes the helper set up its namespaces and exit 0 without
	// running anything.
	Probe bool `json:"probe,omitempty"`
}

// configOf checks p and turns it into the helper's configuration.
func configOf(p Policy) (config, error) {
	var c config
	var err error
	if c.Writable, err = cleanPaths(p.WritablePaths, false); err != nil {
		return c, err
	}
	if c.ReadOnly, err = cleanPaths(p.ReadOnlyPaths, true); err != nil {
		return c, err
	}
	if c.Hidden, err = cleanPaths(p.HiddenPaths, false); err != nil {
		return c, err
	}
	c.Network = p.Network
	c.Parent = os.Getpid()
	return c, nil
}

func (c config) encode() (string, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("sandbox: %w", err)
	}
	return string(b), nil
}

// gaps lists, one short clause each, the parts of c that this system
// cannot enforce.
func (c config) gaps() []string {
	var g []string
	if !c.Network && !c.Namespaces {
		var open []string
		if c.ABI < NetworkABI {
			open = append(open, "TCP")
		}
		if c.ABI < UDPABI {
			open = append(open, "UDP")
		}
		if c.ABI < UnixSocketABI {
			open = append(open, "Unix sockets of outside servers")
		}
		if c.ABI < ScopeABI {
			open = append(open, "abstract Unix sockets")
		}
		if len(open) > 0 {
			g = append(g, fmt.Sprintf("without user namespaces, Landlock ABI %d cannot deny %s", c.ABI, strings.Join(open, ", ")))
		}
	}
	if !c.Namespaces && c.protectsInsideWritable() {
		g = append(g, "without user namespaces q's configuration inside writable paths stays writable")
	}
	if !c.Namespaces && len(c.Hidden) > 0 {
		g = append(g, "without user namespaces credential files stay readable")
	}
	return g
}

// writableRoot returns the writable path p lies in, or "".
func (c config) writableRoot(p string) string {
	for _, w := range c.Writable {
		if Within(p, w) {
			return w
		}
	}
	return ""
}

// protectsInsideWritable reports whether a read-only path lies below a
// writable one, which only a mount namespace can protect.
func (c config) protectsInsideWritable() bool {
	for _, r := range c.ReadOnly {
		if c.writableRoot(strings.TrimSuffix(r, "/")) != "" {
			return true
		}
	}
	return false
}

// parseHelperArgs reads "--policy JSON [--path PATH] -- ARGV...".
func parseHelperArgs(args []string) (c config, path string, argv []string, err error) {
	seenPolicy := false
	for len(args) > 0 {
		switch args[0] {
		case "--policy", "--path":
			if len(args) < 2 {
				return c, "", nil, fmt.Errorf("%s needs a value", args[0])
			}
			if args[0] == "--path" {
				path = args[1]
			} else {
				if err := json.Unmarshal([]byte(args[1]), &c); err != nil {
					return c, "", nil, fmt.Errorf("bad --policy: %v", err)
				}
				seenPolicy = true
			}
			args = args[2:]
		case "--":
			argv = args[1:]
			args = nil
		default:
			return c, "", nil, fmt.Errorf("unexpected argument %q (usage: %s --policy JSON [--path PATH] -- COMMAND...)", args[0], HelperArg)
		}
	}
	switch {
	case !seenPolicy:
		return c, "", nil, errors.New("--policy is required")
	case c.Probe:
		return c, "", nil, nil
	case len(argv) == 0:
		return c, "", nil, errors.New("no command after --")
	}
	for _, list := range [][]string{c.Writable, c.ReadOnly, c.Hidden} {
		if _, err := cleanPaths(list, true); err != nil {
			return c, "", nil, err
		}
	}
	if path == "" {
		if path, err = exec.LookPath(argv[0]); err != nil {
			return c, "", nil, err
		}
	}
	return c, path, argv, nil
}

// fail reports err on stderr and returns code.
func fail(code int, err error) int {
	fmt.Fprintf(os.Stderr, "q: sandbox: %v\n", err)
	return code
}
