package tool

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/qdev/qdev/internal/awsaction"
)

// globalAWSOptions may not be passed as parameters: they would override
// the region and profile the permission layer judged, or the TLS checks,
// from behind its back, and --debug logs the signed request headers (with
// the session token) to the stderr the model reads. --endpoint-url is
// allowed, as in the Q CLI, for LocalStack and moto: the policy judges the
// operation whatever endpoint serves it, and the audit record holds the
// parameter.
var globalAWSOptions = map[string]bool{
	"region": true, "profile": true, "ca-bundle": true, "no-verify-ssl": true, "debug": true,
}

// inputOptions are options whose value sets other options from a document
// the judges would not see; every parameter must be given on its own.
var inputOptions = map[string]bool{"cli-input-json": true, "cli-input-yaml": true}

// awsFlags turns the parameters, keyed by CLI option (as
// awsaction.ParamsFromJSON gives them), into CLI arguments sorted by option
// so the command line is deterministic: "--flag value", or a bare "--flag"
// for an empty value (a boolean switch).
func awsFlags(params map[string]string) ([]string, error) {
	names := make([]string, 0, len(params))
	for name := range params {
		if full, ok := awsaction.GlobalOption(name); ok && full != name {
			// The CLI takes any unambiguous prefix of a global option for
			// it ("regio" is --region): refuse what would be read as one.
			return nil, fmt.Errorf("use_aws: parameter %q would be read by the AWS CLI as its global option --%s; name parameters in full", name, full)
		}
		if globalAWSOptions[name] {
			return nil, fmt.Errorf("use_aws: parameter %q is a global AWS CLI option that use_aws does not pass; use the region and profile_name fields for those", name)
		}
		if inputOptions[name] {
			return nil, fmt.Errorf("use_aws: parameter %q is not supported: give each parameter on its own, so the policy sees it", name)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	var args []string
	for _, name := range names {
		flag, value := "--"+name, params[name]
		switch {
		case value == "":
			args = append(args, flag)
		case strings.HasPrefix(value, "-"):
			// A value that looks like a flag must be attached, or the
			// CLI's parser takes it for one.
			args = append(args, flag+"="+value)
		default:
			args = append(args, flag, value)
		}
	}
	return args, nil
}

// paramFileLimit bounds the file a file:// parameter value names.
const paramFileLimit = 1 << 20

// inlineParamFiles replaces each file:// parameter value with the text of
// the file, read as the AWS CLI would read it (relative paths from dir, ~
// for the home directory), so that the permission layer and the IAM guard
// judge the value that is sent, not the file's name. fileb:// (binary)
// values are refused: pass the data inline, base64-encoded, instead.
func inlineParamFiles(params map[string]string, dir string) error {
	for name, v := range params {
		if strings.HasPrefix(v, "fileb://") {
			return fmt.Errorf("use_aws: parameter --%s: fileb:// values are not supported; pass the data inline, base64-encoded", name)
		}
		p, ok := strings.CutPrefix(v, "file://")
		if !ok {
			continue
		}
		if rest, ok := strings.CutPrefix(p, "~/"); ok {
			home, _ := os.UserHomeDir()
			p = filepath.Join(home, rest)
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		text, err := readParamFile(p)
		if err != nil {
			return fmt.Errorf("use_aws: parameter --%s: %v", name, err)
		}
		params[name] = text
	}
	return nil
}

// readParamFile reads the file of a file:// value, up to paramFileLimit.
func readParamFile(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, paramFileLimit+1))
	if err != nil {
		return "", err
	}
	if len(data) > paramFileLimit {
		return "", fmt.Errorf("%s is larger than %d bytes", p, paramFileLimit)
	}
	return string(data), nil
}
