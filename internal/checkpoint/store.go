// Package checkpoint records the files of a workspace after every turn that
// changes them, in a shadow git store outside the workspace, and brings
// them back exactly: /checkpoint list, diff and restore.
//
// # Where
//
// A workspace's store is <data dir>/checkpoints/<key>, the key a hash of
// the workspace's canonical path, so the checkpoints of a directory outlive
// the session and are shared by the sessions started there. It holds a bare
// git repository (git/), its index, a lock file and a note of the
// workspace path. git runs with GIT_DIR on the store and GIT_WORK_TREE on
// the workspace; the workspace's own .git is never read or written.
//
// # What is recorded
//
// Every file and symbolic link of the workspace, except:
//   - anything named .git, at any depth (the user's repositories);
//   - what the workspace's .gitignore files ignore (nested repositories
//     are entered, with their own .gitignore files);
//   - files larger than MaxFileBytes; their paths are noted in the
//     checkpoint so that a restore leaves them alone rather than deleting
//     them as if they were new.
//
// Symbolic links are recorded as links and never followed, so nothing
// outside the workspace is read or written. Binary files are recorded as
// they are; no .gitattributes filter or conversion applies (see git.go).
//
// # Restoring
//
// Restore N first records the workspace as it is (the undo point, itself
// a checkpoint), then writes back every file of N that differs and
// deletes the recorded files that N does not have. Files N's .gitignore
// files ignore, and files that were too large to record, are left alone. A
// path whose parent is a symbolic link, or where a directory stands in the
// way of a file, is reported and not touched.
package checkpoint

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/qdev/qdev/internal/filelock"
)

// Kinds of checkpoint.
const (
	// KindInitial is the first checkpoint of a workspace, whatever it
	// was recorded as.
	KindInitial = "initial"
	// KindOutside records changes made between turns, outside q.
	KindOutside = "outside"
	// KindTurn records what one turn changed.
	KindTurn = "turn"
	// KindBeforeRestore is the undo point of a restore.
	KindBeforeRestore = "before-restore"
	// KindRestored is the workspace after a restore.
	KindRestored = "restored"
)

// DefaultMaxFileBytes is the largest file recorded by default.
const DefaultMaxFileBytes = 20 << 20

// DefaultMaxFiles is the most files a workspace may have for checkpoints:
// a directory with more is likely a home or a build tree, too large to
// snapshot at every turn.
const DefaultMaxFiles = 100_000

// ref is the store's branch of checkpoints.
const ref = "refs/qdev/checkpoints"

// metaPrefix starts the line of a commit message that holds the metadata.
const metaPrefix = "qdev-checkpoint: "

// Checkpoint is one recorded state of the workspace.
type Checkpoint struct {
	// N numbers the checkpoints of a workspace from 0.
	N    int       `json:"n"`
	Kind string    `json:"kind"`
	Time time.Time `json:"time"`
	// Label is what the checkpoint is about: the turn's prompt, or a
	// description for the other kinds.
	Label string `json:"label"`
	// Tools lists the tools the turn ran, in order, without repeats.
	Tools []string `json:"tools,omitempty"`
	// Added, Modified and Deleted count files changed since the previous
	// checkpoint.
	Added    int `json:"added"`
	Modified int `json:"modified"`
	Deleted  int `json:"deleted"`
	// Skipped are files too large to record.
	Skipped []string `json:"skipped,omitempty"`
	// Conversation is the conversation of the session that recorded it.
	Conversation string `json:"conversation,omitempty"`

	commit, tree string
}

// Store is the checkpoint store of one workspace. Its methods may be
// called by several processes at once: each takes the store's lock.
type Store struct {
	// Workspace is the canonical path of the workspace.
	Workspace string
	// Dir is the store's directory.
	Dir string
	// MaxFileBytes and MaxFiles bound what is recorded.
	MaxFileBytes int64
	MaxFiles     int
	git          git
}

