package audit

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// benchRecord is a typical record: a shell command with its summary.
func benchRecord() Record {
	return Record{
		Tool: "execute_bash", Decision: "allow", UserIdentity: LocalIdentity(),
		RequestParameters: json.RawMessage(`{"command":"go test ./internal/audit/... -run TestChain","summary":"run the audit tests"}`),
		ConversationID:    "0b6f1c9e-4f55-4a53-9d0c-3f1e8a2b7c11", Agent: "default", Model: "claude-sonnet-4",
	}
}

// BenchmarkAppend measures durable appends from one goroutine: each one is
// locked, redacted, chained, written and fsynced, with files rotating at
// the default size. It reports appends/s beside ns/op for make bench.
func BenchmarkAppend(b *testing.B) {
	tr, err := Open(filepath.Join(b.TempDir(), "audit"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	r := benchRecord()
	b.ReportAllocs()
	for b.Loop() {
		if err := tr.Append(r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
}

// BenchmarkAppendConcurrent measures durable appends from 32 goroutines
// per CPU, as many tool calls recording at once: group commit shares each
// write and fsync among the appends queued meanwhile.
func BenchmarkAppendConcurrent(b *testing.B) {
	tr, err := Open(filepath.Join(b.TempDir(), "audit"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	r := benchRecord()
	b.ReportAllocs()
	b.SetParallelism(32)
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := tr.Append(r); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "appends/s")
}

// verifyTrailBytes is the size of the trail BenchmarkVerify checks.
const verifyTrailBytes = 96 << 20

// BenchmarkVerify measures Verify over a trail of about 96 MiB in sealed
// 16 MiB files and an open one, with records of a few hundred bytes to a
// few KiB, built (without fsync) by concurrent appends before the clock
// starts. It reports MB/s of log files checked.
func BenchmarkVerify(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "audit")
	start := time.Now()
	size, err := buildTrail(dir, verifyTrailBytes)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("built a trail of %d bytes in %v", size, time.Since(start).Round(time.Millisecond))
	b.SetBytes(size)
	for b.Loop() {
		r := Verify(dir, time.Time{}, time.Time{})
		if !r.OK() || len(r.Warnings) > 0 {
			b.Fatalf("verify: %v %v", r.Problems, r.Warnings)
		}
	}
}

// buildTrail appends records to the trail in dir until its log files hold
// at least size bytes, and returns their size.
func buildTrail(dir string, size int64) (int64, error) {
	tr, err := Open(dir, Options{})
	if err != nil {
		return 0, err
	}
	defer tr.Close()
	tr.noSync = true
	const workers = 8
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	perWorker := int(size/workers/1650) + 1 // lines average ~1.65 KB
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				r := benchRecord()
				cmd := strings.Repeat("x", (i*7919+w*104729)%2000)
				r.RequestParameters = json.RawMessage(fmt.Sprintf(`{"command":"echo %s","summary":"worker %d record %d"}`, cmd, w, i))
				if err := tr.Append(r); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	l, err := listTrail(dir)
	var total int64
	for _, lf := range l.Logs {
		total += lf.Size
	}
	return total, err
}

// BenchmarkRedactString measures redaction of 64 KB of tool output without
// secrets: plain ASCII, and text with accents and CJK, whose case folding
// used to send it through every rule.
func BenchmarkRedactString(b *testing.B) {
	for name, line := range map[string]string{
		"ascii":     "2026-11-22T10:00:00Z INFO build step 42 finished in 3.2s; output in ./dist/app\n",
		"non-ascii": "2026-11-22T10:00:00Z INFO étape 42 terminée en 3,2 s — 出力は ./dist/app にあります\n",
	} {
		text := strings.Repeat(line, 64<<10/len(line))
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				RedactString(text)
			}
		})
	}
}
