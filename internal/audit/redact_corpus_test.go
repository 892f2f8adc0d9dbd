package audit

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// The redaction corpus: secrets in the formats their issuers use, in the
// places they turn up in tool calls (command lines, environment, JSON, YAML,
// URLs, prose), and look-alikes that must survive. Values are generated
// from a fixed seed, so a failure names the same case every run.

// corpusCase is one text and, for a secret, the part that must not survive.
type corpusCase struct {
	kind, text, secret string
}

type gen struct{ r *rand.Rand }

const (
	upperDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	alnum       = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	base64Chars = alnum + "+/"
	hexDigits   = "0123456789abcdef"
)

func (g gen) str(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

func (g gen) pick(s ...string) string { return s[g.r.IntN(len(s))] }

// password returns a password as people choose them: words, digits and
// punctuation that a shell does not need quoted.
func (g gen) password() string {
	w := g.pick("Summer", "hunter", "Tr0ub4dor", "correct", "Winter", "dragon", "Pa55", "letmein", "Qw3rty", "s3cr3t")
	return w + g.str("0123456789", 2+g.r.IntN(3)) + g.pick("!", "#", "%", "_", "") + g.str(alnum, 3+g.r.IntN(6))
}

// secretCases returns n cases of each secret generator.
func secretCases(g gen, n int) []corpusCase {
	var out []corpusCase
	add := func(kind string, f func() (text, secret string)) {
		for range n {
			text, secret := f()
			out = append(out, corpusCase{kind, text, secret})
		}
	}
	add("aws access key id", func() (string, string) {
		k := g.pick("AKIA", "ASIA") + g.str(upperDigits, 16)
		return g.pick("aws_access_key_id = ", "AccessKeyId: ", "export AWS_ACCESS_KEY_ID=", "key ") + k, k
	})
	add("aws secret key", func() (string, string) {
		k := g.str(base64Chars, 38) + g.str(alnum, 2)
		return g.pick("aws_secret_access_key = ", "export AWS_SECRET_ACCESS_KEY=", `{"SecretAccessKey": "`, "the secret is ", "aws configure set aws_secret_access_key ") + k, k
	})
	add("github token", func() (string, string) {
		k := g.pick("ghp_", "gho_", "ghs_", "ghu_", "ghr_") + g.str(alnum, 36)
		if g.r.IntN(3) == 0 {
			k = "github_pat_" + g.str(alnum, 22) + "_" + g.str(alnum, 59)
		}
		return g.pick("git push https://x:", "gh auth login --with-token <<< ", "token ", "") + k, k
	})
	add("gitlab token", func() (string, string) {
		k := "glpat-" + g.str(alnum+"_-", 20)
		return g.pick("curl --header 'PRIVATE-TOKEN: ", "use ", "GITLAB=") + k, k
	})
	add("npm token", func() (string, string) {
		k := "npm_" + g.str(alnum, 36)
		return g.pick("//registry.npmjs.org/:_authToken=", "npm token ", "NPM=") + k, k
	})
	add("slack token", func() (string, string) {
		k := g.pick("xoxb-", "xoxp-") + g.str("0123456789", 12) + "-" + g.str("0123456789", 13) + "-" + g.str(alnum, 24)
		if g.r.IntN(3) == 0 {
			k = "xapp-1-A" + g.str(upperDigits, 10) + "-" + g.str("0123456789", 13) + "-" + g.str(hexDigits, 64)
		}
		return g.pick("SLACK=", "slack bot ", `{"t":"`) + k, k
	})
	add("other service tokens", func() (string, string) {
		k := g.pick("hf_"+g.str(alnum, 34), "SG."+g.str(alnum, 22)+"."+g.str(alnum+"-_", 43), "hooks.slack.com/services/T"+g.str(upperDigits, 8)+"/B"+g.str(upperDigits, 8)+"/"+g.str(alnum, 24))
		return g.pick("HF=", "curl -X POST https://", "token ") + k, k
	})
	add("stripe key", func() (string, string) {
		k := g.pick("sk_live_", "rk_live_", "sk_test_", "rk_test_") + g.str(alnum, 24+g.r.IntN(75))
		return g.pick("curl https://api.stripe.com/v1/charges -u ", "STRIPE=", "stripe.api_key = '") + k, k
	})
	add("private key", func() (string, string) {
		typ := g.pick("RSA ", "EC ", "OPENSSH ", "ENCRYPTED ", "DSA ", "")
		body := g.str(base64Chars, 64) + "\n" + g.str(base64Chars, 64)
		return "cat > id <<EOF\n-----BEGIN " + typ + "PRIVATE KEY-----\n" + body + "\n-----END " + typ + "PRIVATE KEY-----\nEOF", body[:64]
	})
	add("jwt", func() (string, string) {
		k := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ" + g.str(alnum+"_-", 40) + "." + g.str(alnum+"_-", 43)
		return g.pick("curl -H 'X-Auth: ", "id_token=", "jwt ") + k, k
	})
	add("password on a command line", func() (string, string) {
		p := g.password()
		u := g.pick("root", "admin", "deploy", "bob")
		return g.pick(
			"mysql -u "+u+" -p"+p+" shop",
			"mysqldump -h db -u "+u+" -p"+p+" --all-databases",
			"mysql --user="+u+" --password="+p+" -e 'select 1'",
			"curl -u "+u+":"+p+" https://ci.example.com/api",
			"curl --user "+u+":"+p+" -X POST https://h/x",
			"sshpass -p "+p+" ssh "+u+"@10.0.0.5",
			"sshpass -p '"+p+"' scp f "+u+"@h:/tmp",
			"openssl enc -aes-256-cbc -pass pass:"+p+" -in a -out b",
			"openssl pkcs12 -export -passout pass:"+p+" -out c.p12",
			"redis-cli -h cache -a "+p+" ping",
			"htpasswd -b -c .htpasswd "+u+" "+p,
			"PGPASSWORD="+p+" psql -h db -U "+u,
			"psql postgresql://"+u+":"+p+"@db:5432/app",
			"docker login -u "+u+" -p "+p+" registry.example.com",
			"some-tool --password "+p,
			"htpasswd -nb "+u+" "+p,
			"redis-cli --pass "+p+" info",
			"mongosh -u "+u+" -p "+p+" mongodb://db",
			"machine api.example.com login "+u+" password "+p,
		), p
	})
	add("export of a secret name", func() (string, string) {
		v := g.password() + g.str(alnum, 8)
		name := g.pick("DB", "APP", "STRIPE", "SENTRY", "JWT", "ENCRYPTION", "OPENAI_API", "SIGNING") + g.pick("_SECRET", "_TOKEN", "_PASSWORD", "_KEY", "_API_KEY", "_PASS")
		q := g.pick("", `"`, "'")
		return g.pick("export ", "", "env ") + name + "=" + q + v + q, v
	})
	add("high-entropy value after a secret word", func() (string, string) {
		v := g.str(alnum, 10) + g.str("0123456789", 2) + g.str(base64Chars, 12)
		if g.r.IntN(9) == 0 { // userinfo cannot hold "/" or "+" unescaped
			v = g.str(alnum, 10) + g.str("0123456789", 2) + g.str(alnum, 12)
			return "https://deploy:" + v + "@git.example.com/repo.git", v
		}
		return g.pick(
			`{"client_secret": "`+v+`"}`,
			"db:\n  password: "+v+"\n",
			"license_key="+v,
			"API_TOKEN="+v,
			`"encryptionKey": "`+v+`"`,
			"token: "+v,
			"the password is "+v,
			"key "+v,
		), v
	})
	return out
}

// benignCases returns look-alikes that must come through unchanged.
func benignCases(g gen, n int) []corpusCase {
	var out []corpusCase
	add := func(kind string, f func() string) {
		for range n {
			out = append(out, corpusCase{kind: kind, text: f()})
		}
	}
	add("git sha", func() string { return g.pick("git checkout ", "commit ", "git show ") + g.str(hexDigits, 40) })
	add("uuid and digest", func() string {
		return g.pick("request id ", "docker pull app@sha256:", "x-request-id: ") + g.str(hexDigits, 8) + "-" + g.str(hexDigits, 4) + "-4" + g.str(hexDigits, 3) + "-a" + g.str(hexDigits, 3) + "-" + g.str(hexDigits, 12)
	})
	add("path", func() string {
		return "cat " + g.pick("/home/", "src/", "/var/lib/") + g.str("abcdefghij", 8) + "/" + g.pick("keyboard.go", "token_test.py", "secrets.md", "password_reset.html", "KeyManager.java")
	})
	add("prose", func() string {
		return g.pick("the keyboard layout is broken", "token count 12", "max_tokens: 4096", "Enter password:", "password: <prompt>",
			"AKIA is the prefix of long-term access keys", "secret santa list", "tokenizer v2 released", "the token has expired",
			"rotate the key every 90 days", "primary key (id)", "password reset link sent", "key: value", "input_tokens=1532")
	})
	add("version", func() string {
		return g.pick("go 1.", "node v", "python 3.", "v") + fmt.Sprint(g.r.IntN(30)) + "." + fmt.Sprint(g.r.IntN(20))
	})
	add("port and user options", func() string {
		return g.pick("ssh -p 2222 deploy@host", "docker run -p 8080:80 nginx", "mysql -u root -p shop", "psql -U postgres -h localhost",
			"curl -u admin https://h/api", "kubectl port-forward svc/web 8080:80", "htpasswd -c .htpasswd admin", "mongosh --port 27017",
			"redis-cli -p 6380 ping", "msg.send(user)", "machine learning pipeline", "docker run -u 1000:1000 alpine id", "mkdir -p /tmp/a/b", "sudo -u postgres psql")
	})
	add("placeholder", func() string {
		return g.pick("export API_KEY=YOUR_KEY_HERE", "export GITHUB_TOKEN=${GITHUB_TOKEN}", "PASSWORD=$PASSWORD ./run", "password: ****",
			"token=<redacted>", `{"password": "***"}`, "export DB_PASSWORD=$(cat /run/secrets/db)", "api_key: ${{ secrets.API_KEY }}", "SECRET_KEY=<your-secret-key>")
	})
	add("public or non-secret ids", func() string {
		return g.pick("pk_live_", "pk_test_") + g.str(alnum, 24)
	})
	add("names pointing at secrets", func() string {
		return g.pick("aws secretsmanager get-secret-value --secret-id prod/db", "--token-file /var/run/token", "export AWS_ACCESS_KEY_ID_FILE=/run/id",
			"kubectl get secret db-password -o yaml", "password_file=/etc/app/pw", "ssh-keygen -t ed25519 -f ~/.ssh/key")
	})
	add("base64 of text", func() string {
		return g.pick("echo aGVsbG8gd29ybGQK | base64 -d", "data: SGVsbG8sIFdvcmxkIQ==", "Y29uZmlnIGZpbGU=")
	})
	add("numbers after secret words", func() string {
		n := fmt.Sprint(g.r.IntN(100000))
		return g.pick("token count ", "max_tokens=", "--max-tokens ", "password_length=", "key id ", "ssh -p ", "docker run -p ", "secret_version: ", "token_ttl=", "key_size=") + n
	})
	add("words containing secret words", func() string {
		return g.pick("keyword", "keynote", "monkey", "turkey", "passport", "bypass", "compass", "passenger", "tokenize", "secretary", "hotkey", "donkey") +
			" " + g.pick("list", "count", "check", "index") + " " + fmt.Sprint(g.r.IntN(1000))
	})
	add("hashes and ids", func() string {
		return g.pick("md5 ", "etag: ", "sha256:", "key "+g.pick("id ", "ARN arn:aws:kms:us-east-1:123456789012:key/")) + g.str(hexDigits, 32)
	})
	add("s3 keys and arns", func() string {
		return g.pick("aws s3 cp s3://bucket/", "s3 object key reports/", "arn:aws:iam::123456789012:role/") + g.pick("data", "Deploy", "app") + "-" + fmt.Sprint(g.r.IntN(10000)) + g.pick(".csv", "", ".json")
	})
	add("identifiers", func() string {
		return g.pick("ThisIsAVeryLongCamelCaseIdentifierNameXY", "func handleTokenRefresh(ctx context.Context)", "class PasswordValidator:", "const keyLength = 32")
	})
	return out
}

func TestRedactionCorpus(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(1, 2))}
	secrets, benign := secretCases(g, 18), benignCases(g, 20)
	if len(secrets) < 200 || len(benign) < 200 {
		t.Fatalf("corpus has %d secrets and %d look-alikes; want at least 200 of each", len(secrets), len(benign))
	}
	var missed, altered []string
	for _, c := range secrets {
		if out := RedactString(c.text); strings.Contains(out, c.secret) {
			missed = append(missed, fmt.Sprintf("%s: %q -> %q", c.kind, c.text, out))
		}
	}
	for _, c := range benign {
		if out := RedactString(c.text); out != c.text {
			altered = append(altered, fmt.Sprintf("%s: %q -> %q", c.kind, c.text, out))
		}
	}
	recall := 1 - float64(len(missed))/float64(len(secrets))
	falsePos := float64(len(altered)) / float64(len(benign))
	t.Logf("%d secrets, %d look-alikes: recall %.4f, false positives %.4f", len(secrets), len(benign), recall, falsePos)
	if recall < 0.99 || falsePos > 0.01 {
		t.Errorf("recall %.3f (want >= 0.99), false positives %.3f (want <= 0.01)\nmissed:\n%s\naltered:\n%s",
			recall, falsePos, strings.Join(missed, "\n"), strings.Join(altered, "\n"))
	}
}
