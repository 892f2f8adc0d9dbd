package managed

import (
	"fmt"
	"github.com/qdev/qdev/internal/toolname"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/qdev/qdev/internal/audit"
)

// fileSettings is the file as written; the walk has already checked that
// it holds nothing else.
type fileSettings struct {
	DeniedTools       []string    `json:"deniedTools"`
	DeniedCommands    []string    `json:"deniedCommands"`
	RequireApproval   []string    `json:"requireApproval"`
	DisableTrustAll   bool        `json:"disableTrustAll"`
	AllowedModels     []string    `json:"allowedModels"`
	AllowedMCPServers []MCPServer `json:"allowedMcpServers"`
	AWS               *AWS        `json:"aws"`
	Sandbox           *Sandbox    `json:"sandbox"`
	Audit             *Audit      `json:"audit"`
}

// MinAuditFileBytes is the smallest audit.maxFileBytes accepted: below it
// every few records would start a new file.
const MinAuditFileBytes = 4096

// roleARN is an IAM role ARN in any partition.
var roleARN = regexp.MustCompile(`\Aarn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]+\z`)

// apply validates f and stores it in s, resolving relative paths against
// the folder of s.Path.
func (s *Settings) apply(f *fileSettings, w *walker) error {
	for _, list := range []struct {
		key  string
		vals []string
	}{
		{"deniedTools", f.DeniedTools},
		{"deniedCommands", f.DeniedCommands},
		{"requireApproval", f.RequireApproval},
		{"allowedModels", f.AllowedModels},
	} {
		if err := nonEmpty(w, list.key, list.vals); err != nil {
			return err
		}
	}
	for _, l := range []struct {
		key  string
		vals []string
	}{{"deniedTools", f.DeniedTools}, {"requireApproval", f.RequireApproval}} {
		for i, p := range l.vals {
			if p == "@" || strings.HasPrefix(p, "@/") {
				return w.at(fmt.Sprintf("%s[%d]", l.key, i), fmt.Sprintf("%q names no MCP server: use \"@server\" or \"@server/tool\"", p))
			}
			if !namesBuiltin(p) {
				return w.at(fmt.Sprintf("%s[%d]", l.key, i), fmt.Sprintf("%q names no built-in tool, so it would never apply "+
					"(tool names are case-sensitive; an MCP server's tools are \"@server/tool\", by their own names)", p))
			}
		}
	}
	if f.AllowedModels != nil && len(f.AllowedModels) == 0 {
		return w.at("allowedModels", `"allowedModels" is empty, which would forbid every model; remove the key to allow any model`)
	}
	for i, m := range f.AllowedMCPServers {
		key := fmt.Sprintf("allowedMcpServers[%d]", i)
		switch {
		case strings.TrimSpace(m.Name) == "":
			return w.at(key, fmt.Sprintf("%q needs a \"name\" (a glob such as \"*\" matches any name)", key))
		case m.Command != "" && m.URL != "":
			return w.at(key, fmt.Sprintf("%q sets both \"command\" and \"url\"; a server has one or the other, so use two entries", key))
		}
	}
	s.DeniedTools, s.DeniedCommands, s.RequireApproval = f.DeniedTools, f.DeniedCommands, f.RequireApproval
	s.DisableTrustAll, s.AllowedModels, s.AllowedMCPServers = f.DisableTrustAll, f.AllowedModels, f.AllowedMCPServers
	if s.AllowedMCPServers == nil && w.has("allowedMcpServers") {
		s.AllowedMCPServers = []MCPServer{}
	}
	if f.AWS != nil {
		if err := s.applyAWS(f.AWS, w); err != nil {
			return err
		}
	}
	if f.Sandbox != nil {
		if err := s.applySandbox(f.Sandbox, w); err != nil {
			return err
		}
	}
	if f.Audit != nil {
		if err := s.applyAudit(f.Audit, w); err != nil {
			return err
		}
	}
	return nil
}

func (s *Settings) applyAWS(a *AWS, w *walker) error {
	if err := nonEmpty(w, "aws.policyFiles", a.PolicyFiles); err != nil {
		return err
	}
	s.AWS.PolicyFiles = s.resolveAll(a.PolicyFiles)
	for i, level := range a.SCPFiles {
		key := fmt.Sprintf("aws.scpFiles[%d]", i)
		if len(level) == 0 {
			return w.at(key, fmt.Sprintf("%q is an empty level: each level of the organisation lists at least one SCP file", key))
		}
		if err := nonEmpty(w, key, level); err != nil {
			return err
		}
		s.AWS.SCPFiles = append(s.AWS.SCPFiles, s.resolveAll(level))
	}
	if arn := a.AttributionRoleArn; arn != "" && !roleARN.MatchString(arn) {
		return w.at("aws.attributionRoleArn", fmt.Sprintf("%q is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)", arn))
	}
	s.AWS.AttributionRoleArn = a.AttributionRoleArn
	s.AWS.Context = a.Context
	return nil
}

