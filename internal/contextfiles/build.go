// Package contextfiles turns an agent's resources and the legacy profile
// context into the context block sent with every request, within a token
// budget, as the Q CLI does; it also keeps the legacy context files
// (~/.aws/amazonq/global_context.json, profiles/<name>/context.json).
package contextfiles

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"strings"
	"unicode/utf8"
)

// The Q CLI's context entry markers (conversation.rs).
const (
	EntryBegin = "--- CONTEXT ENTRY BEGIN ---\n"
	EntryEnd   = "--- CONTEXT ENTRY END ---\n\n"
)

// File is one context file.
type File struct {
	// Path is absolute.
	Path string
	// Tokens is the Q CLI's estimate (see Tokens).
	Tokens int
	// Content is the file's text; empty for a file dropped unread because
	// its size alone exceeds the budget.
	Content string
}

// Result is what Build produced.
type Result struct {
	// Files are the files included, largest first (the order the Q CLI's
	// greedy selection leaves them in).
	Files []File
	// Dropped are the files that did not fit in the budget.
	Dropped []File
	// Warnings name files skipped (binary, unreadable), dropped, and bad
	// patterns, one line each, for the user.
	Warnings []string
	// Text is the block for the system prompt, "" when there are no files.
	Text string
}

// Tokens estimates the tokens of n bytes as the Q CLI does: a quarter of
// the bytes, rounded to the nearest ten (TokenCounter::count_tokens).
func Tokens(n int) int {
	return (n/4 + 5) / 10 * 10
}

// Build expands paths ("file://" URIs, plain paths, globs with ** and
// ~/), relative to baseDir (the working directory, for workspace and
// global agents alike, as in the Q CLI), reads the files and keeps as many
// as fit in maxTokens (no limit when maxTokens <= 0): largest first,
// greedily, each file that no longer fits is dropped and named. A path
// that matches nothing is skipped silently, as the Q CLI does, so the
// default agent's README.md need not exist.
func Build(paths []string, baseDir, home string, maxTokens int) Result {
	var r Result
	var files []File
	seen := map[string]bool{}
	for _, p := range paths {
		matches, err := Expand(p, baseDir, home)
		if err != nil {
			r.Warnings = append(r.Warnings, fmt.Sprintf("context %s: %v", p, err))
			continue
		}
		for _, m := range matches {
			if seen[m] {
				continue
			}
			seen[m] = true
			if f, ok := r.read(m, maxTokens); ok {
				files = append(files, f)
			}
		}
	}
	sort.SliceStable(files, func(i, j int) bool {
		if files[i].Tokens != files[j].Tokens {
			return files[i].Tokens > files[j].Tokens
		}
		return files[i].Path < files[j].Path
	})
	total := 0
	for _, f := range files {
		if maxTokens > 0 && total+f.Tokens > maxTokens {
			r.Dropped = append(r.Dropped, f)
			r.Warnings = append(r.Warnings, fmt.Sprintf("context file %s (%d tokens) was dropped: context files may use at most %d tokens",
				f.Path, f.Tokens, maxTokens))
			continue
		}
		total += f.Tokens
		r.Files = append(r.Files, f)
	}
	r.Text = Format(r.Files)
	return r
}

// read loads one file, or records why it is skipped. A file whose size
// alone is over the budget is not read at all: it would be dropped anyway.
func (r *Result) read(path string, maxTokens int) (File, bool) {
	st, err := os.Stat(path)
	if err != nil {
		r.Warnings = append(r.Warnings, fmt.Sprintf("context file %s skipped: %v", path, reason(err)))
		return File{}, false
	}
	if maxTokens > 0 && Tokens(int(min(st.Size(), 1<<40))) > maxTokens {
		return File{Path: path, Tokens: Tokens(int(min(st.Size(), 1<<40)))}, true
	}
	data, err := os.ReadFile(path)
	if err != nil {
		r.Warnings = append(r.Warnings, fmt.Sprintf("context file %s skipped: %v", path, reason(err)))
		return File{}, false
	}
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		r.Warnings = append(r.Warnings, fmt.Sprintf("context file %s skipped: it is a binary file", path))
		return File{}, false
	}
	return File{Path: path, Tokens: Tokens(len(data)), Content: string(data)}, true
}

// reason strips the path an *os.PathError repeats.
func reason(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// Format wraps files in one context entry, each under its "[path]"
// header. The Q CLI puts all context files in a single entry this way
// (context_messages), not one entry per file; the code is followed here.
func Format(files []File) string {
	if len(files) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(EntryBegin)
	for _, f := range files {
		fmt.Fprintf(&b, "[%s]\n%s\n", f.Path, f.Content)
	}
	b.WriteString(EntryEnd)
	return b.String()
}
