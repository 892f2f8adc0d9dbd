package audit

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"sync"
)

// Mask replaces every redacted secret, as CloudTrail writes it.
const Mask = "***"

// secretWords are the parts of a parameter name that mark its value as a
// secret, compared after lowercasing and dropping "-", "_", "." and spaces.
var secretWords = []string{
	"password", "passwd", "passphrase", "secret", "token", "apikey",
	"authorization", "credential", "privatekey", "cookie", "signature",
	"sessionkey", "clientkey",
}

// notSecretSuffixes end names that contain a secret word but only describe
// or point at a secret; keeping them makes the trail say which secret was
// used (secretsmanager's SecretId, a model's maxTokens).
var notSecretSuffixes = []string{
	"id", "ids", "arn", "arns", "name", "names", "type", "count", "tokens",
	"limit", "usage", "length", "expiration", "ttl", "policy", "enabled",
	"file", "path", "dir", "version", "size",
}

// SecretName reports whether a parameter, field or attribute named name
// holds a secret ("password", "client_secret", but not "secret_id").
func SecretName(name string) bool { return secretKey(name) }

// secretKey reports whether a parameter named k holds a secret.
func secretKey(k string) bool {
	n := strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', '.', ' ':
			return -1
		}
		return r
	}, strings.ToLower(k))
	if n == "auth" || n == "pass" {
		return true
	}
	for _, s := range notSecretSuffixes {
		if strings.HasSuffix(n, s) && n != s {
			return false
		}
	}
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// RedactJSON returns doc with secrets replaced by Mask: the values of
// parameters whose names mark them as secrets, and secrets found by
// RedactString in any string. A document that is not valid JSON comes back
// as a JSON string of its redacted text, so a record always stays valid.
func RedactJSON(doc json.RawMessage) json.RawMessage {
	if len(bytes.TrimSpace(doc)) == 0 {
		return nil
	}
	if plainDocument(doc) {
		return doc
	}
	return redactDocument(doc)
}

// redactDocument is RedactJSON without its shortcut for plain documents.
func redactDocument(doc json.RawMessage) json.RawMessage {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		out, _ := json.Marshal(RedactString(string(doc)))
		return out
	}
	v, changed := redactValue(v, false)
	if !changed {
		return doc
	}
	out, err := json.Marshal(v)
	if err != nil { // unreachable: v came from JSON
		out, _ = json.Marshal(Mask)
	}
	return out
}

// redactValue redacts v; under a secret name every string and number is
// masked. It reports whether anything changed.
func redactValue(v any, secret bool) (any, bool) {
	switch x := v.(type) {
	case string:
		if secret {
			return Mask, x != Mask
		}
		r := RedactString(x)
		return r, r != x
	case json.Number:
		if secret {
			return Mask, true
		}
	case map[string]any:
		changed := false
		for k, e := range x {
			if r, c := redactValue(e, secret || secretKey(k)); c {
				x[k], changed = r, true
			}
		}
		return x, changed
	case []any:
		changed := false
		for i, e := range x {
			if r, c := redactValue(e, secret); c {
				x[i], changed = r, true
			}
		}
		return x, changed
	}
	return v, false
}

// redactRecord redacts the record's documents and free-text fields in place.
func redactRecord(r *Record) {
	r.RequestParameters = RedactJSON(r.RequestParameters)
	r.ResponseElements = RedactJSON(r.ResponseElements)
	for _, s := range []*string{
		&r.ErrorCode, &r.ErrorMessage, &r.UserAgent, &r.Rule,
		&r.UserIdentity.AccessKeyID, &r.UserIdentity.UserName,
		&r.UserIdentity.PrincipalID, &r.UserIdentity.ARN,
	} {
		*s = RedactString(*s)
	}
}

// A rule finds one kind of secret in text and rewrites each match.
type rule struct {
	re      *regexp.Regexp
	replace func(m []string) string
	// words are lowercase strings one of which every match contains,
	// ignoring ASCII case: text without any cannot match (see candidates).
	words []string
}

