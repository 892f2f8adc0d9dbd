package shell

import (
	"regexp"
	"slices"
	"strings"
)

// language describes how an interpreter that is not a shell takes code.
type language struct {
	// code are the short options whose value is code (python -c, perl -e).
	code string
	// longCode are long options whose value is code (node --eval).
	longCode []string
	// values are other short options that take a value.
	values string
	// program: the first operand is the program text (awk, sed) unless
	// a code or file option gave it.
	program bool
	// file is the short option naming a program file (awk -f, sed -f).
	file string
}

var languages = map[string]language{
	"python":    {code: "c", values: "WXQ", file: "m"},
	"perl":      {code: "eE", values: "IMmxCdDl"},
	"ruby":      {code: "e", values: "IrCEFKTx"},
	"node":      {code: "ep", longCode: []string{"--eval", "--print"}, values: "r", file: ""},
	"php":       {code: "r", values: "cdfz", file: "f"},
	"lua":       {code: "e", values: "l"},
	"Rscript":   {code: "e"},
	"tclsh":     {},
	"pwsh":      {code: "c", longCode: []string{"-Command", "-command"}, file: "f"},
	"osascript": {code: "e", values: "l"},
	"expect":    {code: "c", file: "f"},
	"awk":       {code: "e", values: "Fvil", program: true, file: "f"},
	"sed":       {code: "e", longCode: []string{"--expression"}, values: "l", program: true, file: "f"},
}

// interpreterOf returns the language key of an interpreter name, also
// versioned ("python3.12", "perl5.36") or a variant ("gawk", "nodejs").
func interpreterOf(base string) string {
	switch base {
	case "gawk", "mawk", "nawk", "busybox-awk":
		return "awk"
	case "gsed":
		return "sed"
	case "nodejs":
		return "node"
	case "powershell":
		return "pwsh"
	}
	for l := range languages {
		if rest, ok := strings.CutPrefix(base, l); ok && strings.Trim(rest, "0123456789.") == "" {
			return l
		}
	}
	return ""
}

// Code that makes awk and sed run or write something: system(), pipes to
// and from commands, output redirection, sed's e command and s///e flag,
// its w command and flag.
var (
	awkRuns    = regexp.MustCompile(`system|\||getline|ENVIRON`)
	awkWrites  = regexp.MustCompile(`>`)
	sedRuns    = regexp.MustCompile(`(^|[;{}\n\d$/!\s])e(\s|;|$)|/[gpiImM\d]*e`)
	sedCommand = regexp.MustCompile(`(?m)(?:^|[;{}\d$/!\s])e\s+([^;\n}]+)`)
	sedWrites  = regexp.MustCompile(`(^|[;{}\n\d$/!\s])[wW]\s|/[gpiImMe\d]*w\s`)
)

// interpreted finds the code c gives an interpreter and marks its effects.
func interpreted(c *Command, lang string) []inner {
	spec := languages[lang]
	args := c.Args[1:]
	var code []string
	file, dynamic := false, false
	operands := 0
	program := -1
	for i := 0; i < len(args); i++ {
		a := args[i]
		takeNext := func() string {
			if i+1 < len(args) {
				i++
				dynamic = dynamic || c.kinds[i+1] == dynamicWord
				return args[i]
			}
			return ""
		}
		switch {
		case a == "--":
			i = len(args)
		case isLongCode(spec.longCode, a):
			// --expression=CODE, --expression CODE, and getopt's
			// abbreviations of either (--expr=CODE).
			if _, v, ok := strings.Cut(a, "="); ok {
				code = append(code, v)
			} else {
				code = append(code, takeNext())
			}
		case strings.HasPrefix(a, "--"):
			if lang == "sed" && (a == "--in-place" || strings.HasPrefix(a, "--in-place=")) {
				c.Effects |= Writes
			}
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				ch := a[j]
				if lang == "sed" && ch == 'i' {
					c.Effects |= Writes
					break // the rest is the backup suffix
				}
				isCode := strings.IndexByte(spec.code, ch) >= 0
				isFile := spec.file != "" && strings.IndexByte(spec.file, ch) >= 0
				if !isCode && !isFile && strings.IndexByte(spec.values, ch) < 0 {
					continue
				}
				v := a[j+1:]
				if v == "" {
					v = takeNext()
				}
				switch {
				case isCode:
					code = append(code, v)
				case isFile:
					file = true
				}
				break
			}
		default:
			if operands == 0 {
				program = i
			}
			operands++
		}
	}
	if spec.program && len(code) == 0 && !file && program >= 0 {
		code = append(code, args[program])
		dynamic = dynamic || c.kinds[program+1] == dynamicWord
		program = -1
	}
	c.Effects |= Executes
	switch {
	case len(code) > 0:
		c.Code = strings.Join(code, "\n")
		c.Effects |= FeedsInterpreter
	case file || program >= 0 && args[program] != "-":
		c.Effects |= HiddenCode
		return nil
	default:
		if c.stdin.kind == stdinLiteral {
			c.Code = c.stdin.text
		}
		stdinScript(c)
		if c.Code == "" {
			return nil
		}
	}
	if dynamic {
		c.Effects |= UnknownCode
	}
	switch lang {
	case "awk":
		if awkRuns.MatchString(c.Code) {
			c.Effects |= HiddenCode
		}
		if awkWrites.MatchString(c.Code) {
			c.Effects |= Writes
		}
	case "sed":
		if sedRuns.MatchString(c.Code) {
			c.Effects |= HiddenCode
			var out []inner
			for _, m := range sedCommand.FindAllStringSubmatch(c.Code, maxInner) {
				out = append(out, inner{script: m[1], isScript: true, via: ViaMaybe})
			}
			return out
		}
		if sedWrites.MatchString(c.Code) {
			c.Effects |= Writes
		}
	default:
		c.Effects |= HiddenCode
	}
	return codeStrings(c.Code)
}

// isLongCode reports whether arg ("--name" or "--name=value") names one of
// the long options that take code, in full or abbreviated as getopt
// accepts.
func isLongCode(longCode []string, arg string) bool {
	name, _, _ := strings.Cut(arg, "=")
	if len(name) < 3 || !strings.HasPrefix(name, "--") {
		return false
	}
	return slices.ContainsFunc(longCode, func(l string) bool { return strings.HasPrefix(l, name) })
}
