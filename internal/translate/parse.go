package translate

import (
	"encoding/json"
	"strings"
)

// Parse reads the commands in a model's answer, at most n, without
// repeats. The answer is untrusted: it should be the JSON the prompt asks
// for, but a model may wrap it in a code fence or prose, give an array,
// or answer with code blocks or a bare command line; each of these is
// understood, and anything that is not a clean command is dropped. Prose
// is never taken for a command.
func Parse(text string, n int) []Suggestion {
	var found []Suggestion
	if s, ok := parseJSON(text); ok {
		found = s
	} else if s := fencedBlocks(text); len(s) > 0 {
		found = s
	} else if c, ok := bareCommand(text); ok {
		found = []Suggestion{{Command: c}}
	}
	var out []Suggestion
	seen := map[string]bool{}
	for _, s := range found {
		s, ok := clean(s)
		if !ok || seen[s.Command] {
			continue
		}
		seen[s.Command] = true
		out = append(out, s)
		if len(out) == n {
			break
		}
	}
	return out
}

// parseJSON finds the JSON value in text: an object with "commands", or an
// array of command objects or strings.
func parseJSON(text string) ([]Suggestion, bool) {
	for _, open := range []byte{'{', '['} {
		close := byte('}')
		if open == '[' {
			close = ']'
		}
		i, j := strings.IndexByte(text, open), strings.LastIndexByte(text, close)
		if i < 0 || j <= i {
			continue
		}
		raw := []byte(text[i : j+1])
		var obj struct {
			Commands []json.RawMessage `json:"commands"`
		}
		var items []json.RawMessage
		if open == '{' {
			if json.Unmarshal(raw, &obj) != nil || obj.Commands == nil {
				continue
			}
			items = obj.Commands
		} else if json.Unmarshal(raw, &items) != nil {
			continue
		}
		var out []Suggestion
		for _, it := range items {
			var s Suggestion
			var str string
			switch {
			case json.Unmarshal(it, &str) == nil:
				s.Command = str
			case json.Unmarshal(it, &s) == nil:
			default:
				continue
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// bareCommand reads an answer that is one line marked as a command, as
// "$ command" or "`command`"; a line of prose is not taken for one.
func bareCommand(text string) (string, bool) {
	t := strings.TrimSpace(text)
	if strings.Contains(t, "\n") {
		return "", false
	}
	if c, ok := strings.CutPrefix(t, "$ "); ok {
		return c, true
	}
	if len(t) > 2 && strings.HasPrefix(t, "`") && strings.HasSuffix(t, "`") && strings.Count(t, "`") == 2 {
		return t[1 : len(t)-1], true
	}
	return "", false
}

// fencedBlocks returns the content of each ``` code block in text, one
// command each.
func fencedBlocks(text string) []Suggestion {
	var out []Suggestion
	parts := strings.Split(text, "```")
	for i := 1; i < len(parts); i += 2 {
		if i == len(parts)-1 {
			break // an unclosed fence
		}
		block := parts[i]
		// The first line names the language, if anything.
		if nl := strings.IndexByte(block, '\n'); nl >= 0 && !strings.ContainsAny(strings.TrimSpace(block[:nl]), " \t") {
			block = block[nl+1:]
		}
		var lines []string
		for _, l := range strings.Split(strings.TrimSpace(block), "\n") {
			lines = append(lines, strings.TrimPrefix(l, "$ "))
		}
		out = append(out, Suggestion{Command: strings.Join(lines, "\n")})
	}
	return out
}
