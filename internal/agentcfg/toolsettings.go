package agentcfg

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"

	"github.com/qdev/qdev/internal/toolname"
)

// settingKind is what one toolsSettings key holds.
type settingKind int

const (
	// pathList is an array of path patterns, none empty.
	pathList settingKind = iota
	// regexes is an array of regular expressions.
	regexes
	// names is an array of strings (services, agent names).
	names
	// flag is true or false.
	flag
	// text is a string.
	text
	// fallback is fs_write's fallbackAction: "ask", "deny" or "allow".
	fallback
)

// FallbackActions are the values of toolsSettings.fs_write.fallbackAction,
// the Kiro CLI's answer for a write no allowedPaths or deniedPaths entry
// covers. qdev honours "deny"; "ask" is the default and "allow" also asks.
var FallbackActions = []string{"ask", "deny", "allow"}

// toolSettings are the settings keys of each tool whose settings qdev or
// the Kiro CLI reads, by canonical tool name. Every key of these tools is
// checked: a misspelt or mistyped permission setting would otherwise be
// ignored, and an ignored deny rule is a weaker agent than its author
// wrote.
var toolSettings = map[string]map[string]settingKind{
	"fs_read":      {"allowedPaths": pathList, "deniedPaths": pathList, "allowReadOnly": flag},
	"fs_write":     {"allowedPaths": pathList, "deniedPaths": pathList, "fallbackAction": fallback},
	"execute_bash": {"allowedCommands": regexes, "deniedCommands": regexes, "denyByDefault": flag, "autoAllowReadonly": flag},
	"use_aws":      {"allowedServices": names, "deniedServices": names, "autoAllowReadonly": flag, "profile_name": text},
	"use_subagent": {"availableAgents": names, "trustedAgents": names},
	"web_fetch":    {"trusted": regexes, "blocked": regexes},
	// The tools qdev offers that read no settings: a key under them (a
	// deniedPaths for knowledge) would be ignored, so it is an error.
	// knowledge is judged by fs_read's settings.
	"knowledge":    {},
	"report_issue": {},
	"introspect":   {},
	"thinking":     {},
	"todo_list":    {},
}

// toolsSettings checks the map tool -> settings. The tool must be a
// built-in tool (any of its names) or an MCP reference "@server/tool";
// two names of one tool may not both be configured. The settings of a
// tool in toolSettings are checked key by key.
func (c *checker) toolsSettings(ptr string, v any) {
	m, ok := c.object(ptr, v, "an object mapping tool names to settings")
	if !ok {
		return
	}
	byTool := map[string]string{}
	for _, tool := range sortedKeys(m) {
		tp := ptr + "/" + escapePointer(tool)
		if strings.HasPrefix(tool, "@") {
			c.object(tp, m[tool], "a settings object")
			continue
		}
		if !toolname.Known(tool) {
			msg := fmt.Sprintf("unknown tool %q in toolsSettings", tool)
			if best := suggestName(tool, toolname.Names()); best != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", best)
			}
			c.errKey(tp, "%s: its settings would never apply", msg)
			continue
		}
		canon := toolname.Canonical(tool)
		if prev, dup := byTool[canon]; dup {
			c.errKey(tp, "toolsSettings.%s and toolsSettings.%s both configure %s: merge them into one", prev, tool, canon)
			continue
		}
		byTool[canon] = tool
		obj, ok := c.object(tp, m[tool], "a settings object")
		if !ok {
			continue
		}
		keys, checked := toolSettings[canon]
		if !checked {
			continue
		}
		for _, k := range sortedKeys(obj) {
			kp := tp + "/" + escapePointer(k)
			kind, known := keys[k]
			if !known {
				msg := fmt.Sprintf("unknown setting %q of %s", k, canon)
				if canon == "fs_read" && k == "autoAllowReadonly" {
					msg += ` (fs_read's key is "allowReadOnly")`
				} else if canon == "knowledge" {
					msg += " (knowledge reads as fs_read does: put deniedPaths and allowedPaths under fs_read)"
				} else if s := suggest(k, keys); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				}
				c.errKey(kp, "%s", msg)
				continue
			}
			c.setting(kp, kind, obj[k])
		}
	}
}

// setting checks one value; null is accepted as "not set", as the
// permission layer reads it.
func (c *checker) setting(ptr string, kind settingKind, v any) {
	if v == nil {
		return
	}
	switch kind {
	case flag:
		c.boolean(ptr, v)
		return
	case text:
		c.str(ptr, v, false)
		return
	case fallback:
		if s, ok := c.str(ptr, v, false); ok && !slices.Contains(FallbackActions, s) {
			c.errValue(ptr, "field %q: expected one of %s, got %q", field(ptr), strings.Join(FallbackActions, ", "), s)
		}
		return
	}
	list, ok := v.([]any)
	if !ok {
		c.wrongType(ptr, "an array of strings", v)
		return
	}
	for i, e := range list {
		ep := fmt.Sprintf("%s/%d", ptr, i)
		s, ok := c.str(ep, e, false)
		if !ok {
			continue
		}
		switch kind {
		case pathList:
			if strings.TrimSpace(s) == "" {
				c.errValue(ep, "field %q: a path must not be empty", field(ep))
			}
		case regexes:
			if _, err := regexp.Compile(s); err != nil {
				why := err.Error()
				var se *syntax.Error
				if errors.As(err, &se) {
					why = se.Code.String()
				}
				c.errValue(ep, "field %q: invalid regular expression %q: %s", field(ep), s, why)
			}
		}
	}
}
