package iam

import (
	"fmt"
	"io"
	"os"
)

// MaxPolicyBytes bounds a policy file. AWS caps managed policies at 6,144
// characters and SCPs at 5,120; local files get generous headroom, but a
// multi-megabyte "policy" is a mistake, not a policy.
const MaxPolicyBytes = 1 << 20

// LoadFile reads and parses the policy file at path; the path names the
// policy in matches and diagnostics. Errors are one line: an unreadable or
// oversized file, or a *ParseError.
func LoadFile(path string) (*Policy, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("policy file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxPolicyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("policy file %s: %w", path, err)
	}
	if len(data) > MaxPolicyBytes {
		return nil, fmt.Errorf("policy file %s: larger than %d bytes", path, MaxPolicyBytes)
	}
	return Parse(path, data)
}
