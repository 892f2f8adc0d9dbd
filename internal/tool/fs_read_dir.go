package tool

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// maxDirEntries caps a Directory listing; deeper or wider trees need a
// narrower request.
const maxDirEntries = 1000

// listDirectory lists dir breadth-first down to depth levels below it, one
// entry per line in the original's `ls -l`-like format:
// "<type><perms> <nlink> <uid> <gid> <size> <Mon DD HH:MM> <path>", times in
// UTC. Symlinks are listed, not followed. Entries are sorted by name within
// a directory so the listing is stable.
func listDirectory(ctx context.Context, dir string, depth int) (string, error) {
	type item struct {
		path  string
		level int
	}
	queue := []item{{dir, 0}}
	var lines []string
	size := 0
	for len(queue) > 0 {
		if err := ctx.Err(); err != nil {
			return "", errors.New("cancelled")
		}
		cur := queue[0]
		queue = queue[1:]
		if cur.level > depth {
			break
		}
		entries, err := os.ReadDir(cur.path)
		if err != nil {
			if cur.path == dir {
				return "", describeStatErr(dir, err)
			}
			lines = append(lines, fmt.Sprintf("(cannot list %s: %v)", cur.path, errors.Unwrap(err)))
			continue
		}
		for _, e := range entries {
			if len(lines) >= maxDirEntries || size > MaxResponseBytes {
				lines = append(lines, fmt.Sprintf("... listing stopped after %d entries; list a subdirectory or use a smaller depth", len(lines)))
				return strings.Join(lines, "\n"), nil
			}
			p := filepath.Join(cur.path, e.Name())
			fi, err := e.Info()
			if err != nil {
				continue // removed while listing
			}
			line := formatDirEntry(p, fi)
			lines = append(lines, line)
			size += len(line) + 1
			if fi.IsDir() {
				queue = append(queue, item{p, cur.level + 1})
			}
		}
	}
	return SanitizeUnicode(strings.ToValidUTF8(strings.Join(lines, "\n"), "\uFFFD")), nil
}

func formatDirEntry(path string, fi fs.FileInfo) string {
	ftype := '-'
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		ftype = 'l'
	case fi.IsDir():
		ftype = 'd'
	}
	var nlink uint64 = 1
	var uid, gid uint32
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		nlink, uid, gid = uint64(st.Nlink), st.Uid, st.Gid
	}
	return fmt.Sprintf("%c%s %d %d %d %d %s %s", ftype, formatPerm(fi.Mode().Perm()), nlink, uid, gid,
		fi.Size(), fi.ModTime().UTC().Format("Jan 02 15:04"), path)
}

// formatPerm renders permission bits as ls does: 0o644 → "rw-r--r--".
func formatPerm(mode fs.FileMode) string {
	const rwx = "rwx"
	b := []byte("---------")
	for i := 0; i < 9; i++ {
		if mode&(1<<uint(8-i)) != 0 {
			b[i] = rwx[i%3]
		}
	}
	return string(b)
}
