package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The tests in this file re-execute the test binary as child processes
// that append to a shared trail: one killed with SIGKILL in the middle of
// its appends, two appending at once.
const (
	childModeEnv = "QDEV_AUDIT_CHILD" // "crash", "append", "batch" or "intent"
	childDirEnv  = "QDEV_AUDIT_DIR"
	childIDEnv   = "QDEV_AUDIT_ID"
	childNEnv    = "QDEV_AUDIT_N"
	childMaxEnv  = "QDEV_AUDIT_MAX"
	childTearEnv = "QDEV_AUDIT_TEAR" // batch mode: tear a write after this many records
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(childModeEnv); mode != "" {
		os.Exit(child(mode))
	}
	// Anchors go under q's configuration directory: keep the tests', and
	// their children's, out of the user's.
	cfg, err := os.MkdirTemp("", "qdev-audit-config-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Setenv("XDG_CONFIG_HOME", cfg)
	code := m.Run()
	os.RemoveAll(cfg)
	os.Exit(code)
}

// payload is what children put in requestParameters.
type payload struct {
	Writer string `json:"writer"`
	Seq    int    `json:"seq"`
	Pad    string `json:"pad"`
}

// child appends records numbered from 0, printing each number once Append
// returned, i.e. once the record is durable. In "crash" mode it goes on
// until it is killed (or its stdout is gone); in "append" mode it stops
// after $QDEV_AUDIT_N records.
func child(mode string) int {
	maxBytes, _ := strconv.ParseInt(os.Getenv(childMaxEnv), 10, 64)
	tr, err := Open(os.Getenv(childDirEnv), Options{MaxFileBytes: maxBytes})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	n, _ := strconv.Atoi(os.Getenv(childNEnv))
	id := os.Getenv(childIDEnv)
	switch mode {
	case "batch":
		return batchChild(tr, id, n)
	case "intent":
		return intentChild(tr)
	}
	for seq := 0; mode == "crash" || seq < n; seq++ {
		pad := ""
		if mode == "crash" { // sizes up to ~90 KB, so writes span many pages
			pad = strings.Repeat(string(rune('a'+seq%26)), (seq*7919)%90_000)
		}
		params, _ := json.Marshal(payload{Writer: id, Seq: seq, Pad: pad})
		r := Record{Tool: "execute_bash", Decision: "allow", RequestParameters: params}
		if err := tr.Append(r); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
		if _, err := fmt.Printf("%d\n", seq); err != nil {
			return 4
		}
	}
	return 0
}

func childCmd(dir, mode, id string, n int, maxBytes int64) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childModeEnv+"="+mode, childDirEnv+"="+dir, childIDEnv+"="+id,
		childNEnv+"="+strconv.Itoa(n), childMaxEnv+"="+strconv.FormatInt(maxBytes, 10))
	return cmd
}

// seqsOf returns, oldest first, the sequence numbers writer id left in dir.
func seqsOf(t *testing.T, dir, id string) []int {
	t.Helper()
	recs, err := Lookup(dir, Filter{Text: `"writer":"` + id + `"`})
	if err != nil {
		t.Fatal(err)
	}
	var seqs []int
	for i := len(recs) - 1; i >= 0; i-- {
		var p payload
		if err := json.Unmarshal(recs[i].RequestParameters, &p); err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, p.Seq)
	}
	return seqs
}

var tornWarning = regexp.MustCompile(`^last record of qdev-audit-\d{8}T\d{6}Z-\d{6}\.jsonl incomplete \(crash during write\)$`)

func TestCrashDuringAppendLosesAtMostThatRecord(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "audit")
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	warnings := 0
	for round := range 4 {
		id := fmt.Sprint("crash", round)
		target := 1 + rng.IntN(30)
		cmd := childCmd(dir, "crash", id, 0, 256<<10)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		last := -1
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if last, _ = strconv.Atoi(sc.Text()); last >= target {
				break
			}
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		// The child ran on between the line read above and the kill; what
		// it printed meanwhile is still in the pipe and counts as durable.
		for sc.Scan() {
			last, _ = strconv.Atoi(sc.Text())
		}
		cmd.Wait()
		if last < target {
			t.Fatalf("round %d: child stopped after record %d: %s", round, last, stderr.String())
		}

		r := Verify(dir, time.Time{}, time.Time{})
		if !r.OK() || len(r.Warnings) > warnings+1 {
			t.Fatalf("round %d: problems %v, warnings %q", round, r.Problems, r.Warnings)
		}
		for _, w := range r.Warnings {
			if !tornWarning.MatchString(w) {
				t.Fatalf("round %d: unexpected warning %q", round, w)
			}
		}
		warnings = len(r.Warnings)
		// Every record the child saw durable is there, in order, and at
		// most the one it was writing when killed follows.
		seqs := seqsOf(t, dir, id)
		if len(seqs) < last+1 || len(seqs) > last+2 {
			t.Fatalf("round %d: %d records of the child, want %d or %d", round, len(seqs), last+1, last+2)
		}
		for i, s := range seqs {
			if s != i {
				t.Fatalf("round %d: record %d has seq %d", round, i, s)
			}
		}

		// The trail goes on where the crash left it.
		tr, err := Open(dir, Options{MaxFileBytes: 256 << 10})
		if err != nil {
			t.Fatal(err)
		}
		mustAppend(t, tr, rec(round))
		tr.Close()
		if r := Verify(dir, time.Time{}, time.Time{}); !r.OK() || len(r.Warnings) != warnings {
			t.Fatalf("round %d, after recovery: problems %v, warnings %q", round, r.Problems, r.Warnings)
		}
	}
}

func TestConcurrentAppendsFromTwoProcessesKeepOneChain(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "audit")
	const n = 150
	var cmds []*exec.Cmd
	var errs []*bytes.Buffer
	for _, id := range []string{"a", "b"} {
		cmd := childCmd(dir, "append", id, n, 4096) // rotate every ~10 records
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, errs = append(cmds, cmd), append(errs, &stderr)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("writer %d: %v: %s", i, err, errs[i])
		}
	}
	r := Verify(dir, time.Time{}, time.Time{})
	mustOK(t, r)
	if r.Records != 2*n || r.Files < 20 {
		t.Errorf("%d records in %d files, want %d records and many rotations", r.Records, r.Files, 2*n)
	}
	for _, id := range []string{"a", "b"} {
		seqs := seqsOf(t, dir, id)
		if len(seqs) != n {
			t.Fatalf("writer %s: %d records, want %d", id, len(seqs), n)
		}
		for i, s := range seqs {
			if s != i {
				t.Fatalf("writer %s: record %d has seq %d", id, i, s)
			}
		}
	}
}
