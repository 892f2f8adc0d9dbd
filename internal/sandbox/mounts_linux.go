//go:build linux

package sandbox

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// maxSocketMounts bounds the sockets hidden one by one; directories full
// of them are hidden whole.
const maxSocketMounts = 256

// mountStep is one call the helper makes to build the command's view of
// the file system: mount(2) when fstype or flags are set, else
// mount_setattr(2) on target.
type mountStep struct {
	source, target, fstype, data string
	flags                        uintptr
	// For mount_setattr: AT_ flags and the attributes set and cleared.
	atFlags          uintptr
	set, clr, propag uint64
	// optional steps may fail; the mount then stays as it is.
	optional bool
	// unreachable steps may fail when the target cannot be reached (it
	// vanished since it was seen): what the helper cannot reach, the
	// command cannot either.
	unreachable bool
	// what names the step in an error message ("making /ws/.git/config
	// read-only").
	what string
}

func (s mountStep) setattr() bool { return s.fstype == "" && s.flags == 0 }

// planner works out the mounts the helper makes in its mount namespace.
type planner struct {
	c      config
	steps  []mountStep
	pinned map[string]bool
	hidden []string
}

// planMounts returns the steps that give the command its file system:
// mounts private to it; everything read-only except the writable paths
// (a read-only mount also stops chmod, chown, utimes and extended
// attribute changes, which no Landlock ABI restricts); q's configuration
// inside the writable paths read-only again; credentials and, without
// network, outside sockets hidden.
func planMounts(c config, wd string) ([]mountStep, error) {
	p := &planner{c: c, pinned: map[string]bool{}}
	// One call makes every mount private and read-only, however many
	// there are; what must stay writable is made writable again, so a
	// mount nobody thought of stays read-only.
	p.steps = append(p.steps, mountStep{target: "/", atFlags: unix.AT_RECURSIVE, set: unix.MOUNT_ATTR_RDONLY,
		propag: unix.MS_PRIVATE, what: "making the mounts private and read-only"})
	for _, w := range c.Writable {
		p.writable(w)
	}
	for _, r := range c.ReadOnly {
		if err := p.protect(r); err != nil {
			return nil, err
		}
	}
	hide := slices.Clone(c.Hidden)
	if !c.Network {
		hide = append(hide, p.socketPlaces(wd)...)
	}
	for _, h := range hide {
		p.hide(h)
	}
	return p.steps, nil
}

// probeSteps is what the namespace probe tries: the first step of every
// plan, the one a seccomp filter or an old kernel would refuse.
func probeSteps() []mountStep {
	return []mountStep{{target: "/", atFlags: unix.AT_RECURSIVE, set: unix.MOUNT_ATTR_RDONLY, propag: unix.MS_PRIVATE,
		what: "making the mounts private and read-only"}}
}

// pin bind-mounts p onto itself, so that it and its ancestors can no
// longer be renamed or removed. Missing paths are skipped.
func (p *planner) pin(path string, unreachable bool) bool {
	if p.pinned[path] {
		return true
	}
	if _, err := os.Lstat(path); err != nil {
		return false
	}
	p.steps = append(p.steps, mountStep{source: path, target: path, flags: unix.MS_BIND | unix.MS_REC, unreachable: unreachable,
		what: "bind-mounting " + path})
	p.pinned[path] = true
	return true
}

// writable pins the writable path w and makes it, with the mounts below
// it, writable again. Its mount point being busy, it cannot be renamed
// away. A mount below w that was read-only before is locked so by the
// kernel in the child's user namespace; one such mount makes the
// recursive change fail as a whole, and then w alone becomes writable.
// Should w itself be locked read-only, writes there fail: the command is
// confined more, not less.
func (p *planner) writable(w string) {
	if !p.pin(w, true) {
		return
	}
	p.steps = append(p.steps,
		mountStep{target: w, atFlags: unix.AT_RECURSIVE, clr: unix.MOUNT_ATTR_RDONLY, optional: true, what: "making " + w + " writable"},
		mountStep{target: w, clr: unix.MOUNT_ATTR_RDONLY, optional: true, what: "making " + w + " writable"})
}

