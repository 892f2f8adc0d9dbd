package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// benchServer measures the resident memory of an idle `q server` started on
// its embedded SQLite store holding 1,000 users, after it has listed them.
// The baseline is the peak RSS of `q --version`: what the binary costs
// before the server does anything.
func benchServer(q, dir string) error {
	data := filepath.Join(dir, "server")
	env := append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+filepath.Join(dir, "data"))
	init := exec.Command(q, "server", "init", "--admin", "admin@example.com", "--data", data)
	init.Env = env
	out, err := init.Output()
	if err != nil {
		return fmt.Errorf("q server init: %w", err)
	}
	key := strings.TrimSpace(string(out))
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	// Populate, then restart: the figure is a server that starts on 1,000
	// users and serves a listing of them, not the heap left by the burst of
	// 1,000 creations.
	base := "http://" + addr
	stopServer, err := startServer(q, data, addr, env)
	if err != nil {
		return err
	}
	for i := range 1000 {
		if err := call(key, "POST", base+"/v1/users", fmt.Sprintf(`{"email":"user%04d@example.com"}`, i), nil); err != nil {
			stopServer()
			return err
		}
	}
	stopServer()
	srv, err := startServerCmd(q, data, addr, env)
	if err != nil {
		return err
	}
	defer func() {
		srv.Process.Signal(syscall.SIGTERM)
		srv.Wait()
	}()
	if err := waitReady(base); err != nil {
		return err
	}
	listed := 0
	for cursor := ""; ; {
		var page struct {
			Items      []json.RawMessage `json:"items"`
			NextCursor string            `json:"next_cursor"`
		}
		if err := call(key, "GET", base+"/v1/users?limit=500&cursor="+cursor, "", &page); err != nil {
			return err
		}
		listed += len(page.Items)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if listed != 1001 {
		return fmt.Errorf("listed %d users, want 1001", listed)
	}
	rss, err := vmRSS(srv.Process.Pid)
	if err != nil {
		return err
	}
	version := exec.Command(q, "--version")
	if err := version.Run(); err != nil {
		return err
	}
	floor := version.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	fmt.Printf("| idle RSS of `q server` with 1,000 users (SQLite) | %.1f MB | %.1f MB (`q --version` peak) | ≤ 40 MB |\n",
		float64(rss)/1024, float64(floor)/1024)
	return nil
}

// startServerCmd starts q server and returns its command.
func startServerCmd(q, data, addr string, env []string) (*exec.Cmd, error) {
	srv := exec.Command(q, "server", "--data", data, "--listen", addr)
	srv.Env = env
	return srv, srv.Start()
}

// startServer starts q server, waits until it is ready, and returns a
// function that stops it with SIGTERM and waits for it to exit.
func startServer(q, data, addr string, env []string) (stop func(), err error) {
	srv, err := startServerCmd(q, data, addr, env)
	if err != nil {
		return nil, err
	}
	stop = func() {
		srv.Process.Signal(syscall.SIGTERM)
		srv.Wait()
	}
	if err := waitReady("http://" + addr); err != nil {
		stop()
		return nil, err
	}
	return stop, nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func waitReady(base string) error {
	for deadline := time.Now().Add(10 * time.Second); ; {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("q server not ready at %s", base)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// call makes an authenticated request and decodes the answer into out.
func call(key, method, url, body string, out any) error {
	req, err := http.NewRequest(method, url, bytes.NewBufferString(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s", method, url, resp.Status)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

// vmRSS returns a process's resident set in KiB.
func vmRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS for process %d", pid)
}
