package knowledge

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// file is one file the walk chose to index.
type file struct {
	abs, rel string
	// info is the walk's lstat of the file: the read checks that it opens
	// the same file, not one swapped in since.
	info fs.FileInfo
}

// errTooManyFiles stops a walk that found more files than maxFiles.
var errTooManyFiles = errors.New("too many files")

// walker finds the files of one base: regular files below the root that no
// .gitignore ignores, that are not hidden, that the patterns include and
// that the judge lets through. It follows no symbolic link, so nothing
// outside the root is reached through one.
type walker struct {
	ctx      context.Context
	root     string // canonical
	patterns *patterns
	judge    Judge
	maxFiles int
	// anchor is the folder .gitignore paths are relative to: the
	// repository holding root, else root; prefix is root relative to it.
	anchor, prefix string
	// found is called with the number of files found so far.
	found   func(int)
	files   []file
	skipped Skipped
}

// discover returns the files to index below root (or root itself when it is
// a file) and the counts of those left out.
func (w *walker) discover() ([]file, Skipped, error) {
	fi, err := os.Lstat(w.root)
	if err != nil {
		return nil, w.skipped, err
	}
	if w.judge == nil {
		return nil, w.skipped, errors.New("no permission judge: nothing may be indexed")
	}
	if !fi.IsDir() {
		// A file the user named is indexed whatever .gitignore says; the
		// permission rules still apply.
		if err := w.judge(w.root); err != nil {
			return nil, w.skipped, fmt.Errorf("%s may not be read: %v", w.root, err)
		}
		if !fi.Mode().IsRegular() {
			return nil, w.skipped, fmt.Errorf("%s is not a regular file", w.root)
		}
		w.files = append(w.files, file{abs: w.root, rel: filepath.Base(w.root), info: fi})
		return w.files, w.skipped, nil
	}
	if err := w.judge(w.root); err != nil {
		return nil, w.skipped, fmt.Errorf("%s may not be read: %v", w.root, err)
	}
	rules := w.outerRules()
	if err := w.dir("", rules); err != nil {
		return nil, w.skipped, err
	}
	return w.files, w.skipped, nil
}

// outerRules finds the repository root holding w.root and returns the
// rules of the .gitignore files between it and w.root, with the
// repository's info/exclude first: git applies them to w.root's files too.
func (w *walker) outerRules() ignoreList {
	w.anchor = w.root
	for dir := filepath.Dir(w.root); ; dir = filepath.Dir(dir) {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			w.anchor = dir
			break
		}
		if dir == filepath.Dir(dir) {
			break
		}
	}
	if w.anchor == w.root {
		if _, err := os.Lstat(filepath.Join(w.root, ".git")); err == nil {
			return parseIgnore(readSmall(filepath.Join(w.root, ".git", "info", "exclude")), "")
		}
		return nil
	}
	rel, _ := filepath.Rel(w.anchor, w.root)
	w.prefix = filepath.ToSlash(rel)
	rules := ignoreList(parseIgnore(readSmall(filepath.Join(w.anchor, ".git", "info", "exclude")), ""))
	base := ""
	for _, name := range strings.Split(w.prefix, "/") {
		rules = append(rules, parseIgnore(readSmall(filepath.Join(w.anchor, base, ".gitignore")), base)...)
		base = path.Join(base, name)
	}
	return rules
}

// readSmall reads a regular file of at most 1 MiB, nil otherwise: an
// ignore file is never a link or a device.
func readSmall(p string) []byte {
	fi, err := os.Lstat(p)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > 1<<20 {
		return nil
	}
	data, _ := os.ReadFile(p)
	return data
}

// anchored turns a path relative to the root into one relative to the anchor.
func (w *walker) anchored(rel string) string {
	if w.prefix == "" {
		return rel
	}
	return path.Join(w.prefix, rel)
}

// dir walks the folder rel (relative to the root) with the ignore rules in
// force above it.
func (w *walker) dir(rel string, rules ignoreList) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	abs := filepath.Join(w.root, filepath.FromSlash(rel))
	entries, err := os.ReadDir(abs)
	if err != nil {
		w.skipped.Unreadable++
		return nil
	}
	if data := readSmall(filepath.Join(abs, ".gitignore")); data != nil {
		rules = append(rules[:len(rules):len(rules)], parseIgnore(data, w.anchored(rel))...)
	}
	for _, e := range entries {
		name := e.Name()
		childRel := path.Join(rel, name)
		childAbs := filepath.Join(abs, name)
		switch {
		case strings.HasPrefix(name, "."):
			w.skipped.Hidden++
		case e.Type()&fs.ModeSymlink != 0:
			w.skipped.Symlinks++
		case e.IsDir():
			if err := w.subdir(childRel, childAbs, rules); err != nil {
				return err
			}
		case e.Type().IsRegular():
			if err := w.file(childRel, childAbs, e, rules); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *walker) subdir(rel, abs string, rules ignoreList) error {
	switch {
	case rules.ignored(w.anchored(rel), true):
		w.skipped.Ignored++
	case w.patterns.excludesDir(rel):
		w.skipped.Excluded++
	case w.judge(abs) != nil:
		// A denied folder is not entered: nothing in it is read.
		w.skipped.Denied++
	default:
		return w.dir(rel, rules)
	}
	return nil
}

func (w *walker) file(rel, abs string, e fs.DirEntry, rules ignoreList) error {
	switch {
	case rules.ignored(w.anchored(rel), false):
		w.skipped.Ignored++
		return nil
	case !w.patterns.includes(rel):
		w.skipped.Excluded++
		return nil
	case w.judge(abs) != nil:
		w.skipped.Denied++
		return nil
	}
	info, err := e.Info()
	switch {
	case err != nil:
		w.skipped.Unreadable++
		return nil
	case info.Size() > MaxFileBytes:
		w.skipped.TooLarge++
		return nil
	}
	if len(w.files) >= w.maxFiles {
		return errTooManyFiles
	}
	w.files = append(w.files, file{abs: abs, rel: rel, info: info})
	if w.found != nil && len(w.files)%100 == 0 {
		w.found(len(w.files))
	}
	return nil
}

// requestFiles turns the walk's files into a build request's.
func requestFiles(files []file) []File {
	out := make([]File, len(files))
	for i, f := range files {
		dev, ino := fileID(f.info)
		out[i] = File{Abs: f.abs, Rel: f.rel, Dev: dev, Ino: ino}
	}
	return out
}
