package tool

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	qdev "github.com/qdev/qdev"
	"github.com/qdev/qdev/internal/model"
)

// maxIntrospectBytes caps the documentation returned by introspect.
const maxIntrospectBytes = 40_000

const introspectSchema = `{
  "type": "object",
  "properties": {
    "query": {
      "type": "string",
      "description": "The user's question about this assistant's usage, features, or capabilities"
    }
  },
  "required": []
}`

const introspectInstruction = "CRITICAL INSTRUCTION: Answer ONLY from the documentation below. " +
	"If it does not cover the question, say clearly that the information is not available; do not guess or invent " +
	"commands, settings or features. Prefix slash commands with '/' when you mention them."

// Introspect is the introspect tool: it answers questions about qdev itself
// from the documentation embedded in the binary.
type Introspect struct {
	// Docs replaces the embedded documentation (README.md and docs/*.md)
	// when not nil.
	Docs fs.FS
}

// Spec returns the original's name and schema.
func (Introspect) Spec() model.ToolSpec {
	return model.ToolSpec{
		Name: "introspect",
		Description: "ALWAYS use this tool when users ask ANY question about this chat application (qdev, a Q CLI compatible agent) " +
			"itself, its capabilities, features, commands, settings or functionality. This includes questions like 'Can you...', " +
			"'Do you have...', 'How do I...', 'What can you do...'. When mentioning commands in your response, always prefix them " +
			"with '/' (e.g., '/save', '/load', '/context'). CRITICAL: Only provide information explicitly documented. If details " +
			"about any tool, feature, or command are not documented, clearly state the information is not available rather than " +
			"generating assumptions.",
		InputSchema: json.RawMessage(introspectSchema),
	}
}

// Prepare accepts any query, including none.
func (t Introspect) Prepare(env *Env, input json.RawMessage) (Invocation, error) {
	var in struct {
		Query string `json:"query"`
	}
	if err := decodeInput("introspect", input, &in); err != nil {
		return nil, err
	}
	docs := t.Docs
	if docs == nil {
		docs = qdev.Docs
	}
	version := ""
	if env != nil {
		version = env.Version
	}
	return &introspectCall{query: in.Query, docs: docs, version: version}, nil
}

type introspectCall struct {
	query   string
	docs    fs.FS
	version string
}

func (c *introspectCall) Access() Access { return Access{AlwaysAllowed: true} }

func (c *introspectCall) Describe(w io.Writer, color bool) {
	q := c.query
	if q == "" {
		q = "(general)"
	}
	fmt.Fprintf(w, "Looking up qdev documentation: %s\n", paint(color, ansiGreen, q))
}

func (c *introspectCall) Run(context.Context, io.Writer) Result {
	start := time.Now()
	sections, err := loadDocSections(c.docs)
	if err != nil {
		return ErrorResult(fmt.Sprintf("introspect: cannot read the documentation: %v", err))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "qdev %s documentation", c.version)
	if c.query != "" {
		fmt.Fprintf(&b, " relevant to: %s", c.query)
	}
	b.WriteString("\n\n" + introspectInstruction + "\n")
	for _, s := range rankSections(sections, c.query) {
		chunk := fmt.Sprintf("\n--- %s ---\n%s\n", s.title(), strings.TrimSpace(s.body))
		if b.Len()+len(chunk) > maxIntrospectBytes {
			continue // a smaller, less relevant section may still fit
		}
		b.WriteString(chunk)
	}
	r := TextResult(b.String())
	r.Duration = time.Since(start)
	return r
}

// docSection is one heading and the text under it.
type docSection struct {
	file, heading, body string
}

func (s docSection) title() string {
	if s.heading == "" {
		return s.file
	}
	return s.file + " § " + s.heading
}

// loadDocSections splits README.md and docs/*.md into sections at Markdown
// headings (levels 1-3), ignoring "#" lines inside code fences.
func loadDocSections(docs fs.FS) ([]docSection, error) {
	files := []string{}
	if _, err := fs.Stat(docs, "README.md"); err == nil {
		files = append(files, "README.md")
	}
	more, err := fs.Glob(docs, "docs/*.md")
	if err != nil {
		return nil, err
	}
	sort.Strings(more)
	files = append(files, more...)
	var out []docSection
	for _, name := range files {
		data, err := fs.ReadFile(docs, name)
		if err != nil {
			return nil, err
		}
		cur := docSection{file: path.Clean(name)}
		var body strings.Builder
		inFence := false
		flush := func() {
			cur.body = body.String()
			if strings.TrimSpace(cur.body) != "" || cur.heading != "" {
				out = append(out, cur)
			}
			body.Reset()
		}
		for _, line := range strings.Split(string(data), "\n") {
			trimmed := strings.TrimSpace(line)
			if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
				inFence = !inFence
			}
			if !inFence && (strings.HasPrefix(line, "# ") || strings.HasPrefix(line, "## ") || strings.HasPrefix(line, "### ")) {
				flush()
				cur = docSection{file: cur.file, heading: strings.TrimSpace(strings.TrimLeft(line, "#"))}
			}
			body.WriteString(line + "\n")
		}
		flush()
	}
	return out, nil
}

// rankSections orders sections by how many query words they mention
// (heading hits count triple), keeping document order among equals and for
// an empty query, so a general question gets the README first.
func rankSections(sections []docSection, query string) []docSection {
	words := queryWords(query)
	scores := make([]int, len(sections))
	for i, s := range sections {
		heading, body := strings.ToLower(s.heading), strings.ToLower(s.body)
		for _, w := range words {
			scores[i] += strings.Count(body, w) + 3*strings.Count(heading, w)
		}
	}
	idx := make([]int, len(sections))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	out := make([]docSection, 0, len(sections))
	for _, i := range idx {
		out = append(out, sections[i])
	}
	return out
}

// stopWords are query words too common to rank by.
var stopWords = map[string]bool{
	"the": true, "and": true, "how": true, "can": true, "you": true, "what": true, "does": true,
	"for": true, "with": true, "this": true, "that": true, "are": true, "use": true, "qdev": true,
	"do": true, "is": true, "in": true, "to": true, "of": true, "a": true, "an": true, "i": true,
}

func queryWords(q string) []string {
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !(r == '/' || r == '-' || r == '_' || r == '.' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'))
	}) {
		w = strings.Trim(w, ".-_")
		if len(w) >= 2 && !stopWords[w] {
			words = append(words, w)
		}
	}
	return words
}
