package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The crash test re-executes the test binary as a child that saves
// conversations in a tight loop until it is killed.
const (
	crashChildEnv = "QDEV_STORE_CRASH_CHILD" // database path
	crashRoundEnv = "QDEV_STORE_CRASH_ROUND"
	crashCwd      = "/crash/workspace"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		os.Exit(crashChild(path, os.Getenv(crashRoundEnv)))
	}
	os.Exit(m.Run())
}

// payload is what the child saves; Len lets the parent tell a complete
// record from a torn one beyond JSON validity.
type payload struct {
	Round string `json:"round"`
	Seq   int    `json:"seq"`
	Len   int    `json:"len"`
	Pad   string `json:"pad"`
}

// crashChild saves conversations until killed, printing each sequence
// number after its save returned, i.e. after it was committed. It stops when
// stdout is gone, so a crashed parent leaves no orphan behind.
func crashChild(path, round string) int {
	s, err := Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx := context.Background()
	for seq := 0; ; seq++ {
		// Sizes from empty to ~100 KiB so saves span many pages.
		pad := strings.Repeat(string(rune('a'+seq%26)), (seq*7919)%100_000)
		data, _ := json.Marshal(payload{Round: round, Seq: seq, Len: len(pad), Pad: pad})
		c := Conversation{ID: fmt.Sprintf("r%s-c%d", round, seq%4), Cwd: crashCwd, Data: data, Updated: time.Now()}
		if err := s.SaveConversation(ctx, c); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
		if err := s.AppendHistory(ctx, fmt.Sprint("round ", round, " line ", seq)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
		if _, err := fmt.Printf("%d\n", seq); err != nil {
			return 4
		}
	}
}

func TestCrashSafety(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	for round := range 4 {
		target := 1 + rng.IntN(60)
		last := runAndKill(t, path, round, target)
		checkAfterCrash(t, path, round, last)
	}
}

// runAndKill starts a child and kills it with SIGKILL once it has reported
// target committed saves, while it is in the middle of the next ones. It
// returns the last sequence number the child reported.
func runAndKill(t *testing.T, path string, round, target int) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path, crashRoundEnv+"="+strconv.Itoa(round))
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
		last, _ = strconv.Atoi(sc.Text())
		if last >= target {
			break
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if last < target {
		t.Fatalf("round %d: child stopped after save %d: %s", round, last, stderr.String())
	}
	return last
}

func checkAfterCrash(t *testing.T, path string, round, last int) {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatalf("round %d: reopen after kill: %v", round, err)
	}
	defer s.Close()
	var integrity string
	if err := s.db.QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("round %d: integrity_check = %q, %v", round, integrity, err)
	}

	c, ok, err := s.LatestConversation(context.Background(), crashCwd)
	if err != nil || !ok {
		t.Fatalf("round %d: latest conversation: ok=%v err=%v", round, ok, err)
	}
	var p payload
	if err := json.Unmarshal(c.Data, &p); err != nil {
		t.Fatalf("round %d: latest data is not valid JSON: %v", round, err)
	}
	if p.Round != strconv.Itoa(round) || p.Seq < last || len(p.Pad) != p.Len ||
		strings.Trim(p.Pad, string(rune('a'+p.Seq%26))) != "" {
		t.Fatalf("round %d: latest is seq %d of round %s (pad %d/%d); want round %d seq >= %d, complete",
			round, p.Seq, p.Round, len(p.Pad), p.Len, round, last)
	}

	// Every row, not just the latest, must be a whole record.
	rows, err := s.db.Query("SELECT id, data FROM conversations")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var data []byte
		if err := rows.Scan(&id, &data); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &p); err != nil || len(p.Pad) != p.Len {
			t.Errorf("round %d: conversation %s is torn: %v", round, id, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}
