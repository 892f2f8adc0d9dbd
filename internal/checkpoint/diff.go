package checkpoint

import (
	"context"
)

// Current stands for the workspace as it is now in Diff.
const Current = -1

// Diff returns the changes from checkpoint a to checkpoint b (Current for
// the workspace as it is now): a summary of the files, then a unified diff
// (binary files are named, not shown). The text is the workspace's
// content: the caller makes it safe to print.
func (s *Store) Diff(ctx context.Context, a, b int) (string, error) {
	unlock, err := s.lock()
	if err != nil {
		return "", err
	}
	defer unlock()
	from, err := s.find(ctx, a)
	if err != nil {
		return "", err
	}
	to := ""
	if b == Current {
		snap, err := s.snapshot(ctx)
		if err != nil {
			return "", err
		}
		to = snap.tree
	} else {
		c, err := s.find(ctx, b)
		if err != nil {
			return "", err
		}
		to = c.tree
	}
	out, err := s.git.run(ctx, nil, "diff-tree", "-r", "--no-renames", "--no-ext-diff", "--no-textconv",
		"--no-color", "--stat=100", "--summary", "--patch", from.tree, to)
	if err != nil {
		return "", err
	}
	return string(out), nil
}
