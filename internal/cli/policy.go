package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/qdev/qdev/internal/iam"
)

// badInput is a usage or input error of q policy: exit status 2.
func badInput(format string, args ...any) error {
	return &ExitError{Code: 2, Err: fmt.Errorf(format, args...)}
}

// NewCmdPolicy returns `q policy`, a local IAM policy evaluator:
//
//	q policy simulate --action A --resource R [--policy F…] [--scp F[,F…]…]
//	                  [--boundary F] [--session-policy F] [--principal ARN]
//	                  [--context k=v…] [--context-file F] [--format text|json]
//	q policy validate FILE…   (alias: check)
//
// simulate exits 0 whatever the decision and 2 on bad input; validate
// exits 1 when a file has errors or findings.
func NewCmdPolicy(stdio IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Evaluate and validate AWS IAM policies locally",
		Long: "Evaluate AWS IAM identity policies, SCPs, permissions boundaries and session policies\n" +
			"locally, with AWS's documented evaluation logic, and validate policy files.",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE:         func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &ExitError{Code: 2, Err: err} })
	cmd.AddCommand(newCmdPolicySimulate(stdio), newCmdPolicyValidate(stdio))
	return cmd
}

type simulateOptions struct {
	action, resource         string
	policies, scps, contexts []string
	boundary, session        string
	principal, contextFile   string
	format                   string
}

func newCmdPolicySimulate(stdio IO) *cobra.Command {
	o := &simulateOptions{}
	cmd := &cobra.Command{
		Use:   "simulate --action SERVICE:OPERATION --resource ARN [flags]",
		Short: "Decide whether policies allow a request",
		Long: "Decide whether the given policies allow an action on a resource, the way AWS does:\n" +
			"an explicit Deny in any policy wins; otherwise every SCP level, the permissions boundary\n" +
			"and the session policy (when given) must allow, and an identity policy (--policy) must allow.\n\n" +
			"The first line of output is exactly Allow, ImplicitDeny or ExplicitDeny, followed by the\n" +
			"statements that matched. Each --scp is one organisation level, root first; files joined\n" +
			"by commas share a level. A repeated --context key is multivalued; --context-file is a JSON\n" +
			"object whose array values are multivalued keys (--context replaces a key from the file).\n" +
			"--resource is taken literally (\"*\" is the resource of actions without resource-level\n" +
			"permissions). --principal adds aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType\n" +
			"and, for IAM users, aws:username, unless --context sets them.\n\n" +
			"AWS's built-in rules apply whatever the policies say, and a rule: line names the one that\n" +
			"decided: sts:GetCallerIdentity is always allowed, and changes to AWS managed policies and\n" +
			"service-linked roles are always denied.\n\n" +
			"Exit status: 0 whatever the decision; 2 when an input is bad.",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return badInput("q policy simulate takes no arguments, got %q", args[0])
			}
			return nil
		},
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("resource") {
				return badInput("--resource is required (use \"*\" for actions without resource-level permissions)")
			}
			return o.run(stdio.Out)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.action, "action", "", "the action to authorise, e.g. s3:DeleteObject")
	f.StringVar(&o.resource, "resource", "", "the resource ARN, taken literally")
	f.StringArrayVar(&o.policies, "policy", nil, "an identity policy file (repeatable)")
	f.StringArrayVar(&o.scps, "scp", nil, "one SCP organisation level, root first: FILE[,FILE...] (repeatable)")
	f.StringVar(&o.boundary, "boundary", "", "the permissions boundary policy file")
	f.StringVar(&o.session, "session-policy", "", "the session policy file")
	f.StringVar(&o.principal, "principal", "", "the principal ARN")
	f.StringArrayVar(&o.contexts, "context", nil, "a condition key value: KEY=VALUE (repeatable; repeat a key for several values)")
	f.StringVar(&o.contextFile, "context-file", "", "a JSON object of condition keys to a value or an array of values")
	f.StringVarP(&o.format, "format", "f", "text", "output format: text or json")
	return cmd
}

