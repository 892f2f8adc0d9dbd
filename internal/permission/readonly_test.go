package permission

import (
	"testing"

	"github.com/qdev/qdev/internal/shell"
)

// safeGit turns off the repository configuration that runs programs.
const safeGit = "git -c core.fsmonitor= -c core.hooksPath=/dev/null "

func TestIsReadOnly(t *testing.T) {
	tests := []struct {
		cmd  string
		want bool
	}{
		{"ls -la /etc", true},
		{"cat $FILE *.txt", true},
		{"wc -l *.go", true},
		{"head -n 5 x", true},
		{"cut -d: -f1 /etc/passwd", true},
		{"tr a-z A-Z", true},
		{"stat x", true},
		{"du -sh .", true},
		{"df -h", true},
		{"cd ~/src", true},
		{"realpath ../x", true},

		{"grep -rn foo .", true},
		{"grep -n func *.go", true},
		{"grep -iP x", false},
		{"grep --perl x", false},
		{"grep $PAT file", false},

		{"find . -name '*.go' -type f", true},
		{"find . -name *.go", false}, // a file named -delete would become an option
		{"find . -execdir ls ;", false},
		{"find . -okdir ls ;", false},
		{"find . -fprint0 out", false},

		{"tail -n 20 log", true},
		{"tail -f log", false},
		{"tail -nF log", true}, // -n takes "F" as its value, as getopt does
		{"tail --follow=name log", false},
		{"tail --fol log", false},
		{"tail *.log", false},

		{"sort -u -k2 x", true},
		{"sort -o out x", false},
		{"sort -uo out x", false},
		{"sort --output=out x", false},
		{"sort --out=out x", false},
		{"sort --compress-program=sh x", false},

		{"uniq -c in", true},
		{"uniq in out", false},
		{"uniq - out", false},

		{"file x", true},
		{"file -C -m magic", false},

		// git runs programs named in .git/config, which the agent can
		// write, unless the command line turns them off.
		{"git status", false},
		{"git log --oneline", false},
		{"git -c core.fsmonitor= status", false},
		{safeGit + "status --porcelain", false}, // git is never read-only
		{safeGit + "status -sv", false},
		{safeGit + "status --verbose", false},
		{safeGit + "diff --no-ext-diff --no-textconv HEAD~1 -- a.go", false}, // git is never read-only
		{safeGit + "diff HEAD~1", false},                                     // diff.external, textconv
		{safeGit + "log --no-ext-diff --no-textconv --oneline -5", false},    // git is never read-only
		{safeGit + "show --no-ext-diff --no-textconv HEAD:README.md", false}, // git is never read-only
		{safeGit + "show --no-ext-diff --no-textconv --textconv HEAD", false},
		{"git --no-pager -c core.fsmonitor=false -c core.hooksPath=/dev/null -C sub status", false},
		{safeGit + "log --no-ext-diff --no-textconv --output=x", false},
		{safeGit + "log --no-ext-diff --no-textconv --out=x", false},
		{safeGit + "diff --no-ext-diff --no-textconv --ext-diff", false},
		{safeGit + "-c core.pager=sh log --no-ext-diff --no-textconv", false},
		{"git -c core.pager=sh log", false},
		{safeGit + "-c include.path=/tmp/x status", false},
		{safeGit + "-c color.ui=never status", false},
		{"git -C . -c core.pager=sh log", false},
		{"git show --textconv", false},
		{safeGit + "branch", false},                // git is never read-only
		{safeGit + "branch -a -v", false},          // git is never read-only
		{safeGit + "branch --show-current", false}, // git is never read-only
		{safeGit + "branch --list 'feat*'", false}, // git is never read-only
		{safeGit + "branch new-feature", false},
		{safeGit + "branch -d old", false},
		{safeGit + "branch -m a b", false},
		{safeGit + "commit -m x", false},
		{safeGit + "push", false},
		{"git", false},
		{safeGit + "log --no-ext-diff --no-textconv $REV", false},

		// Option values are not options, and options are found in clusters.
		{"grep -e -P x", true},
		{"grep -rfo x", true}, // -f takes "o": a pattern file
		{"grep -rPo x", false},
		{"grep --regexp=-P x", true},
		{"grep --unknown-option x", false},
		{"grep --colour=always x f", true},
		{"grep --color -P x", false}, // --color takes no next word
		{"grep --col -P x", false},
		{"sort -k1 -o f", false},
		{"sort -t -o x", true}, // -o is -t's value
		{"sort -rfo f x", false},
		{"sort -- -o", true},
		{"find . -newer x -fprint f", false},
		{"find . -name -delete", true},
		{"find . -name x -frobnicate", false},
		{"find . -name", false},
		{"tail -n -f x", true},
		{"uniq -f 1 in", true},

		// Writes, runs and the network are never read-only.
		{"ls > ~/.bashrc", false},
		{"cat < /dev/tcp/example.com/80", false},
		{"ls >> x", false},
		{"ls(){ rm -rf /; }; ls", false},
		{"sed -n 1p x", false},
		{"awk '{print}' x", false},
		{"xargs ls", false},
		{"env", false},
		{"env ls", false},
		{"sudo ls", false},
		{"bash -c ls", false},
		{"sh -c ls", false},
		{"eval ls", false},
		{"exec ls", false},
		{"source x", false},
		{". x", false},
		{"nohup ls", false},
		{"command ls", false},
		{"time ls", false},
		{"tee x", false},
		{"$CMD x", false},
		{"L=1 ls", false},
		{"/bin/ls", false},
		{"ls > x", false},
		{"export X=1", false},
		{"[[ -f x ]]", false},
		{"(( x++ ))", false},
	}
	for _, tt := range tests {
		a := shell.Analyze(tt.cmd)
		if a.Err != nil || len(a.Commands) == 0 {
			t.Fatalf("%q: %v %v", tt.cmd, a.Commands, a.Err)
		}
		got := true
		for i := range a.Commands {
			if a.Commands[i].Via == shell.ViaLine {
				got = got && IsReadOnly(&a.Commands[i])
			}
		}
		if got != tt.want {
			t.Errorf("IsReadOnly(%q) = %v, want %v", tt.cmd, got, tt.want)
		}
	}
}
