// Package mcp is qdev's Model Context Protocol client: it reads the Q CLI's
// server configuration (agent mcpServers and the legacy mcp.json files),
// starts the servers in the background with the official Go SDK, and offers
// their tools, prompts and resources to the chat.
package mcp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultTimeout is the per-request timeout of a server without "timeout".
// The guide (spec §9.3, check 70) says one minute; the Q CLI's code says
// 120000 ms. We follow the guide, which is the documented contract.
const DefaultTimeout = 60 * time.Second

// MaxNameLen is the longest server name accepted (spec §9.3).
const MaxNameLen = 250

// Transport types of a server entry.
const (
	TypeStdio = "stdio"
	TypeHTTP  = "http"
)

// ServerConfig is one validated server entry. Values are kept as written;
// ${VAR} references are expanded only when the server starts.
type ServerConfig struct {
	// Name is the key of the entry in mcpServers.
	Name string
	// Type is TypeStdio (command) or TypeHTTP (url).
	Type    string
	Command string
	Args    []string
	Env     map[string]string
	URL     string
	Headers map[string]string
	// Timeout bounds every request (launch, tool call, prompt, resource).
	Timeout  time.Duration
	Disabled bool
	// DisabledTools are tools of the server the model does not see (the
	// Kiro CLI's disabledTools).
	DisabledTools []string `json:",omitempty"`
	// Source names where the entry came from: a file path or "agent".
	Source string
	// Resolved, when set, is the absolute program (ResolveCommand) that
	// the managed allow-list judged: the server runs exactly that file.
	Resolved string
}

// knownKeys are the entry attributes the Q or the Kiro CLI understands;
// anything else draws a warning and is ignored. oauth and oauthScopes are
// accepted for compatibility although qdev does not implement MCP OAuth;
// the Kiro CLI's autoApprove is accepted and not honoured (tools are
// pre-approved with the agent's allowedTools, which the workspace gate
// checks).
var knownKeys = map[string]bool{
	"command": true, "args": true, "env": true, "timeout": true, "url": true,
	"headers": true, "type": true, "disabled": true, "oauth": true, "oauthScopes": true,
	"autoApprove": true, "disabledTools": true,
}

// ParseServer validates the entry raw of server name. Problems that only
// deserve a warning (unknown attributes) are returned in warnings; anything
// that makes the entry unusable is the error. Neither names the file: the
// caller adds it.
func ParseServer(name string, raw json.RawMessage) (cfg ServerConfig, warnings []string, err error) {
	if err := checkName(name); err != nil {
		return cfg, nil, err
	}
	obj, _, err := parseObject(raw)
	if err != nil {
		return cfg, nil, fmt.Errorf("entry must be a JSON object: %v", err)
	}
	cfg = ServerConfig{Name: name, Timeout: DefaultTimeout}
	for _, m := range obj.members {
		if !knownKeys[m.Key] {
			warnings = append(warnings, fmt.Sprintf("unknown attribute %q is ignored", m.Key))
			continue
		}
		if err := cfg.setField(m.Key, m.Value); err != nil {
			return cfg, warnings, err
		}
	}
	switch cfg.Type {
	case "":
		// The Q CLI infers the transport: a command means stdio, else a url means http.
		if cfg.Command != "" {
			cfg.Type = TypeStdio
		} else if cfg.URL != "" {
			cfg.Type = TypeHTTP
		} else {
			return cfg, warnings, fmt.Errorf(`needs "command" (a local server) or "url" (a remote server)`)
		}
	case TypeStdio:
		if cfg.Command == "" {
			return cfg, warnings, fmt.Errorf(`"type" is "stdio" but "command" is missing or empty`)
		}
	case TypeHTTP:
		if cfg.URL == "" {
			return cfg, warnings, fmt.Errorf(`"type" is "http" but "url" is missing or empty`)
		}
	default:
		return cfg, warnings, fmt.Errorf(`"type" must be "stdio" or "http", got %q`, cfg.Type)
	}
	if cfg.Type == TypeHTTP && !strings.HasPrefix(cfg.URL, "http://") && !strings.HasPrefix(cfg.URL, "https://") {
		return cfg, warnings, fmt.Errorf(`"url" must start with http:// or https://, got %q`, cfg.URL)
	}
	return cfg, warnings, nil
}

