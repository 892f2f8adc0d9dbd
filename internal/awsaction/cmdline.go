package awsaction

import (
	"path"
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
