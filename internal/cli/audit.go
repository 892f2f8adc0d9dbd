package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/qdev/qdev/internal/audit"
	"github.com/qdev/qdev/internal/managed"
)

// auditOptions holds the flags of `q audit verify` and `q audit lookup`.
type auditOptions struct {
	io       IO
	now      func() time.Time
	dir      string
	keyFile  string
	anchor   string
	sink     string
	managed  managed.Audit // the managed settings' audit object
	from, to string
	// verify and lookup have formats of their own, with their own defaults.
	verifyFormat, lookupFormat string
	filter                     audit.Filter
}

// NewCmdAudit returns `q audit`, which checks and searches the audit trail
// (default directory: audit.DefaultDir()).
//
//	q audit verify [--from T] [--to T] [--dir D] [--key F] [--format text|json]
//	q audit lookup [--from T] [--to T] [--event-name N] [--tool N]
//	               [--decision allow|ask|deny] [--text S] [--max N] [--format table|json]
//
// The managed audit directory is the default --dir. verify compares the
// trail with its anchor (default audit.AnchorPath) and, when managed
// settings name them, with the pinned key and the digest sink. verify exits 1
// when it finds a problem, including a call that started
// and has no outcome (q was killed while it ran); a record torn by a crash
// is only a warning. Times are RFC 3339, a date, or a duration before now (24h, 7d).
func NewCmdAudit(stdio IO) *cobra.Command {
	o := &auditOptions{io: stdio, now: time.Now}
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Verify and search the tamper-evident audit trail of tool calls",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.PersistentFlags().StringVar(&o.dir, "dir", audit.DefaultDir(), "audit trail directory")
	cmd.PersistentFlags().StringVar(&o.from, "from", "", "only records at or after this time")
	cmd.PersistentFlags().StringVar(&o.to, "to", "", "only records at or before this time")

	verify := &cobra.Command{
		Use:   "verify",
		Short: "Check that no record or file of the trail was altered, removed, reordered or truncated",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return o.runVerify() },
	}
	verify.Flags().StringVar(&o.keyFile, "key", "", "signing key file (default: the trail directory's .key)")
	verify.Flags().StringVar(&o.anchor, "anchor", "", "trust anchor file: pinned key and high-water mark (default: under q's config directory)")
	verify.Flags().StringVar(&o.sink, "sink", "", "digest sink file the writers append anchors to (default: the managed audit.digestSink)")
	verify.Flags().StringVar(&o.verifyFormat, "format", "text", "output format: text or json")

	lookup := &cobra.Command{
		Use:   "lookup",
		Short: "List audit records, newest first, like aws cloudtrail lookup-events",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return o.runLookup() },
	}
	f := lookup.Flags()
	f.StringVar(&o.filter.EventName, "event-name", "", "only this eventName (a tool, or an AWS operation such as ListBuckets)")
	f.StringVar(&o.filter.Tool, "tool", "", "only calls of this tool")
	f.StringVar(&o.filter.Decision, "decision", "", "only this decision: allow, ask or deny")
	f.StringVar(&o.filter.Text, "text", "", "only records containing this text (any field, ignoring case)")
	f.IntVar(&o.filter.Max, "max", 50, "at most this many records (0: all)")
	f.StringVar(&o.lookupFormat, "format", "table", "output format: table or json")

	// The managed settings name the trail's directory, pinned key and
	// digest sink; flags given on the command line win.
	cmd.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		m, err := managed.Load()
		if err != nil {
			return err
		}
		o.managed = m.Audit
		if !cmd.Flags().Changed("dir") && m.Audit.Dir != "" {
			o.dir = m.Audit.Dir
		}
		return nil
	}
	cmd.AddCommand(verify, lookup)
	return cmd
}

// span parses --from and --to.
func (o *auditOptions) span() (from, to time.Time, err error) {
	if from, err = parseAuditTime("--from", o.from, o.now()); err != nil {
		return
	}
	if to, err = parseAuditTime("--to", o.to, o.now()); err != nil {
		return
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		err = fmt.Errorf("--to %s is before --from %s", o.to, o.from)
	}
	return
}

