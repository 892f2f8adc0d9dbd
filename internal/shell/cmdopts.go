package shell

import "strings"

// commandOptions are options whose value a program runs as a shell
// command ("tar --to-command=CMD", "rsync -e CMD"). An entry ending in '='
// takes its value after it or, without the '=', from the next word; a
// short option takes it glued or from the next word.
var commandOptions = map[string][]string{
	"tar":   {"--to-command=", "--use-compress-program=", "-I", "--checkpoint-action=exec=", "--info-script=", "--new-volume-script=", "-F"},
	"rsync": {"-e", "--rsh=", "--rsync-path="},
	"ssh":   {"-oProxyCommand=", "-oLocalCommand=", "ProxyCommand=", "LocalCommand="},
	"scp":   {"-S", "-oProxyCommand="},
	"sftp":  {"-S", "-oProxyCommand="},
	"zip":   {"-TT", "--unzip-command="},
	"sort":  {"--compress-program="},
	"less":  {"--lesskey-src="},
	"gdb":   {"-ex", "--eval-command="},
	"vim":   {"-c", "--cmd"},
	"vi":    {"-c", "--cmd"},
	"nvim":  {"-c", "--cmd"},
	"ex":    {"-c", "--cmd"},
	// bash builtins that call back into code: mapfile's callback,
	// completion commands.
	"mapfile":   {"-C"},
	"readarray": {"-C"},
	"compgen":   {"-C"},
	"complete":  {"-C"},
}

// editors run shell commands given after '!' in their commands.
var editors = map[string]bool{"vim": true, "vi": true, "nvim": true, "ex": true, "ed": true, "gdb": true}

// optionCommands returns the commands held by c's command options, and
// marks code computed at run time.
func optionCommands(c *Command, base string) []inner {
	prefixes := commandOptions[base]
	var out []inner
	add := func(i int, v string) {
		c.Effects |= Executes
		if c.kinds[i] == dynamicWord {
			c.Effects |= UnknownCode
		}
		if editors[base] {
			_, v, _ = strings.Cut(v, "!") // ":!cmd" runs cmd
		}
		out = append(out, inner{script: v, isScript: true, via: ViaRuns})
	}
	for i := 1; i < len(c.Args); i++ {
		a := c.Args[i]
		for _, p := range prefixes {
			name := strings.TrimSuffix(p, "=")
			switch {
			case strings.HasSuffix(p, "=") && strings.HasPrefix(a, p):
				add(i, a[len(p):])
			case a == name && i+1 < len(c.Args):
				add(i+1, c.Args[i+1])
			case !strings.HasPrefix(p, "--") && !strings.HasSuffix(p, "=") && strings.HasPrefix(a, p) && len(a) > len(p):
				add(i, a[len(p):])
			default:
				continue
			}
			break
		}
	}
	if editors[base] {
		c.Effects |= Executes | HiddenCode // commands may also come from stdin or files
		if c.stdin.kind == stdinLiteral {
			for _, line := range strings.Split(c.stdin.text, "\n") {
				if _, cmd, ok := strings.Cut(line, "!"); ok {
					out = append(out, inner{script: cmd, isScript: true, via: ViaMaybe})
				}
			}
		}
	}
	return out
}