// requestAction is a concrete "service:Operation": no wildcards, no spaces.
var requestAction = regexp.MustCompile(`^[A-Za-z0-9-]+:[A-Za-z0-9._-]+$`)

func (o *simulateOptions) run(out io.Writer) error {
	if !requestAction.MatchString(o.action) {
		return badInput("--action %q: want SERVICE:OPERATION, e.g. s3:GetObject", o.action)
	}
	if o.resource == "" {
		return badInput("--resource is empty (use \"*\" for actions without resource-level permissions)")
	}
	if o.format != "text" && o.format != "json" {
		return badInput("--format %q: want text or json", o.format)
	}
	set, err := o.loadSet()
	if err != nil {
		return err
	}
	ctx, err := o.requestContext()
	if err != nil {
		return err
	}
	res := iam.Evaluate(set, iam.Request{Action: o.action, Resource: o.resource, Context: ctx})
	if o.format == "json" {
		data, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "%s\n", data)
		return err
	}
	return printResult(out, res)
}

func (o *simulateOptions) loadSet() (*iam.PolicySet, error) {
	load := func(path string) (*iam.Policy, error) {
		p, err := iam.LoadFile(path)
		if err != nil {
			return nil, &ExitError{Code: 2, Err: err}
		}
		return p, nil
	}
	set := &iam.PolicySet{}
	for _, path := range o.policies {
		p, err := load(path)
		if err != nil {
			return nil, err
		}
		set.Identity = append(set.Identity, p)
	}
	for _, level := range o.scps {
		var ps []*iam.Policy
		for _, path := range strings.Split(level, ",") {
			if strings.TrimSpace(path) == "" {
				return nil, badInput("--scp %q: empty file name in the level's list", level)
			}
			p, err := load(strings.TrimSpace(path))
			if err != nil {
				return nil, err
			}
			ps = append(ps, p)
		}
		set.SCPs = append(set.SCPs, ps)
	}
	var err error
	if o.boundary != "" {
		if set.Boundary, err = load(o.boundary); err != nil {
			return nil, err
		}
	}
	if o.session != "" {
		if set.Session, err = load(o.session); err != nil {
			return nil, err
		}
	}
	return set, nil
}

