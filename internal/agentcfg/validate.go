package agentcfg

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// kind names the JSON type of a decoded value, for messages.
func kind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "the number " + x.String()
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// field renders a JSON pointer as the path a user would write:
// "/hooks/preToolUse/0/command" is "hooks.preToolUse[0].command".
func field(ptr string) string {
	var b strings.Builder
	for _, part := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		if _, err := strconv.Atoi(part); err == nil {
			b.WriteString("[" + part + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(unescapePointer(part))
	}
	return b.String()
}

func (c *checker) wrongType(ptr, want string, v any) {
	c.errValue(ptr, "field %q: expected %s, got %s", field(ptr), want, kind(v))
}

// sortedKeys gives map keys in order, so problems come out deterministically.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (c *checker) str(ptr string, v any, nullable bool) (string, bool) {
	if v == nil && nullable {
		return "", true
	}
	s, ok := v.(string)
	if !ok {
		c.wrongType(ptr, "a string", v)
	}
	return s, ok
}

func (c *checker) boolean(ptr string, v any) {
	if _, ok := v.(bool); !ok {
		c.wrongType(ptr, "true or false", v)
	}
}

// count checks a non-negative integer that fits in an int64.
func (c *checker) count(ptr string, v any) (int64, bool) {
	n, ok := v.(json.Number)
	if ok {
		u, err := strconv.ParseUint(n.String(), 10, 64)
		if err == nil && u <= math.MaxInt64 {
			return int64(u), true
		}
	}
	c.wrongType(ptr, "a non-negative integer", v)
	return 0, false
}

func (c *checker) strList(ptr string, v any) {
	list, ok := v.([]any)
	if !ok {
		c.wrongType(ptr, "an array of strings", v)
		return
	}
	for i, e := range list {
		c.str(fmt.Sprintf("%s/%d", ptr, i), e, false)
	}
}

func (c *checker) object(ptr string, v any, want string) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		c.wrongType(ptr, want, v)
	}
	return m, ok
}

func (c *checker) strMap(ptr string, v any) {
	m, ok := c.object(ptr, v, "an object of strings")
	if !ok {
		return
	}
	for _, k := range sortedKeys(m) {
		c.str(ptr+"/"+escapePointer(k), m[k], false)
	}
}

// resources must be strings; the schema wants "file://" in front, which
// the Q CLI only warns about, so a bare path is a note, not an error. The
// Kiro CLI's skill:// entries and knowledge-base objects are accepted and
// noted as ignored: qdev has neither.
func (c *checker) resources(ptr string, v any) {
	list, ok := v.([]any)
	if !ok {
		c.wrongType(ptr, "an array of strings", v)
		return
	}
	for i, e := range list {
		ep := fmt.Sprintf("%s/%d", ptr, i)
		switch s := e.(type) {
		case string:
			switch {
			case strings.HasPrefix(s, "skill://"):
				c.note(ep, "skill resource %q is ignored: qdev has no skills", s)
			case !strings.HasPrefix(s, "file://"):
				c.note(ep, "resource %q does not start with file:// (read as a path)", s)
			}
		case map[string]any:
			c.note(ep, "resource object (a knowledge base) is ignored: use /knowledge add")
		default:
			c.wrongType(ep, "a string", e)
		}
	}
}

// hookFields are the keys of a hook object. only_when_turn_complete comes
// from later Q CLI releases; it is accepted and its hooks run per tool.
var hookFields = map[string]func(c *checker, ptr string, v any){
	"command": func(c *checker, p string, v any) {
		if s, ok := c.str(p, v, false); ok && strings.TrimSpace(s) == "" {
			c.errValue(p, "field %q must not be empty", field(p))
		}
	},
	"timeout_ms":              func(c *checker, p string, v any) { c.count(p, v) },
	"max_output_size":         func(c *checker, p string, v any) { c.count(p, v) },
	"cache_ttl_seconds":       func(c *checker, p string, v any) { c.count(p, v) },
	"matcher":                 func(c *checker, p string, v any) { c.str(p, v, false) },
	"only_when_turn_complete": (*checker).boolean,
}