// Open opens, creating it if needed, the store of workspace under
// dataDir. It refuses the home directory and the root, which are too large
// to snapshot at every turn.
func Open(ctx context.Context, dataDir, workspace, home string) (*Store, error) {
	bin, err := exec.LookPath("git")
	if err != nil {
		return nil, ErrNoGit
	}
	ws, err := filepath.EvalSymlinks(workspace)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: workspace %s: %w", workspace, err)
	}
	if ws, err = filepath.Abs(ws); err != nil {
		return nil, err
	}
	if h, err := filepath.EvalSymlinks(home); (err == nil && h == ws) || ws == "/" {
		return nil, fmt.Errorf("checkpoints are off in %s: start q in a project directory", ws)
	}
	sum := sha256.Sum256([]byte(ws))
	dir := filepath.Join(dataDir, "checkpoints", hex.EncodeToString(sum[:12]))
	s := &Store{Workspace: ws, Dir: dir, MaxFileBytes: DefaultMaxFileBytes, MaxFiles: DefaultMaxFiles,
		git: git{bin: bin, gitDir: filepath.Join(dir, "git"), workDir: ws, index: filepath.Join(dir, "index")}}
	if err := s.init(ctx); err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	return s, nil
}

func (s *Store) init(ctx context.Context) error {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(s.git.gitDir, "HEAD")); err == nil {
		return s.writeAttributes()
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return s.create(ctx)
}

// create makes the store's repository if it is missing; the caller holds
// the lock.
func (s *Store) create(ctx context.Context) error {
	if _, err := os.Stat(filepath.Join(s.git.gitDir, "HEAD")); err != nil {
		// git init refuses GIT_WORK_TREE with a bare repository.
		if _, err := s.git.withWorkTree("").run(ctx, nil, "init", "--quiet", "--bare", s.git.gitDir); err != nil {
			return err
		}
		_ = os.WriteFile(filepath.Join(s.Dir, "workspace"), []byte(s.Workspace+"\n"), 0o600)
	}
	return s.writeAttributes()
}

// writeAttributes writes the store's attributes file, at every open: a
// store whose file was removed or changed gets the current rules back.
func (s *Store) writeAttributes() error {
	info := filepath.Join(s.git.gitDir, "info")
	if err := os.MkdirAll(info, 0o700); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(info, "attributes"), []byte(attributes), 0o600)
}

// lock takes the store's lock, waiting for another process to release it.
func (s *Store) lock() (func(), error) {
	return filelock.Lock(filepath.Join(s.Dir, "lock"))
}

// Record records the workspace as a checkpoint of the given kind unless it
// is the same as the latest checkpoint. It returns the checkpoint and
// whether a new one was made; when the workspace did not change, the
// latest checkpoint is returned.
func (s *Store) Record(ctx context.Context, c Checkpoint) (Checkpoint, bool, error) {
	unlock, err := s.lock()
	if err != nil {
		return Checkpoint{}, false, err
	}
	defer unlock()
	return s.record(ctx, c)
}

func (s *Store) record(ctx context.Context, c Checkpoint) (Checkpoint, bool, error) {
	snap, err := s.snapshot(ctx)
	if err != nil {
		return Checkpoint{}, false, err
	}
	latest, ok, err := s.latest(ctx)
	if err != nil {
		return Checkpoint{}, false, err
	}
	if ok && latest.tree == snap.tree && slices.Equal(latest.Skipped, snap.skipped) {
		return latest, false, nil
	}
	c.N, c.tree, c.Skipped = 0, snap.tree, snap.skipped
	if c.Time.IsZero() {
		c.Time = time.Now()
	}
	c.Label = oneLine(c.Label, 200)
	parentTree := emptyTree
	args := []string{"commit-tree", snap.tree}
	if ok {
		c.N = latest.N + 1
		parentTree = latest.tree
		args = append(args, "-p", latest.commit)
	}
	if c.N == 0 {
		c.Kind = KindInitial
	}
	changes, err := s.changes(ctx, parentTree, snap.tree)
	if err != nil {
		return Checkpoint{}, false, err
	}
	for _, ch := range changes {
		switch ch.status {
		case 'A':
			c.Added++
		case 'D':
			c.Deleted++
		default:
			c.Modified++
		}
	}
	meta, err := json.Marshal(c)
	if err != nil {
		return Checkpoint{}, false, err
	}
	msg := c.Label
	if msg == "" {
		msg = c.Kind
	}
	msg += "\n\n" + metaPrefix + string(meta) + "\n"
	commit, err := s.git.line(ctx, []byte(msg), args...)
	if err != nil {
		return Checkpoint{}, false, err
	}
	old := ""
	if ok {
		old = latest.commit
	}
	if _, err := s.git.run(ctx, nil, "update-ref", ref, commit, old); err != nil {
		return Checkpoint{}, false, err
	}
	c.commit = commit
	return c, true, nil
}

