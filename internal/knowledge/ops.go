package knowledge

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// Phases of an operation.
const (
	phaseScanning = iota // walking the folder
	phaseIndexing        // reading and indexing the files found
	phaseSaving          // closing the index and swapping it in
)

// progress is what a running operation has done so far; the chat and
// /knowledge show read it while the operation writes it.
type progress struct {
	found atomic.Int64 // files found by the walk
	total atomic.Int64 // files to index, once the walk is done
	done  atomic.Int64 // files indexed
	items atomic.Int64 // chunks indexed
}

// op is one indexing operation of this process.
type op struct {
	id      string
	base    Base // as it was when the operation started
	kind    string
	started time.Time
	cancel  context.CancelFunc
	// cancelled is set by the user's /knowledge cancel (as opposed to q
	// closing the store).
	cancelled atomic.Bool
	phase     atomic.Int32
	prog      progress
}

// Progress describes an operation, running or ended.
type Progress struct {
	// ID is the operation's short id, for /knowledge cancel.
	ID     string
	BaseID string
	Name   string
	Path   string
	// Kind is "Indexing" for a new base, "Updating" for an update.
	Kind string
	// Phase is "scanning", "indexing" or "saving" while it runs.
	Phase string
	// Found is the files found so far while scanning; Total those to
	// index, Done those indexed, Items the chunks indexed.
	Found, Total, Done, Items int
	Started                   time.Time
	Elapsed                   time.Duration
	// ETA is the estimated time left, 0 when unknown.
	ETA time.Duration
	// Remote is set for an operation another q process runs: only its
	// base is known.
	Remote bool
	// For an ended operation: its outcome, and the base as it left it.
	Ended   bool
	State   State
	Err     string
	Skipped Skipped
}

// Percent is the share of files indexed, -1 while unknown.
func (p Progress) Percent() int {
	if p.Total <= 0 || p.Phase == "scanning" {
		return -1
	}
	return min(100, p.Done*100/p.Total)
}

// startLocked picks a base with pick under the folder's lock, marks it
// indexing with a fresh build folder (locked, so other processes see the
// build is alive) and starts the operation.
func (s *Store) startLocked(pick func([]Base) (*Base, []Base, error), kind string) (Base, error) {
	s.mu.Lock()
	closing := s.closing
	s.mu.Unlock()
	if closing {
		return Base{}, errors.New("the session is ending")
	}
	var o *op
	var lf *os.File
	err := withMeta(s.dir, func(bases []Base) ([]Base, error) {
		b, out, err := pick(bases)
		if err != nil {
			return nil, err
		}
		build := "build-" + randomHex(8)
		dir := filepath.Join(s.dir, b.ID, build)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		lf, err = os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
		if err == nil {
			err = tryLock(lf)
		}
		if err != nil {
			if lf != nil {
				lf.Close()
			}
			_ = os.RemoveAll(dir)
			return nil, err
		}
		b.State, b.Building, b.Error = Indexing, build, ""
		o = &op{id: randomHex(4), base: *b, kind: kind, started: s.now()}
		return out, nil
	})
	if err != nil {
		return Base{}, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	o.cancel = cancel
	s.mu.Lock()
	s.ops[o.base.ID] = o
	s.wg.Add(1)
	s.mu.Unlock()
	go s.run(ctx, o, lf)
	return o.base, nil
}

// run walks and indexes o's base, then records the outcome.
func (s *Store) run(ctx context.Context, o *op, lf *os.File) {
	defer s.wg.Done()
	set := s.set.withDefaults()
	b := o.base
	buildDir := filepath.Join(s.dir, b.ID, b.Building)
	var res Built
	skipped, err := func() (Skipped, error) {
		pats, err := newPatterns(b.Path, b.Include, b.Exclude)
		if err != nil {
			return Skipped{}, err
		}
		w := &walker{ctx: ctx, root: b.Path, patterns: pats, judge: s.judge, maxFiles: set.MaxFiles,
			found: func(n int) { o.prog.found.Store(int64(n)) }}
		files, skipped, err := w.discover()
		if errors.Is(err, errTooManyFiles) {
			return skipped, fmt.Errorf("it holds more than %d files (knowledge.maxFiles); narrow it with --include or --exclude, or raise knowledge.maxFiles", set.MaxFiles)
		}
		if err != nil {
			return skipped, err
		}
		o.prog.found.Store(int64(len(files)))
		o.prog.total.Store(int64(len(files)))
		o.phase.Store(phaseIndexing)
		req := BuildRequest{Dir: filepath.Join(buildDir, "index"), Files: requestFiles(files),
			ChunkSize: set.ChunkSize, ChunkOverlap: set.ChunkOverlap}
		res, err = s.backend.Build(ctx, req, func(done, items int) {
			o.prog.done.Store(int64(done))
			o.prog.items.Store(int64(items))
		})
		o.phase.Store(phaseSaving)
		skipped.Binary += res.Binary
		skipped.Unreadable += res.Unreadable
		return skipped, err
	}()
	s.finish(o, lf, res, skipped, err)
}

// finish swaps a complete index in, or removes a failed build, and records
// the base's new state and the operation's end for the chat to announce.
func (s *Store) finish(o *op, lf *os.File, res Built, skipped Skipped, runErr error) {
	b := o.base
	buildDir := filepath.Join(s.dir, b.ID, b.Building)
	s.mu.Lock()
	closing := s.closing
	s.mu.Unlock()
	state, msg := Ready, ""
	switch {
	case runErr == nil:
	case errors.Is(runErr, context.Canceled) && o.cancelled.Load():
		state, msg = Cancelled, "cancelled"
	case errors.Is(runErr, context.Canceled) && closing:
		state, msg = Interrupted, "q stopped before indexing finished"
	default:
		state, msg = Failed, runErr.Error()
	}
	var old string
	var after Base
	exists := false
	err := withMeta(s.dir, func(bases []Base) ([]Base, error) {
		i := slices.IndexFunc(bases, func(x Base) bool { return x.ID == b.ID })
		if i < 0 || bases[i].Building != b.Building {
			return bases, nil // removed, or taken over, meanwhile
		}
		exists = true
		cur := &bases[i]
		cur.Building = ""
		cur.State, cur.Error = state, msg
		if state == Ready {
			gen := "idx-" + randomHex(8)
			if err := os.Rename(buildDir, filepath.Join(s.dir, b.ID, gen)); err != nil {
				cur.State, cur.Error = Failed, err.Error()
			} else {
				old, cur.Index = cur.Index, gen
				cur.Files, cur.Items, cur.Skipped = res.Files, res.Items, skipped
				cur.UpdatedAt = s.now()
				_ = os.Remove(filepath.Join(s.dir, b.ID, gen, lockFile))
			}
		}
		after = *cur
		return bases, nil
	})
	lf.Close()
	_ = os.RemoveAll(buildDir)
	if old != "" {
		_ = os.RemoveAll(filepath.Join(s.dir, b.ID, old))
	}
	if err != nil {
		after.State, after.Error = Failed, err.Error()
	}
	p := o.snapshot(s.now())
	p.Ended, p.State, p.Err, p.Skipped = true, after.State, after.Error, skipped
	p.Done, p.Items = res.Files, res.Items
	s.mu.Lock()
	delete(s.ops, b.ID)
	if exists || err != nil {
		s.finished = append(s.finished, p)
	}
	s.mu.Unlock()
}

// snapshot describes o at time now.
func (o *op) snapshot(now time.Time) Progress {
	p := Progress{ID: o.id, BaseID: o.base.ID, Name: o.base.Name, Path: o.base.Path, Kind: o.kind,
		Found: int(o.prog.found.Load()), Total: int(o.prog.total.Load()), Done: int(o.prog.done.Load()),
		Items: int(o.prog.items.Load()), Started: o.started, Elapsed: now.Sub(o.started)}
	switch o.phase.Load() {
	case phaseScanning:
		p.Phase = "scanning"
	case phaseIndexing:
		p.Phase = "indexing"
		if p.Done > 0 && p.Total > p.Done {
			p.ETA = time.Duration(float64(p.Elapsed) / float64(p.Done) * float64(p.Total-p.Done))
		}
	default:
		p.Phase = "saving"
	}
	return p
}

// Running describes this process's operations, oldest first. Unlike
// Operations it reads no file, so it can be asked before every prompt.
func (s *Store) Running() []Progress {
	now := s.now()
	s.mu.Lock()
	var out []Progress
	for _, o := range s.ops {
		out = append(out, o.snapshot(now))
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b Progress) int { return a.Started.Compare(b.Started) })
	return out
}

