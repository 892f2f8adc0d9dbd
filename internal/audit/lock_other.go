//go:build !unix

package audit

import "os"

// flock does nothing where flock(2) does not exist: there only one process
// at a time may write a trail.
func flock(*os.File, bool) error { return nil }

// funlock does nothing; see flock.
func funlock(*os.File) error { return nil }
