package permission

import (
	"strings"
	"testing"
)

// The original's test_requires_acceptance_for_readonly_commands
// (execute/mod.rs), with read-only auto-approval on: Ask where it requires
// acceptance, Allow where it does not.
func TestBashOriginalReadOnlyVectors(t *testing.T) {
	c := bashSettingsChecker(t, `{"autoAllowReadonly": true}`)
	checkKinds(t, c, []kindCase{
		{"ls ~", Allow},
		{"ls -al ~", Allow},
		{"pwd", Allow},
		{"echo 'Hello, world!'", Allow},
		{"which aws", Allow},
		{"echo hi > myimportantfile", Ask},
		{"ls -al >myimportantfile", Ask},
		{"echo hi 2> myimportantfile", Ask},
		{"echo hi >> myimportantfile", Ask},
		{"echo $(rm myimportantfile)", Ask},
		{"echo `rm myimportantfile`", Ask},
		{"echo hello && rm myimportantfile", Ask},
		{"echo hello&&rm myimportantfile", Ask},
		{"ls nonexistantpath || rm myimportantfile", Ask},
		{"echo myimportantfile | xargs rm", Ask},
		{"echo myimportantfile|args rm", Ask},
		{"echo <(rm myimportantfile)", Ask},
		{"cat <<< 'some string here' > myimportantfile", Ask},
		{"echo '\n#!/usr/bin/env bash\necho hello\n' > myscript.sh", Ask},
		{"cat <<EOF > myimportantfile\nhello world\nEOF", Ask},
		{"which ls\ntouch asdf", Ask},
		{"which ls\rtouch asdf", Ask},
		{`IFS=';'; for cmd in "which ls;touch asdf"; do eval "$cmd"; done`, Ask},
		{"find . -name '*.rs' | grep main", Allow},
		{"ls -la | grep .git", Allow},
		{"cat file.txt | grep pattern | head -n 5", Allow},
		{"find . -name '*.rs' | rm", Ask},
		{"ls -la | grep .git | rm -rf", Ask},
		{"echo hello | sudo rm -rf /", Ask},
		{`find important-dir/ -exec rm {} \;`, Ask},
		{`find . -name '*.c' -execdir gcc -o '{}.out' '{}' \;`, Ask},
		{"find important-dir/ -delete", Ask},
		{"find important-dir/ -fls /etc/passwd", Ask},
		{"echo y | find . -type f -maxdepth 1 -okdir open -a Calculator {} +", Ask},
		{"find important-dir/ -name '*.txt'", Allow},
		{`find / -fprintf "/path/to/file" <data-to-write> -quit`, Ask},
		{`find . -${t}exec touch asdf \{\} +`, Ask},
		{`find . -${t:=exec} touch asdf2 \{\} +`, Ask},
		{`find /tmp -name "*"  -exe$9c touch /tmp/find_result {} +`, Ask},
		{`echo 'test data' | grep -P '(?{system("date")})'`, Ask},
		{`echo 'test data' | grep --perl-regexp '(?{system("date")})'`, Ask},
	})
}

// The original's test_requires_acceptance_allowed_commands. Where qdev
// parses what the original refused on sight, the verdict differs and says
// so.
func TestBashOriginalAllowedCommandsVectors(t *testing.T) {
	c := bashSettingsChecker(t, `{"autoAllowReadonly": true, "allowedCommands": [
		"git status", "root", "command subcommand a=[0-9]{10} b=[0-9]{10}",
		"command subcommand && command subcommand"]}`)
	checkKinds(t, c, []kindCase{
		{"root", Allow},
		{"root subcommand", Ask},
		{"git", Ask},
		{"git status", Allow},
		{"command subcommand a=0123456789 b=0123456789", Allow},
		{"command subcommand a=0123456789 b=012345678", Ask},
		{"command subcommand alternate a=0123456789 b=0123456789", Ask},
		// Each side of && is judged alone; neither is allowed.
		{"command subcommand && command subcommand", Ask},
		{"echo 'test' > output.txt", Ask},
		{"echo 'test data' && touch main.py", Ask},
		{"echo 'test' || rm file", Ask},
		{"echo 'test' & background", Ask},
		{"echo 'test data'; touch main.py", Ask},
		{"echo 'test\rrm file'", Ask},
		{"IFS=/ malicious", Ask},
		{`/c/"+"/m/"+"/d/.exe`, Ask},
		{"$^(calc.exe)", Ask},
		// qdev: quoted text is data, and a read-only echo of it is fine;
		// the original asks on the characters alone.
		{"echo 'test<(data'", Allow},
		{"echo 'test$(data)'", Allow},
		{"echo 'test`data`'", Allow},
		{"echo $HOME", Allow},
		{"echo 'test\nrm file'", Allow},
	})
}

