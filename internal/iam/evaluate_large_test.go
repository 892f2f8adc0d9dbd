package iam

import (
	"fmt"
	"strings"
	"testing"
)

// Sets and contexts beyond the evaluator's fixed-size working arrays (24
// matches, 4 lacking SCP levels, 16 context keys) give the same answers.
func TestEvaluateBeyondFixedArrays(t *testing.T) {
	var stmts []string
	for i := range 30 {
		stmts = append(stmts, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":"s3:Get*","Resource":"*","Condition":{"StringEquals":{"k%d":"v"}}}`, i, i))
	}
	big := `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
	set := buildSet(t, setSpec{identity: []string{big}, scps: [][]string{{allowEC2}, {allowAll}, {allowEC2}, {allowEC2}, {allowEC2}, {allowEC2}}})
	ctx := map[string][]string{}
	for i := range 30 {
		ctx[fmt.Sprintf("K%d", i)] = []string{"v"}
	}
	ctx["k7"] = []string{"w"} // a second spelling makes k7 multivalued: no match
	res := Evaluate(set, Request{Action: "s3:GetObject", Resource: "*", Context: ctx})
	if res.Decision != ImplicitDeny || len(res.Matched) != 30 {
		t.Fatalf("%s with %d matches, want ImplicitDeny with 30 (29 identity + 1 SCP)", res.Decision, len(res.Matched))
	}
	for i, m := range res.Matched[1:] {
		want := i
		if i >= 7 {
			want = i + 1
		}
		if m.Sid != fmt.Sprint("S", want) {
			t.Fatalf("match %d is %s, want S%d (document order, S7 excluded)", i+1, m.Sid, want)
		}
	}
	for _, level := range []string{"1", "3", "4", "5", "6"} {
		if !strings.Contains(res.Reason, "no service control policy at level "+level+" allows s3:GetObject") {
			t.Errorf("reason lacks level %s: %q", level, res.Reason)
		}
	}
	if strings.Contains(res.Reason, "level 2") || strings.Contains(res.Reason, "identity") {
		t.Errorf("reason names a type that allowed: %q", res.Reason)
	}
}
