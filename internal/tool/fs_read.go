package tool

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/qdev/qdev/internal/model"
)

const fsReadSchema = `{
  "type": "object",
  "properties": {
    "operations": {
      "type": "array",
      "description": "Array of operations to execute. Provide one element for single operation, multiple for batch.",
      "items": {
        "type": "object",
        "properties": {
          "mode": {
            "type": "string",
            "enum": ["Line", "Directory", "Search", "Image"],
            "description": "The operation mode to run in: ` + "`Line`, `Directory`, `Search`. `Line` and `Search` are only for text files, and `Directory` is only for directories. `Image` is for image files, in this mode `image_paths` is required." + `"
          },
          "path": {
            "type": "string",
            "description": "Path to the file or directory. The path should be absolute, or otherwise start with ~ for the user's home (required for Line, Directory, Search modes)."
          },
          "image_paths": {
            "type": "array",
            "items": {"type": "string"},
            "description": "List of paths to the images. This is currently supported by the Image mode."
          },
          "start_line": {
            "type": "integer",
            "description": "Starting line number (optional, for Line mode). A negative index represents a line number starting from the end of the file.",
            "default": 1
          },
          "end_line": {
            "type": "integer",
            "description": "Ending line number (optional, for Line mode). A negative index represents a line number starting from the end of the file.",
            "default": -1
          },
          "pattern": {
            "type": "string",
            "description": "Pattern to search for (required, for Search mode). Case insensitive. The pattern matching is performed per line."
          },
          "context_lines": {
            "type": "integer",
            "description": "Number of context lines around search results (optional, for Search mode)",
            "default": 2
          },
          "depth": {
            "type": "integer",
            "description": "Depth of a recursive directory listing (optional, for Directory mode)",
            "default": 0
          }
        },
        "required": ["mode"]
      },
      "minItems": 1
    },
    "summary": {
      "type": "string",
      "description": "Optional description of the purpose of this batch operation (mainly useful for multiple operations)"
    }
  },
  "required": ["operations"]
}`

const fsReadDescription = "Tool for reading files, directories and images. Always provide an 'operations' array.\n\n" +
	"For single operation: provide array with one element.\nFor batch operations: provide array with multiple elements.\n\n" +
	"Available modes:\n- Line: Read lines from a file\n- Directory: List directory contents\n" +
	"- Search: Search for patterns in files\n- Image: Read and process images\n\n" +
	"Examples:\n1. Single: {\"operations\": [{\"mode\": \"Line\", \"path\": \"/file.txt\"}]}\n" +
	"2. Batch: {\"operations\": [{\"mode\": \"Line\", \"path\": \"/file1.txt\"}, {\"mode\": \"Search\", \"path\": \"/file2.txt\", \"pattern\": \"test\"}]}"

// FSRead is the fs_read tool: line ranges of text files, directory
// listings, case-insensitive search and images.
type FSRead struct{}

// Spec returns the original's name, description and schema.
func (FSRead) Spec() model.ToolSpec {
	return model.ToolSpec{Name: "fs_read", Description: fsReadDescription, InputSchema: json.RawMessage(fsReadSchema)}
}

type fsReadInput struct {
	Operations []fsReadOp `json:"operations"`
	Summary    string     `json:"summary"`
}

type fsReadOp struct {
	Mode         string   `json:"mode"`
	Path         string   `json:"path"`
	ImagePaths   []string `json:"image_paths"`
	StartLine    *int     `json:"start_line"`
	EndLine      *int     `json:"end_line"`
	Pattern      string   `json:"pattern"`
	ContextLines *int     `json:"context_lines"`
	Depth        *int     `json:"depth"`

	// Resolved absolute paths, filled by Prepare.
	abs       string
	imageAbss []string
}

// Prepare checks every operation: mode, required fields, and that the
// paths exist and are of the right kind.
func (FSRead) Prepare(env *Env, input json.RawMessage) (Invocation, error) {
	var in fsReadInput
	if err := decodeInput("fs_read", input, &in); err != nil {
		return nil, err
	}
	if len(in.Operations) == 0 {
		return nil, errors.New("fs_read: operations must hold at least one operation")
	}
	for i := range in.Operations {
		if err := prepareReadOp(env, &in.Operations[i]); err != nil {
			if len(in.Operations) > 1 {
				return nil, fmt.Errorf("fs_read operation %d: %v", i+1, err)
			}
			return nil, fmt.Errorf("fs_read: %v", err)
		}
	}
	return &readCall{env: env, in: in}, nil
}

