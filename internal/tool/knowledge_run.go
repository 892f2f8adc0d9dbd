package tool

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/qdev/qdev/internal/knowledge"
)

// Run carries the command out. Answers are for the model, in the
// original's words where it has them.
func (c *knowledgeCall) Run(_ context.Context, _ io.Writer) Result {
	s, in := c.store, c.in
	switch in.Command {
	case "search":
		r, err := s.Search(in.Query, c.ident, 0)
		if err != nil {
			return ErrorResult("Search failed: " + err.Error())
		}
		return TextResult(formatSearch(in.Query, r))
	case "show":
		return c.show(true)
	case "status":
		return c.show(false)
	case "add":
		b, notes, err := s.Add(in.Name, c.path, knowledge.AddOptions{})
		if err != nil {
			return ErrorResult("Failed to add to knowledge base: " + err.Error())
		}
		return TextResult(fmt.Sprintf("Added '%s' to knowledge base with ID: %s. Indexing runs in the background; the 'status' command shows its progress.%s",
			b.Name, b.ShortID(), prefixed(" ", notes)))
	case "update":
		b, err := s.Update(c.ident, c.path)
		if err != nil {
			return ErrorResult("Failed to update knowledge base: " + err.Error())
		}
		return TextResult(fmt.Sprintf("Updating '%s' (%s) from %s in the background; the 'status' command shows its progress.", b.Name, b.ShortID(), b.Path))
	case "remove":
		b, err := s.Remove(c.ident)
		if err != nil {
			return ErrorResult("Failed to remove from knowledge base: " + err.Error())
		}
		return TextResult(fmt.Sprintf("Removed context '%s' (%s) from knowledge base", b.Name, b.ShortID()))
	case "clear":
		n, err := s.Clear()
		if err != nil {
			return ErrorResult("Failed to clear knowledge base: " + err.Error())
		}
		return TextResult(fmt.Sprintf("Removed %d knowledge base entries", n))
	case "cancel":
		names, err := s.Cancel(in.OperationID)
		if err != nil {
			return ErrorResult("Failed to cancel operation: " + err.Error())
		}
		return TextResult("Cancelled indexing of " + strings.Join(names, ", "))
	}
	return ErrorResult("unknown command " + in.Command)
}

func prefixed(sep string, notes []string) string {
	if len(notes) == 0 {
		return ""
	}
	return sep + strings.Join(notes, " ")
}

// show lists the bases (with entries) and the running operations.
func (c *knowledgeCall) show(entries bool) Result {
	var b strings.Builder
	if entries {
		bases, err := c.store.Bases()
		if err != nil {
			return ErrorResult("Failed to get contexts: " + err.Error())
		}
		if len(bases) == 0 {
			b.WriteString("No knowledge base entries found\n")
		} else {
			b.WriteString("Knowledge base entries:\n")
		}
		for _, kb := range bases {
			fmt.Fprintf(&b, "- ID: %s\n  Name: %s\n  Path: %s\n  State: %s\n  Index: %s\n  Created: %s\n  Last Updated: %s\n  Files: %d\n  Items: %d\n",
				kb.ShortID(), kb.Name, kb.Path, kb.State, kb.IndexDescription(),
				kb.CreatedAt.Format(time.DateTime), kb.UpdatedAt.Format(time.DateTime), kb.Files, kb.Items)
			if kb.Error != "" {
				fmt.Fprintf(&b, "  Error: %s\n", kb.Error)
			}
			b.WriteString("\n")
		}
	}
	ops := c.store.Operations()
	if len(ops) == 0 {
		b.WriteString("No active operations")
	}
	for _, p := range ops {
		fmt.Fprintf(&b, "%s %s (%s)\n   %s\n   %s\n", p.Kind, p.Name, p.ID, p.Path, progressLine(p))
	}
	return TextResult(strings.TrimRight(b.String(), "\n"))
}

// progressLine says how far an operation is.
func progressLine(p knowledge.Progress) string {
	switch {
	case p.Remote:
		return "in progress in another q session"
	case p.Phase == "scanning":
		return fmt.Sprintf("finding files: %d so far", p.Found)
	case p.Percent() >= 0 && p.ETA > 0:
		return fmt.Sprintf("%d%% (%d of %d files) • ETA: %ds", p.Percent(), p.Done, p.Total, int(p.ETA.Seconds()+0.5))
	case p.Percent() >= 0:
		return fmt.Sprintf("%d%% (%d of %d files)", p.Percent(), p.Done, p.Total)
	}
	return "In progress"
}

// formatSearch renders search results for the model.
func formatSearch(query string, r knowledge.Results) string {
	var b strings.Builder
	if len(r.Hits) == 0 {
		fmt.Fprintf(&b, "No matching entries found for query: %q\n", query)
	} else {
		fmt.Fprintf(&b, "Search results for %q:\n\n", query)
	}
	for i, h := range r.Hits {
		fmt.Fprintf(&b, "[%d] %s (lines %d-%d, knowledge base %s, score %.2f)\n%s\n\n", i+1, h.Path, h.Start, h.End, h.Base.Name, h.Score, h.Text)
	}
	if r.Withheld > 0 {
		fmt.Fprintf(&b, "%d more matches were withheld: the permission rules in force do not let their files be read.\n", r.Withheld)
	}
	for _, n := range r.Notes {
		b.WriteString(n + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}
