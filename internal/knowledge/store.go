package knowledge

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/qdev/qdev/internal/paths"
)

// Store is one agent's knowledge bases, in one folder. It is safe for
// concurrent use, and several q processes may share the folder: the list
// of bases changes under the folder's lock, and an index is built in a
// folder of its own, then swapped in whole, so a search never sees half of
// one.
type Store struct {
	dir     string
	judge   Judge
	backend Backend
	set     Settings
	cwd     string
	now     func() time.Time

	// mu guards ops, finished and closing. An operation's goroutine takes
	// it only to record its end, never while it indexes.
	mu       sync.Mutex
	ops      map[string]*op // running operations, by base id
	finished []Progress     // ended operations not yet announced
	closing  bool
	wg       sync.WaitGroup
}

// Options configure a Store.
type Options struct {
	// Judge decides which files may be indexed and returned; nil lets
	// nothing through.
	Judge Judge
	// Backend builds and searches the indexes: the helper next to q
	// (Helper), or an in-process one in tests. Nil fails every build and
	// search.
	Backend Backend
	// Settings are the knowledge.* settings of the session.
	Settings Settings
	// Cwd resolves relative paths given to Remove and Update.
	Cwd string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Open opens the knowledge bases in dir, creating the folder (0700) when
// it is missing. Operations that a q process no longer running left
// unfinished are marked interrupted and their partial indexes removed.
func Open(dir string, opts Options) (*Store, error) {
	if err := paths.EnsureDir(dir); err != nil {
		return nil, fmt.Errorf("knowledge bases: %w", err)
	}
	s := &Store{dir: dir, judge: opts.Judge, backend: opts.Backend, set: opts.Settings, cwd: opts.Cwd, now: opts.Now, ops: map[string]*op{}}
	if s.backend == nil {
		s.backend = Unavailable(errors.New("knowledge bases cannot be indexed or searched here: no index backend"))
	}
	if s.now == nil {
		s.now = time.Now
	}
	if err := withMeta(dir, s.tidy); err != nil {
		return nil, err
	}
	return s, nil
}

// Dir is the store's folder.
func (s *Store) Dir() string { return s.dir }

// tidy marks bases whose build was abandoned as interrupted and removes
// folders no base refers to. It runs under the folder's lock, as every
// change of the list does, so it never removes a build another process
// has just started.
func (s *Store) tidy(bases []Base) ([]Base, error) {
	keep := map[string]bool{metaFile: true, lockFile: true}
	for i := range bases {
		b := &bases[i]
		if b.State == Indexing && !s.building(*b) {
			_ = os.RemoveAll(filepath.Join(s.dir, b.ID, b.Building))
			b.State, b.Building, b.Error = Interrupted, "", "q stopped before indexing finished"
		}
		keep[b.ID] = true
		entries, _ := os.ReadDir(filepath.Join(s.dir, b.ID))
		for _, e := range entries {
			if e.Name() != b.Index && e.Name() != b.Building {
				_ = os.RemoveAll(filepath.Join(s.dir, b.ID, e.Name()))
			}
		}
	}
	entries, _ := os.ReadDir(s.dir)
	for _, e := range entries {
		if !keep[e.Name()] && idPattern.MatchString(e.Name()) {
			_ = os.RemoveAll(filepath.Join(s.dir, e.Name()))
		}
	}
	return bases, nil
}

// building reports whether an operation still builds b's index: one of
// this process, or one whose process holds the build's lock.
func (s *Store) building(b Base) bool {
	if b.Building == "" {
		return false
	}
	s.mu.Lock()
	_, mine := s.ops[b.ID]
	s.mu.Unlock()
	if mine {
		return true
	}
	f, err := os.Open(filepath.Join(s.dir, b.ID, b.Building, lockFile))
	if err != nil {
		return false
	}
	defer f.Close()
	return tryLock(f) != nil
}

// Bases lists the knowledge bases, oldest first. A base whose operation
// was abandoned shows as interrupted.
func (s *Store) Bases() ([]Base, error) {
	bases, err := readMeta(s.dir)
	if err != nil {
		return nil, err
	}
	for i := range bases {
		if bases[i].State == Indexing && !s.building(bases[i]) {
			bases[i].State, bases[i].Error = Interrupted, "q stopped before indexing finished"
		}
	}
	return bases, nil
}

// AddOptions are /knowledge add's options; empty ones take the settings'
// defaults.
type AddOptions struct {
	Include, Exclude []string
	IndexType        string
}

// Add registers a knowledge base named name for path (absolute) and starts
// indexing it in the background. notes say what the user should know, such
// as the Best index type being replaced by Fast.
func (s *Store) Add(name, path string, o AddOptions) (b Base, notes []string, err error) {
	name = strings.TrimSpace(name)
	if name == "" || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return Base{}, nil, errors.New("a knowledge base needs a name without control characters")
	}
	if u, ok := s.backend.(unavailable); ok {
		return Base{}, nil, u.err
	}
	set := s.set.withDefaults()
	if err := set.validate(); err != nil {
		return Base{}, nil, err
	}
	root, isFile, err := s.canonicalRoot(path)
	if err != nil {
		return Base{}, nil, err
	}
	if len(o.Include) == 0 {
		o.Include = slices.Clone(set.Include)
	}
	if len(o.Exclude) == 0 {
		o.Exclude = slices.Clone(set.Exclude)
	}
	if _, err := newPatterns(root, o.Include, o.Exclude); err != nil {
		return Base{}, nil, err
	}
	typ := o.IndexType
	if typ == "" {
		typ = set.IndexType
	}
	switch {
	case strings.EqualFold(typ, Fast):
	case strings.EqualFold(typ, Best):
		notes = append(notes, "Best (semantic) indexes are not available in qdev; "+name+" is indexed as Fast (BM25 full-text search).")
	default:
		return Base{}, nil, fmt.Errorf("invalid index type %q: use Fast or Best", typ)
	}
	now := s.now()
	b = Base{ID: randomHex(16), Name: name, Path: root, IsFile: isFile, Include: o.Include, Exclude: o.Exclude,
		IndexType: Fast, CreatedAt: now, UpdatedAt: now}
	b, err = s.startLocked(func(bases []Base) (*Base, []Base, error) {
		for _, o := range bases {
			if o.Name == name {
				return nil, nil, fmt.Errorf("a knowledge base named %s exists; /knowledge update %s indexes it again", name, name)
			}
		}
		bases = append(bases, b)
		return &bases[len(bases)-1], bases, nil
	}, "Indexing")
	if err != nil {
		return Base{}, nil, err
	}
	return b, notes, nil
}

