//go:build !unix

package index

import (
	"io/fs"

	"github.com/qdev/qdev/internal/knowledge"
)

const (
	oNoFollow = 0
	oNonBlock = 0
)

// sameFile cannot tell identities apart here; the walk's check stands.
func sameFile(fs.FileInfo, knowledge.File) bool { return true }
