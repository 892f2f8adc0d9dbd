package tool

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A workspace deleted during the session makes the tools that act in it
// say so in one line, and fs_write does not recreate it.
func TestDeletedWorkingDirectory(t *testing.T) {
	env := testEnv(t)
	env.Cwd = filepath.Join(env.Cwd, "ws")
	if err := os.Mkdir(env.Cwd, 0o755); err != nil {
		t.Fatal(err)
	}
	// Prepared while the directory exists, run after it is gone: the user
	// deleted it while the approval prompt waited.
	bash := prepare(t, ExecuteBash{}, env, bashInput("echo hi"))
	write := prepare(t, FSWrite{}, env, `{"command":"create","path":"sub/new.txt","file_text":"x"}`)
	if err := os.Remove(env.Cwd); err != nil {
		t.Fatal(err)
	}
	for name, inv := range map[string]Invocation{"execute_bash": bash, "fs_write": write} {
		r := inv.Run(t.Context(), nil)
		msg := resultText(r)
		if !r.IsError || !strings.Contains(msg, name+": the working directory "+env.Cwd+" no longer exists") || strings.Contains(msg, "\n") || strings.Contains(msg, "/proc/self/exe") {
			t.Errorf("%s: got error=%v %q", name, r.IsError, msg)
		}
	}
	if _, err := os.Stat(env.Cwd); !os.IsNotExist(err) {
		t.Errorf("fs_write recreated the deleted workspace: %v", err)
	}
}