// emptyTree is git's empty tree object (SHA-1).
const emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

// List returns the workspace's checkpoints, oldest first.
func (s *Store) List(ctx context.Context) ([]Checkpoint, error) {
	unlock, err := s.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	return s.list(ctx, 0)
}

// list reads up to max checkpoints, newest first when max > 0 (the latest
// ones), else all of them oldest first.
func (s *Store) list(ctx context.Context, max int) ([]Checkpoint, error) {
	args := []string{"log", "-z", "--format=%H%x1f%T%x1f%B"}
	if max > 0 {
		args = append(args, fmt.Sprintf("--max-count=%d", max))
	}
	args = append(args, ref, "--")
	out, err := s.git.run(ctx, nil, args...)
	if err != nil {
		if _, missing := s.git.run(ctx, nil, "rev-parse", "--verify", "--quiet", ref); missing != nil {
			return nil, nil // no checkpoint yet
		}
		return nil, err
	}
	var cps []Checkpoint
	for _, rec := range splitZ(out) {
		f := strings.SplitN(rec, "\x1f", 3)
		if len(f) != 3 {
			continue
		}
		c, ok := parseMeta(f[2])
		if !ok {
			continue
		}
		c.commit, c.tree = f[0], f[1]
		cps = append(cps, c)
	}
	if max <= 0 {
		for i, j := 0, len(cps)-1; i < j; i, j = i+1, j-1 {
			cps[i], cps[j] = cps[j], cps[i]
		}
	}
	return cps, nil
}

func (s *Store) latest(ctx context.Context) (Checkpoint, bool, error) {
	cps, err := s.list(ctx, 1)
	if err != nil || len(cps) == 0 {
		return Checkpoint{}, false, err
	}
	return cps[0], true, nil
}

// find returns checkpoint n.
func (s *Store) find(ctx context.Context, n int) (Checkpoint, error) {
	cps, err := s.list(ctx, 0)
	if err != nil {
		return Checkpoint{}, err
	}
	for _, c := range cps {
		if c.N == n {
			return c, nil
		}
	}
	if len(cps) == 0 {
		return Checkpoint{}, fmt.Errorf("no checkpoint %d: there are no checkpoints yet", n)
	}
	return Checkpoint{}, fmt.Errorf("no checkpoint %d: they go from %d to %d", n, cps[0].N, cps[len(cps)-1].N)
}

// parseMeta reads the metadata line of a commit message.
func parseMeta(msg string) (Checkpoint, bool) {
	for _, line := range strings.Split(msg, "\n") {
		if rest, ok := strings.CutPrefix(line, metaPrefix); ok {
			var c Checkpoint
			if json.Unmarshal([]byte(rest), &c) == nil && c.N >= 0 {
				return c, true
			}
		}
	}
	return Checkpoint{}, false
}

// Clean deletes every checkpoint of the workspace.
func (s *Store) Clean() error {
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if err := os.RemoveAll(s.git.gitDir); err != nil {
		return err
	}
	_ = os.Remove(s.git.index)
	return s.create(context.Background())
}

// oneLine makes s a single line of at most n runes without control
// characters, for labels shown in lists.
func oneLine(s string, n int) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = strings.TrimSpace(s[:i]) + " …"
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > n {
		s = string(r[:n-1]) + "…"
	}
	return s
}
