package homepath

import "testing"

func TestExpandAndAbs(t *testing.T) {
	for _, tc := range []struct{ in, home, dir, expand, abs string }{
		{"~", "/h", "/w", "/h", "/h"},
		{"~/a/../b", "/h", "/w", "/h/b", "/h/b"},
		{"~user/x", "/h", "/w", "~user/x", "/w/~user/x"},
		{"a/~/b", "/h", "/w", "a/~/b", "/w/a/~/b"},
		{"/abs", "/h", "/w", "/abs", "/abs"},
		{"~/x", "", "/w", "~/x", "/w/~/x"},
	} {
		if got := Expand(tc.in, tc.home); got != tc.expand {
			t.Errorf("Expand(%q, %q) = %q, want %q", tc.in, tc.home, got, tc.expand)
		}
		if got := Abs(tc.in, tc.home, tc.dir); got != tc.abs {
			t.Errorf("Abs(%q, %q, %q) = %q, want %q", tc.in, tc.home, tc.dir, got, tc.abs)
		}
	}
}
