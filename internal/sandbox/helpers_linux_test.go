package sandbox

import (
	"slices"
	"testing"

	"github.com/qdev/qdev/internal/knowledge"
)

func TestOtherHelpersNamesKnowledgeHelper(t *testing.T) {
	if !slices.Contains(otherHelpers, knowledge.HelperName) {
		t.Fatalf("otherHelpers %v lacks %s", otherHelpers, knowledge.HelperName)
	}
}
