package org

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestNormalizeStartURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8787": "http://127.0.0.1:8787", "http://127.0.0.1:8787/": "http://127.0.0.1:8787",
		" https://q.example.com/org/ ": "https://q.example.com/org", "HTTPS://q.example.com": "https://q.example.com",
		"q.example.com": "", "ftp://q.example.com": "", "https://": "", "https://a@q.example.com": "",
		"https://q.example.com/?x=1": "", "https://q.example.com/#f": "",
	} {
		got, err := NormalizeStartURL(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("NormalizeStartURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestBrowserCommand(t *testing.T) {
	const u = "http://127.0.0.1/authorize?x=1"
	for _, tc := range []struct {
		env, goos string
		want      []string
	}{
		{"", "linux", []string{"xdg-open", u}},
		{"", "darwin", []string{"open", u}},
		{"firefox", "linux", []string{"firefox", u}},
		{"chromium --new-window:firefox", "linux", []string{"chromium", "--new-window", u}},
		{"my-browser --url=%s --x", "linux", []string{"my-browser", "--url=" + u, "--x"}},
	} {
		name, args := browserCommand(tc.env, tc.goos, u)
		if got := append([]string{name}, args...); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("BROWSER=%q on %s: %v, want %v", tc.env, tc.goos, got, tc.want)
		}
	}
}

// FuzzParseSessions: the session file is read back from disk, where
// anything may have been written; it parses or is refused in one line.
func FuzzParseSessions(f *testing.F) {
	f.Add([]byte(`{"version":1,"current":"http://x","sessions":[{"start_url":"http://x","token_endpoint":"http://x/t","access_token":"a"}]}`))
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := parseSessions(b, "sessions.json")
		if err != nil {
			if strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "sessions.json") {
				t.Fatalf("error %q", err)
			}
			return
		}
		for _, sess := range s.Sessions {
			if sess.StartURL == "" || sess.AccessToken == "" || sess.TokenEndpoint == "" {
				t.Fatalf("accepted an incomplete session %+v", sess)
			}
		}
	})
}

// FuzzParseMetadata: a server's discovery document is outside input.
func FuzzParseMetadata(f *testing.F) {
	f.Add([]byte(`{"issuer":"http://127.0.0.1:1","authorization_endpoint":"http://127.0.0.1:1/a","token_endpoint":"http://127.0.0.1:1/t","device_authorization_endpoint":"http://127.0.0.1:1/d"}`))
	f.Add([]byte(`{"issuer":"http://127.0.0.1:1","token_endpoint":"javascript:x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMetadata(b, "http://127.0.0.1:1")
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q", err)
			}
			return
		}
		for _, e := range []string{m.AuthorizationEndpoint, m.TokenEndpoint, m.DeviceAuthorizationEndpoint} {
			if u, err := url.Parse(e); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				t.Fatalf("accepted endpoint %q", e)
			}
		}
	})
}
