// Package editor opens a file in the user's editor.
package editor

import (
	"context"
	"os"
	"os/exec"
	"strings"
)

// Command returns a command that opens path in $EDITOR, split at spaces so
// that "code --wait" works, or in vi when $EDITOR is unset or blank. The
// caller connects its standard streams and runs it.
func Command(ctx context.Context, path string) *exec.Cmd {
	argv := Argv()
	return exec.CommandContext(ctx, argv[0], append(argv[1:], path)...)
}

// Argv returns the editor's command line without the file: $EDITOR split at
// spaces, or just "vi".
func Argv() []string {
	if f := strings.Fields(os.Getenv("EDITOR")); len(f) > 0 {
		return f
	}
	return []string{"vi"}
}
