package audit

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

// BenchmarkAppend measures durable appends: each one is locked, redacted,
// chained, written and fsynced, with files rotating at the default size.
// It reports appends/s beside ns/op for make bench.
func BenchmarkAppend(b *testing.B) {
	tr, err := Open(filepath.Join(b.TempDir(), "audit"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	r := Record{
		Tool: "execute_bash", Decision: "allow", UserIdentity: LocalIdentity(),
		RequestParameters: json.RawMessage(`{"command":"go test ./internal/audit/... -run TestChain","summary":"run the audit tests"}`),
		ConversationID:    "0b6f1c9e-4f55-4a53-9d0c-3f1e8a2b7c11", Agent: "default", Model: "claude-sonnet-4",
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := tr.Append(r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
}
