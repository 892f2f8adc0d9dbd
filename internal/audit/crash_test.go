package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// batchChild appends from n goroutines at once until it is killed, so that
// group commits write many records, some large, in one write. Each
// goroutine g prints "g seq" once Append returned, i.e. once its record is
// durable. With $QDEV_AUDIT_TEAR set to k, the first batch of at least two
// records written after k acknowledgements is written only up to the middle
// of its second record; the child then prints "torn" and hangs, as a
// process killed inside write(2) would leave the file.
func batchChild(tr *Trail, id string, n int) int {
	var out sync.Mutex
	var acked atomic.Int64
	if tear, err := strconv.Atoi(os.Getenv(childTearEnv)); err == nil {
		tr.hooks = &testHooks{write: func(f *os.File, b []byte) (int, error) {
			first := bytes.IndexByte(b, '\n') + 1
			if acked.Load() < int64(tear) || bytes.Count(b, []byte("\n")) < 2 {
				return f.Write(b)
			}
			second := first + bytes.IndexByte(b[first:], '\n')
			f.Write(b[:first+(second-first)/2])
			out.Lock()
			fmt.Println("torn")
			select {} // hang until killed, holding the output lock
		}}
	}
	var wg sync.WaitGroup
	for g := range n {
		wg.Go(func() {
			writer := fmt.Sprintf("%s-%d", id, g)
			for seq := 0; ; seq++ {
				pad := strings.Repeat(string(rune('a'+seq%26)), ((seq+1)*(g+1)*7919)%60_000)
				params, _ := json.Marshal(payload{Writer: writer, Seq: seq, Pad: pad})
				if err := tr.Append(Record{Tool: "execute_bash", Decision: "allow", RequestParameters: params}); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(3)
				}
				out.Lock()
				_, err := fmt.Printf("%d %d\n", g, seq)
				acked.Add(1)
				out.Unlock()
				if err != nil {
					os.Exit(4)
				}
			}
		})
	}
	wg.Wait()
	return 0
}

func TestCrashDuringBatchLosesAtMostTheBatchInFlight(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "audit")
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	const writers = 8
	warnings := 0
	for round := range 4 {
		// Odd rounds tear a write; even ones kill at a random moment,
		// mostly during an fsync or between batches.
		tear := round%2 == 1
		id := fmt.Sprint("batch", round)
		target := 20 + rng.IntN(200) // acknowledged records before the kill
		cmd := childCmd(dir, "batch", id, writers, 512<<10)
		if tear {
			cmd.Env = append(cmd.Env, childTearEnv+"="+strconv.Itoa(target))
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		acked := make([]int, writers) // highest durable seq per writer
		for g := range acked {
			acked[g] = -1
		}
		total, torn := 0, false
		sc := bufio.NewScanner(out)
		for (tear && !torn || !tear && total < target) && sc.Scan() {
			var g, seq int
			if torn = sc.Text() == "torn"; torn {
				break
			}
			if _, err := fmt.Sscanf(sc.Text(), "%d %d", &g, &seq); err != nil || g < 0 || g >= writers {
				t.Fatalf("round %d: child printed %q", round, sc.Text())
			}
			acked[g] = max(acked[g], seq)
			total++
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		// Acknowledgements printed before the kill but not read yet still
		// count: those records were durable.
		for sc.Scan() {
			var g, seq int
			if _, err := fmt.Sscanf(sc.Text(), "%d %d", &g, &seq); err == nil && g >= 0 && g < writers {
				acked[g] = max(acked[g], seq)
			}
		}
		cmd.Wait()
		if total < target || tear && !torn {
			t.Fatalf("round %d: child stopped after %d records: %s", round, total, stderr.String())
		}

		// Verify finds nothing wrong; it reports the torn last record of
		// the newest file when there is one, and nothing else new.
		r := Verify(dir, time.Time{}, time.Time{})
		if !r.OK() {
			t.Fatalf("round %d: problems %v", round, r.Problems)
		}
		names := logNames(t, dir)
		newest := names[len(names)-1]
		data, err := os.ReadFile(filepath.Join(dir, newest))
		if err != nil {
			t.Fatal(err)
		}
		endsTorn := len(data) > 0 && data[len(data)-1] != '\n'
		if tear && !endsTorn {
			t.Fatalf("round %d: the torn write left %s ending with a newline", round, newest)
		}
		want := warnings
		if endsTorn {
			want++
		}
		if len(r.Warnings) != want {
			t.Fatalf("round %d: warnings %q, want %d", round, r.Warnings, want)
		}
		if endsTorn && r.Warnings[want-1] != "last record of "+newest+" incomplete (crash during write)" {
			t.Fatalf("round %d: warning %q, want the torn last record of %s", round, r.Warnings[want-1], newest)
		}
		for _, w := range r.Warnings {
			if !tornWarning.MatchString(w) {
				t.Fatalf("round %d: unexpected warning %q", round, w)
			}
		}
		warnings = want

		// Every record acknowledged is there, in its writer's order; at
		// most the one each writer had in the batch in flight follows.
		unacked := 0
		for g := range writers {
			seqs := seqsOf(t, dir, id+"-"+strconv.Itoa(g))
			if len(seqs) < acked[g]+1 || len(seqs) > acked[g]+2 {
				t.Fatalf("round %d: writer %d left %d records, acknowledged %d", round, g, len(seqs), acked[g]+1)
			}
			for i, s := range seqs {
				if s != i {
					t.Fatalf("round %d: writer %d record %d has seq %d", round, g, i, s)
				}
			}
			unacked += len(seqs) - acked[g] - 1
		}
		if tear && unacked < 1 {
			t.Errorf("round %d: the complete record before the tear is missing", round)
		}
		t.Logf("round %d: killed after %d acknowledged records; %d more were durable; torn: %v", round, total, unacked, endsTorn)

		// The trail goes on where the crash left it.
		tr, err := Open(dir, Options{MaxFileBytes: 512 << 10})
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
