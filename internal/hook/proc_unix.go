//go:build unix

package hook

// shell runs a hook command, as the Q CLI does on Unix.
var shell = []string{"bash", "-c"}
