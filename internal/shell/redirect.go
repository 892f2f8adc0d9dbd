package shell

import (
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// redirect adds the effects of r to s.
func (w *walker) redirect(r *syntax.Redirect, s *span) {
	v, kind := wordValue(r.Word, "")
	target := v
	if kind != literalWord {
		target = ""
	}
	switch r.Op {
	case syntax.Hdoc, syntax.DashHdoc:
		s.stdin = w.hdoc(r.Hdoc, quotedDelim(r.Word))
		return
	case syntax.WordHdoc:
		// A here-string is an ordinary word, not globbed.
		if text, _, ok := wordText(r.Word); ok {
			s.stdin = stdinSrc{kind: stdinLiteral, text: text + "\n"}
		} else {
			s.stdin = stdinSrc{kind: stdinDynamic, text: w.text(r.Word)}
		}
		return
	case syntax.DplIn:
		if kind == literalWord && isFdDup(v) {
			// "<&3" makes another descriptor the command's input: an
			// interpreter then reads code this analysis has not seen
			// (exec 3<<< '…'; bash <&3).
			if (r.N == nil || r.N.Value == "0") && v != "0" && v != "-" {
				s.stdin = stdinSrc{kind: stdinDynamic, text: "<&" + v}
			}
			return
		}
	case syntax.DplOut:
		// ">&2", "2>&1", ">&-" duplicate or close descriptors; bash
		// takes ">& word" with any other word as "&> word".
		if kind == literalWord && isFdDup(v) {
			return
		}
	}
	if isNetDevice(target) {
		s.eff |= Network
		return
	}
	switch r.Op {
	case syntax.RdrIn, syntax.DplIn:
		s.reads = append(s.reads, target)
		s.stdin = stdinSrc{kind: stdinFile, text: target}
		return
	case syntax.RdrInOut:
		s.reads = append(s.reads, target)
	}
	switch target {
	case "/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty":
		return
	}
	if strings.HasPrefix(target, "/dev/fd/") {
		return
	}
	s.eff |= Writes
	s.writes = append(s.writes, target)
}

// hdoc is the stdin a here-document or here-string gives.
func (w *walker) hdoc(word *syntax.Word, quoted bool) stdinSrc {
	if word == nil {
		return stdinSrc{kind: stdinLiteral}
	}
	var b strings.Builder
	for _, p := range word.Parts {
		switch p := p.(type) {
		case *syntax.Lit:
			if quoted {
				b.WriteString(p.Value)
			} else {
				b.WriteString(hdocUnescape.Replace(p.Value))
			}
		case *syntax.SglQuoted, *syntax.DblQuoted:
			v, k := wordValue(&syntax.Word{Parts: []syntax.WordPart{p}}, "")
			if k != literalWord {
				return stdinSrc{kind: stdinDynamic, text: w.text(word)}
			}
			b.WriteString(v)
		default:
			return stdinSrc{kind: stdinDynamic, text: w.text(word)}
		}
	}
	return stdinSrc{kind: stdinLiteral, text: b.String()}
}

// hdocUnescape resolves the escapes an unquoted here-document keeps:
// \\, \$, \` and a line continuation.
var hdocUnescape = strings.NewReplacer(`\\`, `\`, `\$`, `$`, "\\`", "`", "\\\n", "")

// quotedDelim reports whether a here-document's delimiter is quoted
// (<<'EOF', <<"EOF", <<\EOF), which keeps its body as written.
func quotedDelim(w *syntax.Word) bool {
	if w == nil {
		return false
	}
	for _, p := range w.Parts {
		if l, ok := p.(*syntax.Lit); !ok || strings.Contains(l.Value, `\`) {
			return true
		}
	}
	return false
}

// isNetDevice reports bash's network pseudo-files, /dev/tcp/host/port and
// /dev/udp/host/port; a target that is not literal may be one too, but is
// then already a write or a read of an unknown file.
func isNetDevice(p string) bool {
	return strings.HasPrefix(p, "/dev/tcp/") || strings.HasPrefix(p, "/dev/udp/")
}

// pipe records what the first command of the right side reads: the text
// of a literal echo or printf on the left, else something dynamic.
func (w *walker) pipe(b *syntax.BinaryCmd) {
	src := stdinSrc{kind: stdinDynamic}
	left := lastStage(b.X)
	if ce, ok := left.Cmd.(*syntax.CallExpr); ok {
		if text, ok := echoed(ce); ok {
			src = stdinSrc{kind: stdinLiteral, text: text}
		} else if catted := w.catted(ce, left); catted.kind == stdinLiteral {
			src = catted
		}
	}
	first := firstStage(b.Y)
	if ce, ok := first.Cmd.(*syntax.CallExpr); ok {
		w.stdin[ce] = src
		return
	}
	// "… | { sh; }", "… | (bash)": any command inside may read the pipe.
	syntax.Walk(first, func(n syntax.Node) bool {
		if ce, ok := n.(*syntax.CallExpr); ok {
			if _, set := w.stdin[ce]; !set {
				w.stdin[ce] = src
			}
		}
		return true
	})
}

func lastStage(s *syntax.Stmt) *syntax.Stmt {
	for {
		b, ok := s.Cmd.(*syntax.BinaryCmd)
		if !ok || (b.Op != syntax.Pipe && b.Op != syntax.PipeAll) {
			return s
		}
		s = b.Y
	}
}

func firstStage(s *syntax.Stmt) *syntax.Stmt {
	for {
		b, ok := s.Cmd.(*syntax.BinaryCmd)
		if !ok || (b.Op != syntax.Pipe && b.Op != syntax.PipeAll) {
			return s
		}
		s = b.X
	}
}

// echoed returns what echo or printf with literal arguments prints, as far
// as a script made of it goes: its arguments joined by spaces (printf's
// format escapes are resolved by the shell reading it the same way).
func echoed(ce *syntax.CallExpr) (string, bool) {
	if len(ce.Args) < 2 || len(ce.Assigns) > 0 {
		return "", false
	}
	var vals []string
	for _, a := range ce.Args {
		v, k := wordValue(a, "")
		if k != literalWord {
			return "", false
		}
		vals = append(vals, v)
	}
	return echoText(vals)
}

// echoText is what echo or printf with the literal words vals prints, as
// far as a script made of it goes.
func echoText(vals []string) (string, bool) {
	vals = append([]string(nil), vals...)
	switch vals[0] {
	case "echo":
		for len(vals) > 1 && (vals[1] == "-n" || vals[1] == "-e" || vals[1] == "-E" || vals[1] == "-ne" || vals[1] == "-en") {
			vals = append(vals[:1], vals[2:]...)
		}
	case "printf":
		if len(vals) > 1 && vals[1] == "--" {
			vals = append(vals[:1], vals[2:]...)
		}
		for i := 1; i < len(vals); i++ {
			vals[i] = strings.NewReplacer(`\n`, "\n", `%s`, " ").Replace(vals[i])
		}
	default:
		return "", false
	}
	return strings.Join(vals[1:], " ") + "\n", true
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

// catted is what "cat" alone prints when its stdin is a literal
// here-document or here-string ("cat <<EOF | sh").
func (w *walker) catted(ce *syntax.CallExpr, st *syntax.Stmt) stdinSrc {
	if len(ce.Args) != 1 || len(ce.Assigns) > 0 {
		return stdinSrc{}
	}
	if name, k := wordValue(ce.Args[0], ""); k != literalWord || name != "cat" {
		return stdinSrc{}
	}
	var s span
	for _, r := range st.Redirs {
		w.redirect(r, &s)
	}
	return s.stdin
}
