// Package translate turns a request in natural language into shell
// commands by asking a model (q translate): the prompt, and a parser that
// reads the model's answer as untrusted input.
package translate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/qdev/qdev/internal/model"
)

// MaxSuggestions is the most commands q translate may ask for (-n).
const MaxSuggestions = 5

// maxCommandBytes bounds one suggested command: longer is not a command a
// user would type.
const maxCommandBytes = 4096

// Suggestion is one proposed command.
type Suggestion struct {
	Command     string `json:"command"`
	Explanation string `json:"explanation,omitempty"`
}

// Request is what to translate and for what shell.
type Request struct {
	Question string
	// N is how many commands to propose, 1 to MaxSuggestions.
	N int
	// Shell, OS and Cwd describe where the commands will run.
	Shell, OS, Cwd string
}

// ErrNoCommand is returned when the model's answer holds no usable command.
var ErrNoCommand = errors.New("the model proposed no command")

// System is the system prompt for r.
func System(r Request) string {
	return fmt.Sprintf(`You translate a request written in natural language into shell commands.
The commands run in %s on %s, in the directory %s.
Answer with JSON only, exactly of this form, and nothing else:
{"commands": [{"command": "the complete command line", "explanation": "one short sentence"}]}
Propose at most %d different commands, best first. Each command must run as it is, with no placeholders
left to fill in; prefer common, safe tools, and never add commands the request did not ask for.`,
		r.Shell, r.OS, r.Cwd, r.N)
}

// Ask asks the model for r.N commands and returns what it proposed, at
// most r.N, in its order.
func Ask(ctx context.Context, p model.Provider, modelID string, r Request) ([]Suggestion, error) {
	if r.N < 1 || r.N > MaxSuggestions {
		return nil, fmt.Errorf("asked for %d commands: between 1 and %d", r.N, MaxSuggestions)
	}
	req := &model.Request{Model: modelID, System: System(r), MaxTokens: 1024,
		Messages: []model.Message{{Role: model.User, Content: []model.Block{{Type: model.TextBlock, Text: r.Question}}}}}
	resp, err := p.Stream(ctx, req, func(model.Event) {})
	if err != nil {
		return nil, err
	}
	s := Parse(resp.Message.Text(), r.N)
	if len(s) == 0 {
		return nil, ErrNoCommand
	}
	return s, nil
}

// clean returns s as a command that can be shown and run, or false: empty,
// too long, not UTF-8, or holding control characters other than newline
// and tab or invisible format characters (bidirectional overrides,
// zero-width spaces), which no typed command has and which could hide
// what runs.
func clean(s Suggestion) (Suggestion, bool) {
	s.Command = strings.TrimSpace(s.Command)
	s.Explanation = strings.Join(strings.Fields(s.Explanation), " ")
	if s.Command == "" || len(s.Command) > maxCommandBytes {
		return s, false
	}
	for _, r := range s.Command {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\uFFFD' || unicode.Is(unicode.Cf, r) {
			return s, false
		}
	}
	for _, r := range s.Explanation {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			s.Explanation = ""
			break
		}
	}
	return s, true
}
