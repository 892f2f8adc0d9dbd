package mcp

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/qdev/qdev/internal/tool"
)

// BenchmarkToolCallOverhead measures one echo call through the Manager
// (tool.Tool → Prepare → Run, with naming, timeout and result conversion)
// next to the same call on a bare SDK session to the same kind of server.
// The difference between the two is the overhead added by qdev.
func BenchmarkToolCallOverhead(b *testing.B) {
	bin := serverBin(b, "mcp-server-everything")
	args := json.RawMessage(`{"message":"ping"}`)

	b.Run("sdk-direct", func(b *testing.B) {
		client := sdk.NewClient(&sdk.Implementation{Name: "bench", Version: "1"}, &sdk.ClientOptions{Capabilities: &sdk.ClientCapabilities{}})
		cmd := exec.Command(bin, "stdio")
		cmd.Env = os.Environ()
		session, err := client.Connect(context.Background(), &sdk.CommandTransport{Command: cmd}, &sdk.ClientSessionOptions{ProtocolVersion: protocolVersion})
		if err != nil {
			b.Fatal(err)
		}
		defer session.Close()
		b.ResetTimer()
		for b.Loop() {
			res, err := session.CallTool(context.Background(), &sdk.CallToolParams{Name: "echo", Arguments: args})
			if err != nil || res.IsError {
				b.Fatalf("%v %+v", err, res)
			}
		}
	})

	b.Run("manager", func(b *testing.B) {
		m := startManager(b, Options{}, everything(b, "ev"))
		echo := findTool(b, m, "echo")
		env := &tool.Env{}
		b.ResetTimer()
		for b.Loop() {
			inv, err := echo.Prepare(env, args)
			if err != nil {
				b.Fatal(err)
			}
			if r := inv.Run(context.Background(), io.Discard); r.IsError {
				b.Fatalf("%+v", r)
			}
		}
	})
}
