package tool

// Builtins returns the built-in tools in the order they are offered to the
// model. thinking, knowledge and todo_list are experiment-gated in the
// original; the caller decides whether to offer them.
func Builtins() []Tool {
	return []Tool{
		FSRead{},
		FSWrite{},
		ExecuteBash{},
		UseAWS{},
		ReportIssue{},
		Introspect{},
		Thinking{},
		Knowledge{},
		TodoList{},
	}
}

// Lookup returns the tool in tools whose Spec().Name is name.
func Lookup(tools []Tool, name string) (Tool, bool) {
	for _, t := range tools {
		if t.Spec().Name == name {
			return t, true
		}
	}
	return nil, false
}