// checkName applies the name rules of spec §9.3 and the Q CLI's reserved name.
func checkName(name string) error {
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return fmt.Errorf("server name must not be empty")
	case n > MaxNameLen:
		return fmt.Errorf("server name is %d characters long; the limit is %d", n, MaxNameLen)
	case name == "builtin":
		return fmt.Errorf(`server name "builtin" is reserved`)
	}
	return nil
}

func (c *ServerConfig) setField(key string, v json.RawMessage) error {
	var err error
	switch key {
	case "command":
		err = decodeString(v, &c.Command)
	case "url":
		err = decodeString(v, &c.URL)
	case "type":
		err = decodeString(v, &c.Type)
	case "args":
		err = decodeStrings(v, &c.Args)
	case "disabledTools":
		err = decodeStrings(v, &c.DisabledTools)
	case "env":
		c.Env, err = decodeStringMap(v)
	case "headers":
		c.Headers, err = decodeStringMap(v)
	case "disabled":
		if !isNull(v) {
			if json.Unmarshal(v, &c.Disabled) != nil {
				err = fmt.Errorf("must be true or false")
			}
		}
	case "timeout":
		c.Timeout, err = decodeTimeout(v)
	}
	if err != nil {
		return fmt.Errorf("%q %v", key, err)
	}
	return nil
}

func isNull(v json.RawMessage) bool { return string(bytes.TrimSpace(v)) == "null" }

func decodeString(v json.RawMessage, dst *string) error {
	if isNull(v) {
		return nil
	}
	if json.Unmarshal(v, dst) != nil {
		return fmt.Errorf("must be a string, got %s", abbrev(v))
	}
	return nil
}

func decodeStrings(v json.RawMessage, dst *[]string) error {
	if isNull(v) {
		return nil
	}
	var items []json.RawMessage
	if json.Unmarshal(v, &items) != nil {
		return fmt.Errorf("must be an array of strings, got %s", abbrev(v))
	}
	out := make([]string, len(items))
	for i, it := range items {
		if json.Unmarshal(it, &out[i]) != nil || isNull(it) {
			return fmt.Errorf("item %d must be a string, got %s", i, abbrev(it))
		}
	}
	*dst = out
	return nil
}

func decodeStringMap(v json.RawMessage) (map[string]string, error) {
	if isNull(v) {
		return nil, nil
	}
	obj, _, err := parseObject(v)
	if err != nil {
		return nil, fmt.Errorf("must be an object of strings, got %s", abbrev(v))
	}
	out := make(map[string]string, len(obj.members))
	for _, m := range obj.members {
		var s string
		if json.Unmarshal(m.Value, &s) != nil || isNull(m.Value) {
			return nil, fmt.Errorf("value of %q must be a string, got %s", m.Key, abbrev(m.Value))
		}
		out[m.Key] = s
	}
	return out, nil
}

// decodeTimeout reads a positive whole number of milliseconds.
func decodeTimeout(v json.RawMessage) (time.Duration, error) {
	if isNull(v) {
		return DefaultTimeout, nil
	}
	var n json.Number
	// json.Number would also accept a quoted number; the Q CLI wants a number.
	if bytes.HasPrefix(bytes.TrimSpace(v), []byte(`"`)) || json.Unmarshal(v, &n) != nil {
		return 0, fmt.Errorf("must be a positive number of milliseconds, got %s", abbrev(v))
	}
	ms, err := n.Int64()
	if err != nil || ms <= 0 {
		return 0, fmt.Errorf("must be a positive whole number of milliseconds, got %s", n)
	}
	if ms > int64(24*time.Hour/time.Millisecond) {
		return 0, fmt.Errorf("must be at most one day (86400000 ms), got %d", ms)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// abbrev shows a JSON value in an error message, shortened.
func abbrev(v json.RawMessage) string {
	s := strings.Join(strings.Fields(string(v)), " ")
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
