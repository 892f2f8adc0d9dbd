package tool

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/qdev/qdev/internal/homepath"
	"github.com/qdev/qdev/internal/knowledge"
	"github.com/qdev/qdev/internal/model"
)

const knowledgeDescription = "A tool for indexing and searching content across chat sessions using keyword search (BM25).\n\n" +
	"## Overview\nThis tool enables persistent storage and retrieval of information using keyword search (BM25). " +
	"Content remains available across sessions for later use.\n\n" +
	"## When to use\n- When users ask to query your knowledge bases or kbs\n- When you need to search previously indexed content\n" +
	"- When users request to index new content (code, markdown, CSV, and other text file formats)\n" +
	"- When exploring unfamiliar content to find relevant information\n- When users ask about topics that might be in indexed knowledge bases\n\n" +
	"## When not to use\n- When content has not been indexed yet and user hasn't requested indexing\n" +
	"- When you need real-time or external information not in the knowledge base\n\n" +
	"## Notes\n- Use 'show' command to list available knowledge bases before searching\n" +
	"- Search can target specific knowledge bases (context_id) or all knowledge bases\n" +
	"- 'add' command indexes new content; 'update' command refreshes existing knowledge bases\n" +
	"- Unless there is a clear reason to modify the search query, use the user's original wording"

const knowledgeSchema = `{
  "type": "object",
  "properties": {
    "command": {
      "type": "string",
      "enum": ["show", "add", "remove", "clear", "search", "update", "status", "cancel"],
      "description": "The knowledge operation to perform:\n- 'show': List all knowledge contexts (no additional parameters required)\n- 'add': Add content to knowledge base (requires 'name' and 'value')\n- 'remove': Remove content from knowledge base (requires one of: 'name', 'context_id', or 'path')\n- 'clear': Remove all knowledge contexts.\n- 'search': Search across knowledge contexts (requires 'query', optional 'context_id')\n- 'update': Update existing context with new content (requires 'path' and one of: 'name', 'context_id')\n- 'status': Show background operation status and progress\n- 'cancel': Cancel background operations (optional 'operation_id' to cancel specific operation, or cancel all if not provided)"
    },
    "name": {
      "type": "string",
      "description": "A descriptive name for the knowledge context. Required for 'add' operations. Can be used for 'remove' and 'update' operations to identify the context."
    },
    "value": {
      "type": "string",
      "description": "The file or directory path to index. Required for 'add' operations."
    },
    "context_id": {
      "type": "string",
      "description": "The unique context identifier for targeted operations. Can be obtained from 'show' command. Used for 'remove', 'update', and 'search' operations to specify which context to operate on."
    },
    "path": {
      "type": "string",
      "description": "File or directory path. Used in 'remove' operations to remove contexts by their source path, and required for 'update' operations to specify the new content location."
    },
    "query": {
      "type": "string",
      "description": "The search query string. Required for 'search' operations. Performs keyword search across knowledge contexts to find relevant content."
    },
    "operation_id": {
      "type": "string",
      "description": "Optional operation ID to cancel a specific operation. Used with 'cancel' command. If not provided, all active operations will be cancelled."
    }
  },
  "required": ["command"]
}`

// Knowledge is the knowledge tool: the model lists and searches the
// session's knowledge bases (Env.Knowledge), and may add, update and remove
// them as the user may with /knowledge. It reads like fs_read: its calls
// are judged on the paths of the bases they touch, and each file a search
// quotes is judged again when quoted.
type Knowledge struct{}

// Spec returns the original's name and schema.
func (Knowledge) Spec() model.ToolSpec {
	return model.ToolSpec{Name: "knowledge", Description: knowledgeDescription, InputSchema: json.RawMessage(knowledgeSchema)}
}

type knowledgeInput struct {
	Command     string `json:"command"`
	Name        string `json:"name"`
	Value       string `json:"value"`
	ContextID   string `json:"context_id"`
	Path        string `json:"path"`
	Query       string `json:"query"`
	OperationID string `json:"operation_id"`
}

type knowledgeCall struct {
	store *knowledge.Store
	in    knowledgeInput
	// ident names the base a call acts on; path is the absolute path it
	// indexes (add, update).
	ident, path string
	// reads are the folders and files the call reads, for Access.
	reads []string
}

