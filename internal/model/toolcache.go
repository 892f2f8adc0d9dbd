package model

import (
	"bytes"
	"sync"
)

// ToolCache keeps each tool definition in a provider's request form, built
// once per distinct definition. Tool schemas are the largest part of most
// requests and rarely change between turns, while turning them into SDK
// values (decoding into maps, then encoding through reflection) costs more
// than the rest of a request. The zero value is ready; it is safe for
// concurrent use.
type ToolCache[T any] struct {
	mu sync.Mutex
	m  map[string]cachedTool[T]
}

type cachedTool[T any] struct {
	description string
	schema      []byte
	value       T
}

// Get returns t in request form, calling build only when t is new or its
// description or schema changed since the last call.
func (c *ToolCache[T]) Get(t ToolSpec, build func(ToolSpec) (T, error)) (T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[t.Name]; ok && e.description == t.Description && bytes.Equal(e.schema, t.InputSchema) {
		return e.value, nil
	}
	v, err := build(t)
	if err != nil {
		return v, err
	}
	if c.m == nil {
		c.m = map[string]cachedTool[T]{}
	}
	c.m[t.Name] = cachedTool[T]{description: t.Description, schema: bytes.Clone(t.InputSchema), value: v}
	return v, nil
}