// canonicalRoot resolves path's symbolic links (the user named it, so a
// link there is followed once; none below it ever is) and checks that the
// permission rules let it be read.
func (s *Store) canonicalRoot(path string) (string, bool, error) {
	if !filepath.IsAbs(path) {
		return "", false, fmt.Errorf("%s is not an absolute path", path)
	}
	root, err := filepath.EvalSymlinks(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", false, fmt.Errorf("path %s does not exist", path)
		}
		return "", false, err
	}
	fi, err := os.Stat(root)
	if err != nil {
		return "", false, err
	}
	if !fi.IsDir() && !fi.Mode().IsRegular() {
		return "", false, fmt.Errorf("%s is neither a folder nor a regular file", path)
	}
	if s.judge == nil {
		return "", false, errors.New("knowledge bases are not available: no permission rules to judge files by")
	}
	if err := s.judge(root); err != nil {
		return "", false, fmt.Errorf("%s may not be read: %v", root, err)
	}
	return root, !fi.IsDir(), nil
}

// Update indexes the base ident names (its name, id, short id or path)
// again, from newPath (absolute) when it is not empty, keeping its
// patterns; the old index is searched until the new one is complete.
func (s *Store) Update(ident, newPath string) (Base, error) {
	if u, ok := s.backend.(unavailable); ok {
		return Base{}, u.err
	}
	if err := s.set.withDefaults().validate(); err != nil {
		return Base{}, err
	}
	return s.startLocked(func(bases []Base) (*Base, []Base, error) {
		i, err := s.find(bases, ident)
		if err != nil {
			return nil, nil, err
		}
		b := &bases[i]
		if b.State == Indexing && s.building(*b) {
			return nil, nil, fmt.Errorf("%s is being indexed already (/knowledge show has its progress)", b.Name)
		}
		p := b.Path
		if newPath != "" {
			p = newPath
		}
		root, isFile, err := s.canonicalRoot(p)
		if err != nil {
			return nil, nil, err
		}
		if newPath == "" && root != b.Path {
			// The folder became a link since it was added: follow no link
			// the user did not name.
			return nil, nil, fmt.Errorf("%s is now a link to %s; /knowledge update %s %s indexes that instead", b.Path, root, b.Name, root)
		}
		b.Path, b.IsFile = root, isFile
		return b, bases, nil
	}, "Updating")
}

