package modeltest

import (
	"net"
	"strings"
	"testing"
)

func TestRebindKeepsPathAndServes(t *testing.T) {
	s := NewOpenAI(Turn{Text: []string{"ok"}})
	defer s.Close()
	// Reserve a free port, then hand it to Rebind.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	old := s.URL
	if err := s.Rebind(addr); err != nil {
		t.Fatal(err)
	}
	if s.URL != "http://"+addr+"/v1" || s.URL == old {
		t.Fatalf("URL %q after rebind to %s (was %q)", s.URL, addr, old)
	}
	status, _, data := postSSE(t, s.URL+"/chat/completions", oaHello, nil)
	if status != 200 || data[len(data)-1] != "[DONE]" {
		t.Errorf("status %d data %q", status, data)
	}
}

func TestRebindBusyAddress(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	s := NewAnthropic()
	defer s.Close()
	old := s.URL
	err = s.Rebind(l.Addr().String())
	if err == nil || !strings.Contains(err.Error(), l.Addr().String()) {
		t.Fatalf("err = %v, want a listen error naming the address", err)
	}
	if s.URL != old {
		t.Errorf("URL changed to %q on failure", s.URL)
	}
}
