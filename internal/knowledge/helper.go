package knowledge

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/qdev/qdev/internal/procgroup"
)

// HelperName is the helper that indexes and searches, installed next to q.
const HelperName = "qdev-knowledge"

// FindHelper returns the helper next to q's own resolved executable. Like
// the sandbox helper, it is looked for nowhere else: not on $PATH, not in
// the working directory, not where a variable a repository sets points.
func FindHelper() (string, error) {
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		return "", fmt.Errorf("cannot find q's own executable: %v", err)
	}
	p := filepath.Join(filepath.Dir(exe), HelperName)
	if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 {
		return "", fmt.Errorf("%s is not installed next to q in %s (make build installs both)", HelperName, filepath.Dir(exe))
	}
	return p, nil
}

// Helper is the Backend that runs the helper at path for each build and
// search. A build that is cancelled kills it.
func Helper(path string) Backend { return helper{path: path} }

// unavailable is the Backend used when the helper cannot be found: every
// build and search fails with why.
type unavailable struct{ err error }

func (u unavailable) Build(context.Context, BuildRequest, func(int, int)) (Built, error) {
	return Built{}, u.err
}

func (u unavailable) Search(context.Context, SearchRequest) ([]RawHit, error) {
	return nil, u.err
}

// Unavailable is a Backend that fails every call with err.
func Unavailable(err error) Backend { return unavailable{err: err} }

type helper struct{ path string }

func (h helper) Build(ctx context.Context, req BuildRequest, progress func(done, items int)) (Built, error) {
	last, err := h.call(ctx, Request{Build: &req}, func(r Reply) {
		if progress != nil {
			progress(r.Done, r.Items)
		}
	})
	if err != nil {
		return Built{}, err
	}
	if last.Built == nil {
		return Built{}, errors.New(HelperName + " ended without a result")
	}
	return *last.Built, nil
}

func (h helper) Search(ctx context.Context, req SearchRequest) ([]RawHit, error) {
	last, err := h.call(ctx, Request{Search: &req}, nil)
	if err != nil {
		return nil, err
	}
	return last.Hits, nil
}

// call sends req and reads replies until the final one, passing the others
// to onProgress.
func (h helper) call(ctx context.Context, req Request, onProgress func(Reply)) (Reply, error) {
	in, err := json.Marshal(req)
	if err != nil {
		return Reply{}, err
	}
	cmd := exec.CommandContext(ctx, h.path)
	// Out of reach of the terminal's Ctrl-C, which is the chat's, and
	// killed with q if q dies.
	procgroup.New(cmd)
	cmd.Cancel = func() error { return procgroup.Kill(cmd) }
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return Reply{}, err
	}
	if err := cmd.Start(); err != nil {
		return Reply{}, fmt.Errorf("starting %s: %v", HelperName, err)
	}
	var final *Reply
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		var r Reply
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			continue // not a reply line; the exit status tells what went wrong
		}
		if r.Final {
			final = &r
			continue
		}
		if onProgress != nil {
			onProgress(r)
		}
	}
	waitErr := cmd.Wait()
	if err := ctx.Err(); err != nil {
		return Reply{}, err
	}
	switch {
	case final != nil && final.Error != "":
		return Reply{}, errors.New(final.Error)
	case final != nil:
		return *final, nil
	case waitErr != nil:
		msg := strings.TrimSpace(stderr.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		return Reply{}, fmt.Errorf("%s failed (%v) %s", HelperName, waitErr, msg)
	}
	return Reply{}, errors.New(HelperName + " ended without a result")
}
