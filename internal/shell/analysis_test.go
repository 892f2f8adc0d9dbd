package shell

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Every spelling resolves to the program bash runs, or to Unknown.
func TestNames(t *testing.T) {
	tests := []struct {
		src, name string
		unknown   bool
	}{
		{`rm x`, "rm", false}, {`\rm x`, "rm", false}, {`r\m x`, "rm", false}, {`'r''m' x`, "rm", false},
		{`"r"m x`, "rm", false}, {`$'\x72m' x`, "rm", false}, {`$'\162\155' x`, "rm", false},
		{`/usr/bin/rm x`, "/usr/bin/rm", false}, {`./rm x`, "./rm", false}, {`{rm,-rf,/}`, "rm", false},
		{`$X x`, "", true}, {`rm$IFS-rf /`, "", true}, {`${IFS}rm`, "", true}, {`/bin/r? x`, "", true},
		{`/bin/r* x`, "", true}, {`$(printf rm) x`, "", true}, {"`echo rm` x", "", true},
		{`$"rm" x`, "", true}, {`{rm,ls}{a,b}{c,d}{e,f}{g,h}{i,j}{k,l} x`, "", true},
	}
	for _, tt := range tests {
		a := Analyze(tt.src)
		if a.Err != nil || len(a.Commands) == 0 {
			t.Fatalf("%q: %v", tt.src, a.Err)
		}
		if c := a.Commands[0]; c.Name != tt.name || c.Unknown != tt.unknown {
			t.Errorf("%q: name %q unknown %v, want %q %v", tt.src, c.Name, c.Unknown, tt.name, tt.unknown)
		}
	}
	if c := Analyze("{rm,-rf,/}").Commands[0]; c.Canonical() != "rm -rf /" {
		t.Errorf("brace expansion: %q", c.Canonical())
	}
	if f := Analyze("/usr/bin/rm -rf 'a b'").Commands[0].Forms(); strings.Join(f, "|") != "/usr/bin/rm -rf a b|rm -rf a b|/usr/bin/rm -rf 'a b'|rm a b|rm" {
		t.Errorf("forms: %q", f)
	}
	// Leading options, with or without a value, are stripped for deny rules.
	f := strings.Join(Analyze("aws --profile p --debug iam delete-user").Commands[0].Forms(), "|")
	if !strings.Contains(f, "|aws iam delete-user|") && !strings.HasSuffix(f, "|aws iam delete-user") {
		t.Errorf("forms without leading options: %q", f)
	}
}

// Each line has the effect named, on the command named.
func TestEffects(t *testing.T) {
	tests := []struct {
		src  string
		name string
		eff  Effects
	}{
		{"ls > ~/.bashrc", "ls", Writes}, {"> f", "", Writes}, {"cat < /dev/tcp/h/80", "cat", Network},
		{"exec 3<>/dev/udp/h/53", "exec", Network}, {"{ ls; } > f", "ls", Writes},
		{"cat f | bash", "bash", FeedsInterpreter | UnknownCode}, {"echo rm | bash", "bash", FeedsInterpreter},
		{"bash x.sh", "bash", HiddenCode}, {"bash < x.sh", "bash", HiddenCode}, {"source x", "source", HiddenCode},
		{"python3 -c 'print(1)'", "python3", FeedsInterpreter | HiddenCode}, {"alias ls=rm", "alias", EnablesAliases},
		{"shopt -s expand_aliases", "shopt", EnablesAliases}, {"f() { :; }", "", DefinesFunction},
		{"ls(){ :; }; ls", "ls", Executes}, {"read x", "read", SetsVariables}, {"printf -v x y", "printf", SetsVariables},
		{"curl -o f u", "curl", Network | Writes}, {"find . -delete", "find", Writes}, {"find . -exec ls ;", "find", Executes},
		{"sed -i s/a/b/ f", "sed", Writes}, {"sed -e '1e rm' f", "sed", HiddenCode}, {"awk 'BEGIN{system(\"x\")}'", "awk", HiddenCode},
		{"git log", "git", Executes}, {"git fetch", "git", Network}, {"make", "make", Executes}, {"npm test", "npm", Executes},
		{`eval "$x"`, "eval", UnknownCode}, {`bash -c "$x"`, "bash", UnknownCode}, {"xargs rm", "xargs", Executes},
	}
	for _, tt := range tests {
		a := Analyze(tt.src)
		found := false
		for _, c := range a.Commands {
			if c.Name == tt.name && c.Via == ViaLine {
				found = true
				if c.Effects&tt.eff != tt.eff {
					t.Errorf("%q: %s has effects %v, want %v", tt.src, tt.name, c.Effects, tt.eff)
				}
			}
		}
		if !found {
			t.Errorf("%q: no command %q (err %v)", tt.src, tt.name, a.Err)
		}
	}
	for _, src := range []string{"ls -la", "cat a 2>/dev/null", "echo x >&2", "git -c core.fsmonitor= -c core.hooksPath=/dev/null status", "cat < in"} {
		for _, c := range Analyze(src).Commands {
			if c.Effects != 0 {
				t.Errorf("%q: %s has effects %v, want none", src, c.Name, c.Effects)
			}
		}
	}
}

