package iam

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// vector is one policy-evaluation case with the decision AWS gives, per
// the AWS documentation: testdata/vectors.json holds them by class (the
// classes of the evaluator's past disagreements with AWS, plus a baseline
// of ordinary cases).
type vector struct {
	Class    string              `json:"class"`
	Name     string              `json:"name"`
	Identity []json.RawMessage   `json:"identity"`
	SCPs     [][]json.RawMessage `json:"scps"`
	Action   string              `json:"action"`
	Resource string              `json:"resource"`
	Context  map[string][]string `json:"context"`
	Want     Decision            `json:"want"`
}

// decide evaluates a vector; a policy that fails to parse is reported as
// the decision "error", which never agrees.
func (v *vector) decide() (Decision, error) {
	set := &PolicySet{}
	for i, doc := range v.Identity {
		p, err := Parse(fmt.Sprintf("id%d.json", i), doc)
		if err != nil {
			return "error", err
		}
		set.Identity = append(set.Identity, p)
	}
	for li, level := range v.SCPs {
		ps := []*Policy{}
		for i, doc := range level {
			p, err := Parse(fmt.Sprintf("scp%d-%d.json", li+1, i), doc)
			if err != nil {
				return "error", err
			}
			ps = append(ps, p)
		}
		set.SCPs = append(set.SCPs, ps)
	}
	return Evaluate(set, Request{Action: v.Action, Resource: v.Resource, Context: v.Context}).Decision, nil
}

// TestVectors requires agreement with AWS on every vector and logs the
// agreement per class (go test -v -run TestVectors).
func TestVectors(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vectors []vector
	if err := json.Unmarshal(data, &vectors); err != nil {
		t.Fatal(err)
	}
	agree, total := map[string]int{}, map[string]int{}
	for _, v := range vectors {
		got, err := v.decide()
		total[v.Class]++
		if got == v.Want {
			agree[v.Class]++
			continue
		}
		t.Errorf("%s/%s: %s, want %s (%v)", v.Class, v.Name, got, v.Want, err)
	}
	classes := make([]string, 0, len(total))
	for c := range total {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	all, n := 0, 0
	for _, c := range classes {
		t.Logf("%-20s %3d/%3d", c, agree[c], total[c])
		all, n = all+agree[c], n+total[c]
	}
	t.Logf("%-20s %3d/%3d (%.1f%%)", "all", all, n, 100*float64(all)/float64(n))
}
