package sandbox

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// config is what Wrap passes to the helper: the policy with clean paths
// and what Wrap learnt about the system, so the helper probes nothing.
type config struct {
	Writable []string
	ReadOnly []string
	Hidden   []string
	Network  bool
	// Namespaces says the helper starts in fresh user, mount and PID
	// namespaces (and a network one without Network), with no user or
	// group ids mapped yet: it maps UID and GID, q's effective ids, to
	// themselves.
	Namespaces bool
	UID, GID   int
	// Parent is q's process id: the helper stops if q is already gone,
	// and reads q's view of the Unix sockets to hide them.
	Parent int
	// ABI is the Landlock ABI Wrap saw.
	ABI int
	// Probe makes the helper set up its namespaces and exit 0 without
	// running anything.
	Probe bool
}

// Helper arguments. They are plain words rather than an encoded document
// so that the helper parses them without a decoder: it starts once per
// command, and every imported package costs start-up time.
const (
	argWritable   = "--writable"
	argReadOnly   = "--read-only"
	argHidden     = "--hidden"
	argNetwork    = "--network"
	argNamespaces = "--namespaces"
	argABI        = "--abi"
	argUID        = "--uid"
	argGID        = "--gid"
	argParent     = "--parent"
	argProbe      = "--probe"
	argPath       = "--path"
)

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
	c.UID, c.GID, c.Parent = os.Geteuid(), os.Getegid(), os.Getpid()
	return c, nil
}

// args returns c as helper arguments, up to and excluding "--".
func (c config) args() []string {
	var a []string
	for _, list := range []struct {
		flag  string
		paths []string
	}{{argWritable, c.Writable}, {argReadOnly, c.ReadOnly}, {argHidden, c.Hidden}} {
		for _, p := range list.paths {
			a = append(a, list.flag, p)
		}
	}
	for _, b := range []struct {
		flag string
		on   bool
	}{{argNetwork, c.Network}, {argNamespaces, c.Namespaces}, {argProbe, c.Probe}} {
		if b.on {
			a = append(a, b.flag)
		}
	}
	if c.ABI > 0 {
		a = append(a, argABI, strconv.Itoa(c.ABI))
	}
	if c.Parent > 0 {
		a = append(a, argParent, strconv.Itoa(c.Parent))
	}
	if c.Namespaces {
		a = append(a, argUID, strconv.Itoa(c.UID), argGID, strconv.Itoa(c.GID))
	}
	return a
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

// parseHelperArgs reads the arguments config.args wrote, then
// "[--path PATH] -- ARGV...".
func parseHelperArgs(args []string) (c config, path string, argv []string, err error) {
	seenUID, seenGID := false, false
	for len(args) > 0 {
		flag := args[0]
		switch flag {
		case argNetwork, argNamespaces, argProbe:
			c.Network = c.Network || flag == argNetwork
			c.Namespaces = c.Namespaces || flag == argNamespaces
			c.Probe = c.Probe || flag == argProbe
			args = args[1:]
			continue
		case "--":
			argv, args = args[1:], nil
			continue
		case argWritable, argReadOnly, argHidden, argABI, argUID, argGID, argParent, argPath:
		default:
			return c, "", nil, fmt.Errorf("unexpected argument %q (usage: %s [%s PATH]... [%s PATH]... [%s PATH]... [%s] [%s] [%s N] [%s N %s N] [%s PID] [%s PATH] -- COMMAND...)",
				flag, HelperArg, argWritable, argReadOnly, argHidden, argNetwork, argNamespaces, argABI, argUID, argGID, argParent, argPath)
		}
		if len(args) < 2 {
			return c, "", nil, fmt.Errorf("%s needs a value", flag)
		}
		v := args[1]
		args = args[2:]
		switch flag {
		case argWritable:
			c.Writable = append(c.Writable, v)
		case argReadOnly:
			c.ReadOnly = append(c.ReadOnly, v)
		case argHidden:
			c.Hidden = append(c.Hidden, v)
		case argPath:
			path = v
		case argABI, argParent:
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return c, "", nil, fmt.Errorf("%s needs a positive number, not %q", flag, v)
			}
			if flag == argABI {
				c.ABI = n
			} else {
				c.Parent = n
			}
		case argUID, argGID:
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil {
				return c, "", nil, fmt.Errorf("%s needs a user or group id, not %q", flag, v)
			}
			if flag == argUID {
				c.UID, seenUID = int(n), true
			} else {
				c.GID, seenGID = int(n), true
			}
		}
	}
	if c.Namespaces != (seenUID && seenGID) || seenUID != seenGID {
		return c, "", nil, fmt.Errorf("%s needs %s and %s", argNamespaces, argUID, argGID)
	}
	for _, list := range [][]string{c.Writable, c.ReadOnly, c.Hidden} {
		if _, err := cleanPaths(list, true); err != nil {
			return c, "", nil, err
		}
	}
	switch {
	case c.Probe:
		return c, "", nil, nil
	case len(argv) == 0:
		return c, "", nil, errors.New("no command after --")
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
