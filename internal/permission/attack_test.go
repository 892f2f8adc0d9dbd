package permission

// Red-team findings (branch h-attack). Each subtest asserts the SECURE
// outcome, so it FAILS while the bypass exists.
//
//   go test ./internal/permission -run 'TestAttack' -v -count=1

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/tool"
)

// Managed deniedCommands ["rm *","aws iam *","terraform apply*"], agent
// trusts everything (or the user answers y / t): the managed layer must not
// Allow a line that runs rm / aws iam / terraform apply.
func TestAttackManagedDeniedCommands(t *testing.T) {
	m := loadManaged(t, `{"deniedCommands":["rm *","aws iam *","terraform apply*"]}`)
	dir := t.TempDir()
	c, _, err := New(Config{AllowedTools: []string{"fs_write", "execute_bash", "use_aws"}, Cwd: dir, Home: dir}, Options{TrustAll: true})
	if err != nil {
		t.Fatal(err)
	}
	l := &Layered{Checker: c, Managed: m}
	for _, line := range []string{
		// git runs these commands; not analysed (git rebase --exec / bisect
		// run / difftool -x / submodule foreach / fetch --upload-pack / grep -O)
		"git rebase --exec 'rm -rf x' HEAD~1",
		"git bisect run rm -rf x",
		"git difftool -x 'rm -rf x'",
		"git submodule foreach 'rm -rf x'",
		"git fetch --upload-pack='rm -rf x' .",
		"git grep --open-files-in-pager='rm -rf x' y",
		// git alias defined by an earlier command / by environment
		"git config alias.y '!rm -rf x'; git y",
		"GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=alias.y GIT_CONFIG_VALUE_0='!rm -rf x' git y",
		// rm under another name created earlier in the same line
		"cp /bin/rm ./x; ./x -rf y",
		"ln -s /bin/rm ./x; ./x -rf y",
		// the running shell under another name
		"/proc/self/exe -c 'rm -rf x'",
		// makefile on stdin
		"make -f - <<< $'all:\\n\\trm -rf x'",
		// pager programs
		"man -P 'rm -rf x' ls",
		// global options before the denied sub-command
		"aws --profile p iam delete-user --user-name bob",
		"aws --region us-east-1 iam delete-user --user-name bob",
		"terraform -chdir=infra apply -auto-approve",
		"aws --debug iam delete-user --user-name bob",
		// shell reading its script from another descriptor / rc file / BASH_ENV via env
		"exec 3<<< 'rm -rf x'; bash <&3",
		"bash --rcfile <(echo 'rm -rf x; exit') -i",
		"echo 'rm -rf x' > e; env BASH_ENV=./e bash -c true",
		// GNU sed e command with the long option spelling (-e is caught)
		"sed --expression='1e rm -rf x' f",
		// more git options that run commands
		"git grep -O'rm -rf x; true' y",
		"git ls-remote --upload-pack='rm -rf x; false' .",
		"git clone -u 'rm -rf x; false' . y",
		"git pull --upload-pack='rm -rf x' .",
		"git push --receive-pack='rm -rf x; false' . HEAD:refs/heads/z",
		"git -c protocol.ext.allow=always fetch 'ext::sh -c rm% -rf% x'",
		"git rebase -x 'rm -rf x' HEAD~1",
		"git filter-branch --tree-filter 'rm -rf x'",
		"git send-email --sendmail-cmd='rm -rf x' p.patch",
		// make --eval recipe; npx -c
		"make --eval='x:; rm -rf y' x",
		"npx -c 'rm -rf x'",
		// wrappers the analysis does not know (sudo/nice/setsid/... are known)
		"setpriv rm -rf x",
		"dbus-run-session rm -rf x",
		"sg users 'rm -rf x'",
		"perf record rm -rf x",
		"pkexec rm -rf x",
		"su root -c 'rm -rf x'",
		// computed command names inside text bash evaluates later (arithmetic
		// subscripts, ${x@P}, declare -i): unknownProgram skips ViaMaybe
		// commands, so "$c" is never treated as a computed name. Verified in
		// bash 5: each of these deletes x.
		"y='a[$(c=rm; $c -rf x)]'; [[ 1 -eq $y ]]",
		"x='$(c=rm; $c -rf x)'; echo \"${x@P}\"",
		"y='a[`c=rm; $c -rf x`]'; echo $((y))",
		"declare -i y='a[$(c=rm;$c -rf x)]'",
		"printf -v y '%s' 'a[$(c=rm; $c -rf x)]'; echo $((y))",
		// "safe" git in a committed bare-repo layout runs its filter drivers
		"git -c core.fsmonitor= -c core.hooksPath=/dev/null -C fx status",
	} {
		if d := l.Decide("execute_bash", "", tool.Access{Command: line}); d.Kind == Allow {
			t.Errorf("managed deniedCommands bypass: %q decided %v (%q), want Deny/Ask", line, d.Kind, d.Rule)
		}
	}
}

