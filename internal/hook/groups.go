package hook

import (
	"os/exec"
	"sync"

	"github.com/qdev/qdev/internal/procgroup"
)

// groups tracks the hook processes running, so that closing a Runner can
// kill them all, including hooks run without a cancellable context (the
// agentSpawn hooks build the context of every request).
type groups struct {
	mu     sync.Mutex
	cmds   map[*exec.Cmd]bool
	closed bool
}

// add records a started command; false means the Runner is closed and the
// command must be killed at once.
func (g *groups) add(cmd *exec.Cmd) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	if g.cmds == nil {
		g.cmds = map[*exec.Cmd]bool{}
	}
	g.cmds[cmd] = true
	return true
}

func (g *groups) remove(cmd *exec.Cmd) {
	g.mu.Lock()
	delete(g.cmds, cmd)
	g.mu.Unlock()
}

func (g *groups) isClosed() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closed
}

// close kills every recorded process group and refuses later ones.
func (g *groups) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closed = true
	for cmd := range g.cmds {
		_ = procgroup.Kill(cmd)
	}
}