// hooks checks the map trigger -> [hook]. An unknown trigger is an error,
// as serde rejects an unknown enum variant; an unknown key inside a hook
// is only a note, because the Q CLI's Hook type ignores unknown keys.
func (c *checker) hooks(ptr string, v any) {
	m, ok := c.object(ptr, v, "an object mapping triggers to hook lists")
	if !ok {
		return
	}
	for _, trig := range sortedKeys(m) {
		tp := ptr + "/" + escapePointer(trig)
		if !Trigger(trig).Valid() {
			names := make([]string, len(Triggers))
			for i, t := range Triggers {
				names[i] = string(t)
			}
			c.errKey(tp, "unknown hook trigger %q (expected one of %s)", trig, strings.Join(names, ", "))
			continue
		}
		list, ok := m[trig].([]any)
		if !ok {
			c.wrongType(tp, "an array of hooks", m[trig])
			continue
		}
		for i, h := range list {
			c.hook(fmt.Sprintf("%s/%d", tp, i), Trigger(trig), h)
		}
	}
}

func (c *checker) hook(ptr string, trig Trigger, v any) {
	obj, ok := c.object(ptr, v, `a hook object like {"command": "..."}`)
	if !ok {
		return
	}
	for _, k := range sortedKeys(obj) {
		kp := ptr + "/" + escapePointer(k)
		check, known := hookFields[k]
		if !known {
			msg := fmt.Sprintf("unknown hook field %q is ignored", k)
			if s := suggest(k, hookFields); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			c.note(kp, "%s", msg)
			continue
		}
		check(c, kp, obj[k])
	}
	if _, ok := obj["command"]; !ok {
		c.errValue(ptr, "field %q: missing required field \"command\"", field(ptr))
	}
	if _, ok := obj["matcher"]; ok && !trig.ToolTrigger() {
		c.note(ptr+"/matcher", "matcher only applies to preToolUse and postToolUse hooks")
	}
}

// mcpServerFields are the keys of an MCP server entry (CustomToolConfig).
var mcpServerFields = map[string]func(c *checker, ptr string, v any){
	"type": func(c *checker, p string, v any) {
		if s, ok := c.str(p, v, false); ok && s != "stdio" && s != "http" {
			c.errValue(p, "field %q: expected \"stdio\" or \"http\", got %q", field(p), s)
		}
	},
	"url":         func(c *checker, p string, v any) { c.str(p, v, false) },
	"headers":     (*checker).strMap,
	"oauthScopes": (*checker).strList,
	"oauth":       func(c *checker, p string, v any) { c.object(p, v, "an object") },
	"command":     func(c *checker, p string, v any) { c.str(p, v, false) },
	"args":        (*checker).strList,
	"env": func(c *checker, p string, v any) {
		if v != nil {
			c.strMap(p, v)
		}
	},
	"timeout":  func(c *checker, p string, v any) { c.count(p, v) },
	"disabled": (*checker).boolean,
	// The Kiro CLI's: autoApprove is accepted and not honoured (grants
	// belong in allowedTools, where the workspace gate sees them);
	// disabledTools hides tools of the server.
	"autoApprove": func(c *checker, p string, v any) {
		if _, ok := v.(string); !ok {
			c.strList(p, v)
		}
	},
	"disabledTools": (*checker).strList,
}

// mcpServers checks the field types of each server; other keys are
// ignored by the Q CLI, so they are notes.
func (c *checker) mcpServers(ptr string, v any) {
	m, ok := c.object(ptr, v, "an object mapping server names to configurations")
	if !ok {
		return
	}
	for _, name := range sortedKeys(m) {
		sp := ptr + "/" + escapePointer(name)
		srv, ok := c.object(sp, m[name], "a server configuration object")
		if !ok {
			continue
		}
		for _, k := range sortedKeys(srv) {
			kp := sp + "/" + escapePointer(k)
			if check, known := mcpServerFields[k]; known {
				check(c, kp, srv[k])
			} else {
				c.note(kp, "unknown MCP server field %q is ignored", k)
			}
		}
	}
}