// The original's test_eval_perm* tests.
func TestBashOriginalEvalPerm(t *testing.T) {
	settings := `{"allowedCommands": ["allow_wild_card .*", "allow_exact"], "deniedCommands": ["git .*"]}`
	c := bashSettingsChecker(t, settings)
	d := decideBash(c, "git status")
	if d.Kind != Deny || !hasReason(d, "git .*") {
		t.Errorf("git status: %+v, want Deny naming git .*", d)
	}
	checkKinds(t, c, []kindCase{
		{"this_is_not_a_read_only_command", Ask},
		{"allow_wild_card some_arg", Allow},
		{"allow_exact some_arg", Ask},
		{"allow_exact", Allow},
	})
	trusted := bashSettingsChecker(t, settings, "execute_bash")
	checkKinds(t, trusted, []kindCase{
		{"this_is_not_a_read_only_command", Allow},
		{"git status", Deny},
	})

	checkKinds(t, bashSettingsChecker(t, ""), []kindCase{{"ls -la", Ask}, {"rm file.txt", Ask}})
	checkKinds(t, bashSettingsChecker(t, `{"autoAllowReadonly": true}`), []kindCase{{"ls -la", Allow}, {"rm file.txt", Ask}})
	c = bashSettingsChecker(t, `{"autoAllowReadonly": true, "deniedCommands": ["ls .*"]}`)
	if d := decideBash(c, "ls -la"); d.Kind != Deny || !hasReason(d, "ls .*") {
		t.Errorf("ls -la with ls .* denied: %+v", d)
	}
	checkKinds(t, c, []kindCase{{"cat file.txt", Allow}})

	invalid, warns := newChecker(t, map[string]string{"execute_bash": `{"deniedCommands": ["^(?!ls$).*"]}`}, nil, Options{})
	checkKinds(t, invalid, []kindCase{{"pwd", Deny}, {"ls", Deny}})
	if len(warns) != 1 || !strings.Contains(warns[0], "deniedCommands[0]") || !strings.Contains(warns[0], "every command is denied") {
		t.Errorf("warnings = %q, want one naming deniedCommands[0]", warns)
	}

	c = bashSettingsChecker(t, `{"allowedCommands": ["ls"], "denyByDefault": true}`)
	checkKinds(t, c, []kindCase{{"ls", Allow}, {"pwd", Deny}, {"ls; pwd", Deny}, {"ls (", Deny}})
	if d := decideBash(c, "pwd"); !hasReason(d, "not in allowed commands list") {
		t.Errorf("denyByDefault reasons = %q", d.Reasons)
	}
}

// The parsed semantics.
func TestBashParsedSemantics(t *testing.T) {
	allowed := `"allowedCommands": ["git status", "git diff", "head"]`
	checkKinds(t, bashSettingsChecker(t, `{`+allowed+`}`), []kindCase{
		{"git status && git diff | head", Allow},
		{"git status\ngit diff", Allow},
		{"git  status   &&\n  git diff", Allow},
		{"ls; rm -rf x", Ask},
		{"git status > out.txt", Ask},
		{"git status 2>/dev/null", Allow},
		{"echo $(rm -rf /)", Ask},
		{"git status; $(echo rm) x", Ask},
		{"GIT_DIR=x git status", Ask},
	})
	checkKinds(t, bashSettingsChecker(t, `{`+allowed+`, "autoAllowReadonly": true}`), []kindCase{
		{"echo $(rm -rf /)", Ask},
		{"echo $(git status)", Allow},
		{"ls -la | grep foo | wc -l", Allow},
		{"find . -name x -delete", Ask},
		{"cat a > b", Ask},
		{"cat a 2>/dev/null", Allow},
		{"cat a 2>&1 | head", Allow},
		{"cd /tmp && ls", Allow},
		{"if [ -f x ]; then cat x; fi", Ask}, // [ is not read-only
		{"time ls", Ask},
		{"ls $(rm x)", Ask},
		{"cat <<EOF\nhello $(whoami)\nEOF", Ask},
		{"cat <<'EOF'\nhello $(whoami)\nEOF", Allow},
		{"/bin/ls", Ask},
		{"X=1; ls", Ask},
		{"ls() { rm -rf x; }; ls", Ask},
		{"# just a comment", Ask},
	})
	denied := bashSettingsChecker(t, `{`+allowed+`, "deniedCommands": ["rm .*"]}`)
	checkKinds(t, denied, []kindCase{
		{"ls && rm -rf x", Deny},
		{"(cd /tmp; rm -rf x)", Deny},
		{"echo $(rm -rf x)", Deny},
		{"echo `rm -rf x`", Deny},
		{"'rm' -rf x", Deny},
		{"\\rm -rf x", Deny},
		{"/bin/rm -rf x", Deny},
		{"sudo rm -rf x", Deny},
		{"xargs rm -rf < list", Deny},
		{"bash -c 'rm -rf x'", Deny},
		{"find . -exec rm -rf {} +", Deny},
		{"git status", Allow},
		{"rmdir x", Ask},
	})
	// Writes need the whole command line allowed.
	checkKinds(t, bashSettingsChecker(t, `{"allowedCommands": ["git log > log.txt", "git log"]}`), []kindCase{
		{"git log > log.txt", Allow},
		{"git log > other.txt", Ask},
	})
}

