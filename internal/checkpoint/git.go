package checkpoint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// gitTimeout bounds one git command: a hung git (a stuck filesystem) must
// not hang the session.
const gitTimeout = 2 * time.Minute

// safeConfig is given with -c to every git command. The workspace is
// hostile: its .gitattributes could ask for filters, text conversion or
// diff drivers, and the user's or the system's configuration could add
// hooks, an fsmonitor or an excludes file. The attributes file in the
// shadow store (see attributes) undoes what .gitattributes asks; these
// settings undo the rest, and win over the store's own config file.
var safeConfig = []string{
	"core.hooksPath=/dev/null",
	"core.fsmonitor=false",
	"core.untrackedCache=false",
	"core.splitIndex=false",
	"core.autocrlf=false",
	"core.safecrlf=false",
	"core.eol=lf",
	"core.symlinks=true",
	"core.fileMode=true",
	"core.ignoreCase=false",
	"core.precomposeUnicode=false",
	"core.excludesFile=/dev/null",
	"core.attributesFile=/dev/null",
	"core.bigFileThreshold=512m",
	"core.pager=cat",
	"diff.external=",
	"diff.noprefix=false",
	"diff.mnemonicPrefix=false",
	"diff.renames=false",
	"gc.auto=0",
	"maintenance.auto=false",
	"advice.detachedHead=false",
	"commit.gpgSign=false",
	"index.threads=1",
	"protocol.allow=never",
	"safe.directory=*",
}

// attributes is written to the store's info/attributes, which git reads
// before any .gitattributes of the work tree and lets override them: files
// are stored and written back byte for byte, with no filter, end-of-line
// conversion, encoding or ident expansion, and diffs use no driver.
const attributes = "* -text -filter -ident !eol !working-tree-encoding !diff !merge\n"

// git runs the git binary against one shadow store and work tree, with an
// environment built from nothing but what it needs: no GIT_* variable of
// the user's (an alternate object directory, an external diff, a trace
// file) reaches it, nor their global or system configuration.
type git struct {
	bin    string
	gitDir string
	// workDir is the work tree; "" for commands that need none.
	workDir string
	// index is the index file; "" is git's default.
	index string
}

func (g git) withIndex(path string) git { g.index = path; return g }

func (g git) withWorkTree(dir string) git { g.workDir = dir; return g }

func (g git) environ() []string {
	env := []string{
		"GIT_DIR=" + g.gitDir,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_ATTR_NOSYSTEM=1",
		"GIT_TERMINAL_PROMPT=0",
		"GIT_OPTIONAL_LOCKS=0",
		"GIT_NO_REPLACE_OBJECTS=1",
		"GIT_AUTHOR_NAME=qdev", "GIT_AUTHOR_EMAIL=qdev@localhost",
		"GIT_COMMITTER_NAME=qdev", "GIT_COMMITTER_EMAIL=qdev@localhost",
		"HOME=" + filepath.Dir(g.gitDir),
		"XDG_CONFIG_HOME=" + filepath.Join(filepath.Dir(g.gitDir), "no-config"),
		"LC_ALL=C",
		"PATH=" + os.Getenv("PATH"),
	}
	if g.workDir != "" {
		env = append(env, "GIT_WORK_TREE="+g.workDir)
	}
	if g.index != "" {
		env = append(env, "GIT_INDEX_FILE="+g.index)
	}
	return env
}

// run runs git with args, stdin as its input, and returns its stdout. The
// error carries git's first line of stderr.
func (g git) run(ctx context.Context, stdin []byte, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, gitTimeout)
	defer cancel()
	full := make([]string, 0, 2*len(safeConfig)+len(args))
	for _, c := range safeConfig {
		full = append(full, "-c", c)
	}
	full = append(full, args...)
	cmd := exec.CommandContext(ctx, g.bin, full...)
	cmd.Env = g.environ()
	cmd.Dir = g.workDir
	if cmd.Dir == "" {
		cmd.Dir = filepath.Dir(g.gitDir)
	}
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		if msg == "" {
			msg = err.Error()
		}
		return out.Bytes(), fmt.Errorf("git %s: %s", args[0], msg)
	}
	return out.Bytes(), nil
}

// line runs git and returns its output's first line, trimmed.
func (g git) line(ctx context.Context, stdin []byte, args ...string) (string, error) {
	out, err := g.run(ctx, stdin, args...)
	if err != nil {
		return "", err
	}
	s := strings.TrimSpace(string(out))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s, nil
}

// splitZ splits NUL-terminated output into its fields.
func splitZ(b []byte) []string {
	s := strings.TrimSuffix(string(b), "\x00")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\x00")
}

// joinZ builds NUL-terminated input from paths.
func joinZ(paths []string) []byte {
	var b bytes.Buffer
	for _, p := range paths {
		b.WriteString(p)
		b.WriteByte(0)
	}
	return b.Bytes()
}

// ErrNoGit is returned by Open when no git binary is on PATH.
var ErrNoGit = errors.New("checkpoints need git, which is not on PATH")
