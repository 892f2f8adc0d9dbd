package cli

import (
	"fmt"
	"runtime"
	"time"
)

// systemPrompt tells the model who it is and where it works. The agent
// file's prompt is appended; context files come with issue 3's resources.
func systemPrompt(cwd, agentPrompt string) string {
	s := fmt.Sprintf(`You are qdev, an AI assistant for software developers working in a terminal, compatible with the Amazon Q Developer CLI.
You help with code, shell commands and AWS. Use the tools to read and change files, run commands and call AWS rather than guessing.
Prefer small, verifiable steps. Tool calls may need the user's approval; if one is denied, ask what they would like instead.
Be concise; format answers as Markdown.

Environment:
- Operating system: %s/%s
- Working directory: %s
- Date: %s`, runtime.GOOS, runtime.GOARCH, cwd, time.Now().Format("2006-01-02"))
	if agentPrompt != "" {
		s += "\n\nFollow this instruction: " + agentPrompt
	}
	return s
}