// Find returns the base ident names, as Search, Update and Remove find it:
// callers that judge what an operation will read ask it rather than
// matching names themselves.
func (s *Store) Find(ident string) (Base, error) {
	bases, err := s.Bases()
	if err != nil {
		return Base{}, err
	}
	i, err := s.find(bases, ident)
	if err != nil {
		return Base{}, err
	}
	return bases[i], nil
}

// find returns the index of the base ident names: a name first, then an
// id or a unique prefix of 8 or more of its characters, then a path.
func (s *Store) find(bases []Base, ident string) (int, error) {
	ident = strings.TrimSpace(ident)
	if ident == "" {
		return 0, errors.New("name a knowledge base: its name, id or path (/knowledge show lists them)")
	}
	for i, b := range bases {
		if b.Name == ident {
			return i, nil
		}
	}
	match := -1
	for i, b := range bases {
		if len(ident) >= 8 && strings.HasPrefix(b.ID, ident) {
			if match >= 0 {
				return 0, fmt.Errorf("%s is the start of more than one id; give more of it", ident)
			}
			match = i
		}
	}
	if match >= 0 {
		return match, nil
	}
	p := ident
	if !filepath.IsAbs(p) && s.cwd != "" {
		p = filepath.Join(s.cwd, p)
	}
	if canon, err := filepath.EvalSymlinks(p); err == nil {
		p = canon
	}
	for i, b := range bases {
		if b.Path == filepath.Clean(p) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("no knowledge base named %s (/knowledge show lists them)", ident)
}

// Remove deletes the base ident names, and its index; an operation
// indexing it is cancelled.
func (s *Store) Remove(ident string) (Base, error) {
	var gone Base
	err := withMeta(s.dir, func(bases []Base) ([]Base, error) {
		i, err := s.find(bases, ident)
		if err != nil {
			return nil, err
		}
		gone = bases[i]
		return slices.Delete(bases, i, i+1), nil
	})
	if err != nil {
		return Base{}, err
	}
	s.cancelBase(gone.ID)
	_ = os.RemoveAll(filepath.Join(s.dir, gone.ID))
	return gone, nil
}

// Clear deletes every base and cancels their operations; it returns how
// many there were.
func (s *Store) Clear() (int, error) {
	var gone []Base
	err := withMeta(s.dir, func(bases []Base) ([]Base, error) {
		gone = bases
		return nil, nil
	})
	if err != nil {
		return 0, err
	}
	for _, b := range gone {
		s.cancelBase(b.ID)
		_ = os.RemoveAll(filepath.Join(s.dir, b.ID))
	}
	return len(gone), nil
}
