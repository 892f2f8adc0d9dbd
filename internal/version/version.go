// Package version holds qdev's version, set at link time with
// -ldflags "-X github.com/qdev/qdev/internal/version.Version=…".
package version

// Version is the qdev release version.
var Version = "0.1.0"
