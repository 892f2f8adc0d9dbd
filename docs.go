// Package qdev holds the documentation embedded in the q binary, which the
// introspect tool answers questions from.
package qdev

import "embed"

// Docs holds README.md and docs/*.md.
//
//go:embed README.md docs/*.md
var Docs embed.FS