// Operations describes the operations running now: this process's, and,
// without their progress, those of other q processes on the same bases.
func (s *Store) Operations() []Progress {
	out := s.Running()
	mine := map[string]bool{}
	for _, p := range out {
		mine[p.BaseID] = true
	}
	bases, _ := readMeta(s.dir)
	for _, b := range bases {
		if b.State == Indexing && !mine[b.ID] && s.building(b) {
			out = append(out, Progress{BaseID: b.ID, Name: b.Name, Path: b.Path, Kind: "Indexing", Remote: true})
		}
	}
	slices.SortFunc(out, func(a, b Progress) int { return a.Started.Compare(b.Started) })
	return out
}

// TakeFinished returns the operations that ended since the last call, for
// the chat to announce once.
func (s *Store) TakeFinished() []Progress {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.finished
	s.finished = nil
	return out
}

// Cancel stops this process's operations that ident names: an operation's
// short id, a base's name, or "" or "all" for every one. It returns the
// names of the bases whose indexing it stopped.
func (s *Store) Cancel(ident string) ([]string, error) {
	ident = strings.TrimSpace(ident)
	s.mu.Lock()
	var names []string
	for _, o := range s.ops {
		if ident == "" || ident == "all" || ident == o.id || ident == o.base.Name {
			o.cancelled.Store(true)
			o.cancel()
			names = append(names, o.base.Name)
		}
	}
	s.mu.Unlock()
	if len(names) == 0 {
		if ident == "" || ident == "all" {
			return nil, errors.New("no indexing operation is running in this session")
		}
		return nil, fmt.Errorf("no running operation %s (/knowledge show lists them)", ident)
	}
	slices.Sort(names)
	return names, nil
}

// cancelBase stops the operation indexing the base with id, if any.
func (s *Store) cancelBase(id string) {
	s.mu.Lock()
	if o := s.ops[id]; o != nil {
		o.cancelled.Store(true)
		o.cancel()
	}
	s.mu.Unlock()
}

// Close stops the running operations, marking their bases interrupted, and
// waits for them to end. It returns the names of those bases.
func (s *Store) Close() []string {
	s.mu.Lock()
	s.closing = true
	var names []string
	for _, o := range s.ops {
		o.cancel()
		names = append(names, o.base.Name)
	}
	s.mu.Unlock()
	s.wg.Wait()
	slices.Sort(names)
	return names
}
