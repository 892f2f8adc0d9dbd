package awsaction

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// globalValueOptions are the AWS CLI's global options that take a value;
// they may appear anywhere on the command line.
var globalValueOptions = map[string]bool{
	"region": true, "profile": true, "output": true, "endpoint-url": true, "query": true,
	"cli-read-timeout": true, "cli-connect-timeout": true, "ca-bundle": true, "color": true,
	"cli-binary-format": true,
}

// globalSwitches are the global options without a value.
var globalSwitches = map[string]bool{
	"debug": true, "no-verify-ssl": true, "no-paginate": true, "no-sign-request": true,
	"no-cli-pager": true, "cli-auto-prompt": true, "no-cli-auto-prompt": true,
}

// s3Switches are the `aws s3` options without a value. The high-level
// commands take positional paths, so unlike the API commands a switch
// cannot be told from an option by what follows it.
var s3Switches = map[string]bool{
	"recursive": true, "dryrun": true, "quiet": true, "only-show-errors": true, "no-progress": true,
	"follow-symlinks": true, "no-follow-symlinks": true, "no-guess-mime-type": true, "delete": true,
	"exact-timestamps": true, "size-only": true, "force": true, "human-readable": true, "summarize": true,
	"ignore-glacier-warnings": true, "force-glacier-transfer": true, "no-overwrite": true,
}

// GlobalOption returns the global option that name (without "--")
// selects: the AWS CLI parses its global options first and, as argparse
// does, takes any unambiguous prefix of one ("--regi" is --region). ok is
// false when name is no global option or a prefix of several.
func GlobalOption(name string) (full string, ok bool) {
	if globalValueOptions[name] || globalSwitches[name] || inputOptionNames[name] {
		return name, true
	}
	if name == "" {
		return "", false
	}
	for _, set := range []map[string]bool{globalValueOptions, globalSwitches, inputOptionNames} {
		for g := range set {
			if strings.HasPrefix(g, name) {
				if full != "" {
					return "", false
				}
				full = g
			}
		}
	}
	return full, full != ""
}

// inputOptionNames are the options that read the call's parameters from a
// document.
var inputOptionNames = map[string]bool{"cli-input-json": true, "cli-input-yaml": true, "generate-cli-skeleton": true}

// envOptions are environment assignments before the command that act as
// global options.
var envOptions = map[string]string{"AWS_REGION": "region", "AWS_DEFAULT_REGION": "region", "AWS_PROFILE": "profile"}

// FromCommandLine parses an `aws …` argument vector, as found in a shell
// command, into a Call. Leading NAME=value assignments are skipped
// (AWS_REGION, AWS_DEFAULT_REGION and AWS_PROFILE are honoured); global
// options are taken wherever they appear. It reports false when the words
// are not an AWS CLI call of some service operation: another program, a
// bare `aws`, `aws --version`, or a help request.
func FromCommandLine(args []string) (Call, bool) {
	c := Call{Params: map[string]string{}}
	env := map[string]string{}
	for len(args) > 0 && isAssignment(args[0]) {
		name, val, _ := strings.Cut(args[0], "=")
		if opt, ok := envOptions[name]; ok {
			env[opt] = val
		}
		args = args[1:]
	}
	if len(args) == 0 || path.Base(args[0]) != "aws" {
		return Call{}, false
	}
	var words []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "--") || a == "--" {
			words = append(words, a)
			continue
		}
		name, val, hasVal := strings.Cut(a[2:], "=")
		if full, ok := GlobalOption(name); ok {
			name = full // judged as the option the CLI will take it for
		}
		switch {
		case name == "version" || name == "help":
			return Call{}, false
		case globalSwitches[name]:
			continue
		case globalValueOptions[name]:
			if !hasVal {
				if i+1 >= len(args) {
					return Call{}, false
				}
				i++
				val = args[i]
			}
			switch name {
			case "region":
				c.Region = val
			case "profile":
				c.Profile = val
			}
			continue
		}
		// An operation option: a switch when known as one or when no value
		// follows, else "--name value".
		isS3 := len(words) > 0 && words[0] == "s3"
		if !hasVal && !(isS3 && s3Switches[name]) && i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
			i++
			val = args[i]
		}
		c.Params[name] = val
	}
	if len(words) < 2 || words[0] == "help" || words[1] == "help" || words[len(words)-1] == "help" {
		return Call{}, false
	}
	c.Service, c.Operation, c.Args = words[0], words[1], words[2:]
	if c.Region == "" {
		c.Region = env["region"]
	}
	if c.Profile == "" {
		c.Profile = env["profile"]
	}
	return c, true
}

// LocalOnly reports whether an `aws …` argument vector makes no call at
// all: a bare "aws", a version or help request.
func LocalOnly(args []string) bool {
	words := 0
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--version" || a == "--help" || a == "help":
			return true
		case strings.HasPrefix(a, "--"):
			if name, _, hasVal := strings.Cut(a[2:], "="); globalValueOptions[name] && !hasVal {
				i++
			}
		default:
			words++
		}
	}
	return words == 0
}

