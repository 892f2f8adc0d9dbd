package tool

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// todoRun runs a todo_list call and returns the result text and the list
// state it reports.
func todoRun(t *testing.T, tl TodoList, env *Env, input string) (string, todoState) {
	t.Helper()
	var live bytes.Buffer
	r := prepare(t, tl, env, input).Run(t.Context(), &live)
	if r.IsError {
		t.Fatalf("%s: %s", input, resultText(r))
	}
	text := resultText(r)
	var st todoState
	if rest, ok := strings.CutPrefix(text, "TODO LIST STATE: "); ok {
		js, id, found := strings.Cut(rest, "\n\n ID: ")
		if !found {
			t.Fatalf("bad result %q", text)
		}
		if err := json.Unmarshal([]byte(js), &st); err != nil || st.ID != id {
			t.Fatalf("bad state %q: %v", text, err)
		}
		if !strings.HasPrefix(live.String(), "TODO:\n") {
			t.Errorf("live output = %q", live.String())
		}
	}
	return text, st
}

func TestTodoListLifecycle(t *testing.T) {
	env := testEnv(t)
	tl := TodoList{Now: func() time.Time { return time.UnixMilli(1700000000123) }}
	_, st := todoRun(t, tl, env, `{"command":"create","tasks":["build","test",{"task_description":"ship","details":"tag it"}],"todo_list_description":"release"}`)
	if st.ID != "1700000000123" || len(st.Tasks) != 3 || st.Tasks[2].Details != "tag it" || st.Description != "release" {
		t.Fatalf("created %+v", st)
	}
	file := filepath.Join(env.Cwd, TodoDir, st.ID+".json")
	saved := readFile(t, file)
	for _, s := range []string{`"tasks":[{"task_description":"build","completed":false}`, `"description":"release"`, `"context":[]`, `"modified_files":[]`, `"id":"1700000000123"`} {
		mustContain(t, saved, s)
	}

	// Same millisecond: the next list gets the next id.
	_, st2 := todoRun(t, tl, env, `{"command":"create","tasks":["x"],"todo_list_description":"other"}`)
	if st2.ID != "1700000000124" {
		t.Errorf("second id = %s", st2.ID)
	}

	id := st.ID
	_, st = todoRun(t, tl, env, fmt.Sprintf(`{"command":"complete","current_id":%q,"completed_indices":[0],"context_update":"built ok","modified_files":["a.go"]}`, id))
	if !st.Tasks[0].Completed || st.Tasks[1].Completed || st.Context[0] != "built ok" || st.ModifiedFiles[0] != "a.go" {
		t.Errorf("completed %+v", st)
	}
	_, st = todoRun(t, tl, env, fmt.Sprintf(`{"command":"add","current_id":%q,"new_tasks":["lint","docs"],"insert_indices":[1,3],"new_description":"release v2"}`, id))
	names := func(st todoState) string {
		var s []string
		for _, t := range st.Tasks {
			s = append(s, t.TaskDescription)
		}
		return strings.Join(s, ",")
	}
	if names(st) != "build,lint,test,docs,ship" || st.Description != "release v2" {
		t.Errorf("after add: %s / %s", names(st), st.Description)
	}
	_, st = todoRun(t, tl, env, fmt.Sprintf(`{"command":"remove","current_id":%q,"remove_indices":[4,1]}`, id))
	if names(st) != "build,test,docs" {
		t.Errorf("after remove: %s", names(st))
	}
	_, loaded := todoRun(t, tl, env, fmt.Sprintf(`{"command":"load","load_id":%q}`, id))
	if names(loaded) != "build,test,docs" || !loaded.Tasks[0].Completed {
		t.Errorf("loaded %+v", loaded)
	}
	text, _ := todoRun(t, tl, env, `{"command":"lookup"}`)
	want := "Description: release v2 \nStatus: 1/3 \nID: 1700000000123\n\nDescription: other \nStatus: 0/1 \nID: 1700000000124"
	if text != want {
		t.Errorf("lookup = %q", text)
	}
}

func TestTodoListBadInput(t *testing.T) {
	env := testEnv(t)
	tl := TodoList{Now: func() time.Time { return time.UnixMilli(42) }}
	if text, _ := todoRun(t, tl, env, `{"command":"lookup"}`); text != "No todo lists exist" {
		t.Errorf("empty lookup = %q", text)
	}
	todoRun(t, tl, env, `{"command":"create","tasks":["a","b"],"todo_list_description":"d"}`)
	for _, tc := range []struct{ input, want string }{
		{`{}`, "command is required"},
		{`{"command":"finish"}`, `unknown command "finish"`},
		{`{"command":"create","tasks":[],"todo_list_description":"d"}`, "no tasks"},
		{`{"command":"create","tasks":["a"," "],"todo_list_description":"d"}`, "tasks cannot be empty"},
		{`{"command":"create","tasks":["a"]}`, "todo_list_description"},
		{`{"command":"create","tasks":[1],"todo_list_description":"d"}`, "each task must be a string"},
		{`{"command":"load","load_id":"99"}`, `no todo list exists with ID "99"`},
		{`{"command":"load","load_id":"../../etc/passwd"}`, "not a todo list ID"},
		{`{"command":"load"}`, "load_id is required"},
		{`{"command":"complete","current_id":"42","completed_indices":[2],"context_update":"c"}`, "index 2 is out of bounds for a list of 2 tasks"},
		{`{"command":"complete","current_id":"42","completed_indices":[-1],"context_update":"c"}`, "out of bounds"},
		{`{"command":"complete","current_id":"42","completed_indices":[0]}`, "context_update"},
		{`{"command":"complete","current_id":"42","context_update":"c"}`, "at least one completed index"},
		{`{"command":"add","current_id":"42","new_tasks":["x"],"insert_indices":[]}`, "an index in insert_indices for every new task"},
		{`{"command":"add","current_id":"42","new_tasks":["x","y"],"insert_indices":[0,0]}`, "must be unique"},
		{`{"command":"add","current_id":"42","new_tasks":["x"],"insert_indices":[3]}`, "out of bounds"},
		{`{"command":"add","current_id":"42","new_tasks":["x"],"insert_indices":[0],"new_description":" "}`, "new_description cannot be empty"},
		{`{"command":"remove","current_id":"42","remove_indices":[2]}`, "out of bounds"},
		{`{"command":"remove","current_id":"42","remove_indices":[1,1]}`, "must be unique"},
	} {
		mustContain(t, prepareErr(t, tl, env, tc.input), tc.want)
	}
	inv := prepare(t, tl, env, `{"command":"lookup"}`)
	if !inv.Access().AlwaysAllowed {
		t.Error("todo_list must be always allowed")
	}
}
