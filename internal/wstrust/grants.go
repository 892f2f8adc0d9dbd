package wstrust

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/chat/termwidth"
)

// denyKeys are the toolsSettings keys that only tighten what runs unasked.
// They apply from any file; every other key is treated as a grant, so a
// key the permission layer learns later is gated until listed here.
var denyKeys = map[string]bool{
	"deniedCommands": true,
	"deniedPaths":    true,
	"deniedServices": true,
	"denyByDefault":  true,
	// use_subagent's availableAgents only narrows which agents may run.
	"availableAgents": true,
}

// tightens reports whether toolsSettings key k with value v only
// tightens what runs unasked: a deny rule, or fs_write's fallbackAction
// "deny" (any other fallbackAction is treated as a grant).
func tightens(k string, v json.RawMessage) bool {
	if k == "fallbackAction" {
		var s string
		return json.Unmarshal(v, &s) == nil && s == "deny"
	}
	return denyKeys[k]
}

// grantSpec is a permission grant's digest input.
type grantSpec struct {
	Grant string
	Value json.RawMessage
}

// GrantItems returns an item per permission grant of a: each allowedTools
// entry and each allow-type toolsSettings key, so that a change to what
// runs unasked asks again.
func GrantItems(a *agentcfg.Agent) []Item {
	var out []Item
	for _, t := range a.AllowedTools {
		v, _ := json.Marshal(t)
		out = append(out, Item{Label: "allowedTools: " + termwidth.Visible(t), Spec: grantSpec{"allowedTools", v}})
	}
	for _, tool := range slices.Sorted(maps.Keys(a.ToolsSettings)) {
		obj, ok := settingsObject(a.ToolsSettings[tool])
		if !ok {
			// Not an object: the permission layer ignores it, but it is
			// still what the file says, so it is part of the digest.
			out = append(out, Item{Label: fmt.Sprintf("toolsSettings.%s: %s", termwidth.Visible(tool), termwidth.Visible(string(a.ToolsSettings[tool]))),
				Spec: grantSpec{"toolsSettings." + tool, compact(a.ToolsSettings[tool])}})
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			if tightens(k, obj[k]) {
				continue
			}
			name := tool + "." + k
			out = append(out, Item{Label: termwidth.Visible(name) + ": " + grantLabel(obj[k]), Spec: grantSpec{name, compact(obj[k])}})
		}
	}
	return out
}

// WithoutGrants returns a copy of a without its permission grants:
// allowedTools and the allow-type toolsSettings keys go, deny-type keys
// stay, since they only tighten.
func WithoutGrants(a *agentcfg.Agent) *agentcfg.Agent {
	c := *a
	c.AllowedTools = nil
	c.ToolsSettings = nil
	for tool, raw := range a.ToolsSettings {
		obj, ok := settingsObject(raw)
		if !ok {
			continue
		}
		maps.DeleteFunc(obj, func(k string, v json.RawMessage) bool { return !tightens(k, v) })
		if len(obj) == 0 {
			continue
		}
		b, err := json.Marshal(obj)
		if err != nil {
			continue
		}
		if c.ToolsSettings == nil {
			c.ToolsSettings = map[string]json.RawMessage{}
		}
		c.ToolsSettings[tool] = b
	}
	return &c
}

// settingsObject decodes one toolsSettings value into its keys.
func settingsObject(raw json.RawMessage) (map[string]json.RawMessage, bool) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, false
	}
	return obj, true
}

// compact normalises a JSON value so that formatting does not change the
// digest.
func compact(raw json.RawMessage) json.RawMessage {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return raw
	}
	b, err := json.Marshal(v)
	if err != nil {
		return raw
	}
	return b
}

// grantLabel shows a grant's value: a list as its entries, comma
// separated, anything else as JSON.
func grantLabel(raw json.RawMessage) string {
	var list []string
	if err := json.Unmarshal(raw, &list); err == nil {
		vis := make([]string, len(list))
		for i, e := range list {
			vis[i] = termwidth.Visible(e)
		}
		return strings.Join(vis, ", ")
	}
	return termwidth.Visible(string(compact(raw)))
}
