package tool

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/qdev/qdev/internal/model"
)

// TodoDir is where todo lists live, relative to the working directory, as
// in the original.
const TodoDir = ".amazonq/cli-todo-lists"

// todoIDPattern keeps ids to file-name-safe words, so an id can never
// point outside TodoDir.
var todoIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// TodoList is the todo_list tool: the model's task list for multi-step
// work, saved as JSON in TodoDir.
type TodoList struct {
	// Now returns the current time, used for new ids; nil means time.Now.
	Now func() time.Time
}

// Spec returns the original's name, description and schema.
func (TodoList) Spec() model.ToolSpec {
	return model.ToolSpec{Name: "todo_list", Description: todoDescription, InputSchema: json.RawMessage(todoSchema)}
}

// todoTask is one task in the saved file.
type todoTask struct {
	TaskDescription string `json:"task_description"`
	Completed       bool   `json:"completed"`
	Details         string `json:"details,omitempty"`
}

// todoState is the saved file, in the original's TodoListState format.
type todoState struct {
	Tasks         []todoTask `json:"tasks"`
	Description   string     `json:"description"`
	Context       []string   `json:"context"`
	ModifiedFiles []string   `json:"modified_files"`
	ID            string     `json:"id"`
}

// taskInput accepts a task as a string (the original's schema) or as an
// object with task_description and details (its later schema).
type taskInput todoTask

func (t *taskInput) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		*t = taskInput{TaskDescription: s}
		return nil
	}
	var obj struct {
		TaskDescription string `json:"task_description"`
		Details         string `json:"details"`
	}
	if err := json.Unmarshal(data, &obj); err != nil {
		return errors.New("each task must be a string")
	}
	*t = taskInput{TaskDescription: obj.TaskDescription, Details: obj.Details}
	return nil
}

type todoInput struct {
	Command             string      `json:"command"`
	Tasks               []taskInput `json:"tasks"`
	TodoListDescription string      `json:"todo_list_description"`
	CompletedIndices    []int       `json:"completed_indices"`
	ContextUpdate       string      `json:"context_update"`
	ModifiedFiles       []string    `json:"modified_files"`
	LoadID              string      `json:"load_id"`
	CurrentID           string      `json:"current_id"`
	NewTasks            []taskInput `json:"new_tasks"`
	InsertIndices       []int       `json:"insert_indices"`
	NewDescription      *string     `json:"new_description"`
	RemoveIndices       []int       `json:"remove_indices"`
}

// Prepare validates the command against the saved list, as the original's
// validate does, so index mistakes come back before anything is written.
func (t TodoList) Prepare(env *Env, input json.RawMessage) (Invocation, error) {
	var in todoInput
	if err := decodeInput("todo_list", input, &in); err != nil {
		return nil, err
	}
	c := &todoCall{env: env, in: in, dir: filepath.Join(workDir(env), TodoDir), now: t.Now}
	if c.now == nil {
		c.now = time.Now
	}
	switch in.Command {
	case "create", "lookup":
	case "load":
		if _, err := c.load(in.LoadID, "load_id"); err != nil {
			return nil, err
		}
	case "complete", "add", "remove":
		if _, err := c.load(in.CurrentID, "current_id"); err != nil {
			return nil, err
		}
	case "":
		return nil, errors.New("todo_list: command is required (create, complete, load, add, remove or lookup)")
	default:
		return nil, fmt.Errorf("todo_list: unknown command %q; use create, complete, load, add, remove or lookup", in.Command)
	}
	if in.Command != "lookup" && in.Command != "load" {
		// Apply to a scratch copy to surface every validation error now.
		st := &todoState{}
		if in.Command != "create" {
			st, _ = c.load(in.CurrentID, "current_id")
		}
		if err := c.apply(st); err != nil {
			return nil, err
		}
	}
	return c, nil
}

type todoCall struct {
	env *Env
	in  todoInput
	dir string
	now func() time.Time
}

func (c *todoCall) path(id string) string { return filepath.Join(c.dir, id+".json") }

// load reads the list id; field names the input field it came from.
func (c *todoCall) load(id, field string) (*todoState, error) {
	if id == "" {
		return nil, fmt.Errorf("todo_list %s: %s is required", c.in.Command, field)
	}
	if !todoIDPattern.MatchString(id) {
		return nil, fmt.Errorf("todo_list %s: %s %q is not a todo list ID", c.in.Command, field, id)
	}
	data, err := os.ReadFile(c.path(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("todo_list %s: no todo list exists with ID %q; call lookup to list the IDs", c.in.Command, id)
	}
	if err != nil {
		return nil, fmt.Errorf("todo_list: could not load todo list %s: %v", id, err)
	}
	var st todoState
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("todo_list: could not parse todo list %s: %v", id, err)
	}
	st.ID = id
	return &st, nil
}