// parseAuditTime reads a time flag: RFC 3339, a UTC date and time without
// zone, a UTC date, Unix seconds, or a duration before now ("90m", "7d").
// Empty is the zero time.
func parseAuditTime(flag, s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		return time.Unix(n, 0).UTC(), nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 {
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%s %q: not a time (use 2006-01-02T15:04:05Z, 2006-01-02, Unix seconds, or a duration ago such as 24h or 7d)", flag, s)
}

func (o *auditOptions) runVerify() error {
	if o.verifyFormat != "text" && o.verifyFormat != "json" {
		return fmt.Errorf("--format %q: use text or json", o.verifyFormat)
	}
	from, to, err := o.span()
	if err != nil {
		return err
	}
	vo := audit.VerifyOptions{From: from, To: to, KeyFile: o.keyFile, AnchorFile: o.anchor, DigestSink: o.sink}
	vo.PinnedKey = o.managed.PinnedKey()
	if vo.DigestSink == "" {
		vo.DigestSink = o.managed.DigestSink
	}
	r := audit.VerifyWith(o.dir, vo)
	if o.verifyFormat == "json" {
		enc := json.NewEncoder(o.io.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(&r); err != nil {
			return err
		}
	} else {
		printVerify(o.io.Out, &r)
	}
	if !r.OK() {
		return &ExitError{Code: 1}
	}
	return nil
}

// printVerify writes a report for people: counts, problems, warnings, the
// point up to which the trail can be trusted, and a verdict.
func printVerify(w io.Writer, r *audit.Report) {
	fmt.Fprintf(w, "Checked %d log files, %d digests, %d records in %s\n", r.Files, r.Digests, r.Records, r.Dir)
	for _, p := range r.Problems {
		fmt.Fprintf(w, "%s: %s\n", strings.ToUpper(p.Kind), p)
	}
	for _, s := range r.Warnings {
		fmt.Fprintf(w, "WARNING: %s\n", s)
	}
	limited := slices.ContainsFunc(r.Problems, func(p audit.Problem) bool { return p.Kind != audit.KindUnfinished })
	switch t := r.TrustedThrough; {
	case t == nil && r.Records > 0:
		fmt.Fprintln(w, "No record can be trusted.")
	case t != nil && limited:
		fmt.Fprintf(w, "Records can be trusted up to %s:%d (eventID %s, %s); nothing after it can.\n", t.File, t.Line, t.EventID, t.EventTime)
	}
	if r.OK() {
		fmt.Fprintln(w, "OK: the audit trail is intact.")
	} else {
		fmt.Fprintf(w, "FAILED: %d problem(s) found.\n", len(r.Problems))
	}
}

func (o *auditOptions) runLookup() error {
	if o.lookupFormat != "table" && o.lookupFormat != "json" {
		return fmt.Errorf("--format %q: use table or json", o.lookupFormat)
	}
	switch o.filter.Decision {
	case "", "allow", "ask", "deny":
	default:
		return fmt.Errorf("--decision %q: use allow, ask or deny", o.filter.Decision)
	}
	if o.filter.Max < 0 {
		return fmt.Errorf("--max %d: must be 0 (all) or more", o.filter.Max)
	}
	var err error
	if o.filter.From, o.filter.To, err = o.span(); err != nil {
		return err
	}
	recs, err := audit.Lookup(o.dir, o.filter)
	if err != nil {
		return err
	}
	if o.lookupFormat == "json" {
		return printLookupJSON(o.io.Out, recs)
	}
	tw := tabwriter.NewWriter(o.io.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EVENT TIME\tEVENT NAME\tTOOL\tPHASE\tDECISION\tANSWER\tUSER\tERROR\tEVENT ID")
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.EventTime, r.EventName, toolLabel(r), dash(r.Phase),
			r.Decision, dash(r.UserAnswer), dash(userLabel(r.UserIdentity)), dash(r.ErrorCode), r.EventID)
	}
	return tw.Flush()
}

// lookupEvent is one entry of `aws cloudtrail lookup-events` output.
type lookupEvent struct {
	EventID         string `json:"EventId"`
	EventName       string `json:"EventName"`
	ReadOnly        string `json:"ReadOnly"`
	AccessKeyID     string `json:"AccessKeyId,omitempty"`
	EventTime       string `json:"EventTime"`
	EventSource     string `json:"EventSource"`
	Username        string `json:"Username,omitempty"`
	Resources       []any  `json:"Resources"`
	CloudTrailEvent string `json:"CloudTrailEvent"`
}

// printLookupJSON writes records in the shape of aws cloudtrail
// lookup-events: {"Events": [...]}, each with the record as a JSON string.
func printLookupJSON(w io.Writer, recs []audit.Record) error {
	events := make([]lookupEvent, 0, len(recs))
	for _, r := range recs {
		raw, err := json.Marshal(r)
		if err != nil {
			return err
		}
		events = append(events, lookupEvent{
			EventID: r.EventID, EventName: r.EventName, ReadOnly: strconv.FormatBool(r.ReadOnly),
			AccessKeyID: r.UserIdentity.AccessKeyID, EventTime: r.EventTime, EventSource: r.EventSource,
			Username: userLabel(r.UserIdentity), Resources: []any{}, CloudTrailEvent: string(raw),
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "    ")
	return enc.Encode(map[string]any{"Events": events})
}

func toolLabel(r audit.Record) string {
	label := r.Tool
	if r.Server != "" {
		label = "@" + r.Server + "/" + r.Tool
	}
	if r.Subagent != "" {
		label += " (subagent " + r.Subagent + ")"
	}
	return label
}

func userLabel(u audit.UserIdentity) string {
	if u.UserName != "" {
		return u.UserName
	}
	return u.ARN
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
