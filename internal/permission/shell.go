package permission

import (
	"errors"
	"fmt"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// MaxCommandBytes is the longest command SimpleCommands analyses; longer
// input is reported as an error (and so never auto-allowed).
const MaxCommandBytes = 1 << 20

// Cmd is one simple command found in a shell command line, with what the
// permission rules need to know about it.
type Cmd struct {
	// Name is the command name: the first word, unquoted when it is a plain
	// literal ("\rm" and 'rm' give "rm"), else its source text. It is empty
	// for a bare assignment ("X=1"). Keyword commands have their keyword as
	// name: "export", "declare", "local", "readonly", "typeset", "nameref",
	// "let", "[[" and "((".
	Name string
	// Args are the words, Args[0] being the name; plain literal words are
	// unquoted, the others (expansions, substitutions, globs) are given as
	// their source text.
	Args []string
	// Assigns are the "VAR=value" prefixes, as source text.
	Assigns []string
	// Text is the command's own source: assignments and words separated by
	// single spaces, without redirections. allowedCommands patterns are
	// matched against it.
	Text string
	// Redirects are the source texts of the command's own redirections,
	// e.g. "2>/dev/null", ">out.txt".
	Redirects []string
	// WritesFiles is set when output is redirected to a file (>, >>, >|,
	// &>, &>>, <>, >&file) other than /dev/null, /dev/stdout or /dev/stderr,
	// by this command or by a compound command around it ("{ ls; } > f").
	WritesFiles bool
	// Dynamic is set when the name is not a plain literal ("$CMD x").
	Dynamic bool
	// DynamicArgs is set when an argument contains an expansion or
	// substitution ($x, $(…), `…`, $((…)), <(…)).
	DynamicArgs bool
	// GlobArgs is set when an argument contains an unquoted glob (*, ?,
	// [...], extended globs) or brace expansion ({a,b}, {1..3}).
	GlobArgs bool
	// Keyword is "time" or "coproc" when the command runs under that bash
	// keyword.
	Keyword string

	kinds []wordKind // of each of Args, when known
}

// SimpleCommands parses src as bash and returns every simple command in it,
// in source order: those in pipelines, && and || lists, ; and newline
// separated lists, subshells, { } groups, if/while/until/for/case/select
// bodies, function bodies, and command and process substitutions anywhere
// (arguments, assignments, redirection targets, here-documents). It returns
// an error when src does not parse or is longer than MaxCommandBytes.
func SimpleCommands(src string) ([]Cmd, error) {
	if len(src) > MaxCommandBytes {
		return nil, fmt.Errorf("command longer than %d bytes", MaxCommandBytes)
	}
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(src), "")
	if err != nil {
		return nil, err
	}
	w := walker{src: src}
	syntax.Walk(f, w.visit)
	if w.err != nil {
		return nil, w.err
	}
	w.applyRanges()
	return w.cmds, nil
}

// span is a source range [start, end) and what it imposes on the commands
// inside it.
type span struct {
	start, end uint
	writes     bool
	keyword    string
}

type walker struct {
	src   string
	cmds  []Cmd
	pos   []uint // start offset of each cmd, for applyRanges
	spans []span
	own   map[*syntax.CallExpr]*syntax.Stmt
	err   error
}

func (w *walker) visit(n syntax.Node) bool {
	if w.err != nil {
		return false
	}
	switch n := n.(type) {
	case *syntax.Stmt:
		if ce, ok := n.Cmd.(*syntax.CallExpr); ok {
			if w.own == nil {
				w.own = map[*syntax.CallExpr]*syntax.Stmt{}
			}
			w.own[ce] = n
		}
		for _, r := range n.Redirs {
			if writesFile(r) {
				w.spans = append(w.spans, span{start: n.Pos().Offset(), end: n.End().Offset(), writes: true})
				break
			}
		}
	case *syntax.TimeClause:
		w.spans = append(w.spans, span{start: n.Pos().Offset(), end: n.End().Offset(), keyword: "time"})
	case *syntax.CoprocClause:
		w.spans = append(w.spans, span{start: n.Pos().Offset(), end: n.End().Offset(), keyword: "coproc"})
	case *syntax.CallExpr:
		w.add(n, w.callCmd(n))
	case *syntax.DeclClause:
		c := Cmd{Name: n.Variant.Value, Args: []string{n.Variant.Value}}
		for _, a := range n.Args {
			c.Args = append(c.Args, w.text(a))
		}
		c.Text = strings.Join(c.Args, " ")
		w.add(n, c)
	case *syntax.LetClause:
		w.add(n, w.keywordCmd(n, "let"))
	case *syntax.TestClause:
		w.add(n, w.keywordCmd(n, "[["))
	case *syntax.ArithmCmd:
		w.add(n, w.keywordCmd(n, "(("))
	case *syntax.TestDecl:
		w.err = errors.New("bats test declarations are not bash")
	}
	return true
}