// apply performs create/complete/add/remove on st, checking the input.
func (c *todoCall) apply(st *todoState) error {
	in := c.in
	switch in.Command {
	case "create":
		if len(in.Tasks) == 0 {
			return errors.New("todo_list create: no tasks were provided")
		}
		for _, t := range in.Tasks {
			if strings.TrimSpace(t.TaskDescription) == "" {
				return errors.New("todo_list create: tasks cannot be empty")
			}
			st.Tasks = append(st.Tasks, todoTask(t))
		}
		if strings.TrimSpace(in.TodoListDescription) == "" {
			return errors.New("todo_list create: no todo_list_description was provided")
		}
		st.Description = in.TodoListDescription
	case "complete":
		if len(in.CompletedIndices) == 0 {
			return errors.New("todo_list complete: at least one completed index must be provided")
		}
		if strings.TrimSpace(in.ContextUpdate) == "" {
			return errors.New("todo_list complete: no context_update was provided")
		}
		if err := checkIndices("completed_indices", in.CompletedIndices, len(st.Tasks)-1, false); err != nil {
			return err
		}
		for _, i := range in.CompletedIndices {
			st.Tasks[i].Completed = true
		}
		st.Context = append(st.Context, in.ContextUpdate)
		st.ModifiedFiles = append(st.ModifiedFiles, in.ModifiedFiles...)
	case "add":
		if len(in.NewTasks) != len(in.InsertIndices) {
			return errors.New("todo_list add: must provide an index in insert_indices for every new task")
		}
		if err := checkIndices("insert_indices", in.InsertIndices, len(st.Tasks), true); err != nil {
			return err
		}
		if err := setDescription(st, in.NewDescription); err != nil {
			return err
		}
		for k, t := range in.NewTasks {
			if strings.TrimSpace(t.TaskDescription) == "" {
				return errors.New("todo_list add: new tasks cannot be empty")
			}
			// Insert one at a time, like the original: later indices
			// refer to the list with the earlier tasks already in it.
			i := min(in.InsertIndices[k], len(st.Tasks))
			st.Tasks = append(st.Tasks[:i], append([]todoTask{todoTask(t)}, st.Tasks[i:]...)...)
		}
	case "remove":
		if err := checkIndices("remove_indices", in.RemoveIndices, len(st.Tasks)-1, true); err != nil {
			return err
		}
		if err := setDescription(st, in.NewDescription); err != nil {
			return err
		}
		idx := append([]int(nil), in.RemoveIndices...)
		sort.Sort(sort.Reverse(sort.IntSlice(idx)))
		for _, i := range idx {
			st.Tasks = append(st.Tasks[:i], st.Tasks[i+1:]...)
		}
	}
	return nil
}

// checkIndices requires every index in 0..maxIndex, and distinct when
// unique is set.
func checkIndices(field string, idx []int, maxIndex int, unique bool) error {
	seen := map[int]bool{}
	for _, i := range idx {
		if i < 0 || i > maxIndex {
			return fmt.Errorf("todo_list: %s: index %d is out of bounds for a list of %d tasks", field, i, max(maxIndex+1, 0))
		}
		if unique && seen[i] {
			return fmt.Errorf("todo_list: %s must be unique; %d appears twice", field, i)
		}
		seen[i] = true
	}
	return nil
}

func setDescription(st *todoState, desc *string) error {
	if desc == nil {
		return nil
	}
	if strings.TrimSpace(*desc) == "" {
		return errors.New("todo_list: new_description cannot be empty")
	}
	st.Description = *desc
	return nil
}

func (c *todoCall) Access() Access { return Access{AlwaysAllowed: true} }

func (c *todoCall) Describe(w io.Writer, color bool) {
	g := func(s string) string { return paint(color, ansiGreen, s) }
	in := c.in
	switch in.Command {
	case "create":
		fmt.Fprintf(w, "Creating a todo list with %d tasks: %s\n", len(in.Tasks), g(in.TodoListDescription))
	case "complete":
		fmt.Fprintf(w, "Marking tasks %s complete in todo list %s\n", g(joinInts(in.CompletedIndices)), in.CurrentID)
	case "load":
		fmt.Fprintf(w, "Loading todo list %s\n", g(in.LoadID))
	case "add":
		fmt.Fprintf(w, "Adding %d tasks to todo list %s\n", len(in.NewTasks), g(in.CurrentID))
	case "remove":
		fmt.Fprintf(w, "Removing tasks %s from todo list %s\n", g(joinInts(in.RemoveIndices)), in.CurrentID)
	case "lookup":
		fmt.Fprintln(w, "Finding existing todo lists")
	}
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}
