package mcp

import "github.com/qdev/qdev/internal/tool"

// EnabledByAgent reports whether an agent's "tools" list enables tool
// hostTool of server: "*" and "@server" enable every tool of the server,
// "@server/tool" one tool (the Q CLI's per-server ToolFilter).
func EnabledByAgent(agentTools []string, server, hostTool string) bool {
	for _, e := range agentTools {
		if e == "*" || e == "@"+server || e == "@"+server+"/"+hostTool {
			return true
		}
	}
	return false
}

// FilterTools keeps the tools of ts that agentTools enables; ts are tools
// from Manager.Tools.
func FilterTools(ts []tool.Tool, agentTools []string) []tool.Tool {
	var out []tool.Tool
	for _, t := range ts {
		if mt, ok := t.(*mcpTool); ok {
			server, host := mt.Server()
			if !EnabledByAgent(agentTools, server, host) {
				continue
			}
		}
		out = append(out, t)
	}
	return out
}
