package audit

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// redactAll is RedactString without its filters: every rule runs.
func redactAll(s string) string {
	for _, r := range rules() {
		s = r.apply(s)
	}
	return secretKeyShape().ReplaceAllStringFunc(s, func(m string) string {
		if len(m) == 40 && looksRandom(m) {
			return Mask
		}
		return m
	})
}

// redactFragments combine into text with and without secrets, including
// non-ASCII letters that case-insensitive matching folds onto ASCII ones
// (the long s, the Kelvin sign).
var redactFragments = []string{
	"ls -la", " ", "=", ": ", `"`, "'", "\n", "--", "-", "_", ".", "/", "+", "@", "://",
	"password", "PassWord", "secret", "tOkEn", "api_key", "api-KEY", "credential", "signature",
	"private_key", "Authorization", "bearer", "x-amz-", "auth", "pass", "cookie",
	"ſecret", "to\u212aen", "é", "hunter2", "s3cr3t", "user:pw@host",
	accessKey, tempKey, secretAccessKey, sessionToken, ghToken, jwt,
	"-----BEGIN RSA PRIVATE KEY-----", "-----END RSA PRIVATE KEY-----",
	"sk-ant-api03-abcdefghijklmnopqrstuvwxyz", "xoxb-1234567890abc", "AIzaSyA1234567890abcdefghijklmnopqrstu",
	strings.Repeat("Ab1/", 11), strings.Repeat("x", 39), "github_pat_abcdefghijklmnopqrstuvwxyz",
	"mysql -u root -p", "curl -u bob:", "sshpass -p ", "-passin pass:", "redis-cli -a ", "docker login -p ",
	"htpasswd -b f u ", "STRIPE_KEY=", "glpat-abcdefghij0123456789", "npm_abcdefghijklmnopqrstuvwxyz0123456789",
	"sk_live_abcdefghij0123456789", "xapp-1-A0123456789-abc", "key ", "is ", "Gqp1v3ZGF198MsJb25Es4Wki", "$TOKEN", "<hint>",
	"htpasswd -nb u ", "redis-cli --pass ", "mongosh -p ", "machine h login u password ", "hf_abcdefghijklmnopqrstuvwxyz01234567",
	"SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuv", "hooks.slack.com/services/T0/B0/x",
}

func randomText(rng *rand.Rand) string {
	var b strings.Builder
	for range 1 + rng.IntN(8) {
		b.WriteString(redactFragments[rng.IntN(len(redactFragments))])
	}
	return b.String()
}

func TestRedactFiltersChangeNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		checkRedactFilters(t, randomText(rng), randomText(rng))
	}
}

// checkRedactFilters fails unless the filtered redaction of s equals the
// unfiltered one, and unless documents built from s and k that the
// document filter passes as plain are indeed left unchanged.
func checkRedactFilters(t *testing.T, s, k string) {
	t.Helper()
	if got, want := RedactString(s), redactAll(s); got != want {
		t.Fatalf("RedactString(%q) = %q, without filters %q", s, got, want)
	}
	docs := [][]byte{[]byte(s)}
	for _, v := range []any{map[string]string{k: s}, map[string]any{k: []any{s, 12}}, s} {
		doc, _ := json.Marshal(v)
		docs = append(docs, doc)
	}
	for _, doc := range docs {
		if plainDocument(doc) {
			if out := redactDocument(doc); string(out) != string(doc) {
				t.Fatalf("plainDocument(%s) but redaction gives %s", doc, out)
			}
		}
	}
}

func TestPlainDocumentsSkipDecoding(t *testing.T) {
	for doc, want := range map[string]bool{
		`{"command":"go test ./...","summary":"run tests"}`: true,
		`{"path":"README.md","mode":"Line"}`:                true,
		`{"pass_word":"x"}`:                                 false, // a secret's name with separators
		`{"c-o-o-k-i-e":"x"}`:                               false,
		`{"command":"echo \u0041KIA"}`:                      false, // escapes hide text
		`{"command":"` + accessKey + `"}`:                   false,
		`{"a":1} {"b":2}`:                                   false, // not one value
		`{"note":"café"}`:                                   false, // non-ASCII
	} {
		if got := plainDocument([]byte(doc)); got != want {
			t.Errorf("plainDocument(%s) = %v, want %v", doc, got, want)
		}
	}
}

func FuzzRedactFilters(f *testing.F) {
	for _, s := range redactFragments {
		f.Add(s, "password")
	}
	f.Add("export AWS_SECRET_ACCESS_KEY="+secretAccessKey, "key")
	f.Fuzz(func(t *testing.T, s, k string) {
		checkRedactFilters(t, s, k)
	})
}

// TestFilterFoldCoversCaseFolding: every non-ASCII letter that Go's
// case-insensitive matching equates with an ASCII letter is one filterFold
// maps onto it.
func TestFilterFoldCoversCaseFolding(t *testing.T) {
	for c := 'a'; c <= 'z'; c++ {
		for r := unicode.SimpleFold(c); r != c; r = unicode.SimpleFold(r) {
			if r < utf8.RuneSelf {
				continue
			}
			if got := filterFold(string(r)); got != string(c) {
				t.Errorf("%q (%U) folds to %q, but filterFold gives %q", r, r, c, got)
			}
		}
	}
	if got := filterFold("ÀB\xffſ\u212a-Z"); got != "\x80b\x80sk-z" {
		t.Errorf("filterFold = %q", got)
	}
}