func printResult(out io.Writer, res iam.Result) error {
	var b strings.Builder
	fmt.Fprintln(&b, res.Decision)
	if res.Rule != "" {
		fmt.Fprintf(&b, "rule: %s (AWS decides this whatever the policies say)\n", res.Rule)
	}
	if res.Reason != "" {
		fmt.Fprintf(&b, "reason: %s\n", res.Reason)
	}
	if len(res.BlockedBy) > 0 {
		types := make([]string, len(res.BlockedBy))
		for i, t := range res.BlockedBy {
			types[i] = string(t)
		}
		fmt.Fprintf(&b, "blocked by: %s\n", strings.Join(types, ", "))
	}
	if len(res.Matched) == 0 {
		fmt.Fprintln(&b, "matched statements: none")
	} else {
		fmt.Fprintln(&b, "matched statements:")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, m := range res.Matched {
			typ := string(m.PolicyType)
			if m.Level > 0 {
				typ = fmt.Sprintf("scp (level %d)", m.Level)
			}
			sid := m.Sid
			if sid == "" {
				sid = "-"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\tstatement %d\tSid %s\n", m.Effect, typ, m.File, m.Index, sid)
		}
		tw.Flush()
	}
	_, err := io.WriteString(out, b.String())
	return err
}

func newCmdPolicyValidate(stdio IO) *cobra.Command {
	return &cobra.Command{
		Use:     "validate FILE...",
		Aliases: []string{"check"},
		Short:   "Validate policy files",
		Long: "Validate IAM policy files. Errors, findings and warnings are printed one per line as\n" +
			"FILE:LINE:COL: message. Errors make a file unusable. Findings are condition values that\n" +
			"are not valid for their operator (a non-number for Numeric*, a non-date for Date*, not an\n" +
			"IP address or CIDR for IpAddress, a malformed ARN, ...) or malformed policy variables: the\n" +
			"policy still evaluates, as AWS evaluates it, but such a condition never matches. Warnings\n" +
			"are legal but suspicious constructs. A file without errors or findings gets an OK line on\n" +
			"standard output.\n\n" +
			"Exit status: 0 when every file is valid, 1 when any has errors or findings, 2 when a file\n" +
			"cannot be read.",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return badInput("q policy %s needs at least one policy file", cmd.CalledAs())
			}
			return nil
		},
		SilenceUsage: true,
		RunE: func(_ *cobra.Command, args []string) error {
			failed := false
			for _, path := range args {
				ok, err := validateFile(stdio, path)
				if err != nil {
					return err
				}
				failed = failed || !ok
			}
			if failed {
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
}

// validateFile prints one file's problems and reports whether it is free
// of errors and findings; the error is for a file that cannot be read.
func validateFile(stdio IO, path string) (bool, error) {
	p, err := iam.LoadFile(path)
	var pe *iam.ParseError
	switch {
	case errors.As(err, &pe):
		for _, d := range pe.Diags {
			fmt.Fprintln(stdio.ErrOut, d.String())
		}
		return false, nil
	case err != nil:
		return false, &ExitError{Code: 2, Err: err}
	}
	for _, f := range p.Findings {
		fmt.Fprintln(stdio.ErrOut, f.String())
	}
	for _, w := range p.Warnings {
		fmt.Fprintln(stdio.ErrOut, w.String())
	}
	if len(p.Findings) > 0 {
		return false, nil
	}
	plural := "s"
	if len(p.Statements) == 1 {
		plural = ""
	}
	fmt.Fprintf(stdio.Out, "%s: OK (%d statement%s)\n", path, len(p.Statements), plural)
	return true, nil
}

// requestContext merges --context-file, --context and --principal.
func (o *simulateOptions) requestContext() (map[string][]string, error) {
	ctx := map[string][]string{}
	if o.contextFile != "" {
		data, err := os.ReadFile(o.contextFile)
		if err != nil {
			return nil, badInput("--context-file: %v", err)
		}
		if ctx, err = parseContextJSON(data); err != nil {
			return nil, badInput("--context-file %s: %v", o.contextFile, err)
		}
	}
	fromFlags := map[string][]string{}
	for _, kv := range o.contexts {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, badInput("--context %q: want KEY=VALUE", kv)
		}
		fromFlags[k] = append(fromFlags[k], v)
	}
	for k, v := range fromFlags {
		deleteFold(ctx, k)
		ctx[k] = v
	}
	if o.principal != "" {
		pc, err := iam.PrincipalContext(o.principal)
		if err != nil {
			return nil, badInput("--principal: %v", err)
		}
		for k, v := range pc {
			if !hasFold(ctx, k) {
				ctx[k] = v
			}
		}
	}
	return ctx, nil
}

// parseContextJSON reads {"key": value-or-array}; values are strings,
// numbers or booleans, kept as their text.
func parseContextJSON(data []byte) (map[string][]string, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("want a JSON object of keys to values: %v", err)
	}
	ctx := make(map[string][]string, len(raw))
	for k, msg := range raw {
		var list []json.RawMessage
		if err := json.Unmarshal(msg, &list); err != nil {
			list = []json.RawMessage{msg}
		}
		vals := make([]string, 0, len(list))
		for _, item := range list {
			var v any
			if err := json.Unmarshal(item, &v); err != nil {
				return nil, fmt.Errorf("key %q: %v", k, err)
			}
			switch v := v.(type) {
			case string:
				vals = append(vals, v)
			case float64, bool:
				vals = append(vals, strings.TrimSpace(string(item)))
			default:
				return nil, fmt.Errorf("key %q: values must be strings, numbers or booleans", k)
			}
		}
		ctx[k] = vals
	}
	return ctx, nil
}

func hasFold(m map[string][]string, key string) bool {
	for k := range m {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}

func deleteFold(m map[string][]string, key string) {
	for k := range m {
		if strings.EqualFold(k, key) {
			delete(m, k)
		}
	}
}