// protect makes path read-only when it lies in a writable path (elsewhere
// everything is read-only already). Its ancestors up to the writable root
// are pinned, so that it cannot be swapped for a copy by renaming a
// parent. A missing directory (written with a trailing slash) is created
// empty, so that nothing can be put there.
func (p *planner) protect(path string) error {
	dir := strings.HasSuffix(path, "/")
	path = filepath.Clean(path)
	root := p.c.writableRoot(path)
	if root == "" {
		return nil
	}
	if _, err := os.Lstat(path); err != nil {
		parent := filepath.Dir(path)
		if fi, perr := os.Stat(parent); !dir || perr != nil || !fi.IsDir() {
			return nil
		}
		if err := os.Mkdir(path, 0o755); err != nil && !os.IsExist(err) {
			return fmt.Errorf("creating %s to protect it: %v", path, err)
		}
	}
	var chain []string
	for d := filepath.Dir(path); d != root && Within(d, root); d = filepath.Dir(d) {
		chain = append(chain, d)
	}
	for i := len(chain) - 1; i >= 0; i-- {
		p.pin(chain[i], false)
	}
	if !p.pin(path, false) {
		return nil
	}
	p.steps = append(p.steps, mountStep{target: path, atFlags: unix.AT_RECURSIVE, set: unix.MOUNT_ATTR_RDONLY, what: "making " + path + " read-only"})
	return nil
}

// hide covers path with an empty read-only directory, or /dev/null for a
// file or socket. Missing paths are skipped.
func (p *planner) hide(path string) {
	fi, err := os.Stat(path)
	if err != nil {
		return
	}
	for _, h := range p.hidden {
		if Within(path, h) {
			return
		}
	}
	s := mountStep{source: "/dev/null", target: path, flags: unix.MS_BIND, unreachable: true, what: "hiding " + path}
	if fi.IsDir() {
		s = mountStep{source: "tmpfs", target: path, fstype: "tmpfs", data: "size=4k,mode=755",
			flags: unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, unreachable: true, what: "hiding " + path}
	}
	p.steps = append(p.steps, s)
	p.hidden = append(p.hidden, path)
}

// socketPlaces returns where servers outside the sandbox listen on Unix
// sockets: the per-user runtime directory (D-Bus, Wayland, PipeWire,
// rootless Docker and Podman), tmux, screen and X11 directories, the
// system buses, and every named socket open in q's network namespace. Directories that hold a writable path or the working
// directory are not hidden whole; their sockets still are, one by one.
func (p *planner) socketPlaces(wd string) []string {
	uid := strconv.Itoa(os.Getuid())
	dirs := []string{
		os.Getenv("XDG_RUNTIME_DIR"), "/run/user/" + uid,
		"/tmp/tmux-" + uid, "/tmp/.X11-unix", "/tmp/screens", "/run/screen", "/run/dbus",
		"/run/docker.sock", "/run/containerd", "/run/podman", "/run/systemd/private",
	}
	if v := os.Getenv("TMUX"); v != "" {
		sock, _, _ := strings.Cut(v, ",")
		dirs = append(dirs, sock)
	}
	if v := os.Getenv("SSH_AUTH_SOCK"); v != "" {
		dirs = append(dirs, v)
	}
	var out []string
	for _, d := range dirs {
		if !filepath.IsAbs(d) {
			continue
		}
		d = filepath.Clean(d)
		if p.holdsWorkspace(d, wd) {
			continue
		}
		out = append(out, d)
	}
	socks := namedSockets(p.c.Parent)
	if len(socks) > maxSocketMounts {
		socks = socks[:maxSocketMounts]
	}
	return append(out, socks...)
}

// holdsWorkspace reports whether hiding d would hide wd or a writable path.
func (p *planner) holdsWorkspace(d, wd string) bool {
	if wd != "" && Within(wd, d) {
		return true
	}
	for _, w := range p.c.Writable {
		if Within(w, d) {
			return true
		}
	}
	return false
}

// namedSockets lists the named Unix sockets open in the network namespace
// of process pid (q's: the helper's own may be new and empty). A path
// reaches its socket from any network namespace.
func namedSockets(pid int) []string {
	if pid <= 0 {
		return nil
	}
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/net/unix")
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 8 || !strings.HasPrefix(fields[7], "/") {
			continue
		}
		if p := fields[7]; !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}
