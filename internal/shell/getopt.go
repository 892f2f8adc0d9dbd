package shell

import "strings"

// OptSpec describes a program's options the way getopt_long sees them.
type OptSpec struct {
	// Flags are the short options without a value, Values those with one
	// ("n" for "-n 5", "-n5" and "-xn5").
	Flags, Values string
	// Long maps long option names to whether they take a value; a value
	// is then the rest after '=' or the next word.
	Long map[string]bool
	// Optional are long options whose value, if any, follows '='
	// ("--color" or "--color=always", never "--color always").
	Optional map[string]bool
	// Posix stops at the first operand, as POSIX getopt and most
	// wrappers do; GNU programs otherwise take options anywhere.
	Posix bool
}

// Opt is one parsed option: its name ("n", "output") and value.
type Opt struct {
	Name, Value string
	Long        bool
}

// Parse splits args (without the program name) into options and operands.
// "--" ends the options only where it is not an option's value. ok is
// false when an option is not in the spec, an abbreviation is ambiguous or
// a value is missing: the caller then cannot know what the words mean.
// rest is the index in args of the first operand when Posix is set.
func (s OptSpec) Parse(args []string) (opts []Opt, operands []string, rest int, ok bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return opts, append(operands, args[i+1:]...), i + 1, true
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a[2:], "=")
			full, takes, found := s.long(name)
			if !found {
				return opts, operands, i, false
			}
			if s.Optional[full] {
				opts = append(opts, Opt{Name: full, Value: val, Long: true})
				continue
			}
			if takes && !hasVal {
				if i+1 >= len(args) {
					return opts, operands, i, false
				}
				i++
				val = args[i]
			} else if !takes && hasVal {
				return opts, operands, i, false
			}
			opts = append(opts, Opt{Name: full, Value: val, Long: true})
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				ch := a[j]
				switch {
				case strings.IndexByte(s.Values, ch) >= 0:
					val := a[j+1:]
					if val == "" {
						if i+1 >= len(args) {
							return opts, operands, i, false
						}
						i++
						val = args[i]
					}
					opts = append(opts, Opt{Name: string(ch), Value: val})
					j = len(a)
				case strings.IndexByte(s.Flags, ch) >= 0:
					opts = append(opts, Opt{Name: string(ch)})
				default:
					return opts, operands, i, false
				}
			}
		default:
			if s.Posix {
				return opts, append(operands, args[i:]...), i, true
			}
			operands = append(operands, a)
		}
	}
	return opts, operands, len(args), true
}

// long resolves a long option name, accepting unambiguous prefixes as
// getopt_long does.
func (s OptSpec) long(name string) (full string, takes, found bool) {
	if t, ok := s.Long[name]; ok {
		return name, t, true
	}
	if s.Optional[name] {
		return name, false, true
	}
	for l := range s.Optional {
		if strings.HasPrefix(l, name) && name != "" {
			if found {
				return "", false, false
			}
			full, found = l, true
		}
	}
	for l, t := range s.Long {
		if strings.HasPrefix(l, name) && name != "" {
			if found {
				return "", false, false // ambiguous
			}
			full, takes, found = l, t, true
		}
	}
	return full, takes, found
}

// HasOpt reports whether opts hold one of the names.
func HasOpt(opts []Opt, names ...string) bool {
	for _, o := range opts {
		for _, n := range names {
			if o.Name == n {
				return true
			}
		}
	}
	return false
}

// LongOpts maps long option names for OptSpec.Long; a name ending in '='
// takes a value ("output=").
func LongOpts(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		name, takes := strings.CutSuffix(n, "=")
		m[name] = takes
	}
	return m
}
