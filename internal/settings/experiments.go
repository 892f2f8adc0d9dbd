package settings

// Keys of the experiments that change what a chat session can do.
const (
	ExperimentCheckpoint = "chat.enableCheckpoint"
	ExperimentTangent    = "chat.enableTangentMode"
	// ExperimentDelegate is the Q CLI's experiment of handing tasks to
	// other agents; in qdev it enables their successor, the Kiro CLI's
	// use_subagent tool.
	ExperimentDelegate = "chat.enableDelegate"
)

// Experiment is one of the Q CLI's experiments (its /experiment list): a
// feature that is off unless its boolean setting is true.
type Experiment struct {
	Name string
	Key  string
}

// experiments are in the order the Q CLI lists them.
var experiments = []Experiment{
	{"Knowledge", "chat.enableKnowledge"},
	{"Thinking", "chat.enableThinking"},
	{"Tangent Mode", ExperimentTangent},
	{"Todo Lists", "chat.enableTodoList"},
	{"Checkpoint", ExperimentCheckpoint},
	{"Context Usage Indicator", "chat.enableContextUsageIndicator"},
	{"Delegate", ExperimentDelegate},
}

// Experiments returns the experiments; the slice is the caller's.
func Experiments() []Experiment {
	return append([]Experiment(nil), experiments...)
}
