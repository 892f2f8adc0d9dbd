package sandbox

import (
	"reflect"
	"strings"
	"testing"
)

// TestHelperArgsRoundTrip checks that the helper reads back exactly the
// configuration Wrap wrote, paths with spaces and dashes included.
func TestHelperArgsRoundTrip(t *testing.T) {
	c := config{
		Writable:   []string{"/ws", "/tmp/a b", "/--network"},
		ReadOnly:   []string{"/ws/.amazonq/", "/ws/.git/config"},
		Hidden:     []string{"/h/.aws/credentials"},
		Namespaces: true, UID: 1000, GID: 0, Parent: 42, ABI: 7,
	}
	args := append(c.args(), argPath, "/bin/sh", "--", "sh", "-c", "--writable x")
	got, path, argv, err := parseHelperArgs(args)
	if err != nil || !reflect.DeepEqual(got, c) || path != "/bin/sh" || !reflect.DeepEqual(argv, []string{"sh", "-c", "--writable x"}) {
		t.Errorf("parseHelperArgs(%q) = %+v, %q, %q, %v", args, got, path, argv, err)
	}
}

// FuzzHelperArgs feeds the helper's parser arbitrary argument lists: it
// must never panic, and whatever it accepts must survive being written
// back and read again unchanged.
func FuzzHelperArgs(f *testing.F) {
	f.Add("--writable\x00/ws\x00--network\x00--path\x00/bin/true\x00--\x00true")
	f.Add("--namespaces\x00--uid\x001000\x00--gid\x001000\x00--parent\x007\x00--abi\x006\x00--probe")
	f.Add("--read-only\x00/ws/.kiro/\x00--hidden\x00/a\x00--\x00/bin/true\x00--")
	f.Add("--uid\x005\x00--gid\x005\x00--\x00true")
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		c, path, argv, err := parseHelperArgs(args)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error of more than one line: %q", err)
			}
			return
		}
		again := c.args()
		if !c.Probe {
			again = append(append(again, argPath, path, "--"), argv...)
		}
		c2, path2, argv2, err := parseHelperArgs(again)
		if err != nil || !reflect.DeepEqual(c, c2) || path != path2 || !reflect.DeepEqual(argv, argv2) {
			t.Errorf("%q read as %+v %q %q, written back as %q, read again as %+v %q %q (%v)", args, c, path, argv, again, c2, path2, argv2, err)
		}
	})
}
