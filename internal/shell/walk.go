package shell

import (
	"cmp"
	"errors"
	"io"
	"strings"
	"time"

	"mvdan.cc/sh/v3/syntax"
)

// budget is what is left of an analysis's allowance; every parse of the
// line and of the scripts inside it draws from the same one.
type budget struct {
	nodes, parses int
	end           time.Time // when parsing must have finished
}

// maybeScript is literal text found in a word that bash may evaluate as
// code later (arithmetic subscripts, eval of a variable), and where.
type maybeScript struct {
	text string
	off  uint
}

// stdinKind says where an interpreter would read its code from.
type stdinKind uint8

const (
	stdinNone    stdinKind = iota
	stdinLiteral           // here-string, here-document or echo/printf of literals
	stdinFile              // < file
	stdinDynamic           // a pipeline or a here-document with expansions
)

type stdinSrc struct {
	kind stdinKind
	text string
}

// parse parses src and returns its simple commands in source order.
func (b *budget) parse(src string, depth int) ([]Command, error) {
	if len(src) > MaxBytes || depth > maxDepth || b.parses <= 0 || tooNested(src) {
		return nil, ErrBudget
	}
	b.parses--
	w := walker{src: src, b: b, depth: depth, own: map[*syntax.CallExpr]*syntax.Stmt{},
		stdin: map[*syntax.CallExpr]stdinSrc{}, funcs: map[string]bool{}}
	// Statements are walked as they are parsed, so a line of thousands of
	// them is refused once the budget is spent, not after parsing it all;
	// the reader's deadline bounds a single huge statement.
	r := &deadlineReader{r: strings.NewReader(src), end: b.end}
	var err error
	// The loop must not break or return: the parser's iterator goes on
	// yielding after an error. Failing the next read stops it instead.
	for st, perr := range syntax.NewParser(syntax.Variant(syntax.LangBash)).StmtsSeq(r) {
		if perr != nil {
			err = cmp.Or(err, perr)
			continue
		}
		if w.err == nil {
			syntax.Walk(st, w.visit)
		}
		r.stop = w.err != nil
	}
	switch {
	case r.expired || w.err != nil && errors.Is(w.err, ErrBudget):
		return nil, ErrBudget
	case w.err != nil:
		return nil, w.err
	case err != nil:
		return nil, err
	}
	w.applyRanges()
	w.attachMaybe()
	return w.cmds, nil
}

// maxParseTime bounds the parsing of a line and the scripts in it; only
// input far beyond any real command takes that long.
const maxParseTime = 100 * time.Millisecond

// deadlineReader fails once its time is up or the walk has failed; the parser reads 1 KiB at a
// time, so that stops it.
type deadlineReader struct {
	r       io.Reader
	end     time.Time
	read    int
	expired bool
	stop    bool
}

// deadlineFree is how much is read before the deadline applies: a command
// of ordinary size is never refused because the machine is busy.
const deadlineFree = 16 << 10

func (d *deadlineReader) Read(p []byte) (int, error) {
	if d.stop {
		return 0, ErrBudget
	}
	if d.read > deadlineFree && time.Now().After(d.end) {
		d.expired = true
		return 0, ErrBudget
	}
	n, err := d.r.Read(p)
	d.read += n
	return n, err
}

// tooNested estimates the nesting of src by its brackets, before the
// parser recurses into it.
func tooNested(src string) bool {
	depth := 0
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '(', '{', '[':
			depth++
			if depth > maxNesting {
				return true
			}
		case ')', '}', ']':
			depth = max(depth-1, 0)
		}
	}
	return false
}

// span is a source range and what it imposes on the commands inside it.
type span struct {
	start, end uint
	eff        Effects
	writes     []string
	reads      []string
	stdin      stdinSrc
	keyword    string
}

type walker struct {
	src   string
	b     *budget
	depth int
	cmds  []Command
	spans []span
	own   map[*syntax.CallExpr]*syntax.Stmt
	stdin map[*syntax.CallExpr]stdinSrc
	funcs map[string]bool
	maybe []maybeScript
	err   error
}

func (w *walker) visit(n syntax.Node) bool {
	if w.err != nil {
		return false
	}
	if w.b.nodes--; w.b.nodes < 0 || len(w.cmds) > maxCommands {
		w.err = ErrBudget
		return false
	}
	switch n := n.(type) {
	case *syntax.Stmt:
		w.stmt(n)
	case *syntax.BinaryCmd:
		if n.Op == syntax.Pipe || n.Op == syntax.PipeAll {
			w.pipe(n)
		}
	case *syntax.TimeClause:
		w.spans = append(w.spans, span{start: n.Pos().Offset(), end: n.End().Offset(), keyword: "time"})
	case *syntax.CoprocClause:
		w.spans = append(w.spans, span{start: n.Pos().Offset(), end: n.End().Offset(), keyword: "coproc"})
	case *syntax.FuncDecl:
		name := ""
		if n.Name != nil {
			name = n.Name.Value
			w.funcs[name] = true
		}
		w.add(n, Command{Text: "function " + name, Effects: DefinesFunction})
	case *syntax.CallExpr:
		w.add(n, w.call(n))
	case *syntax.DeclClause:
		c := Command{Name: n.Variant.Value, Args: []string{n.Variant.Value}, Effects: SetsVariables}
		for _, a := range n.Args {
			c.Args = append(c.Args, w.text(a))
			c.envCode(a)
		}
		c.Text = strings.Join(c.Args, " ")
		w.add(n, c)
	case *syntax.LetClause:
		w.add(n, w.keyword(n, "let", SetsVariables))
	case *syntax.TestClause:
		w.add(n, w.keyword(n, "[[", 0))
	case *syntax.ArithmCmd:
		w.add(n, w.keyword(n, "((", SetsVariables))
	case *syntax.Word:
		// A literal holding $(…) or `…` is data now, but bash evaluates
		// such text when it reaches arithmetic ("a[$(cmd)]" in $((x)),
		// [[ -v ]], printf -v, read) or eval: deny rules look inside.
		if v, k := wordValue(n, ""); k == literalWord && (strings.Contains(v, "$(") || strings.Contains(v, "`")) {
			w.maybe = append(w.maybe, maybeScript{text: v, off: n.Pos().Offset()})
		}
	case *syntax.TestDecl:
		w.err = errors.New("bats test declarations are not bash")
	}
	return true
}

