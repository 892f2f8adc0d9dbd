package contextfiles

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/qdev/qdev/internal/agentcfg"
)

// Legacy hook triggers, as stored in the context files.
const (
	TriggerConversationStart = "conversation_start"
	TriggerPerPrompt         = "per_prompt"
)

// LegacyHook is a hook of a legacy context file (snake_case, as the Q CLI
// writes them). Absent limits take the Q CLI's code defaults (30 s).
type LegacyHook struct {
	Trigger         string `json:"trigger"`
	Type            string `json:"type"`
	Disabled        bool   `json:"disabled"`
	TimeoutMS       int64  `json:"timeout_ms"`
	MaxOutputSize   int64  `json:"max_output_size"`
	CacheTTLSeconds int64  `json:"cache_ttl_seconds"`
	Command         string `json:"command"`
}

// UnmarshalJSON applies the defaults of absent limits.
func (h *LegacyHook) UnmarshalJSON(data []byte) error {
	type plain LegacyHook
	p := plain{Type: "inline", TimeoutMS: agentcfg.DefaultTimeoutMS, MaxOutputSize: agentcfg.DefaultMaxOutputSize}
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	*h = LegacyHook(p)
	return nil
}

// addedHookTimeoutMS is the timeout given to hooks added with /context
// hooks add. The Q CLI code defaults to 30 s, but its user guide promises
// 5 s for these hooks (spec §5.5.4, check 56); a hook written by hand
// without timeout_ms keeps the code's 30 s.
const addedHookTimeoutMS = 5000

// AddHook adds an inline hook to one layer and saves. trigger must be
// per_prompt or conversation_start.
func (c *LegacyContext) AddHook(global bool, name, trigger, command string) (string, error) {
	if trigger != TriggerPerPrompt && trigger != TriggerConversationStart {
		return "", fmt.Errorf("invalid trigger %q: expected %s or %s", trigger, TriggerPerPrompt, TriggerConversationStart)
	}
	if strings.TrimSpace(name) == "" || strings.TrimSpace(command) == "" {
		return "", fmt.Errorf("cannot add hook '%s': a name and a command are required", name)
	}
	cfg, _ := c.layer(global)
	if _, dup := cfg.Hooks[name]; dup {
		return "", fmt.Errorf("cannot add hook '%s': name already exists", name)
	}
	if cfg.Hooks == nil {
		cfg.Hooks = map[string]LegacyHook{}
	}
	cfg.Hooks[name] = LegacyHook{Trigger: trigger, Type: "inline", TimeoutMS: addedHookTimeoutMS,
		MaxOutputSize: agentcfg.DefaultMaxOutputSize, Command: command}
	if err := c.save(global); err != nil {
		return "", err
	}
	return fmt.Sprintf("Added hook '%s'.", name), nil
}

// RemoveHook deletes a hook from one layer and saves.
func (c *LegacyContext) RemoveHook(global bool, name string) (string, error) {
	cfg, _ := c.layer(global)
	if _, ok := cfg.Hooks[name]; !ok {
		return "", fmt.Errorf("cannot remove hook '%s': does not exist", name)
	}
	delete(cfg.Hooks, name)
	if err := c.save(global); err != nil {
		return "", err
	}
	return fmt.Sprintf("Removed hook '%s'.", name), nil
}

// SetHookDisabled enables or disables one hook and saves.
func (c *LegacyContext) SetHookDisabled(global bool, name string, disabled bool) (string, error) {
	verb := map[bool]string{true: "disable", false: "enable"}[disabled]
	cfg, _ := c.layer(global)
	h, ok := cfg.Hooks[name]
	if !ok {
		return "", fmt.Errorf("cannot %s hook '%s': does not exist", verb, name)
	}
	h.Disabled = disabled
	cfg.Hooks[name] = h
	if err := c.save(global); err != nil {
		return "", err
	}
	return fmt.Sprintf("%sd hook '%s'.", strings.ToUpper(verb[:1])+verb[1:], name), nil
}

// SetAllHooksDisabled enables or disables every hook of one layer and saves.
func (c *LegacyContext) SetAllHooksDisabled(global, disabled bool) (string, error) {
	cfg, _ := c.layer(global)
	for name, h := range cfg.Hooks {
		h.Disabled = disabled
		cfg.Hooks[name] = h
	}
	if err := c.save(global); err != nil {
		return "", err
	}
	if disabled {
		return "Disabled all hooks.", nil
	}
	return "Enabled all hooks.", nil
}

// ShowHooks lists the hooks of both layers by trigger with their status:
//
//	global:
//	    On Session Start:
//	      project-info (enabled): echo 'Project: '$(basename $(pwd))
//	    Per User Message:
//	      <none>
//	profile (default):
//	    ...
func (c *LegacyContext) ShowHooks() string {
	var b strings.Builder
	section := func(title string, hooks map[string]LegacyHook) {
		b.WriteString(title + "\n")
		for _, trig := range []struct{ key, label string }{
			{TriggerConversationStart, "On Session Start"}, {TriggerPerPrompt, "Per User Message"}} {
			fmt.Fprintf(&b, "    %s:\n", trig.label)
			n := 0
			for _, name := range sortedNames(hooks) {
				h := hooks[name]
				if h.Trigger != trig.key {
					continue
				}
				status := "enabled"
				if h.Disabled {
					status = "disabled"
				}
				fmt.Fprintf(&b, "      %s (%s): %s\n", name, status, h.Command)
				n++
			}
			if n == 0 {
				b.WriteString("      <none>\n")
			}
		}
	}
	section("global:", c.Global.Hooks)
	section(fmt.Sprintf("profile (%s):", c.Profile), c.Local.Hooks)
	return b.String()
}

// Hooks converts the enabled hooks, global first then the profile's, each
// by name, into agent hooks: conversation_start runs as agentSpawn (once
// per conversation) and per_prompt as userPromptSubmit, which is how the
// Q CLI migrates them (legacy/mod.rs).
func (c *LegacyContext) Hooks() map[agentcfg.Trigger][]agentcfg.HookSpec {
	var layers []map[string]LegacyHook
	if c.InUse(true) {
		layers = append(layers, c.Global.Hooks)
	}
	if c.InUse(false) {
		layers = append(layers, c.Local.Hooks)
	}
	return hookSpecs(layers...)
}

// hookSpecs converts the enabled hooks of layers, in order and by name.
func hookSpecs(layers ...map[string]LegacyHook) map[agentcfg.Trigger][]agentcfg.HookSpec {
	out := map[agentcfg.Trigger][]agentcfg.HookSpec{}
	for _, layer := range layers {
		for _, name := range sortedNames(layer) {
			h := layer[name]
			if h.Disabled || strings.TrimSpace(h.Command) == "" {
				continue
			}
			trig := agentcfg.UserPromptSubmit
			if h.Trigger == TriggerConversationStart {
				trig = agentcfg.AgentSpawn
			}
			out[trig] = append(out[trig], agentcfg.HookSpec{Command: h.Command, TimeoutMS: h.TimeoutMS,
				MaxOutputSize: h.MaxOutputSize, CacheTTLSeconds: h.CacheTTLSeconds})
		}
	}
	return out
}

func sortedNames(m map[string]LegacyHook) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
