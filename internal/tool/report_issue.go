package tool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/qdev/qdev/internal/model"
)

const reportIssueSchema = `{
  "type": "object",
  "properties": {
    "title": {
      "type": "string",
      "description": "The title of the issue."
    },
    "expected_behavior": {
      "type": "string",
      "description": "Optional: The expected chat behavior or action that did not happen."
    },
    "actual_behavior": {
      "type": "string",
      "description": "Optional: The actual chat behavior that happened and demonstrates the issue or lack of a feature."
    },
    "steps_to_reproduce": {
      "type": "string",
      "description": "Optional: Previous user chat requests or steps that were taken that may have resulted in the issue or error response."
    }
  },
  "required": ["title"]
}`

// ReportIssue is the report_issue tool (key gh_issue in the original). It
// writes a Markdown report with the conversation transcript to the data
// directory instead of opening a browser, so it works offline and over SSH.
type ReportIssue struct {
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Spec returns the original's name and schema.
func (ReportIssue) Spec() model.ToolSpec {
	return model.ToolSpec{
		Name: "report_issue",
		Description: "Writes an issue report about this chat application (bugs, wrong behaviour or feature requests) " +
			"to a local Markdown file, pre-filled with the conversation transcript and environment, for the user to review and send.",
		InputSchema: json.RawMessage(reportIssueSchema),
	}
}

type reportIssueInput struct {
	Title            string `json:"title"`
	ExpectedBehavior string `json:"expected_behavior"`
	ActualBehavior   string `json:"actual_behavior"`
	StepsToReproduce string `json:"steps_to_reproduce"`
}

// Prepare requires a title and a data directory to write to.
func (t ReportIssue) Prepare(env *Env, input json.RawMessage) (Invocation, error) {
	var in reportIssueInput
	if err := decodeInput("report_issue", input, &in); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Title) == "" {
		return nil, errors.New("report_issue: title is required")
	}
	if env == nil || env.DataDir == "" {
		return nil, errors.New("report_issue: no data directory is configured to save the report in")
	}
	now := t.Now
	if now == nil {
		now = time.Now
	}
	return &reportCall{env: env, in: in, dir: filepath.Join(env.DataDir, "reports"), at: now().UTC()}, nil
}

type reportCall struct {
	env *Env
	in  reportIssueInput
	dir string    // where reports are saved
	at  time.Time // the report's time, in its file name and body
}

// path is the report's file name; n > 1 distinguishes reports written in
// the same second.
func (c *reportCall) path(n int) string {
	stamp := c.at.Format("20060102T150405Z")
	if n > 1 {
		return filepath.Join(c.dir, fmt.Sprintf("issue-%s-%d.md", stamp, n))
	}
	return filepath.Join(c.dir, "issue-"+stamp+".md")
}

// Access names the file the report goes to: report_issue writes a file
// holding the whole transcript, so it asks like any tool that writes.
func (c *reportCall) Access() Access { return Access{WritePaths: []string{c.path(1)}} }

func (c *reportCall) Describe(w io.Writer, color bool) {
	fmt.Fprintf(w, "Writing an issue report: %s\nto %s\n", paint(color, ansiGreen, c.in.Title), c.path(1))
}

func (c *reportCall) Run(ctx context.Context, _ io.Writer) Result {
	start := time.Now()
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return ErrorResult(fmt.Sprintf("report_issue: cannot create %s: %v", c.dir, err))
	}
	body := c.markdown()
	// Two reports in the same second get distinct names rather than one
	// overwriting the other.
	for i := 1; ; i++ {
		path := c.path(i)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) && i < 100 {
			continue
		}
		if err != nil {
			return ErrorResult(fmt.Sprintf("report_issue: cannot write %s: %v", path, err))
		}
		_, werr := f.WriteString(body)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			os.Remove(path)
			return ErrorResult(fmt.Sprintf("report_issue: cannot write %s: %v", path, werr))
		}
		r := TextResult(fmt.Sprintf("Saved the issue report to %s. Tell the user the path so they can review it and send it to the maintainers.", path))
		r.Note = "Issue report saved to " + path
		r.Duration = time.Since(start)
		return r
	}
}

func (c *reportCall) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", strings.TrimSpace(c.in.Title))
	section := func(title, text string) {
		if strings.TrimSpace(text) == "" {
			text = "(not given)"
		}
		fmt.Fprintf(&b, "## %s\n\n%s\n\n", title, strings.TrimSpace(text))
	}
	section("Expected behavior", c.in.ExpectedBehavior)
	section("Actual behavior", c.in.ActualBehavior)
	section("Steps to reproduce", c.in.StepsToReproduce)
	b.WriteString("## Environment\n\n")
	fmt.Fprintf(&b, "- qdev version: %s\n", c.env.Version)
	fmt.Fprintf(&b, "- OS: %s/%s\n", runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(&b, "- Working directory: %s\n", workDir(c.env))
	fmt.Fprintf(&b, "- Reported at: %s\n\n", c.at.Format(time.RFC3339))
	transcript := "(no transcript available)"
	if c.env.Transcript != nil {
		if t := c.env.Transcript(); strings.TrimSpace(t) != "" {
			transcript = t
		}
	}
	fence := codeFence(transcript)
	fmt.Fprintf(&b, "## Transcript\n\n%s\n%s\n%s\n", fence, strings.TrimRight(transcript, "\n"), fence)
	return b.String()
}

// codeFence returns a backtick fence longer than any backtick run in s, so
// the transcript cannot close its own code block.
func codeFence(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}