func (w *walker) add(n syntax.Node, c Command) {
	c.start = n.Pos().Offset()
	c.depth = w.depth
	w.cmds = append(w.cmds, c)
}

func (w *walker) stmt(st *syntax.Stmt) {
	ce, isCall := st.Cmd.(*syntax.CallExpr)
	if isCall {
		w.own[ce] = st
	}
	s := span{start: st.Pos().Offset(), end: st.End().Offset()}
	for _, r := range st.Redirs {
		w.redirect(r, &s)
	}
	if s.eff != 0 || s.stdin.kind != stdinNone || len(s.reads) > 0 {
		w.spans = append(w.spans, s)
	}
	if st.Cmd == nil && len(st.Redirs) > 0 {
		// "> file" alone truncates file.
		c := Command{}
		for _, r := range st.Redirs {
			c.Redirects = append(c.Redirects, w.text(r))
		}
		w.add(st, c)
	}
}

func (w *walker) call(ce *syntax.CallExpr) Command {
	var c Command
	parts := make([]string, 0, len(ce.Assigns)+len(ce.Args))
	for _, a := range ce.Assigns {
		t := w.text(a)
		c.Assigns = append(c.Assigns, assignValue(a, t))
		parts = append(parts, t)
		c.envCode(a)
	}
	for _, word := range ce.Args {
		src := w.text(word)
		vals, kinds := words(word, src)
		c.Args = append(c.Args, vals...)
		c.kinds = append(c.kinds, kinds...)
		parts = append(parts, src)
	}
	c.setKinds()
	if len(c.Args) == 0 {
		c.Effects |= SetsVariables
	}
	c.Text = strings.Join(parts, " ")
	if st := w.own[ce]; st != nil {
		for _, r := range st.Redirs {
			c.Redirects = append(c.Redirects, w.text(r))
		}
	}
	if src, ok := w.stdin[ce]; ok {
		c.stdin = src
	}
	return c
}

// setKinds derives Name, Unknown, DynamicArgs and GlobArgs from Args and
// their kinds.
func (c *Command) setKinds() {
	c.Name, c.Unknown, c.DynamicArgs, c.GlobArgs = "", false, false, false
	for i, k := range c.kinds {
		switch {
		case i == 0 && k != literalWord:
			c.Unknown = true
		case i == 0:
			c.Name = c.Args[0]
		case k == dynamicWord:
			c.DynamicArgs = true
		case k == globWord:
			c.GlobArgs = true
		}
	}
}

func (w *walker) keyword(n syntax.Node, name string, eff Effects) Command {
	return Command{Name: name, Args: []string{name}, Text: strings.Join(strings.Fields(w.text(n)), " "), Effects: eff}
}

// text returns n's source.
func (w *walker) text(n syntax.Node) string {
	start, end := n.Pos().Offset(), n.End().Offset()
	if start > end || end > uint(len(w.src)) {
		return ""
	}
	return w.src[start:end]
}

// applyRanges gives the commands inside redirected statements and
// time/coproc clauses what those impose, innermost last so it wins for
// stdin; it also marks calls of functions defined in the same script.
func (w *walker) applyRanges() {
	for i := range w.cmds {
		c := &w.cmds[i]
		for _, s := range w.spans {
			if c.start < s.start || c.start >= s.end {
				continue
			}
			c.Effects |= s.eff
			c.Redirected |= s.eff
			c.Writes = append(c.Writes, s.writes...)
			c.Reads = append(c.Reads, s.reads...)
			if s.stdin.kind != stdinNone {
				c.stdin = s.stdin
			}
			if s.keyword != "" {
				c.Keyword = s.keyword
			}
		}
		if w.funcs[c.Name] {
			// The name runs the function defined here, not the program.
			c.Effects |= Executes
		}
	}
}

// attachMaybe gives each maybe-script to the command it was found in: the
// last one starting before it.
func (w *walker) attachMaybe() {
	if len(w.maybe) > 0 && len(w.cmds) == 0 {
		w.cmds = append(w.cmds, Command{depth: w.depth})
	}
	for _, m := range w.maybe {
		owner := 0
		for i := range w.cmds {
			if w.cmds[i].start <= m.off {
				owner = i
			}
		}
		w.cmds[owner].maybe = append(w.cmds[owner].maybe, m.text)
	}
}

// assignValue is "NAME=value" with the value resolved when it is a plain
// literal ("A='x y'" gives "A=x y"), else the source text.
func assignValue(a *syntax.Assign, source string) string {
	if a.Name == nil || a.Append || a.Index != nil || a.Array != nil {
		return source
	}
	if a.Value == nil {
		return a.Name.Value + "="
	}
	if v, k := wordValue(a.Value, ""); k == literalWord {
		return a.Name.Value + "=" + v
	}
	return source
}