func prepareReadOp(env *Env, op *fsReadOp) error {
	switch op.Mode {
	case "Line", "Directory", "Search":
		abs, err := resolvePath(env, op.Path)
		if err != nil {
			return fmt.Errorf("%s mode needs a path: %v", op.Mode, err)
		}
		op.abs = abs
		fi, err := os.Stat(abs)
		if err != nil {
			return describeStatErr(op.Path, err)
		}
		if op.Mode == "Directory" && !fi.IsDir() {
			return fmt.Errorf("%s is not a directory", op.Path)
		}
		if op.Mode != "Directory" && fi.IsDir() {
			return fmt.Errorf("%s is a directory; use mode Directory to list it", op.Path)
		}
		if op.Mode != "Directory" && !fi.Mode().IsRegular() {
			// A FIFO or device could block or never end.
			return fmt.Errorf("%s is not a regular file", op.Path)
		}
		if op.Mode == "Search" && op.Pattern == "" {
			return errors.New("mode Search needs a non-empty pattern")
		}
		if op.ContextLines != nil && *op.ContextLines < 0 {
			return fmt.Errorf("context_lines must be 0 or more, not %d", *op.ContextLines)
		}
		if op.Depth != nil && *op.Depth < 0 {
			return fmt.Errorf("depth must be 0 or more, not %d", *op.Depth)
		}
	case "Image":
		return prepareImages(env, op)
	case "":
		return errors.New("each operation needs a mode: Line, Directory, Search or Image")
	default:
		return fmt.Errorf("unknown mode %q; use Line, Directory, Search or Image", op.Mode)
	}
	return nil
}

func describeStatErr(path string, err error) error {
	if os.IsNotExist(err) {
		return fmt.Errorf("%s does not exist", path)
	}
	if os.IsPermission(err) {
		return fmt.Errorf("%s: permission denied", path)
	}
	return fmt.Errorf("cannot read %s: %v", path, err)
}

type readCall struct {
	env *Env
	in  fsReadInput
}

func (c *readCall) Access() Access {
	var paths []string
	for _, op := range c.in.Operations {
		if op.Mode == "Image" {
			paths = append(paths, op.imageAbss...)
		} else {
			paths = append(paths, op.abs)
		}
	}
	return Access{ReadPaths: paths}
}

func (c *readCall) Describe(w io.Writer, color bool) {
	var b strings.Builder
	ops := c.in.Operations
	if len(ops) == 1 {
		describeReadOp(&b, c.env, ops[0], color)
		writePurpose(&b, c.in.Summary, color)
	} else {
		fmt.Fprintf(&b, "Batch fs_read operation with %s operations:\n", paint(color, ansiGreen, fmt.Sprint(len(ops))))
		writePurpose(&b, c.in.Summary, color)
		for i, op := range ops {
			fmt.Fprintf(&b, "\n↱ Operation %d: ", i+1)
			describeReadOp(&b, c.env, op, color)
		}
	}
	io.WriteString(w, b.String())
}

func describeReadOp(b *strings.Builder, env *Env, op fsReadOp, color bool) {
	g := func(s string) string { return paint(color, ansiGreen, s) }
	switch op.Mode {
	case "Line":
		start, end := intOr(op.StartLine, 1), intOr(op.EndLine, -1)
		fmt.Fprintf(b, "Reading file: %s, ", g(displayPath(env, op.abs)))
		switch {
		case start == 1 && end == -1:
			b.WriteString("all lines\n")
		case end == -1:
			fmt.Fprintf(b, "from line %s to end of file\n", g(fmt.Sprint(start)))
		default:
			fmt.Fprintf(b, "from line %s to %s\n", g(fmt.Sprint(start)), g(fmt.Sprint(end)))
		}
	case "Directory":
		fmt.Fprintf(b, "Reading directory: %s with maximum depth of %d\n", g(displayPath(env, op.abs)), intOr(op.Depth, 0))
	case "Search":
		fmt.Fprintf(b, "Searching: %s for pattern: %s\n", g(displayPath(env, op.abs)), g(strings.ToLower(op.Pattern)))
	case "Image":
		shown := make([]string, len(op.imageAbss))
		for i, p := range op.imageAbss {
			shown[i] = displayPath(env, p)
		}
		fmt.Fprintf(b, "Reading images: %s\n", g(strings.Join(shown, ", ")))
	}
}

func intOr(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}
