package mcp

import (
	"os"
	"path/filepath"
	"strings"
)

// lookupIn returns a variable lookup over an environment list.
func lookupIn(environ []string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		for i := len(environ) - 1; i >= 0; i-- {
			if v, ok := strings.CutPrefix(environ[i], name+"="); ok {
				return v, true
			}
		}
		return "", false
	}
}

// expandRefs replaces ${env:NAME} (the Q CLI's form) and ${NAME} with the
// variable's value. An unknown variable is left as written, so a typo shows
// in the server's own error rather than becoming an empty string.
func expandRefs(s string, lookup func(string) (string, bool)) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		ref := s[i : i+j+1]
		name := strings.TrimPrefix(ref[2:len(ref)-1], "env:")
		if v, ok := lookup(name); ok && name != "" {
			b.WriteString(v)
		} else {
			b.WriteString(ref)
		}
		s = s[i+j+1:]
	}
}

// expandCommand expands a leading ~ and $NAME / ${NAME} in a server
// command, as the Q CLI does with shellexpand::full.
func expandCommand(cmd, home string, lookup func(string) (string, bool)) string {
	if cmd == "~" {
		cmd = home
	} else if rest, ok := strings.CutPrefix(cmd, "~/"); ok {
		cmd = filepath.Join(home, rest)
	}
	cmd = expandRefs(cmd, lookup)
	if !strings.Contains(cmd, "$") {
		return cmd
	}
	return os.Expand(cmd, func(name string) string {
		if v, ok := lookup(name); ok {
			return v
		}
		return "$" + name
	})
}

// childEnv is base with the server's variables set on top. The Q CLI applies
// the parent environment after the config's (so a config value is ignored
// when the variable already exists); that defeats the purpose of
// "env", so here the config wins.
func childEnv(base []string, env map[string]string, lookup func(string) (string, bool)) []string {
	out := make([]string, 0, len(base)+len(env))
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		if _, override := env[name]; !override {
			out = append(out, kv)
		}
	}
	for _, k := range sortedKeys(env) {
		out = append(out, k+"="+expandRefs(env[k], lookup))
	}
	return out
}
