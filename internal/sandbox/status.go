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
// whether namespaces work.
func features(abi int, ns bool) []Feature {
	ll := func(min int) (bool, string) {
		if abi >= min {
			return true, fmt.Sprintf("Landlock ABI %d", abi)
		}
		return false, fmt.Sprintf("needs Landlock ABI %d, this kernel has %d", min, abi)
	}
	either := func(name, nsBy string, min int) Feature {
		if abi >= 1 && ns {
			return Feature{name, true, nsBy}
		}
		ok, by := ll(min)
		if abi < 1 {
			ok, by = false, "no Landlock"
		} else if !ok {
			by += " and user namespaces are unavailable"
		}
		return Feature{name, ok, by}
	}
	nsOnly := func(name, by string) Feature {
		if abi >= 1 && ns {
			return Feature{name, true, by}
		}
		return Feature{name, false, "needs user namespaces, unavailable here"}
	}
	writes, wby := ll(1)
	if abi < 1 {
		wby = "no Landlock"
	}
	signals := either("signals to processes outside the sandbox", "PID namespace", ScopeABI)
	if abi >= ScopeABI && ns {
		signals.By = fmt.Sprintf("Landlock ABI %d and PID namespace", abi)
	}
	return []Feature{
		{"file writes outside writable paths", writes, wby},
		nsOnly("q's configuration inside the workspace (.amazonq, .kiro, .git/config, .git/hooks)", "read-only bind mounts in a mount namespace"),
		nsOnly("file metadata (chmod, chown, times) outside writable paths", "read-only remount in a mount namespace"),
		nsOnly("credential files while attribution is on", "hidden in a mount namespace"),
		either("TCP when the network is off", "network namespace", NetworkABI),
		either("UDP when the network is off", "network namespace", UDPABI),
		either("Unix sockets of outside servers (tmux, screen, D-Bus, Docker) when the network is off", "hidden in a mount namespace", UnixSocketABI),
		either("abstract Unix sockets when the network is off", "network namespace", ScopeABI),
		signals,
		nsOnly("background processes outliving the command", "PID namespace"),
	}
}
