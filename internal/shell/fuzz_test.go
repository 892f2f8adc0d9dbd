package shell

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzAnalyze checks that the analysis never panics, keeps its budget and
// its invariants: every command it lists is consistent (a known name is
// Args[0], an unknown one is empty), parents come before their children,
// and a line that runs rm literally, as bash resolves it, lists rm.
func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{
		"ls -la | grep foo | wc -l", "echo $(rm -rf /)", "cat <<EOF > f\n$(rm x)\nEOF", "{rm,-rf,/}",
		`$'\x72m' x`, "echo rm x | sh", "sh <<<'rm x'", "env -S 'rm -rf /'", "x='a[$(rm)]'; echo $((x))",
		"find . -name -delete -exec rm {} +", "git -c core.pager='rm x' log", "awk 'BEGIN{system(\"rm x\")}'",
		"python3 - <<EOF\nimport os\nos.system('rm x')\nEOF", "a() { rm; }; a", "$(", "((((", "`", "'",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		start := time.Now()
		a := Analyze(src)
		if d := time.Since(start); d > 4*maxParseTime && !raceEnabled {
			t.Fatalf("%q took %v", src, d)
		}
		if a.Err != nil {
			if len(a.Commands) > 0 || strings.Contains(a.Err.Error(), "\n") && !errors.Is(a.Err, ErrBudget) {
				t.Fatalf("%q: error %q with %d commands", src, a.Err, len(a.Commands))
			}
			return
		}
		for i, c := range a.Commands {
			if c.Unknown && c.Name != "" || c.Name != "" && (len(c.Args) == 0 || c.Args[0] != c.Name) {
				t.Fatalf("%q: inconsistent command %+v", src, c)
			}
			if c.Via == ViaLine && c.Parent != -1 || c.Via != ViaLine && (c.Parent < 0 || c.Parent >= i) {
				t.Fatalf("%q: command %d has parent %d via %d", src, i, c.Parent, c.Via)
			}
		}
		if strings.HasPrefix(src, "rm ") && !strings.ContainsAny(src, "\\'\"$`{}()[]*?;&|<>\n\r\t#=!~") {
			if a.Commands[0].Name != "rm" {
				t.Fatalf("%q: first command %q, want rm", src, a.Commands[0].Name)
			}
		}
	})
}
