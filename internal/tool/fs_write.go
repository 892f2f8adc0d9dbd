package tool

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/qdev/qdev/internal/atomicfile"
	"github.com/qdev/qdev/internal/model"
)

// maxEditBytes is the largest existing file fs_write will load to edit.
const maxEditBytes = 32 << 20

const fsWriteSchema = `{
  "type": "object",
  "properties": {
    "command": {
      "type": "string",
      "enum": ["create", "str_replace", "insert", "append"],
      "description": "The commands to run. Allowed options are: ` + "`create`, `str_replace`, `insert`, `append`" + `."
    },
    "file_text": {
      "description": "Required parameter of ` + "`create`" + ` command, with the content of the file to be created.",
      "type": "string"
    },
    "insert_line": {
      "description": "Required parameter of ` + "`insert`" + ` command. The ` + "`new_str`" + ` will be inserted AFTER the line ` + "`insert_line`" + ` of ` + "`path`" + `.",
      "type": "integer"
    },
    "new_str": {
      "description": "Required parameter of ` + "`str_replace`" + ` command containing the new string. Required parameter of ` + "`insert`" + ` command containing the string to insert. Required parameter of ` + "`append`" + ` command containing the content to append to the file.",
      "type": "string"
    },
    "old_str": {
      "description": "Required parameter of ` + "`str_replace`" + ` command containing the string in ` + "`path`" + ` to replace.",
      "type": "string"
    },
    "path": {
      "description": "Absolute path to file or directory, e.g. ` + "`/repo/file.py` or `/repo`" + `.",
      "type": "string"
    },
    "summary": {
      "description": "A brief explanation of what the file change does or why it's being made.",
      "type": "string"
    }
  },
  "required": ["command", "path"]
}`

const fsWriteDescription = "A tool for creating and editing files\n" +
	" * The `create` command will override the file at `path` if it already exists as a file, and otherwise create a new file\n" +
	" * The `append` command will add content to the end of an existing file, automatically adding a newline if the file doesn't end with one. The file must exist.\n" +
	" Notes for using the `str_replace` command:\n" +
	" * The `old_str` parameter should match EXACTLY one or more consecutive lines from the original file. Be mindful of whitespaces!\n" +
	" * If the `old_str` parameter is not unique in the file, the replacement will not be performed. Make sure to include enough context in `old_str` to make it unique\n" +
	" * The `new_str` parameter should contain the edited lines that should replace the `old_str`."

// FSWrite is the fs_write tool: create, str_replace, insert and append on
// one file, written atomically.
type FSWrite struct{}

// Spec returns the original's name, description and schema.
func (FSWrite) Spec() model.ToolSpec {
	return model.ToolSpec{Name: "fs_write", Description: fsWriteDescription, InputSchema: json.RawMessage(fsWriteSchema)}
}

type fsWriteInput struct {
	Command    string  `json:"command"`
	Path       string  `json:"path"`
	FileText   *string `json:"file_text"`
	OldStr     *string `json:"old_str"`
	NewStr     *string `json:"new_str"`
	InsertLine *int    `json:"insert_line"`
	Summary    string  `json:"summary"`
}

// Prepare validates the call against the file as it is now and computes
// the new content, so an impossible edit fails before anyone approves it.
func (FSWrite) Prepare(env *Env, input json.RawMessage) (Invocation, error) {
	var in fsWriteInput
	if err := decodeInput("fs_write", input, &in); err != nil {
		return nil, err
	}
	switch in.Command {
	case "create", "str_replace", "insert", "append":
	case "":
		return nil, errors.New("fs_write: command is required (create, str_replace, insert or append)")
	default:
		return nil, fmt.Errorf("fs_write: unknown command %q; use create, str_replace, insert or append", in.Command)
	}
	abs, err := resolvePath(env, in.Path)
	if err != nil {
		return nil, fmt.Errorf("fs_write: %v", err)
	}
	c := &writeCall{env: env, in: in, path: abs, target: abs}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		c.target = real
	}
	if err := c.checkFields(); err != nil {
		return nil, err
	}
	old, exists, err := c.load()
	if err != nil {
		return nil, err
	}
	c.old, c.existed = old, exists
	if c.updated, err = c.apply(old, exists); err != nil {
		return nil, err
	}
	return c, nil
}

type writeCall struct {
	env *Env
	in  fsWriteInput
	// path is where the model pointed; target is the file written, which
	// differs when path is a symlink.
	path, target string
	old, updated string
	existed      bool
}