// Pathological input is refused quickly with a one-line error, within
// bounded memory.
func TestBudget(t *testing.T) {
	for name, src := range map[string]string{
		"1 MiB":             strings.Repeat("a", 1<<20),
		"10k nested $(":     strings.Repeat("$(", 10000) + strings.Repeat(")", 10000),
		"10k nested braces": strings.Repeat("{ ", 10000) + "ls" + strings.Repeat("; }", 10000),
		"10k subshells":     strings.Repeat("(", 10000) + "ls" + strings.Repeat(")", 10000),
		"nested eval":       strings.Repeat("eval ", 50) + "rm x",
		"nested bash -c":    nestedBashC(12),
		"wrapper chain":     strings.Repeat("nice ", 200) + "ls",
		"many commands":     strings.Repeat("ls;", 60000),
		"long pipeline":     strings.Repeat("ls|", 60000) + "ls",
	} {
		// Bounds that catch a runaway analysis even on a loaded machine;
		// BenchmarkAnalyzeRefused measures how fast refusal really is.
		limit := 500 * time.Millisecond
		if strings.HasPrefix(name, "many") || strings.HasPrefix(name, "long") {
			limit = 20 * maxParseTime // parsed until the deadline
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		a := Analyze(src)
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		if !errors.Is(a.Err, ErrBudget) {
			t.Errorf("%s: err %v, want ErrBudget", name, a.Err)
			continue
		}
		if strings.Contains(a.Err.Error(), "\n") {
			t.Errorf("%s: error spans lines", name)
		}
		if elapsed > limit && !raceEnabled {
			t.Errorf("%s: took %v", name, elapsed)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 128<<20 {
			t.Errorf("%s: allocated %d MiB", name, alloc>>20)
		}
	}
}

func nestedBashC(n int) string {
	s := "rm x"
	for i := 0; i < n; i++ {
		s = "bash -c '" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}

func TestEffectsString(t *testing.T) {
	if s := (Writes | Network | HiddenCode).String(); s != "writes|network|hidden-code" {
		t.Errorf("String = %q", s)
	}
	if s := Effects(0).String(); s != "none" {
		t.Errorf("String = %q", s)
	}
}

func TestCachedIsShared(t *testing.T) {
	first, second := Cached("ls -la"), Cached("ls -la")
	if first != second {
		t.Fatal("Cached returned two analyses for one line")
	}
}

func BenchmarkAnalyze(b *testing.B) {
	line := `git -c core.fsmonitor= log --oneline -5 | grep -e fix | head -n 3 && ls -la "$HOME/src" 2>/dev/null`
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		Analyze(line)
	}
}

// BenchmarkAnalyzeRefused measures how long refusing pathological input
// takes: a 10k-deep nesting and a megabyte of text.
func BenchmarkAnalyzeRefused(b *testing.B) {
	for name, src := range map[string]string{
		"nested": strings.Repeat("$(", 10000) + strings.Repeat(")", 10000),
		"1MiB":   strings.Repeat("a", 1<<20),
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if a := Analyze(src); !errors.Is(a.Err, ErrBudget) {
					b.Fatal(a.Err)
				}
			}
		})
	}
}
