package apikey

import (
	"strings"
	"testing"
)

func TestNewParsesAndIsUnique(t *testing.T) {
	a, b := New(), New()
	if a == b {
		t.Fatal("two keys are equal")
	}
	for _, k := range []string{a, b} {
		if _, err := Parse(k); err != nil {
			t.Fatalf("Parse(New()) = %v", err)
		}
	}
}

func TestParseRejects(t *testing.T) {
	good := New()
	for _, s := range []string{
		"", "qdev_", good[:len(good)-1], good + "A", "QDEV_" + good[5:],
		"qdev_" + strings.Repeat("!", 43), "abcd_" + good[5:],
		good[:len(good)-1] + "B", // non-zero padding bits: not canonical base64url
	} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) accepted", s)
		} else if len(s) > len(Prefix) && strings.Contains(err.Error(), s) {
			t.Errorf("error repeats the input: %v", err)
		}
	}
}

func TestStoredMatches(t *testing.T) {
	k := New()
	s := Store(k)
	if !s.Matches(k) || s.Matches(New()) || s.Lookup != k[5:17] {
		t.Fatalf("Store(%q) = %+v", k, s)
	}
	if (Stored{Lookup: s.Lookup, Hash: s.Hash[:10]}).Matches(k) {
		t.Fatal("a truncated hash matches")
	}
}

func TestHash(t *testing.T) {
	k := New()
	h := Hash(k)
	if h != Hash(k) || h == Hash(New()) || len(h) != 64 {
		t.Fatal("Hash is not a function of the key alone")
	}
	if strings.Contains(h, k[5:]) {
		t.Fatal("hash contains the secret")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(New())
	f.Add("qdev_")
	f.Add("qdev_" + strings.Repeat("A", 43))
	f.Fuzz(func(t *testing.T, s string) {
		k, err := Parse(s)
		if err != nil {
			return
		}
		if k != s || len(k) != len(Prefix)+secretLen {
			t.Fatalf("Parse(%q) = %q", s, k)
		}
	})
}