// checkFields reports missing fields per command, before touching disk.
func (c *writeCall) checkFields() error {
	switch c.in.Command {
	case "create":
		if c.in.FileText == nil && c.in.NewStr == nil {
			return errors.New("fs_write create: file_text is required")
		}
	case "str_replace":
		if c.in.OldStr == nil || *c.in.OldStr == "" {
			return errors.New("fs_write str_replace: old_str is required and must not be empty")
		}
		if c.in.NewStr == nil {
			return errors.New("fs_write str_replace: new_str is required (use \"\" to delete old_str)")
		}
	case "insert":
		if c.in.InsertLine == nil {
			return errors.New("fs_write insert: insert_line is required (0 inserts at the top)")
		}
		if *c.in.InsertLine < 0 {
			return fmt.Errorf("fs_write insert: insert_line must be 0 or more, not %d", *c.in.InsertLine)
		}
		if c.in.NewStr == nil {
			return errors.New("fs_write insert: new_str is required")
		}
	case "append":
		if c.in.NewStr == nil || *c.in.NewStr == "" {
			return errors.New("fs_write append: new_str is required and must not be empty")
		}
	}
	return nil
}

// load reads the current file. Only create may target a missing file.
func (c *writeCall) load() (content string, exists bool, err error) {
	shown := displayPath(c.env, c.path)
	fi, err := os.Stat(c.target)
	if errors.Is(err, fs.ErrNotExist) {
		if c.in.Command != "create" {
			return "", false, fmt.Errorf("fs_write %s: %s does not exist; use command create to make a new file", c.in.Command, shown)
		}
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("fs_write: cannot read %s: %v", shown, err)
	}
	if fi.IsDir() {
		return "", false, fmt.Errorf("fs_write: %s is a directory, not a file", shown)
	}
	if !fi.Mode().IsRegular() {
		return "", false, fmt.Errorf("fs_write: %s is not a regular file", shown)
	}
	if fi.Size() > maxEditBytes {
		if c.in.Command == "create" {
			return "", true, nil
		}
		return "", false, fmt.Errorf("fs_write: %s is %d bytes, too large to edit (limit %d); use execute_bash with a stream editor", shown, fi.Size(), maxEditBytes)
	}
	data, err := os.ReadFile(c.target)
	if err != nil {
		return "", false, fmt.Errorf("fs_write: cannot read %s: %v", shown, err)
	}
	if c.in.Command != "create" && bytes.IndexByte(data, 0) >= 0 {
		return "", false, fmt.Errorf("fs_write: %s is a binary file; fs_write edits text files only", shown)
	}
	return string(data), true, nil
}

func (c *writeCall) Access() Access {
	paths := []string{c.target}
	if c.path != c.target {
		paths = append(paths, c.path)
	}
	return Access{WritePaths: paths}
}

func (c *writeCall) Describe(w io.Writer, color bool) {
	label := ""
	if !c.existed {
		label = " (new file)"
	}
	fmt.Fprintf(w, "Path: %s%s\n\n", paint(color, ansiGreen, displayPath(c.env, c.path)), label)
	writeUnifiedDiff(w, c.old, c.updated, color)
	writePurpose(w, c.in.Summary, color)
}

func (c *writeCall) Run(ctx context.Context, _ io.Writer) Result {
	start := time.Now()
	r := c.run(ctx)
	r.Duration = time.Since(start)
	return r
}

func (c *writeCall) run(ctx context.Context) Result {
	if err := ctx.Err(); err != nil {
		return ErrorResult("fs_write: cancelled")
	}
	shown := displayPath(c.env, c.path)
	// The file may have changed while the user looked at the diff: apply
	// the edit to what is there now.
	current, exists, err := c.load()
	if err != nil {
		return ErrorResult(err.Error())
	}
	updated := c.updated
	if current != c.old || exists != c.existed {
		if updated, err = c.apply(current, exists); err != nil {
			return ErrorResult(err.Error())
		}
	}
	if c.in.Command == "create" {
		// Missing parents are created, but never a deleted workspace: the
		// user removed or moved it, and recreating it hides that.
		if err := checkWorkDir(c.env, "fs_write"); err != nil {
			return ErrorResult(err.Error())
		}
		if err := os.MkdirAll(filepath.Dir(c.target), 0o755); err != nil {
			return ErrorResult(fmt.Sprintf("fs_write: cannot create the directory of %s: %v", shown, err))
		}
	}
	if err := atomicfile.Write(c.target, []byte(updated), 0o644); err != nil {
		return ErrorResult(fmt.Sprintf("fs_write: cannot write %s: %v", shown, err))
	}
	lines := len(splitLines(updated))
	switch c.in.Command {
	case "create":
		verb := "Created"
		if exists {
			verb = "Replaced"
		}
		return TextResult(fmt.Sprintf("%s %s (%d lines)", verb, shown, lines))
	case "str_replace":
		return TextResult(fmt.Sprintf("Replaced 1 occurrence of old_str in %s (now %d lines)", shown, lines))
	case "insert":
		return TextResult(fmt.Sprintf("Inserted %d lines after line %d in %s (now %d lines)",
			len(splitLines(*c.in.NewStr)), min(*c.in.InsertLine, len(splitLines(current))), shown, lines))
	default:
		return TextResult(fmt.Sprintf("Appended %d lines to %s (now %d lines)", len(splitLines(*c.in.NewStr)), shown, lines))
	}
}
