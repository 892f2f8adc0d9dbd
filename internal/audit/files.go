package audit

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	logSuffix      = ".jsonl"
	digestSuffix   = ".digest.json"
	nameTimeFormat = "20060102T150405Z"
	lockName       = ".lock"
)

// trailName matches the log and digest files of a trail.
var trailName = regexp.MustCompile(`^qdev-audit-(\d{8}T\d{6}Z)-(\d{1,18})(\.jsonl|\.digest\.json)$`)

// logFile is one log file of a trail as listed.
type logFile struct {
	Name  string // base name
	Seq   int64
	Start time.Time // creation time, from the name
	Size  int64     // bytes when listed
}

// logName returns the name of the log file number seq created at start.
func logName(start time.Time, seq int64) string {
	return fmt.Sprintf("qdev-audit-%s-%06d%s", start.UTC().Format(nameTimeFormat), seq, logSuffix)
}

// digestName returns the name of the digest of log file name.
func digestName(name string) string {
	return strings.TrimSuffix(name, logSuffix) + digestSuffix
}

// listing is what a trail directory held at one moment.
type listing struct {
	Logs    []logFile       // by sequence number
	Digests map[string]bool // names of the log files that have a digest
}

// listTrail reads dir. A missing directory is an empty trail; files that are
// not part of a trail are ignored.
func listTrail(dir string) (listing, error) {
	l := listing{Digests: map[string]bool{}}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return l, fmt.Errorf("audit trail %s: %w", dir, err)
	}
	for _, e := range entries {
		m := trailName.FindStringSubmatch(e.Name())
		if m == nil || !e.Type().IsRegular() {
			continue
		}
		if m[3] == digestSuffix {
			l.Digests[strings.TrimSuffix(e.Name(), digestSuffix)+logSuffix] = true
			continue
		}
		start, err1 := time.Parse(nameTimeFormat, m[1])
		seq, err2 := strconv.ParseInt(m[2], 10, 64)
		info, err3 := e.Info()
		if err1 != nil || err2 != nil {
			continue
		}
		if err3 != nil {
			if errors.Is(err3, fs.ErrNotExist) {
				continue // removed since ReadDir
			}
			return l, fmt.Errorf("audit trail %s: %w", filepath.Join(dir, e.Name()), err3)
		}
		l.Logs = append(l.Logs, logFile{Name: e.Name(), Seq: seq, Start: start, Size: info.Size()})
	}
	slices.SortFunc(l.Logs, func(a, b logFile) int {
		if a.Seq != b.Seq {
			return int(a.Seq - b.Seq)
		}
		return strings.Compare(a.Name, b.Name)
	})
	return l, nil
}

// snapshot lists dir while holding the trail's lock shared, so no append or
// rotation is half done in what it returns. Files only grow and gain
// digests afterwards, so reading each log file up to its listed size gives
// a consistent view without blocking writers for the whole read.
func snapshot(dir string) (listing, error) {
	lf, err := os.Open(filepath.Join(dir, lockName))
	switch {
	case err == nil:
		defer lf.Close()
		if err := flock(lf, false); err != nil {
			return listing{}, fmt.Errorf("audit trail %s: lock: %w", dir, err)
		}
		defer funlock(lf)
	case !errors.Is(err, fs.ErrNotExist):
		return listing{}, fmt.Errorf("audit trail %s: %w", dir, err)
	}
	return listTrail(dir)
}

// readPrefix returns the first n bytes of file path.
func readPrefix(path string, n int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, n)
	got, err := f.ReadAt(buf, 0)
	if int64(got) == n || errors.Is(err, io.EOF) {
		return buf[:got], nil // a shorter file is for the caller to judge
	}
	return nil, err
}

// syncDir makes a file creation or rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
