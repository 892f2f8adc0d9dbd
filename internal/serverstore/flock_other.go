//go:build !unix

package serverstore

// lockFile is a no-op where flock(2) does not exist.
func lockFile(string) (func(), error) { return func() {}, nil }
