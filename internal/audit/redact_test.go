package audit

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Example credentials from AWS's documentation and made-up tokens.
const (
	accessKey       = "AKIAIOSFODNN7EXAMPLE"
	tempKey         = "ASIAY34FZKBOKMUTVV7A"
	secretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	sessionToken    = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6EXAMPLE="
	ghToken         = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"
	jwt             = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
)

func TestRedactString(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"access key id", "aws configure set aws_access_key_id " + accessKey, "aws configure set aws_access_key_id ***"},
		{"temporary access key id", "key=" + tempKey + ".", "key=***."},
		{"secret key assignment", "export AWS_SECRET_ACCESS_KEY=" + secretAccessKey, "export AWS_SECRET_ACCESS_KEY=***"},
		{"bare secret key", "the key " + secretAccessKey + " leaked", "the key *** leaked"},
		{"session token assignment", "aws_session_token = " + sessionToken, "aws_session_token = ***"},
		{"bare session token", "use " + sessionToken, "use ***"},
		{"authorization header", `curl -H 'Authorization: Bearer ` + jwt + `' https://api`, `curl -H 'Authorization: ***' https://api`},
		{"bearer token", "token type Bearer abc.DEF-123_x~", "token type Bearer ***"},
		{"jwt alone", "id " + jwt, "id ***"},
		{"password flag", "mysql --password hunter2 -u root", "mysql --password *** -u root"},
		{"password flag with =", "psql --password=hunter2", "psql --password=***"},
		{"password in JSON text", `{"password": "hunter2", "user": "bob"}`, `{"password": "***", "user": "bob"}`},
		{"api key YAML", `api_key: "abc123"`, `api_key: "***"`},
		{"client secret env", "CLIENT_SECRET=s3cr3t ./run", "CLIENT_SECRET=*** ./run"},
		{"github token", "GITHUB_TOKEN=" + ghToken + " gh pr list", "GITHUB_TOKEN=*** gh pr list"},
		{"github token alone", "push with " + ghToken, "push with ***"},
		{"fine-grained github token alone", "clone with github_pat_11ABCDEFG0123456789_abcdefghij", "clone with ***"},
		{"anthropic key", "x sk-ant-api03-abcdefghijklmnopqrstuvwxyz", "x ***"},
		{"url with password", "git clone https://user:s3cr3t@github.com/org/repo.git", "git clone https://user:***@github.com/org/repo.git"},
		{"database url", "DATABASE_URL=postgres://admin:pa55word@db:5432/app", "DATABASE_URL=postgres://admin:***@db:5432/app"},
		{"presigned url", "https://b.s3.amazonaws.com/k?X-Amz-Credential=" + accessKey + "%2F20250101&X-Amz-Signature=abcdef0123&X-Amz-Security-Token=FwoGZXIvYXdzEXAMPLE",
			"https://b.s3.amazonaws.com/k?X-Amz-Credential=***&X-Amz-Signature=***&X-Amz-Security-Token=***"},
		{"private key", "key: -----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAK\n-----END RSA PRIVATE KEY-----\nafter",
			"key: -----BEGIN PRIVATE KEY-----***-----END PRIVATE KEY-----\nafter"},
		{"truncated private key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXkt", "-----BEGIN PRIVATE KEY-----***-----END PRIVATE KEY-----"},
		// What must survive: it names a secret without being one, or only
		// looks like one.
		{"secret id kept", "aws secretsmanager get-secret-value --secret-id prod/db", "aws secretsmanager get-secret-value --secret-id prod/db"},
		{"git hash kept", "git checkout 3f786850e387550fdab836ed7e6dc881de23001b", "git checkout 3f786850e387550fdab836ed7e6dc881de23001b"},
		{"max tokens kept", "max_tokens=4096", "max_tokens=4096"},
		{"long path kept", "cat src/main/java/com/example/app/Main.java", "cat src/main/java/com/example/app/Main.java"},
		{"ssh user kept", "git clone ssh://git@github.com/org/repo", "git clone ssh://git@github.com/org/repo"},
		{"plain command kept", "ls -la /home/user && echo done", "ls -la /home/user && echo done"},
		{"camel case identifier kept", "ThisIsAVeryLongCamelCaseIdentifierNameXY", "ThisIsAVeryLongCamelCaseIdentifierNameXY"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := RedactString(tc.in); got != tc.want {
				t.Errorf("RedactString(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRedactJSON(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"password field", `{"user":"bob","password":"x"}`, `{"password":"***","user":"bob"}`},
		{"secret string kept id", `{"SecretId":"prod/db","SecretString":"{\"pw\":\"x\"}"}`, `{"SecretId":"prod/db","SecretString":"***"}`},
		{"nested header", `{"headers":{"Authorization":"Bearer abc","Accept":"json"}}`, `{"headers":{"Accept":"json","Authorization":"***"}}`},
		{"everything under a secret name", `{"Credentials":{"AccessKeyId":"x","Expiration":"2025"}}`, `{"Credentials":{"AccessKeyId":"***","Expiration":"***"}}`},
		{"numbers: token masked, maxTokens kept", `{"maxTokens":100,"token":1234,"secret":true}`, `{"maxTokens":100,"secret":true,"token":"***"}`},
		{"secret inside a value", `{"command":"echo ` + accessKey + `"}`, `{"command":"echo ***"}`},
		{"arrays", `{"args":["--token","abc","ok"],"keys":["` + accessKey + `"]}`, `{"args":["--token","abc","ok"],"keys":["***"]}`},
		{"unchanged document keeps its bytes", `{"b": 1, "a": [true, null]}`, `{"b": 1, "a": [true, null]}`},
		{"not JSON becomes a redacted string", `password=abc`, `"password=***"`},
		{"empty", ``, ``},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(RedactJSON(json.RawMessage(tc.in))); got != tc.want {
				t.Errorf("RedactJSON(%s)\n got %s\nwant %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestSecretsNeverReachTheTrail(t *testing.T) {
	tr, dir := openTrail(t, newClock("2025-03-04T10:00:00Z"), 0)
	secrets := []string{accessKey, tempKey, secretAccessKey, sessionToken, ghToken, jwt, "hunter2"}
	mustAppend(t, tr, Record{
		Tool: "use_aws", EventSource: AWSEventSource("sts"), EventName: "GetSessionToken", Decision: "allow",
		UserIdentity:      UserIdentity{Type: "IAMUser", AccessKeyID: accessKey},
		RequestParameters: json.RawMessage(`{"command":"deploy --password hunter2 --key ` + secretAccessKey + `"}`),
		ResponseElements:  json.RawMessage(`{"credentials":{"accessKeyId":"` + tempKey + `","sessionToken":"` + sessionToken + `"}}`),
		ErrorMessage:      "denied for Bearer " + jwt + " using " + ghToken,
	})
	data, err := os.ReadFile(filepath.Join(dir, logNames(t, dir)[0]))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if strings.Contains(string(data), s) {
			t.Errorf("secret %q written to the trail: %s", s, data)
		}
	}
	mustOK(t, Verify(dir, time.Time{}, time.Time{}))
}

func TestOversizedFieldsAreCut(t *testing.T) {
	tr, dir := openTrail(t, newClock("2025-03-04T10:00:00Z"), 0)
	big, _ := json.Marshal(map[string]string{"content": strings.Repeat("x", 200<<10)})
	mustAppend(t, tr, Record{Tool: "fs_write", Decision: "allow", RequestParameters: big, ErrorMessage: strings.Repeat("é", 1000)})
	recs, err := Lookup(dir, Filter{})
	if err != nil || len(recs) != 1 {
		t.Fatalf("Lookup = %v, %v", recs, err)
	}
	r := recs[0]
	if len(r.RequestParameters) > 200 || !strings.Contains(string(r.RequestParameters), "qdevOmitted") {
		t.Errorf("requestParameters not replaced: %.200s", r.RequestParameters)
	}
	if len(r.ErrorMessage) > 1024 || !strings.HasPrefix(r.ErrorMessage, "éé") || strings.ContainsRune(r.ErrorMessage, '\uFFFD') {
		t.Errorf("errorMessage cut badly: %d bytes", len(r.ErrorMessage))
	}
}