func (s *Settings) applySandbox(b *Sandbox, w *walker) error {
	switch b.Mode {
	case "":
		b.Mode = ModeWorkspaceWrite
	case ModeWorkspaceWrite, ModeReadOnly:
	default:
		return w.at("sandbox.mode", fmt.Sprintf("\"sandbox.mode\" is %q; use %q or %q (remove the \"sandbox\" object for no sandbox)",
			b.Mode, ModeWorkspaceWrite, ModeReadOnly))
	}
	if err := nonEmpty(w, "sandbox.writablePaths", b.WritablePaths); err != nil {
		return err
	}
	b.WritablePaths = s.resolveAll(b.WritablePaths)
	s.Sandbox = *b
	return nil
}

func (s *Settings) applyAudit(a *Audit, w *walker) error {
	if w.has("audit.dir") && strings.TrimSpace(a.Dir) == "" {
		return w.at("audit.dir", `"audit.dir" is empty; remove it for the default directory`)
	}
	if w.has("audit.maxFileBytes") && a.MaxFileBytes < MinAuditFileBytes {
		return w.at("audit.maxFileBytes", fmt.Sprintf("\"audit.maxFileBytes\" is %d; it must be at least %d", a.MaxFileBytes, MinAuditFileBytes))
	}
	for _, k := range []struct{ key, val string }{{"audit.publicKey", a.PublicKey}, {"audit.keyFingerprint", a.KeyFingerprint}} {
		if !w.has(k.key) {
			continue
		}
		if _, _, err := audit.ParsePinnedKey(k.val); err != nil || k.key == "audit.keyFingerprint" && len(strings.TrimSpace(k.val)) != 32 {
			return w.at(k.key, fmt.Sprintf("%q is not an Ed25519 public key (PEM or base64) or a key fingerprint (32 hex digits)", k.key))
		}
	}
	if w.has("audit.digestSink") && a.DigestSink != "syslog" && !filepath.IsAbs(a.DigestSink) {
		return w.at("audit.digestSink", `"audit.digestSink" must be "syslog" or an absolute file path`)
	}
	if a.Dir != "" {
		a.Dir = s.resolve(a.Dir)
	}
	s.Audit = *a
	return nil
}

// nonEmpty rejects blank entries of the list at key: an empty pattern or
// path is always a mistake.
func nonEmpty(w *walker, key string, vals []string) error {
	for i, v := range vals {
		if strings.TrimSpace(v) == "" {
			k := fmt.Sprintf("%s[%d]", key, i)
			return w.at(k, fmt.Sprintf("%q is empty", k))
		}
	}
	return nil
}

// resolve makes p absolute against the folder of the managed file.
func (s *Settings) resolve(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(filepath.Dir(s.Path), p)
}

func (s *Settings) resolveAll(ps []string) []string {
	if ps == nil {
		return nil
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = s.resolve(p)
	}
	return out
}

// has reports whether the walk saw key.
func (w *walker) has(key string) bool {
	_, ok := w.pos[key]
	return ok
}

// unknownKey explains an unknown key, suggesting the nearest known one.
func unknownKey(full, key string, sh *shape) string {
	msg := fmt.Sprintf("unknown key %q", full)
	best, bestDist := "", 4
	for k := range sh.fields {
		d := editDistance(strings.ToLower(key), strings.ToLower(k))
		if d < bestDist || d == bestDist && k < best {
			best, bestDist = k, d
		}
	}
	if best != "" {
		return msg + fmt.Sprintf(" (did you mean %q?)", best)
	}
	known := make([]string, 0, len(sh.fields))
	for k := range sh.fields {
		known = append(known, k)
	}
	slices.Sort(known)
	return msg + " (known keys: " + strings.Join(known, ", ") + ")"
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}

// namesBuiltin reports whether a deniedTools or requireApproval pattern
// that addresses built-in tools (a bare name or glob, "@builtin/<pattern>")
// matches at least one of them under any of its names. Such a pattern
// matching none ("EXECUTE_BASH", an MCP tool's bare name) would be
// ignored; MCP references ("@server…") are not judged here.
func namesBuiltin(p string) bool {
	p = toolname.Pattern(p)
	if p == "@builtin" || p == "@builtin/" {
		return true
	}
	if strings.HasPrefix(p, "@") && !strings.HasPrefix(p, "@builtin/") {
		return true
	}
	p = strings.TrimPrefix(p, "@builtin/")
	for _, n := range toolname.Names() {
		if globMatch(p, toolname.Canonical(n)) {
			return true
		}
	}
	return false
}