// isAssignment reports whether a shell word is NAME=value.
func isAssignment(w string) bool {
	name, _, ok := strings.Cut(w, "=")
	if !ok || name == "" {
		return false
	}
	for i, r := range name {
		if !(r == '_' || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || (i > 0 && r >= '0' && r <= '9')) {
			return false
		}
	}
	return true
}

// Aliases are the AWS CLI's command aliases (~/.aws/cli/alias): top-level
// ones by name ("whoami"), command-level ones by "service name"
// ("ec2 running"). A value starting with '!' is a shell command.
type Aliases map[string]string

// LoadAliases reads home's alias file; a missing file is no aliases.
func LoadAliases(home string) (Aliases, error) {
	b, err := os.ReadFile(filepath.Join(home, ".aws", "cli", "alias"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("AWS CLI alias file: %v", err)
	}
	return ParseAliases(string(b)), nil
}

// ParseAliases parses an alias file: INI sections [toplevel] and
// [command SERVICE], "name = value" lines, and indented continuation
// lines, which multi-line shell aliases use.
func ParseAliases(text string) Aliases {
	al := Aliases{}
	section, key := "", ""
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';':
		case strings.HasPrefix(trimmed, "[") && strings.HasSuffix(trimmed, "]"):
			section, key = strings.TrimSpace(trimmed[1:len(trimmed)-1]), ""
		case (line[0] == ' ' || line[0] == '\t') && key != "":
			al[key] = strings.TrimSpace(al[key] + "\n" + trimmed)
		default:
			name, value, ok := strings.Cut(trimmed, "=")
			if !ok {
				continue
			}
			key = strings.TrimSpace(name)
			if svc, ok := strings.CutPrefix(section, "command "); ok {
				key = strings.TrimSpace(svc) + " " + key
			} else if section != "toplevel" {
				key = ""
				continue
			}
			al[key] = strings.TrimSpace(value)
		}
	}
	return al
}

// Expand rewrites an `aws …` argument vector whose command or subcommand
// is an alias. It returns the new vector, or for a shell alias the shell
// command line the CLI would run (the alias with the remaining words
// appended); expanded is false when no alias applies.
func (al Aliases) Expand(args []string) (out []string, shellLine string, expanded bool) {
	if len(al) == 0 || len(args) < 2 {
		return args, "", false
	}
	pos := commandWords(args)
	for i, p := range pos[:min(len(pos), 2)] {
		key := args[p] // a top-level alias, then a command-level one
		if i == 1 {
			key = args[pos[0]] + " " + args[p]
		}
		value, ok := al[key]
		if !ok {
			continue
		}
		if sh, ok := strings.CutPrefix(value, "!"); ok {
			rest := make([]string, 0, len(args)-p)
			for _, a := range args[p+1:] {
				rest = append(rest, "'"+strings.ReplaceAll(a, "'", `'\''`)+"'")
			}
			return nil, strings.TrimSpace(sh + " " + strings.Join(rest, " ")), true
		}
		out = append(append(append([]string{}, args[:p]...), splitWords(value)...), args[p+1:]...)
		return out, "", true
	}
	return args, "", false
}

// commandWords returns the indexes of the words that are not options or
// global option values: the service, the operation, the rest.
func commandWords(args []string) []int {
	var pos []int
	for i := 1; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "--") {
			if name, _, hasVal := strings.Cut(a[2:], "="); globalValueOptions[name] && !hasVal {
				i++
			}
			continue
		}
		pos = append(pos, i)
	}
	return pos
}

// splitWords splits an alias value into words, honouring quotes and
// backslashes as the CLI's shlex splitting does.
func splitWords(s string) []string {
	var out []string
	var b strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote == '"' && c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case quote != 0:
			b.WriteByte(c)
		case c == '\'' || c == '"':
			quote, inWord = c, true
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
			inWord = true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				out = append(out, b.String())
				b.Reset()
				inWord = false
			}
		default:
			b.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		out = append(out, b.String())
	}
	return out
}

// InputJSON merges the parameters of --cli-input-json given inline into
// c.Params. A file:// or fileb:// value, a --cli-input-yaml, or JSON that
// does not parse is an error: the parameters cannot be known before the
// call runs.
func InputJSON(c *Call) error {
	if _, ok := c.Params["cli-input-yaml"]; ok {
		return errors.New("--cli-input-yaml parameters cannot be checked")
	}
	v, ok := c.Params["cli-input-json"]
	if !ok {
		return nil
	}
	if strings.Contains(v, "://") {
		return fmt.Errorf("--cli-input-json names a file (%s), whose parameters cannot be checked before the call", v)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(v), &raw); err != nil {
		return fmt.Errorf("--cli-input-json does not parse: %v", err)
	}
	params, err := ParamsFromJSON(raw)
	if err != nil {
		return err
	}
	delete(c.Params, "cli-input-json")
	for k, p := range params {
		if _, set := c.Params[kebab(k)]; !set { // the command line wins, as in the CLI
			c.Params[k] = p
		}
	}
	return nil
}
