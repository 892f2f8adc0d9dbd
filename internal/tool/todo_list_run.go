package tool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/qdev/qdev/internal/atomicfile"
)

const todoDescription = "A tool for creating a TODO list and keeping track of tasks. This tool should be requested EVERY time " +
	"the user gives you a task that will take multiple steps. A TODO list should be made BEFORE executing any steps. " +
	"Steps should be marked off AS YOU COMPLETE THEM. DO NOT display your own tasks or todo list AT ANY POINT; this is " +
	"done for you. Complete the tasks in the same order that you provide them. If the user tells you to skip a step, DO " +
	"NOT mark it as completed."

const todoSchema = `{
  "type": "object",
  "properties": {
    "command": {
      "type": "string",
      "enum": ["create", "complete", "load", "add", "remove", "lookup"],
      "description": "The command to run. Allowed options are ` + "`create`, `complete`, `load`, `add`, `remove`, and `lookup`. Call `lookup`" + ` without arguments to see a list of all existing TODO list IDs."
    },
    "tasks": {
      "description": "Required parameter of ` + "`create`" + ` command containing the list of DISTINCT tasks to be added to the TODO list.",
      "type": "array",
      "items": {"type": "string"}
    },
    "todo_list_description": {
      "description": "Required parameter of ` + "`create`" + ` command containing a BRIEF summary of the todo list being created. The summary should be detailed enough to refer to without knowing the problem context beforehand.",
      "type": "string"
    },
    "completed_indices": {
      "description": "Required parameter of ` + "`complete`" + ` command containing the 0-INDEXED numbers of EVERY completed task. Each task should be marked as completed IMMEDIATELY after it is finished.",
      "type": "array",
      "items": {"type": "integer"}
    },
    "context_update": {
      "description": "Required parameter of ` + "`complete`" + ` command containing important task context. Use this command to track important information about the task AND information about files you have read.",
      "type": "string"
    },
    "modified_files": {
      "description": "Optional parameter of ` + "`complete`" + ` command containing a list of paths of files that were modified during the task. This is useful for tracking file changes that are important to the task.",
      "type": "array",
      "items": {"type": "string"}
    },
    "load_id": {
      "description": "Required parameter of ` + "`load`" + ` command containing ID of todo list to load",
      "type": "string"
    },
    "current_id": {
      "description": "Required parameter of ` + "`complete`, `add`, and `remove`" + ` commands containing the ID of the currently loaded todo list. The ID will ALWAYS be provided after every ` + "`todo_list`" + ` call after the serialized todo list state.",
      "type": "string"
    },
    "new_tasks": {
      "description": "Required parameter of ` + "`add`" + ` command containing a list of new tasks to be added to the to-do list.",
      "type": "array",
      "items": {"type": "string"}
    },
    "insert_indices": {
      "description": "Required parameter of ` + "`add`" + ` command containing a list of 0-INDEXED positions to insert the new tasks. There MUST be an index for every new task being added.",
      "type": "array",
      "items": {"type": "integer"}
    },
    "new_description": {
      "description": "Optional parameter of ` + "`add` and `remove`" + ` containing a new todo list description. Use this when the updated set of tasks significantly change the goal or overall procedure of the todo list.",
      "type": "string"
    },
    "remove_indices": {
      "description": "Required parameter of ` + "`remove`" + ` command containing a list of 0-INDEXED positions of tasks to remove.",
      "type": "array",
      "items": {"type": "integer"}
    }
  },
  "required": ["command"]
}`

// Run applies the command to the list as it is now on disk, saves it and
// returns the original's "TODO LIST STATE: <json>\n\n ID: <id>" text; the
// rendered list goes to out.
func (c *todoCall) Run(ctx context.Context, out io.Writer) Result {
	start := time.Now()
	r := c.run(ctx, out)
	r.Duration = time.Since(start)
	return r
}

func (c *todoCall) run(ctx context.Context, out io.Writer) Result {
	if ctx.Err() != nil {
		return ErrorResult("todo_list: cancelled")
	}
	var st *todoState
	var err error
	switch c.in.Command {
	case "lookup":
		return c.lookup()
	case "load":
		if st, err = c.load(c.in.LoadID, "load_id"); err != nil {
			return ErrorResult(err.Error())
		}
	case "create":
		st = &todoState{}
		if err := c.apply(st); err != nil {
			return ErrorResult(err.Error())
		}
		if st.ID, err = c.newID(); err != nil {
			return ErrorResult(err.Error())
		}
	default:
		if st, err = c.load(c.in.CurrentID, "current_id"); err != nil {
			return ErrorResult(err.Error())
		}
		if err := c.apply(st); err != nil {
			return ErrorResult(err.Error())
		}
	}
	if c.in.Command != "load" {
		if err := c.save(st); err != nil {
			return ErrorResult(err.Error())
		}
	}
	if out != nil {
		io.WriteString(out, renderTodo(st))
	}
	return TextResult(fmt.Sprintf("TODO LIST STATE: %s\n\n ID: %s", marshalJSON(normalizeTodo(st)), st.ID))
}

// newID returns the original's id, the time in milliseconds, moved on
// while a list with that id exists.
func (c *todoCall) newID() (string, error) {
	ms := c.now().UnixMilli()
	for i := 0; i < 1000; i++ {
		id := strconv.FormatInt(ms+int64(i), 10)
		if _, err := os.Stat(c.path(id)); errors.Is(err, os.ErrNotExist) {
			return id, nil
		}
	}
	return "", errors.New("todo_list: cannot find a free todo list ID")
}

func (c *todoCall) save(st *todoState) error {
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return fmt.Errorf("todo_list: cannot create %s: %v", c.dir, err)
	}
	if err := atomicfile.Write(c.path(st.ID), []byte(marshalJSON(normalizeTodo(st))), 0o644); err != nil {
		return fmt.Errorf("todo_list: cannot save todo list %s: %v", st.ID, err)
	}
	return nil
}

// normalizeTodo makes empty lists serialise as [] like the original's Vecs.
func normalizeTodo(st *todoState) *todoState {
	n := *st
	if n.Tasks == nil {
		n.Tasks = []todoTask{}
	}
	if n.Context == nil {
		n.Context = []string{}
	}
	if n.ModifiedFiles == nil {
		n.ModifiedFiles = []string{}
	}
	return &n
}

// lookup lists every saved todo list with its completion status.
func (c *todoCall) lookup() Result {
	files, _ := filepath.Glob(filepath.Join(c.dir, "*.json"))
	sort.Strings(files)
	var entries []string
	for _, f := range files {
		id := strings.TrimSuffix(filepath.Base(f), ".json")
		if !todoIDPattern.MatchString(id) {
			continue
		}
		st, err := c.load(id, "id")
		if err != nil {
			continue
		}
		done := 0
		for _, t := range st.Tasks {
			if t.Completed {
				done++
			}
		}
		entries = append(entries, fmt.Sprintf("Description: %s \nStatus: %d/%d \nID: %s", st.Description, done, len(st.Tasks), st.ID))
	}
	if len(entries) == 0 {
		return TextResult("No todo lists exist")
	}
	return TextResult(strings.Join(entries, "\n\n"))
}

// renderTodo draws the list for the terminal as the original does.
func renderTodo(st *todoState) string {
	var b strings.Builder
	b.WriteString("TODO:\n")
	for _, t := range st.Tasks {
		mark := "[ ]"
		if t.Completed {
			mark = "[x]"
		}
		fmt.Fprintf(&b, "%s %s\n", mark, t.TaskDescription)
	}
	return b.String()
}