// apply rewrites every match of r in s. Unlike ReplaceAllStringFunc it hands
// the replacement the groups of the match as found in s, not as re-matched
// out of context.
func (r rule) apply(s string) string {
	locs := r.re.FindAllStringSubmatchIndex(s, -1)
	if locs == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, loc := range locs {
		m := make([]string, len(loc)/2)
		for i := range m {
			if loc[2*i] >= 0 {
				m[i] = s[loc[2*i]:loc[2*i+1]]
			}
		}
		b.WriteString(s[last:loc[0]])
		b.WriteString(r.replace(m))
		last = loc[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// masked keeps the first capture groups of a match and masks the rest.
func masked(keep int) func([]string) string {
	return func(m []string) string {
		return strings.Join(m[1:1+keep], "") + Mask
	}
}

// rules run in order; earlier ones consume what later ones would half-see
// (a whole Authorization header before its bearer token). They are
// compiled on first use, keeping regexp compilation off q's start-up.
var rules = sync.OnceValue(func() []rule {
	return []rule{
		{regexp.MustCompile(`(?s)-----BEGIN[A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----.*?(?:-----END[A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----|\z)`),
			func([]string) string { return "-----BEGIN PRIVATE KEY-----" + Mask + "-----END PRIVATE KEY-----" },
			[]string{"private key"}},
		// The password may hold "#" and "?" that its writer failed to
		// escape; a "/" or "@" would end it.
		{regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.\-]*://[^\s/?#@:'"]*):[^\s/@'"]+@`),
			func(m []string) string { return m[1] + ":" + Mask + "@" }, []string{"://"}},
		{regexp.MustCompile(`(?i)\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?)[^"'\r\n]+`), masked(1), []string{"authorization"}},
		{regexp.MustCompile(`(?i)\b(bearer\s+)[A-Za-z0-9\-._~+/]+=*`), masked(1), []string{"bearer"}},
		{regexp.MustCompile(`(?i)(["']?)([A-Za-z0-9_.\-]*(?:password|passwd|passphrase|secret|token|api[_\-]?key|credential|private[_\-]?key|signature)[A-Za-z0-9_.\-]*)(["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s"'&,;]+)`),
			func(m []string) string { return assignment(m[0], m[1]+m[2]+m[3], m[2], m[4]) },
			[]string{"pass", "secret", "token", "api", "credential", "private", "signature"}},
		// Environment names that end like a key or password.
		{regexp.MustCompile(`\b([A-Z][A-Z0-9_]*_(?:KEY|PASS|PWD|PASSWD)=)("[^"]*"|'[^']*'|[^\s"'&;|]+)`),
			func(m []string) string { return maskValue(m[0], m[1], m[2]) },
			[]string{"_key=", "_pass=", "_pwd=", "_passwd="}},
		{regexp.MustCompile(`(?i)(--?[A-Za-z0-9_\-]*(?:password|passwd|passphrase|secret|token|api-?key|credential)[A-Za-z0-9_\-]*)(\s+)("[^"]*"|'[^']*'|[^\s"'-][^\s"']*)`),
			func(m []string) string { return assignment(m[0], m[1]+m[2], m[1], m[3]) },
			[]string{"pass", "secret", "token", "api", "credential"}},
		{regexp.MustCompile(`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`), masked(0), []string{"akia", "asia"}},
		{regexp.MustCompile(`(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz)[A-Za-z0-9/+=]+`), masked(0),
			[]string{"iqojb3jpz2lu", "fwogzxivyxdz", "fqogzxivyxdz"}},
		{regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,}|xox[abprse]-[A-Za-z0-9\-]{10,}|xapp-[0-9]-[A-Za-z0-9\-]{10,}|AIza[0-9A-Za-z_\-]{35}|sk-(?:ant-|proj-)?[A-Za-z0-9_\-]{20,}|gl(?:pat|dt|rt|ptt|soat)-[A-Za-z0-9_\-]{20,}|npm_[A-Za-z0-9]{36}|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9]{24,}|hf_[A-Za-z0-9]{30,}|SG\.[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}|hooks\.slack\.com/services/[A-Za-z0-9/]+)`), masked(0),
			[]string{"gh", "github_pat_", "xox", "xapp-", "aiza", "sk-", "glpat-", "gldt-", "glrt-", "glptt-", "glsoat-", "npm_", "sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_", "hf_", "sg.", "hooks.slack.com"}},
		// Passwords given to commands by options that do not say
		// "password": each rule names its command, since the same option
		// means something else elsewhere (-p is a port to ssh, -u a uid to
		// docker).
		{regexp.MustCompile(`\b((?i:mysql|mysqldump|mysqladmin|mysqlimport|mysqlshow|mysqlcheck|mariadb|mariadb-dump)\b[^\n|;&]*?\s-p)("[^"]*"|'[^']*'|[^\s"']\S*)`),
			masked(1), []string{"mysql", "mariadb"}},
		{regexp.MustCompile(`\b(curl\b[^\n|;&]*?\s(?:-u|--user|--proxy-user|-U)\s*["']?[^\s:'"]+:)([^\s'"]+)`), masked(1), []string{"curl"}},
		{regexp.MustCompile(`\b(sshpass\b[^\n|;&]*?\s-p\s*)("[^"]*"|'[^']*'|\S+)`), masked(1), []string{"sshpass"}},
		{regexp.MustCompile(`(-pass(?:in|out)?\s+["']?pass:)([^\s'"]+)`), masked(1), []string{"pass:"}},
		{regexp.MustCompile(`\b(redis-cli\b[^\n|;&]*?\s(?:-a|--pass)\s+)("[^"]*"|'[^']*'|\S+)`), masked(1), []string{"redis-cli"}},
		{regexp.MustCompile(`\b((?i:mongo|mongosh|mongodump|mongorestore|mongoexport|mongoimport)\b[^\n|;&]*?\s-p\s*)("[^"]*"|'[^']*'|[^\s"'-]\S*)`),
			masked(1), []string{"mongo"}},
		// .netrc lines, which curl, git and ftp read.
		{regexp.MustCompile(`(\bmachine\s+\S+(?:\s+login\s+\S+)?\s+password\s+)(\S+)`), masked(1), []string{"machine"}},
		{regexp.MustCompile(`\b(login\b[^\n|;&]*?\s-p\s+)("[^"]*"|'[^']*'|[^\s"'-]\S*)`), masked(1), []string{"login"}},
		{regexp.MustCompile(`\b(htpasswd\s+((?:-[A-Za-z]+\s+)+))(\S+)(\s+)(\S+)(?:(\s+)(\S+))?`),
			htpasswd, []string{"htpasswd"}},
		{regexp.MustCompile(`\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}`), masked(0), []string{"eyj"}},
		// A random-looking value after a word that names a secret, in
		// prose ("the password is ...") or under a name the rules above
		// do not take whole ("license_key", "encryptionKey").
		{regexp.MustCompile(`(?i)\b([a-z0-9_.\-]*(?:password|passwd|passphrase|secret|token|key)[a-z0-9_.\-]*["']?(?:\s*[:=]\s*|\s+(?:is\s+|was\s+)?)["']?)([^\s"'<>&,;]{12,})`),
			func(m []string) string {
				if !highEntropy(m[2]) {
					return m[0]
				}
				return m[1] + Mask
			}, []string{"pass", "secret", "token", "key"}},
	}
})

