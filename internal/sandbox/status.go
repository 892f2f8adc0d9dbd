package sandbox

import "fmt"

// Feature is one restriction of the sandbox and how this system enforces
// it.
type Feature struct {
	// Name says what is restricted ("TCP", "signals to outside processes").
	Name string
	// Enforced is false when this system cannot restrict it.
	Enforced bool
	// By names the mechanism ("network namespace", "Landlock ABI 6"), or
	// what is missing when not enforced.
	By string
}

// Report is what the sandbox can do on this system, for q doctor.
type Report struct {
	// Helper is the helper q starts; Reexec is true when it is q itself
	// because qdev-sandbox is not next to q.
	Helper string
	Reexec bool
	// Namespaces is true when the helper can run in fresh user, mount,
	// PID and network namespaces.
	Namespaces bool
	// Features lists each restriction, enforced or not.
	Features []Feature
}

// Status probes the helper and the namespaces and describes, for a kernel
// with Landlock ABI abi (0: none), what the sandbox enforces.
func Status(abi int) Report {
	helper, reexec := helperPath("")
	r := Report{Helper: helper, Reexec: reexec}
	if abi >= 1 {
		r.Namespaces = namespaces(helper)
	}
	r.Features = features(abi, r.Namespaces)
	return r
}

// features lists what the sandbox enforces given the Landlock ABI and
// whether namespaces work, naming for each restriction every mechanism
// that holds it and what this kernel's Landlock cannot do: a restriction
// held by a namespace alone is lost where namespaces are.
func features(abi int, ns bool) []Feature {
	if abi < 1 {
		ns = false
	}
	// layered is held by nsBy and by Landlock from ABI min on.
	layered := func(name, nsBy string, min int) Feature {
		switch {
		case abi < 1:
			return Feature{name, false, "no Landlock"}
		case ns && abi >= min:
			return Feature{name, true, fmt.Sprintf("%s and Landlock ABI %d", nsBy, abi)}
		case ns:
			return Feature{name, true, fmt.Sprintf("%s; Landlock ABI %d cannot, it needs ABI %d", nsBy, abi, min)}
		case abi >= min:
			return Feature{name, true, fmt.Sprintf("Landlock ABI %d", abi)}
		}
		return Feature{name, false, fmt.Sprintf("needs Landlock ABI %d (this kernel has %d) or user namespaces, unavailable here", min, abi)}
	}
	// nsOnly is held by by alone; landlock says why Landlock cannot.
	nsOnly := func(name, by, landlock string) Feature {
		switch {
		case abi < 1:
			return Feature{name, false, "no Landlock"}
		case ns:
			return Feature{name, true, by + "; " + landlock}
		}
		return Feature{name, false, "needs user namespaces, unavailable here; " + landlock}
	}
	writes := layered("file writes outside writable paths", "read-only mounts in a mount namespace", 1)
	if abi >= 1 && !ns {
		writes.By = fmt.Sprintf("Landlock ABI %d", abi)
	}
	return []Feature{
		writes,
		nsOnly("q's configuration inside the workspace (.amazonq, .kiro, .git/config, .git/hooks)", "read-only bind mounts in a mount namespace",
			"Landlock cannot take them out of a writable workspace"),
		nsOnly("file metadata (chmod, chown, times) outside writable paths", "read-only mounts in a mount namespace",
			"no Landlock ABI restricts it"),
		nsOnly("credential files while attribution is on", "hidden in a mount namespace",
			"Landlock cannot take them out of a readable file system"),
		layered("TCP when the network is off", "network namespace", NetworkABI),
		layered("UDP when the network is off", "network namespace", UDPABI),
		layered("Unix sockets of outside servers (tmux, screen, D-Bus, Docker) when the network is off", "hidden in a mount namespace", UnixSocketABI),
		layered("abstract Unix sockets when the network is off", "network namespace", ScopeABI),
		layered("signals to processes outside the sandbox", "PID namespace", ScopeABI),
		nsOnly("background processes outliving the command", "PID namespace", "Landlock does not track processes"),
	}
}
