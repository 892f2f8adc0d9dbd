//go:build linux || darwin

package audit

import "syscall"

// diskFree returns the bytes an unprivileged user may still write on dir's
// filesystem.
func diskFree(dir string) (uint64, bool, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false, err
	}
	return uint64(st.Bavail) * uint64(st.Bsize), true, nil
}

// writable reports why this process cannot create files in dir, nil if it
// can. Root passes regardless of the mode bits, as it would writing; a
// read-only mount fails for everyone.
func writable(dir string) error {
	const wOK, xOK = 0x2, 0x1
	return syscall.Access(dir, wOK|xOK)
}
