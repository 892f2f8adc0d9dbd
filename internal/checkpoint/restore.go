package checkpoint

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Restored is what a restore did.
type Restored struct {
	// To is the checkpoint restored.
	To Checkpoint
	// Undo is the checkpoint that holds the workspace as it was before,
	// which restoring undoes this one.
	Undo Checkpoint
	// Written and Deleted are the paths written back and removed.
	Written, Deleted []string
	// Kept are paths not in the checkpoint that were left alone: ignored by
	// its .gitignore files, or too large to have been recorded.
	Kept []string
	// Conflicts are paths that could not be restored, with the reason.
	Conflicts []string
}

// Restore brings the workspace back to checkpoint n (see the package
// comment). conversation names the session, for the checkpoints it
// records.
func (s *Store) Restore(ctx context.Context, n int, conversation string) (Restored, error) {
	unlock, err := s.lock()
	if err != nil {
		return Restored{}, err
	}
	defer unlock()
	target, err := s.find(ctx, n)
	if err != nil {
		return Restored{}, err
	}
	undo, _, err := s.record(ctx, Checkpoint{Kind: KindBeforeRestore, Conversation: conversation,
		Label: fmt.Sprintf("before restoring checkpoint %d", n)})
	if err != nil {
		return Restored{}, err
	}
	r := Restored{To: target, Undo: undo}
	if undo.tree != target.tree {
		if err := s.apply(ctx, undo.tree, target, &r); err != nil {
			return r, err
		}
	}
	if _, _, err := s.record(ctx, Checkpoint{Kind: KindRestored, Conversation: conversation,
		Label: fmt.Sprintf("restored checkpoint %d (undo: /checkpoint restore %d)", n, undo.N)}); err != nil {
		return r, err
	}
	return r, nil
}

// apply turns the workspace, recorded as tree from, into target.
func (s *Store) apply(ctx context.Context, from string, target Checkpoint, r *Restored) error {
	changes, err := s.changes(ctx, from, target.tree)
	if err != nil {
		return err
	}
	var writes, deletes []string
	for _, c := range changes {
		if c.status == 'D' {
			deletes = append(deletes, c.path)
		} else {
			writes = append(writes, c.path)
		}
	}
	// A file where the checkpoint has a directory, or the reverse, goes
	// first, so that what the checkpoint has can be written.
	var later []string
	for _, d := range deletes {
		if inTheWay(d, writes) {
			s.remove(d, r)
		} else {
			later = append(later, d)
		}
	}
	var ok []string
	for _, w := range writes {
		if why := s.blocked(w); why != "" {
			r.Conflicts = append(r.Conflicts, w+": "+why)
			continue
		}
		ok = append(ok, w)
	}
	if len(ok) > 0 {
		if err := s.checkout(ctx, target.tree, ok); err != nil {
			return err
		}
		r.Written = ok
	}
	// Files of the checkpoint's time that it did not record stay: the
	// ones its .gitignore files ignore (now in place) and the large ones.
	ignored, err := s.ignored(ctx, later)
	if err != nil {
		return err
	}
	for _, d := range later {
		if ignored[d] || slices.Contains(target.Skipped, d) {
			r.Kept = append(r.Kept, d)
			continue
		}
		s.remove(d, r)
	}
	return nil
}

// inTheWay reports whether deleting d must come before writing writes: d
// is a directory's path of one of them, or one of them is d's.
func inTheWay(d string, writes []string) bool {
	for _, w := range writes {
		if strings.HasPrefix(w, d+"/") || strings.HasPrefix(d, w+"/") {
			return true
		}
	}
	return false
}

// checkout writes paths of tree into the workspace, with their modes.
func (s *Store) checkout(ctx context.Context, tree string, paths []string) error {
	idx := filepath.Join(s.Dir, "restore-index")
	_ = os.Remove(idx)
	_ = os.Remove(idx + ".lock")
	defer os.Remove(idx)
	g := s.git.withIndex(idx)
	if _, err := g.run(ctx, nil, "read-tree", tree); err != nil {
		return err
	}
	_, err := g.run(ctx, joinZ(paths), "checkout-index", "-f", "-z", "--stdin")
	return err
}

// ignored returns which of paths the workspace's .gitignore files ignore.
func (s *Store) ignored(ctx context.Context, paths []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(paths) == 0 {
		return out, nil
	}
	empty := filepath.Join(s.Dir, "empty-index")
	_ = os.Remove(empty)
	res, err := s.git.withIndex(empty).run(ctx, joinZ(paths), "check-ignore", "-z", "--no-index", "--stdin")
	// check-ignore exits 1 when nothing is ignored.
	if err != nil && len(res) > 0 {
		return nil, err
	}
	for _, p := range splitZ(res) {
		out[p] = true
	}
	return out, nil
}

// blocked says why rel cannot be written: a parent that is a symbolic
// link (writing would leave the workspace) or not a directory, or a
// directory standing where the file goes. "" means it can be.
func (s *Store) blocked(rel string) string {
	cur := s.Workspace
	parts := strings.Split(rel, "/")
	for i, p := range parts {
		cur = filepath.Join(cur, p)
		fi, err := os.Lstat(cur)
		if err != nil {
			return "" // missing from here on: git creates it
		}
		last := i == len(parts)-1
		switch {
		case !last && fi.Mode()&os.ModeSymlink != 0:
			return path.Join(parts[:i+1]...) + " is a symbolic link"
		case !last && !fi.IsDir():
			return path.Join(parts[:i+1]...) + " is not a directory"
		case last && fi.IsDir():
			return "a directory is in the way"
		}
	}
	return ""
}

// remove deletes the file or link rel, never through a symbolic link,
// then the directories it leaves empty.
func (s *Store) remove(rel string, r *Restored) {
	if why := s.blocked(rel); why != "" {
		r.Conflicts = append(r.Conflicts, rel+": "+why)
		return
	}
	full := filepath.Join(s.Workspace, filepath.FromSlash(rel))
	if err := os.Remove(full); err != nil && !os.IsNotExist(err) {
		r.Conflicts = append(r.Conflicts, rel+": "+err.Error())
		return
	}
	r.Deleted = append(r.Deleted, rel)
	for dir := filepath.Dir(full); dir != s.Workspace && strings.HasPrefix(dir, s.Workspace+"/"); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break
		}
	}
}
