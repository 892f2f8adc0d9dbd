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

// mounter sets up the helper's private mount namespace. It runs before
// Landlock, which afterwards forbids any change to the mounts.
type mounter struct {
	c      config
	pinned map[string]bool
	hidden []string
}

// setupMounts makes the helper's mounts private, pins and protects q's
// configuration, hides credentials and, without network, outside
// sockets, and remounts everything not writable read-only.
func setupMounts(c config) error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("making mounts private: %v", err)
	}
	if c.Probe {
		return nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return fmt.Errorf("finding the working directory: %v", err)
	}
	m := &mounter{c: c, pinned: map[string]bool{}}
	// Each writable root becomes a mount of its own: it then cannot be
	// renamed away (a mount point is busy), and the read-only pass below
	// leaves it alone.
	for _, w := range c.Writable {
		if err := m.pin(w); err != nil {
			return err
		}
	}
	for _, p := range c.ReadOnly {
		if err := m.protect(p); err != nil {
			return err
		}
	}
	hide := slices.Clone(c.Hidden)
	if !c.Network {
		hide = append(hide, m.socketPlaces()...)
	}
	for _, h := range hide {
		if err := m.hide(h); err != nil {
			return err
		}
	}
	if err := m.readOnlyOutside(); err != nil {
		return err
	}
	// The working directory still refers to the mount it was entered
	// on, now hidden below the new ones.
	if err := os.Chdir(wd); err != nil {
		return fmt.Errorf("re-entering %s: %v", wd, err)
	}
	return nil
}

// pin bind-mounts p onto itself, so that it and its ancestors can no
// longer be renamed or removed. Missing paths are skipped.
func (m *mounter) pin(p string) error {
	if m.pinned[p] {
		return nil
	}
	if _, err := os.Lstat(p); err != nil {
		return nil
	}
	if err := unix.Mount(p, p, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("bind-mounting %s: %v", p, err)
	}
	m.pinned[p] = true
	return nil
}

// protect makes p read-only when it lies in a writable path (elsewhere
// Landlock and the read-only pass cover it). Its ancestors up to the
// writable root are pinned, so that it cannot be swapped for a copy by
// renaming a parent.
func (m *mounter) protect(p string) error {
	dir := strings.HasSuffix(p, "/")
	p = filepath.Clean(p)
	root := m.c.writableRoot(p)
	if root == "" {
		return nil
	}
	if _, err := os.Lstat(p); err != nil {
		parent := filepath.Dir(p)
		if fi, perr := os.Stat(parent); !dir || perr != nil || !fi.IsDir() {
			return nil
		}
		if err := os.Mkdir(p, 0o755); err != nil && !os.IsExist(err) {
			return fmt.Errorf("creating %s to protect it: %v", p, err)
		}
	}
	var chain []string
	for d := filepath.Dir(p); d != root && Within(d, root); d = filepath.Dir(d) {
		chain = append(chain, d)
	}
	for i := len(chain) - 1; i >= 0; i-- {
		if err := m.pin(chain[i]); err != nil {
			return err
		}
	}
	if err := m.pin(p); err != nil {
		return err
	}
	return remountReadOnly(p, 0)
}

// remountReadOnly makes the mount at p read-only. In a user namespace the
// kernel refuses to drop nosuid, nodev or noexec from a mount that came
// from outside, so those of p's mount are kept; extra adds more.
func remountReadOnly(p string, extra uintptr) error {
	var st unix.Statfs_t
	if err := unix.Statfs(p, &st); err != nil {
		return fmt.Errorf("reading the mount flags of %s: %v", p, err)
	}
	locked := uintptr(st.Flags) & (unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC)
	flags := unix.MS_REMOUNT | unix.MS_BIND | unix.MS_RDONLY | locked | extra
	if err := unix.Mount("", p, "", flags, ""); err != nil {
		return fmt.Errorf("making %s read-only: %v", p, err)
	}
	return nil
}

// hide covers p with an empty read-only directory, or /dev/null for a
// file or socket. Missing paths are skipped.
func (m *mounter) hide(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return nil
	}
	for _, h := range m.hidden {
		if Within(p, h) {
			return nil
		}
	}
	if fi.IsDir() {
		err = unix.Mount("tmpfs", p, "tmpfs", unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "size=4k,mode=755")
	} else {
		err = unix.Mount("/dev/null", p, "", unix.MS_BIND, "")
	}
	if err != nil {
		return fmt.Errorf("hiding %s: %v", p, err)
	}
	m.hidden = append(m.hidden, p)
	return nil
}

// socketPlaces returns where servers outside the sandbox listen on Unix
// sockets: the per-user runtime directory (D-Bus, Wayland, PipeWire,
// rootless Docker and Podman), tmux, screen and X11 directories, the
// system buses, and every named socket open in q's network namespace.
// Directories that hold a writable path or the working directory are not
// hidden whole; their sockets still are, one by one.
func (m *mounter) socketPlaces() []string {
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
	wd, _ := os.Getwd()
	var out []string
	for _, d := range dirs {
		if !filepath.IsAbs(d) {
			continue
		}
		d = filepath.Clean(d)
		if m.holdsWorkspace(d, wd) {
			continue
		}
		out = append(out, d)
	}
	socks := outsideSockets(m.c.Parent)
	if len(socks) > maxSocketMounts {
		socks = socks[:maxSocketMounts]
	}
	return append(out, socks...)
}

// holdsWorkspace reports whether hiding d would hide wd or a writable path.
func (m *mounter) holdsWorkspace(d, wd string) bool {
	if wd != "" && Within(wd, d) {
		return true
	}
	for _, w := range m.c.Writable {
		if Within(w, d) {
			return true
		}
	}
	return false
}

// outsideSockets lists the named Unix sockets open in the network
// namespace of process pid (q's: the helper's own namespace is new and
// empty). A path reaches its socket from any network namespace.
func outsideSockets(pid int) []string {
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

// readOnlyOutside remounts read-only every mount outside the writable
// paths, except the kernel's /proc, /sys and /dev. Landlock already stops
// writes there; this also stops what it cannot (chmod, chown, utimes,
// extended attributes). A mount that refuses is left as it is.
func (m *mounter) readOnlyOutside() error {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return fmt.Errorf("reading the mount table: %v", err)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 6 {
			continue
		}
		mp, opts := unescapeMount(fields[4]), ","+fields[5]+","
		if seen[mp] || strings.Contains(opts, ",ro,") || m.exempt(mp) {
			continue
		}
		seen[mp] = true
		_ = remountReadOnly(mp, 0)
	}
	return nil
}

// exempt reports whether the mount at mp stays as it is.
func (m *mounter) exempt(mp string) bool {
	for _, k := range []string{"/proc", "/sys", "/dev"} {
		if Within(mp, k) {
			return true
		}
	}
	if m.c.writableRoot(mp) != "" {
		return true
	}
	for _, h := range m.hidden {
		if Within(mp, h) {
			return true
		}
	}
	return false
}

// unescapeMount decodes the octal escapes (\040 for a space) of a path in
// /proc/self/mountinfo.
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