// htpasswd masks the password of "htpasswd -b [-c] FILE USER PASSWORD" and
// "htpasswd -nb USER PASSWORD"; without -b the password is prompted for.
func htpasswd(m []string) string {
	opts, arg1, sp1, arg2, sp2, arg3 := m[2], m[3], m[4], m[5], m[6], m[7]
	switch {
	case !strings.Contains(opts, "b"):
		return m[0]
	case strings.Contains(opts, "n"):
		return m[1] + arg1 + sp1 + Mask + sp2 + arg3
	case arg3 != "":
		return m[1] + arg1 + sp1 + arg2 + sp2 + Mask
	}
	return m[0]
}

// assignment masks value in "name = value" unless name only points at a
// secret (see secretKey) or the value is already masked.
func assignment(whole, prefix, name, value string) string {
	if !secretKey(strings.Trim(name, `"'`)) {
		return whole
	}
	return maskValue(whole, prefix, value)
}

// secretKeyShape finds candidates for AWS secret access keys: 40 characters
// of the base64 alphabet standing alone.
var secretKeyShape = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[A-Za-z0-9/+]{40,}`) })

// RedactString returns s with the secrets it can recognise replaced by Mask:
// AWS access key IDs, secret access keys and session tokens, bearer tokens and
// Authorization headers, name=value and --flag value pairs whose name marks a
// secret, private key blocks, passwords in URLs, and well-known API token
// formats (GitHub, Slack, OpenAI, Anthropic, Google, JWTs).
func RedactString(s string) string {
	x := ruleIndex()
	may := x.candidates(filterFold(s))
	for i, r := range rules() {
		if may&(1<<i) == 0 {
			continue
		}
		if out := r.apply(s); out != s {
			s = out
			may = x.candidates(filterFold(s))
		}
	}
	if !hasKeyRun(s) {
		return s
	}
	return secretKeyShape().ReplaceAllStringFunc(s, func(m string) string {
		if len(m) == 40 && looksRandom(m) {
			return Mask
		}
		return m
	})
}