// Agent deniedCommands regexes are compiled without (?s): a newline inside
// a quoted argument stops ".*" from matching, so the denied command runs.
func TestAttackAgentDeniedRegexNewline(t *testing.T) {
	dir := t.TempDir()
	c := checkerIn(t, dir, map[string]string{"execute_bash": `{"deniedCommands": ["rm .*"]}`}, []string{"execute_bash"}, Options{TrustAll: true})
	for _, line := range []string{
		"rm -rf ~/project '\n'",
		"rm -rf x $'\\n'",
		"git rebase --exec 'rm -rf x' HEAD~1",
		"cp /bin/rm ./x; ./x -rf y",
		"y='a[$(c=rm; $c -rf x)]'; [[ 1 -eq $y ]]",
		"exec 3<<< 'rm -rf x'; bash <&3",
		"sed --expression='1e rm -rf x' f",
	} {
		if d := c.Decide("execute_bash", "", tool.Access{Command: line}); d.Kind != Deny {
			t.Errorf("agent deniedCommands bypass: %q decided %v (%q), want Deny", line, d.Kind, d.Rule)
		}
	}
}

// fs_write protection covers .git/config and .git/hooks but not the other
// git files that run commands on the next git operation.
func TestAttackProtectedGitFiles(t *testing.T) {
	root := t.TempDir()
	cwd := filepath.Join(root, "ws")
	if err := os.MkdirAll(filepath.Join(cwd, ".git", "modules", "sub", "hooks"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := checkerIn(t, cwd, map[string]string{"fs_write": `{"allowedPaths": ["` + cwd + `"]}`}, []string{"fs_write"}, Options{TrustAll: true})
	for _, p := range []string{
		".git/modules/sub/hooks/post-checkout", // submodule's hooks
		".git/modules/sub/config",              // submodule's config (core.fsmonitor, alias, …)
		".git/commondir",                       // points git at another config/hooks directory
		".git/config.worktree",                 // per-worktree config
		".git/worktrees/w/config.worktree",
	} {
		if d := c.Decide("fs_write", "", writeAcc(p)); d.Kind != Ask || d.Rule != ProtectedReason {
			t.Errorf("protected-path bypass: fs_write %s decided %v (%q), want Ask %q", p, d.Kind, d.Rule, ProtectedReason)
		}
	}
}

// toolsSettings.execute_bash/fs_read deniedPaths also deny shell commands
// naming those paths (README). Globs, ~user, recursive reads of a parent,
// backquote substitutions and inline interpreters get the file anyway.
func TestAttackDeniedPathsViaShell(t *testing.T) {
	dir := t.TempDir()
	c := checkerIn(t, dir, map[string]string{"fs_read": `{"deniedPaths":["~/.ssh"]}`}, []string{"execute_bash", "fs_read"}, Options{TrustAll: true})
	for _, line := range []string{
		"cat ~/.s?h/id_rsa",
		"cat ~/.ssh*/id_rsa",
		"cat ~/.[s]sh/id_rsa",
		"cat /home/*/.ssh/id_rsa",
		"od -c ~/.s*h/id_rsa",
		"cat ~user/.ssh/id_rsa", // checkerIn's home is /home/user
		"cat `echo ~`/.ssh/id_rsa",
		"grep -r BEGIN ~",
		"tar -cf - ~ | cat",
		"python3 -c 'print(open(\"/home/user/.ssh/id_rsa\").read())'",
	} {
		if d := c.Decide("execute_bash", "", tool.Access{Command: line}); d.Kind == Allow {
			t.Errorf("deniedPaths bypass: %q decided %v (%q), want Deny (or at least Ask)", line, d.Kind, d.Rule)
		}
	}
	// Expansions that cannot lead to the denied file stay allowed.
	for _, line := range []string{"echo $HOME", "cat $f.go", "f=other; cat $f.txt", "ls $a/$b"} {
		if d := c.Decide("execute_bash", "", tool.Access{Command: line}); d.Kind != Allow {
			t.Errorf("%q decided %v (%q), want Allow", line, d.Kind, d.Rule)
		}
	}
}

// disableTrustAll: "no grant may trust every tool, neither trust-all nor
// patterns and names that together cover every tool". toolsSettings
// wildcards do, with no allowedTools at all, and no warning.
func TestAttackDisableTrustAllViaToolsSettings(t *testing.T) {
	ts := map[string]json.RawMessage{
		"execute_bash": json.RawMessage(`{"allowedCommands":[".*"]}`),
		"fs_write":     json.RawMessage(`{"allowedPaths":["/**"]}`),
		"use_aws":      json.RawMessage(`{"allowedServices":["iam","s3","ec2"]}`),
	}
	c, warns, err := New(Config{ToolsSettings: ts, Cwd: t.TempDir(), Home: t.TempDir(), DisableTrustAll: true}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := trustedCount(c); n == len(everyTool) {
		t.Errorf("disableTrustAll bypass: toolsSettings wildcards trust all %d tools unasked (warnings %q)", n, warns)
	}
}

// autoAllowReadonly lets "git -c core.fsmonitor= -c core.hooksPath=/dev/null
// … status|diff" run, but git still runs filter.<driver>.clean/process (and
// other config-named programs) from whatever repository it finds. A poisoned
// repository can commit a bare-repository layout (fx/HEAD, fx/config with
// core.worktree=.. and filter.x.clean=<cmd>, fx/index, fx/objects) plus a
// .gitattributes "* filter=x"; "-C fx" or "cd fx &&" makes git use it.
// Verified with git 2.x: the clean command ran on `git -c core.fsmonitor=
// -c core.hooksPath=/dev/null -C fx status` and on `… diff --no-ext-diff
// --no-textconv`.
func TestAttackReadonlyGitRunsRepositoryFilters(t *testing.T) {
	dir := t.TempDir()
	c := checkerIn(t, dir, map[string]string{"execute_bash": `{"autoAllowReadonly": true}`}, nil, Options{})
	for _, line := range []string{
		"git -c core.fsmonitor= -c core.hooksPath=/dev/null -C fx status",
		"git -c core.fsmonitor= -c core.hooksPath=/dev/null -C fx diff --no-ext-diff --no-textconv",
		"cd fx && git -c core.fsmonitor= -c core.hooksPath=/dev/null status",
	} {
		if d := c.Decide("execute_bash", "", tool.Access{Command: line}); d.Kind == Allow {
			t.Errorf("read-only bypass: %q auto-allowed (%q) but runs the repository's filter drivers", line, d.Rule)
		}
	}
}

// A line with an assignment-only command ("f=secret; cat $f.txt") panicked
// in the deniedPaths analysis (an empty argument list), crashing q on a
// model's tool call; a path computed from such a variable must not read a
// denied file outside the home directory either.
func TestAttackDeniedPathsAssignmentOnly(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret.txt")
	c := checkerIn(t, dir, map[string]string{"fs_read": `{"deniedPaths":["` + secret + `"]}`}, []string{"execute_bash", "fs_read"}, Options{TrustAll: true})
	for _, line := range []string{
		"f=secret",
		"f=secret; cat $f.txt",
		"f=secret; cat " + dir + "/$f.txt",
		"cat " + dir + "/$(printf secret).txt",
		"a=" + dir + "; b=secret.txt; cat $a/$b",
		"cat ${PWD}/secret.txt",
		"cat `pwd`/secret.txt",
	} {
		if d := c.Decide("execute_bash", "", tool.Access{Command: line}); d.Kind == Allow && strings.Contains(line, "cat") {
			t.Errorf("deniedPaths bypass: %q decided %v (%q), want Deny (or at least Ask)", line, d.Kind, d.Rule)
		}
	}
	// Expansions that cannot lead to the denied file stay allowed.
	for _, line := range []string{"echo $HOME", "cat $f.go", "f=other; cat $f.txt", "ls $a/$b"} {
		if d := c.Decide("execute_bash", "", tool.Access{Command: line}); d.Kind != Allow {
			t.Errorf("%q decided %v (%q), want Allow", line, d.Kind, d.Rule)
		}
	}
}

// A symbolic link whose target does not exist yet was judged as the link
// itself: "echo x > link" (or "tee link") created a file in a denied
// folder through a link the workspace ships.
func TestAttackDeniedPathsDanglingLink(t *testing.T) {
	dir := t.TempDir()
	deny := filepath.Join(dir, "deny")
	if err := os.Mkdir(deny, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(deny, "newfile"), filepath.Join(dir, "dangling")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("deny/sub/../other", filepath.Join(dir, "rel")); err != nil {
		t.Fatal(err)
	}
	c := checkerIn(t, dir, map[string]string{"fs_write": `{"deniedPaths":["` + deny + `"]}`}, []string{"execute_bash", "fs_write"}, Options{TrustAll: true})
	for _, line := range []string{"echo x > dangling", "echo x >> dangling", "tee dangling", "cp /etc/hostname dangling", "echo x > rel"} {
		if d := c.Decide("execute_bash", "", tool.Access{Command: line}); d.Kind != Deny {
			t.Errorf("deniedPaths bypass: %q decided %v (%q), want Deny", line, d.Kind, d.Rule)
		}
	}
	if d := c.Decide("fs_write", "", tool.Access{WritePaths: []string{filepath.Join(dir, "dangling")}}); d.Kind != Deny {
		t.Errorf("fs_write through a dangling link: %v (%q), want Deny", d.Kind, d.Rule)
	}
}