func (w *walker) add(n syntax.Node, c Cmd) {
	w.cmds = append(w.cmds, c)
	w.pos = append(w.pos, n.Pos().Offset())
}

func (w *walker) callCmd(ce *syntax.CallExpr) Cmd {
	var c Cmd
	parts := make([]string, 0, len(ce.Assigns)+len(ce.Args))
	for _, a := range ce.Assigns {
		t := w.text(a)
		c.Assigns = append(c.Assigns, t)
		parts = append(parts, t)
	}
	for i, word := range ce.Args {
		val, kind := wordValue(word, w.text(word))
		c.Args = append(c.Args, val)
		c.kinds = append(c.kinds, kind)
		parts = append(parts, w.text(word))
		switch {
		case i == 0 && kind != literalWord:
			c.Dynamic = true
		case kind == dynamicWord:
			c.DynamicArgs = true
		case kind == globWord:
			c.GlobArgs = true
		}
	}
	if len(c.Args) > 0 {
		c.Name = c.Args[0]
	}
	c.Text = strings.Join(parts, " ")
	if st := w.own[ce]; st != nil {
		for _, r := range st.Redirs {
			c.Redirects = append(c.Redirects, w.text(r))
		}
	}
	return c
}

func (w *walker) keywordCmd(n syntax.Node, name string) Cmd {
	return Cmd{Name: name, Args: []string{name}, Text: normalizeSpace(w.text(n))}
}

// text returns n's source.
func (w *walker) text(n syntax.Node) string {
	start, end := n.Pos().Offset(), n.End().Offset()
	if start > end || end > uint(len(w.src)) {
		return ""
	}
	return w.src[start:end]
}

// applyRanges marks the commands lying inside redirected compound commands
// and time/coproc clauses. A command substitution inside a redirected
// statement is marked too; that only errs on the side of asking.
func (w *walker) applyRanges() {
	for i := range w.cmds {
		for _, s := range w.spans {
			if w.pos[i] < s.start || w.pos[i] >= s.end {
				continue
			}
			if s.writes {
				w.cmds[i].WritesFiles = true
			}
			if s.keyword != "" {
				w.cmds[i].Keyword = s.keyword
			}
		}
	}
}

// writesFile reports whether a redirection may create or change a file.
func writesFile(r *syntax.Redirect) bool {
	switch r.Op {
	case syntax.RdrIn, syntax.DplIn, syntax.Hdoc, syntax.DashHdoc, syntax.WordHdoc:
		return false
	case syntax.DplOut:
		// ">&2", "2>&1", ">&-" duplicate or close descriptors; bash
		// takes ">& word" with any other word as "&> word".
		if v, kind := wordValue(r.Word, ""); kind == literalWord && isFdDup(v) {
			return false
		}
	}
	v, kind := wordValue(r.Word, "")
	if kind != literalWord {
		return true
	}
	switch v {
	case "/dev/null", "/dev/stdout", "/dev/stderr":
		return false
	}
	return true
}

func isFdDup(v string) bool {
	if v == "-" {
		return true
	}
	v = strings.TrimSuffix(v, "-")
	if v == "" {
		return false
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// normalizeSpace collapses runs of blanks outside of any quoting concern; it
// is only used on keyword commands, whose text is informational.
func normalizeSpace(s string) string { return strings.Join(strings.Fields(s), " ") }
