package agentcfg

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/qdev/qdev/internal/toolname"
)

// normalize turns the checked tree of an agent file into the JSON the
// Agent type decodes: tool names canonical in tools, allowedTools, hook
// matchers and toolsSettings keys; unknown top-level keys and resources
// qdev cannot use (skills, knowledge bases) dropped, after Parse noted them.
func normalize(obj map[string]any) ([]byte, error) {
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		if _, known := topFields[k]; known {
			out[k] = v
		}
	}
	for _, k := range []string{"tools", "allowedTools"} {
		if list, ok := out[k].([]any); ok {
			canon := make([]any, len(list))
			for i, e := range list {
				canon[i] = toolname.Pattern(e.(string))
			}
			out[k] = canon
		}
	}
	if m, ok := out["toolsSettings"].(map[string]any); ok {
		canon := make(map[string]any, len(m))
		for k, v := range m {
			canon[toolname.Canonical(k)] = v
		}
		out["toolsSettings"] = canon
	}
	if hooks, ok := out["hooks"].(map[string]any); ok {
		for _, list := range hooks {
			for _, h := range list.([]any) {
				if hm, ok := h.(map[string]any); ok {
					if m, ok := hm["matcher"].(string); ok {
						hm["matcher"] = toolname.Pattern(m)
					}
				}
			}
		}
	}
	if list, ok := out["resources"].([]any); ok {
		var kept []any
		for _, e := range list {
			if s, ok := e.(string); ok && usableResource(s) {
				kept = append(kept, s)
			}
		}
		out["resources"] = kept
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// usableResource reports whether a resource names files qdev reads: any
// path, with or without file://, but not the Kiro CLI's skill:// entries.
func usableResource(s string) bool {
	return !strings.HasPrefix(s, "skill://")
}

// toolList checks tools and allowedTools: strings, each a built-in tool
// (any of its names), a glob, "*", "@builtin…" or an MCP reference. A bare
// name that is none of these matches nothing, which only takes a tool
// away; it is noted, with the name it probably meant.
func (c *checker) toolList(ptr string, v any) {
	c.strList(ptr, v)
	list, _ := v.([]any)
	for i, e := range list {
		s, ok := e.(string)
		if !ok {
			continue
		}
		name := strings.TrimPrefix(s, "@builtin/")
		if name == "" || strings.HasPrefix(name, "@") || strings.ContainsAny(name, "*?[") || toolname.Known(name) {
			continue
		}
		msg := fmt.Sprintf("%q names no built-in tool, so it matches nothing", s)
		if best := suggestName(name, toolname.Names()); best != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", best)
		} else if !strings.HasPrefix(s, "@builtin/") {
			msg += "; an MCP tool is written @server/tool"
		}
		c.note(fmt.Sprintf("%s/%d", ptr, i), "%s", msg)
	}
}

// suggestName is suggest over a list of names.
func suggestName(key string, names []string) string {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return suggest(key, m)
}
