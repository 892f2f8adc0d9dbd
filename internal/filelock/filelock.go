// Package filelock serialises processes around a file with an advisory
// lock: the first opens of a SQLite store, the rewrite of a login session.
package filelock

// Lock takes an exclusive advisory lock on path, creating the file (mode
// 0600) when missing, and waits for it. It returns the function that
// releases it. The lock belongs to the open file, so two callers in one
// process exclude each other as two processes do, and the kernel drops it
// when a process dies. Where the platform has no flock(2) it only creates
// the file.
func Lock(path string) (unlock func(), err error) { return lock(path) }
