//go:build !unix

package hook

// shell runs a hook command, as the Q CLI does on Windows.
var shell = []string{"cmd", "/C"}
