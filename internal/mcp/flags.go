package mcp

import (
	"encoding/json"
	"fmt"
	"strings"
)

// ParseArgsFlag splits one value of `q mcp add --args` as the Q CLI does: a
// JSON array of strings; else a comma-separated list in which "\," is a
// literal comma; else a plain comma-separated list. Items are trimmed.
func ParseArgsFlag(v string) ([]string, error) {
	if strings.HasPrefix(strings.TrimSpace(v), "[") {
		var out []string
		if err := json.Unmarshal([]byte(v), &out); err != nil {
			return nil, fmt.Errorf(`--args %q: not a JSON array of strings; expected e.g. '["arg1", "arg,with,commas"]'`, v)
		}
		return out, nil
	}
	if !strings.Contains(v, `\,`) {
		parts := strings.Split(v, ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		return parts, nil
	}
	var out []string
	var cur strings.Builder
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && i+1 < len(v) && (v[i+1] == ',' || v[i+1] == '\\'):
			cur.WriteByte(v[i+1])
			i++
		case c == ',':
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(out, strings.TrimSpace(cur.String())), nil
}

// ParseEnvFlag reads one value of `q mcp add --env`: "k1=v1,k2=v2" (keys
// and values trimmed) into env.
func ParseEnvFlag(v string, env map[string]string) error {
	for _, pair := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(pair, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return fmt.Errorf("--env: invalid environment variable %q; expected NAME=VALUE (several separated by commas)", pair)
		}
		env[strings.TrimSpace(k)] = strings.TrimSpace(val)
	}
	return nil
}
