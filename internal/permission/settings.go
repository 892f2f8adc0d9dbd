package permission

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// The toolsSettings objects the original reads. Keys are
// camelCase; unknown keys are ignored there and reported here as warnings,
// because a misspelt "deniedCommand" silently protecting nothing is worse
// than a line of noise.

// fsSettings is toolsSettings.fs_read and toolsSettings.fs_write.
type fsSettings struct {
	allowed, denied pathSet
	// allowReadOnly (fs_read only) allows every read not denied. Its key is
	// "allowReadOnly", not "autoAllowReadonly" as for the other tools.
	allowReadOnly bool
	// fallbackDeny (fs_write only) denies a write that no allowedPaths
	// entry covers: the Kiro CLI's "fallbackAction": "deny".
	fallbackDeny bool
	hasAllow     bool // any allow-type setting, for labels and override warnings
	invalid      string
}

// bashSettings is toolsSettings.execute_bash.
type bashSettings struct {
	allowed           []cmdRule
	denied            []cmdRule
	denyByDefault     bool
	autoAllowReadonly bool
	invalid           string
}

// cmdRule is one allowedCommands/deniedCommands regex, anchored.
type cmdRule struct {
	orig string
	re   *regexp.Regexp
}

// awsSettings is toolsSettings.use_aws.
type awsSettings struct {
	allowed, denied   []string
	autoAllowReadonly bool
	invalid           string
}

// settingsObject decodes one toolsSettings value into its fields, checking
// the JSON types. It returns the warnings for unknown keys; a non-nil error
// makes the whole object invalid (every call of the tool then asks, as in the
// original).
func settingsObject(tool string, raw json.RawMessage, fields map[string]any) ([]string, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, fmt.Errorf("toolsSettings.%s: must be a JSON object", tool)
	}
	var warns []string
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		dst, ok := fields[k]
		if !ok {
			switch {
			case tool == "use_aws" && k == "profile_name": // read by the use_aws tool itself
			case tool == "fs_read" && k == "autoAllowReadonly":
				warns = append(warns, fmt.Sprintf(`toolsSettings.fs_read: unknown key %q ignored (fs_read's key is "allowReadOnly")`, k))
			default:
				warns = append(warns, fmt.Sprintf("toolsSettings.%s: unknown key %q ignored", tool, k))
			}
			continue
		}
		if bytes.Equal(bytes.TrimSpace(obj[k]), []byte("null")) {
			continue
		}
		if err := json.Unmarshal(obj[k], dst); err != nil {
			want := "an array of strings"
			switch dst.(type) {
			case *bool:
				want = "true or false"
			case *string:
				want = "a string"
			}
			return warns, fmt.Errorf("toolsSettings.%s.%s: must be %s", tool, k, want)
		}
	}
	return warns, nil
}

func parseFS(tool string, raw json.RawMessage, pe pathEnv) (fsSettings, []string) {
	var s fsSettings
	if raw == nil {
		return s, nil
	}
	var allowed, denied []string
	var fallback string
	fields := map[string]any{"allowedPaths": &allowed, "deniedPaths": &denied}
	if tool == "fs_read" {
		fields["allowReadOnly"] = &s.allowReadOnly
	} else {
		fields["fallbackAction"] = &fallback
	}
	warns, err := settingsObject(tool, raw, fields)
	if err != nil {
		s.invalid = err.Error()
		return s, append(warns, err.Error()+"; every "+tool+" call will ask")
	}
	for i, p := range allowed {
		r, err := pe.compileRule(p, false)
		if err != nil {
			warns = append(warns, fmt.Sprintf("toolsSettings.%s.allowedPaths[%d] %q: %v; ignored", tool, i, p, err))
			continue
		}
		s.allowed = append(s.allowed, r)
	}
	for i, p := range denied {
		r, err := pe.compileRule(p, true)
		if err != nil {
			warns = append(warns, fmt.Sprintf("toolsSettings.%s.deniedPaths[%d] %q: %v; ignored", tool, i, p, err))
			continue
		}
		s.denied = append(s.denied, r)
	}
	switch fallback {
	case "", "ask", "allow":
		// "allow" is not honoured: a write no rule covers asks.
	case "deny":
		s.fallbackDeny = true
	default:
		// An action that cannot be understood refuses rather than asks.
		s.fallbackDeny = true
		warns = append(warns, fmt.Sprintf("toolsSettings.%s.fallbackAction %q: expected ask, deny or allow; writes outside allowedPaths are denied", tool, fallback))
	}
	s.hasAllow = len(s.allowed) > 0 || s.allowReadOnly
	return s, warns
}

func parseBash(raw json.RawMessage) (bashSettings, []string) {
	var s bashSettings
	if raw == nil {
		return s, nil
	}
	var allowed, denied []string
	warns, err := settingsObject("execute_bash", raw, map[string]any{
		"allowedCommands":   &allowed,
		"deniedCommands":    &denied,
		"denyByDefault":     &s.denyByDefault,
		"autoAllowReadonly": &s.autoAllowReadonly,
	})
	if err != nil {
		s.invalid = err.Error()
		return s, append(warns, err.Error()+"; every execute_bash call will ask")
	}
	// The original anchors with \A…\z but without a group, so "a|b" was
	// really "\Aa" or "b\z"; the group makes alternatives anchored too.
	for i, p := range allowed {
		re, err := anchored("", p)
		if err != nil {
			warns = append(warns, fmt.Sprintf("toolsSettings.execute_bash.allowedCommands[%d] %q: invalid regex (%v); ignored", i, p, cleanRegexErr(err)))
			continue
		}
		s.allowed = append(s.allowed, cmdRule{orig: p, re: re})
	}
	for i, p := range denied {
		// A deny rule's "." also matches a newline: a quoted argument
		// holding one must not carry a command past "rm .*".
		re, err := anchored("(?s)", p)
		if err != nil {
			// As in the original: a deny rule that cannot be understood
			// denies everything rather than nothing.
			warns = append(warns, fmt.Sprintf("toolsSettings.execute_bash.deniedCommands[%d] %q: invalid regex (%v); every command is denied", i, p, cleanRegexErr(err)))
			re = regexp.MustCompile(`(?s)\A.*\z`)
		}
		s.denied = append(s.denied, cmdRule{orig: p, re: re})
	}
	return s, warns
}

func parseAWS(raw json.RawMessage) (awsSettings, []string) {
	var s awsSettings
	if raw == nil {
		return s, nil
	}
	warns, err := settingsObject("use_aws", raw, map[string]any{
		"allowedServices":   &s.allowed,
		"deniedServices":    &s.denied,
		"autoAllowReadonly": &s.autoAllowReadonly,
	})
	if err != nil {
		s = awsSettings{invalid: err.Error()}
		return s, append(warns, err.Error()+"; every use_aws call will ask")
	}
	return s, warns
}

// anchored compiles flags\A(?:p)\z after checking that p is a regex on its
// own, so an unbalanced ")" in p cannot escape the group.
func anchored(flags, p string) (*regexp.Regexp, error) {
	if _, err := regexp.Compile(p); err != nil {
		return nil, err
	}
	return regexp.Compile(flags + `\A(?:` + p + `)\z`)
}

// cleanRegexErr drops the "error parsing regexp: " prefix Go puts on errors.
func cleanRegexErr(err error) string {
	return strings.TrimPrefix(err.Error(), "error parsing regexp: ")
}
