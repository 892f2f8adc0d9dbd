package managed

import (
	"slices"
	"strings"
)

// Merge returns the policy of the system file sys with the file ov merged
// on top. ov can only tighten sys, dimension by dimension:
//
//   - deniedTools, deniedCommands and requireApproval: the union;
//   - disableTrustAll: either;
//   - allowedModels and allowedMcpServers: both lists apply, so a value
//     must be allowed by each file that has the key (an intersection);
//   - aws: when sys has IAM policies, ov's identity policies become one more
//     SCP-like level that must also allow (as identity policies they could
//     add an Allow) and ov's SCP levels are appended; the attribution role
//     and context keys are sys's when it sets them (context keys can make a
//     condition true, so ov adds none to sys's policies);
//   - sandbox: the stricter mode (read-only beats workspace-write), required
//     and mcpServers when either sets them, no network when either says so,
//     and only sys's writable paths when sys configures a sandbox;
//   - audit: sys's directory and rotation size when it sets them, so the
//     trail cannot be moved away from the administrator's folder.
//
// Values of ov that lose to sys stay in Provenance, marked ignored. When
// sys is absent, ov alone is the policy.
func Merge(sys, ov *Settings) *Settings {
	m := *sys
	m.Present = sys.Present || ov.Present
	m.Files = append(slices.Clone(sys.Files), ov.Files...)
	m.DeniedTools = union(sys.DeniedTools, ov.DeniedTools)
	m.DeniedCommands = union(sys.DeniedCommands, ov.DeniedCommands)
	m.RequireApproval = union(sys.RequireApproval, ov.RequireApproval)
	m.DisableTrustAll = sys.DisableTrustAll || ov.DisableTrustAll
	m.AllowedModels, m.moreModels = intersect(sys.AllowedModels, sys.moreModels, ov.AllowedModels, ov.moreModels)
	m.AllowedMCPServers, m.moreMCP = intersect(sys.AllowedMCPServers, sys.moreMCP, ov.AllowedMCPServers, ov.moreMCP)

	ignored := map[string]bool{}
	m.AWS = mergeAWS(sys.AWS, ov.AWS, ignored)
	m.Sandbox = mergeSandbox(sys.Sandbox, ov.Sandbox, ignored)
	// The audit settings are the system file's wherever it sets them: the
	// override may pin a key or add a sink the administrator left open, but
	// never move or replace what the administrator chose.
	m.Audit = sys.Audit
	systemFirst(&m.Audit.Dir, ov.Audit.Dir, "audit.dir", ignored)
	systemFirst(&m.Audit.PublicKey, ov.Audit.PublicKey, "audit.publicKey", ignored)
	systemFirst(&m.Audit.KeyFingerprint, ov.Audit.KeyFingerprint, "audit.keyFingerprint", ignored)
	systemFirst(&m.Audit.DigestSink, ov.Audit.DigestSink, "audit.digestSink", ignored)
	systemFirst(&m.Audit.MaxFileBytes, ov.Audit.MaxFileBytes, "audit.maxFileBytes", ignored)

	m.provenance = slices.Clone(sys.provenance)
	for _, e := range ov.provenance {
		for k := range ignored {
			if e.Key == k || strings.HasPrefix(e.Key, k+".") {
				e.Ignored = true
			}
		}
		m.provenance = append(m.provenance, e)
	}
	return &m
}

func mergeAWS(sys, ov AWS, ignored map[string]bool) AWS {
	m := sys
	m.SCPFiles = slices.Clone(sys.SCPFiles)
	if len(sys.PolicyFiles) > 0 || len(sys.SCPFiles) > 0 {
		if len(ov.PolicyFiles) > 0 {
			m.SCPFiles = append(m.SCPFiles, ov.PolicyFiles)
		}
	} else {
		m.PolicyFiles = ov.PolicyFiles
	}
	m.SCPFiles = append(m.SCPFiles, ov.SCPFiles...)
	if sys.AttributionRoleArn == "" {
		m.AttributionRoleArn = ov.AttributionRoleArn
	} else {
		ignored["aws.attributionRoleArn"] = true
	}
	if len(sys.Context) > 0 || len(sys.PolicyFiles) > 0 || len(sys.SCPFiles) > 0 {
		ignored["aws.context"] = true
	} else {
		m.Context = ov.Context
	}
	return m
}

func mergeSandbox(sys, ov Sandbox, ignored map[string]bool) Sandbox {
	m := sys
	switch {
	case sys.Mode == ModeReadOnly || ov.Mode == ModeReadOnly:
		m.Mode = ModeReadOnly
	case sys.Mode == "":
		m.Mode = ov.Mode
	}
	m.Required = sys.Required || ov.Required
	m.MCPServers = sys.MCPServers || ov.MCPServers
	m.LockWritablePaths = sys.LockWritablePaths || ov.LockWritablePaths
	switch {
	case sys.Network == nil:
		m.Network = ov.Network
	case ov.Network != nil && !*ov.Network:
		m.Network = ov.Network
	}
	if sys.Mode == "" {
		m.WritablePaths = ov.WritablePaths
	} else {
		m.WritablePaths = sys.WritablePaths
		ignored["sandbox.writablePaths"] = true
	}
	return m
}

// union returns a followed by the values of b it lacks; nil when both are.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, v := range b {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// intersect combines two allow-lists, each with the further lists it must
// also satisfy. An absent list (nil) allows everything and adds nothing;
// the first present list stays in the exported field, the others must be
// satisfied too.
func intersect[T any](a []T, aMore [][]T, b []T, bMore [][]T) ([]T, [][]T) {
	var lists [][]T
	for _, l := range append(append([][]T{a}, aMore...), append([][]T{b}, bMore...)...) {
		if l != nil {
			lists = append(lists, l)
		}
	}
	if len(lists) == 0 {
		return nil, nil
	}
	return lists[0], lists[1:]
}

// systemFirst keeps *sys when the system file set it, marking the
// override's value of key as ignored; otherwise it takes the override's.
func systemFirst[T comparable](sys *T, ov T, key string, ignored map[string]bool) {
	var zero T
	if *sys == zero {
		*sys = ov
	} else if ov != zero {
		ignored[key] = true
	}
}
