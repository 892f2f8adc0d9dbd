package main

import "fmt"

// benchKnowledge indexes a generated 10,000-file tree into a knowledge base,
// beside the time to walk and read the same files, both measured by
// internal/knowledge's BenchmarkIndex10k in one run.
func benchKnowledge(_, _ string) error {
	v, err := goBenchMetrics("./internal/knowledge", "BenchmarkIndex10k", []string{"index-s", "read-s", "MB"}, "-benchtime", "1x")
	if err != nil {
		return err
	}
	fmt.Printf("| index 10,000 files (%.0f MB of code-like text) into a knowledge base | %.1f s | %.1f s (walking and reading the same files) | ≤ 60 s |\n",
		v[2], v[0], v[1])
	return nil
}