func TestBashTrustAndDeny(t *testing.T) {
	c, _ := newChecker(t, map[string]string{"execute_bash": `{"deniedCommands": ["rm .*"]}`}, nil, Options{TrustAll: true})
	checkKinds(t, c, []kindCase{
		{"make build", Allow},
		{"ls; rm -rf x", Deny},
		// Deny rules cannot be checked in what does not parse: ask even
		// under trust-all.
		{"ls (", Ask},
		{"ls\rx", Ask},
		// A command name or code computed at run time could be a denied
		// command: denied.
		{"X=rm; $X -rf /", Deny},
		{`eval "$X"`, Deny},
		{`bash -c "$X"`, Deny},
		{"sudo -u bob $CMD", Deny},
		// Brace expansion is resolved.
		{"{rm,-rf,x}", Deny},
		{"echo $HOME; ls $(pwd)", Allow},
	})
	plain, _ := newChecker(t, nil, []string{"execute_bash"}, Options{})
	checkKinds(t, plain, []kindCase{{"ls (", Allow}, {"anything at all", Allow}, {"$X -rf /", Allow}})

	// Invalid settings make every call ask, trusted or not.
	bad, warns := newChecker(t, map[string]string{"execute_bash": `{"allowedCommands": "ls"}`}, []string{"execute_bash"}, Options{})
	checkKinds(t, bad, []kindCase{{"ls", Ask}})
	if len(warns) != 1 || !strings.Contains(warns[0], "toolsSettings.execute_bash.allowedCommands: must be an array of strings") {
		t.Errorf("warnings = %q", warns)
	}
}

func TestBashWarnings(t *testing.T) {
	_, warns := newChecker(t, map[string]string{"execute_bash": `{"allowedCommands": ["ls", "a)|(b"], "deniedCommand": ["rm .*"]}`},
		[]string{"execute_bash"}, Options{})
	want := []string{
		`toolsSettings.execute_bash: unknown key "deniedCommand" ignored`,
		"toolsSettings.execute_bash.allowedCommands[1] \"a)|(b\": invalid regex (unexpected ): `a)|(b`); ignored",
		`execute_bash is trusted (allowedTools "execute_bash"), which overrides its toolsSettings allowedCommands/autoAllowReadonly`,
	}
	if strings.Join(warns, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(warns, "\n"), strings.Join(want, "\n"))
	}
}

func TestBashRules(t *testing.T) {
	c := bashSettingsChecker(t, `{"allowedCommands": ["git .*"], "deniedCommands": ["git push.*"], "autoAllowReadonly": true}`)
	if d := decideBash(c, "git push --force"); d.Rule != `toolsSettings.execute_bash.deniedCommands "git push.*"` {
		t.Errorf("deny rule = %q", d.Rule)
	}
	if d := decideBash(c, "git commit -m x && ls"); d.Kind != Allow ||
		d.Rule != `toolsSettings.execute_bash.allowedCommands "git .*"; `+readOnlyRule {
		t.Errorf("allow rule = %+v", d)
	}
	if d := decideBash(c, "ls && make"); d.Kind != Ask || !hasReason(d, "make") {
		t.Errorf("ask reasons = %+v", d)
	}
}
