package e2e

import (
	"bufio"
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// bg is a q process running in the background whose standard error is
// read as it comes.
type bg struct {
	t      *testing.T
	cmd    *exec.Cmd
	mu     sync.Mutex
	stderr strings.Builder
	lines  chan string
	done   chan struct{}
	out    strings.Builder
}

// start runs q with args in the background, in e's environment.
func (e *env) start(args ...string) *bg {
	e.t.Helper()
	cmd := exec.Command(qBin, args...)
	cmd.Dir = e.cwd
	cmd.Env = e.environ()
	p := &bg{t: e.t, cmd: cmd, lines: make(chan string, 100), done: make(chan struct{})}
	cmd.Stdout = &lockedWriter{mu: &p.mu, w: &p.out}
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(errPipe)
		for sc.Scan() {
			p.mu.Lock()
			p.stderr.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
	}()
	e.t.Cleanup(func() { p.stop() })
	return p
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// waitFor returns the submatches of the first line of standard error that
// matches re, failing the test after a minute.
func (p *bg) waitFor(re *regexp.Regexp) []string {
	p.t.Helper()
	deadline := time.After(time.Minute)
	for {
		select {
		case l := <-p.lines:
			if m := re.FindStringSubmatch(l); m != nil {
				return m
			}
		case <-p.done:
			p.t.Fatalf("q %v ended before printing %s; stderr:\n%s", p.cmd.Args[1:], re, p.errText())
		case <-deadline:
			p.t.Fatalf("q %v did not print %s; stderr:\n%s", p.cmd.Args[1:], re, p.errText())
		}
	}
}

// wait waits up to a minute for the process to end and returns its exit
// code and standard output.
func (p *bg) wait() (int, string) {
	p.t.Helper()
	exited := make(chan error, 1)
	go func() { <-p.done; exited <- p.cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(time.Minute):
		p.cmd.Process.Kill()
		p.t.Fatalf("q %v did not end; stderr:\n%s", p.cmd.Args[1:], p.errText())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd.ProcessState.ExitCode(), p.out.String()
}

func (p *bg) errText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// stop ends the process with SIGTERM (a server finishes its requests),
// then SIGKILL if it lingers.
func (p *bg) stop() {
	if p.cmd.ProcessState != nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
	}
	p.cmd.Wait()
}

var listeningRE = regexp.MustCompile(`listening on (http://\S+)`)

// orgServer initialises an organisation with admin@example.com as its
// administrator and serves it on a free loopback port. It returns the
// server's URL and the administrator's API key.
func orgServer(t *testing.T, e *env) (url, adminKey string) {
	t.Helper()
	data := filepath.Join(t.TempDir(), "server")
	r := e.run("", "server", "init", "--admin", "admin@example.com", "--data", data)
	if r.code != 0 {
		t.Fatalf("q server init: %+v", r)
	}
	adminKey = strings.TrimSpace(r.stdout)
	srv := e.start("server", "--listen", "127.0.0.1:0", "--data", data)
	return srv.waitFor(listeningRE)[1], adminKey
}

// asAdmin runs q admin with the administrator's key.
func (e *env) asAdmin(url, key, stdin string, args ...string) result {
	e.t.Helper()
	e.vars["QDEV_API_KEY"], e.vars["QDEV_START_URL"] = key, url
	defer func() { delete(e.vars, "QDEV_API_KEY"); delete(e.vars, "QDEV_START_URL") }()
	r := e.run(stdin, append([]string{"admin"}, args...)...)
	if r.code != 0 {
		e.t.Fatalf("q admin %v: %+v", args, r)
	}
	return r
}