// Prepare checks the command's arguments and finds the bases it touches.
func (Knowledge) Prepare(env *Env, input json.RawMessage) (Invocation, error) {
	var in knowledgeInput
	if err := decodeInput("knowledge", input, &in); err != nil {
		return nil, err
	}
	if env == nil || env.Knowledge == nil {
		return nil, errors.New("knowledge: knowledge bases are not available in this session (q settings chat.enableKnowledge true turns them on)")
	}
	c := &knowledgeCall{store: env.Knowledge, in: in}
	bases, err := c.store.Bases()
	if err != nil {
		return nil, fmt.Errorf("knowledge: %v", err)
	}
	abs := func(p string) string {
		home, _ := os.UserHomeDir()
		return homepath.Abs(p, home, workDir(env))
	}
	switch in.Command {
	case "show", "status", "clear", "cancel":
	case "search":
		if strings.TrimSpace(in.Query) == "" {
			return nil, errors.New("knowledge: search needs a query")
		}
		if len(bases) == 0 {
			return nil, errors.New("knowledge: there are no knowledge bases to search; the user adds one with /knowledge add NAME PATH")
		}
		c.ident = in.ContextID
		if c.ident != "" {
			// A base that cannot be found is not read: the search fails
			// with why.
			b, err := c.store.Find(c.ident)
			bases = nil
			if err == nil {
				bases = []knowledge.Base{b}
			}
		}
		for _, b := range bases {
			if b.Index != "" {
				c.reads = append(c.reads, b.Path)
			}
		}
	case "add":
		if strings.TrimSpace(in.Name) == "" || strings.TrimSpace(in.Value) == "" {
			return nil, errors.New("knowledge: add needs a name and a value (the path of a file or folder)")
		}
		c.path = abs(in.Value)
		if _, err := os.Stat(c.path); err != nil {
			return nil, fmt.Errorf("knowledge: value must be an existing file or folder to index (qdev indexes files, not text): %s", in.Value)
		}
		c.reads = []string{c.path}
	case "update":
		c.ident = firstNonEmpty(in.ContextID, in.Name, in.Path)
		if c.ident == "" {
			return nil, errors.New("knowledge: update needs a context_id, name or path")
		}
		if in.Path != "" {
			c.path = abs(in.Path)
			if in.ContextID == "" && in.Name == "" {
				c.ident, c.path = c.path, ""
			}
		}
		c.reads = c.updateReads()
	case "remove":
		c.ident = firstNonEmpty(in.ContextID, in.Name, in.Path)
		if c.ident == "" {
			return nil, errors.New("knowledge: remove needs a context_id, name or path")
		}
		if in.ContextID == "" && in.Name == "" {
			c.ident = abs(in.Path)
		}
	case "":
		return nil, errors.New("knowledge: command is required (show, add, remove, clear, search, update, status or cancel)")
	default:
		return nil, fmt.Errorf("knowledge: unknown command %q; use show, add, remove, clear, search, update, status or cancel", in.Command)
	}
	return c, nil
}

// updateReads is what an update reads: its new path, or the path of the
// base it names (the name itself when none, and the update fails).
func (c *knowledgeCall) updateReads() []string {
	if c.path != "" {
		return []string{c.path}
	}
	if b, err := c.store.Find(c.ident); err == nil {
		return []string{b.Path}
	}
	return []string{c.ident}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// Access: listing the bases and their operations reads no file, nor does a
// search while no base it names has an index yet; the other commands read the
// bases' paths, and are judged as fs_read's reads of them.
func (c *knowledgeCall) Access() Access {
	switch {
	case c.in.Command == "show" || c.in.Command == "status":
		return Access{AlwaysAllowed: true}
	case c.in.Command == "search" && len(c.reads) == 0:
		return Access{AlwaysAllowed: true}
	}
	return Access{ReadPaths: c.reads}
}

func (c *knowledgeCall) Describe(w io.Writer, color bool) {
	g := func(s string) string { return paint(color, ansiGreen, s) }
	in := c.in
	switch in.Command {
	case "search":
		where := " across all knowledge bases"
		if in.ContextID != "" {
			where = " in " + g(in.ContextID)
		}
		fmt.Fprintf(w, "Searching knowledge base for: %s%s\n", g(in.Query), where)
	case "add":
		fmt.Fprintf(w, "Adding to knowledge base: %s (%s)\n", g(in.Name), g(c.path))
	case "update":
		fmt.Fprintf(w, "Updating knowledge base %s\n", g(firstNonEmpty(in.ContextID, in.Name, in.Path)))
	case "remove":
		fmt.Fprintf(w, "Removing from knowledge base: %s\n", g(c.ident))
	case "clear":
		fmt.Fprintf(w, "Clearing %s knowledge base entries\n", paint(color, ansiRed, "all"))
	case "cancel":
		fmt.Fprintf(w, "Cancelling operation: %s\n", firstNonEmpty(in.OperationID, "all"))
	default:
		fmt.Fprintln(w, "Showing all knowledge base entries and background operations")
	}
}
