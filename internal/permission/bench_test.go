package permission

import (
	"encoding/json"
	"strconv"
	"testing"
)

// BenchmarkDecideBash measures a per-turn decision on a typical command,
// with a fresh line each time so the analysis cache does not help.
func BenchmarkDecideBash(b *testing.B) {
	c, _, err := New(Config{Cwd: "/", Home: "/", ToolsSettings: map[string]json.RawMessage{
		"execute_bash": json.RawMessage(`{"autoAllowReadonly": true, "allowedCommands": ["git status"], "deniedCommands": ["rm .*"]}`),
	}}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		if d := decideBash(c, "ls -la src | grep -n 'func ' | head -n "+strconv.Itoa(i)+" && git status 2>/dev/null"); d.Kind != Allow {
			b.Fatal(d)
		}
	}
}
