package permission

import "testing"

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
		{"tail -nF log", false},
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

		{"git status --porcelain", true},
		{"git diff HEAD~1 -- a.go", true},
		{"git log --oneline -5", true},
		{"git show HEAD:README.md", true},
		{"git --no-pager log", true},
		{"git -C sub status", true},
		{"git log --output=x", false},
		{"git log --out=x", false},
		{"git diff --ext-diff", false},
		{"git -c core.pager=sh log", false},
		{"git branch", true},
		{"git branch -a -v", true},
		{"git branch --show-current", true},
		{"git branch --list 'feat*'", true},
		{"git branch new-feature", false},
		{"git branch -d old", false},
		{"git branch -D old", false},
		{"git branch -m a b", false},
		{"git commit -m x", false},
		{"git push", false},
		{"git", false},
		{"git log $REV", false},

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
		cmds, err := SimpleCommands(tt.cmd)
		if err != nil || len(cmds) != 1 {
			t.Fatalf("%q: %v %v", tt.cmd, cmds, err)
		}
		if got := IsReadOnly(cmds[0]); got != tt.want {
			t.Errorf("IsReadOnly(%q) = %v, want %v", tt.cmd, got, tt.want)
		}
	}
}
