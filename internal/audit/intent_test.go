package audit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// intentChild plays q running one tool call: it puts the call's intent on
// record, prints "intent ID", and waits for a line on stdin before it
// records the outcome and prints "done". Killing it in between is killing
// q while the command runs.
func intentChild(tr *Trail) int {
	id, err := NewEventID()
	if err == nil {
		r := rec(1)
		r.EventID, r.Phase = id, PhaseIntent
		err = tr.Append(r)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	fmt.Printf("intent %s\n", id)
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		return 4
	}
	r := rec(1)
	r.Phase, r.IntentID, r.ResponseElements = PhaseOutcome, id, json.RawMessage(`{"isError":false}`)
	if err := tr.Append(r); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	fmt.Println("done")
	return 0
}

// startIntentChild starts an intentChild on dir and returns the intent's
// eventID once the child says it is durable.
func startIntentChild(t *testing.T, dir string) (id string, stdin io.WriteCloser, out *bufio.Scanner, wait func()) {
	t.Helper()
	cmd := childCmd(dir, "intent", "", 0, 0)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	out = bufio.NewScanner(pipe)
	if !out.Scan() {
		t.Fatal("intent child printed nothing")
	}
	id, ok := strings.CutPrefix(out.Text(), "intent ")
	if !ok {
		t.Fatalf("intent child printed %q", out.Text())
	}
	return id, stdin, out, func() {
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
	}
}

func TestKillBetweenIntentAndOutcomeIsReported(t *testing.T) {
	dir := t.TempDir() + "/audit"
	killed, _, _, kill := startIntentChild(t, dir)
	kill()

	finished, stdin, out, _ := startIntentChild(t, dir)
	fmt.Fprintln(stdin, "go")
	if !out.Scan() || out.Text() != "done" {
		t.Fatalf("second child did not finish: %q", out.Text())
	}

	r := Verify(dir, time.Time{}, time.Time{})
	if r.OK() || len(r.Problems) != 1 {
		t.Fatalf("want one problem, got OK=%v %v", r.OK(), r.Problems)
	}
	p := r.Problems[0]
	if p.Kind != KindUnfinished || p.Line != 1 || !strings.Contains(p.Message, "started, no outcome") || !strings.Contains(p.Message, killed) {
		t.Errorf("problem = %+v, want the killed call %s started, no outcome at line 1", p, killed)
	}
	if strings.Contains(p.Message, finished) {
		t.Errorf("the finished call %s is reported: %v", finished, p)
	}
	// The records themselves are intact: trust reaches the last one.
	if r.TrustedThrough == nil || r.TrustedThrough.Line != 3 {
		t.Errorf("trustedThrough = %+v, want line 3", r.TrustedThrough)
	}
}

func TestIntentsAndOutcomesPairAcrossFiles(t *testing.T) {
	c := newClock("2026-03-01T10:00:00Z")
	tr, dir := openTrail(t, c, 0)
	// Request parameters that look like phase fields must not fool Verify.
	tricky := json.RawMessage(`{"phase":"intent","eventID":"00000000-0000-4000-8000-000000000000","x":",\"phase\":\"intent\""}`)
	var open string
	for i := range 4 {
		id, _ := NewEventID()
		in := rec(i)
		in.EventID, in.Phase, in.RequestParameters = id, PhaseIntent, tricky
		if err := tr.Append(in); err != nil {
			t.Fatal(err)
		}
		c.Add(time.Hour) // the outcome lands in the next file
		if i == 2 {
			open = id
			continue
		}
		out := rec(i)
		out.Phase, out.IntentID, out.RequestParameters = PhaseOutcome, id, tricky
		if err := tr.Append(out); err != nil {
			t.Fatal(err)
		}
	}
	r := Verify(dir, time.Time{}, time.Time{})
	if len(r.Problems) != 1 || r.Problems[0].Kind != KindUnfinished || !strings.Contains(r.Problems[0].Message, open) {
		t.Fatalf("want only %s unfinished, got %v", open, r.Problems)
	}
}

func TestPhaseFieldsAreValidated(t *testing.T) {
	id, _ := NewEventID()
	for _, tc := range []struct {
		phase, intent string
		ok            bool
	}{
		{"", "", true},
		{PhaseIntent, "", true},
		{PhaseOutcome, id, true},
		{PhaseOutcome, "", false},
		{PhaseOutcome, "not-an-id", false},
		{PhaseIntent, id, false},
		{"", id, false},
		{"started", "", false},
	} {
		r := rec(1)
		r.Phase, r.IntentID = tc.phase, tc.intent
		if _, err := prepare(r); (err == nil) != tc.ok {
			t.Errorf("phase %q intentID %q: err = %v, want ok=%v", tc.phase, tc.intent, err, tc.ok)
		}
	}
}
