package awstest

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

func TestStartMotoRecordsUserAgents(t *testing.T) {
	m := StartMoto(t)
	if !strings.HasPrefix(m.URL, "http://127.0.0.1:") {
		t.Fatalf("URL = %q", m.URL)
	}
	req, _ := http.NewRequest("GET", m.URL+"/moto-api/", nil)
	req.Header.Set("User-Agent", "probe/1 exec-env/test")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d through the proxy", resp.StatusCode)
	}
	if got := m.UserAgents(); len(got) != 1 || got[0] != "probe/1 exec-env/test" {
		t.Errorf("UserAgents = %q", got)
	}
	env := m.Environ([]string{"HOME=/h", "AWS_PROFILE=prod", "AWS_SESSION_TOKEN=x"})
	joined := strings.Join(env, "\n")
	if strings.Contains(joined, "AWS_PROFILE") || strings.Contains(joined, "AWS_SESSION_TOKEN") || !strings.Contains(joined, "HOME=/h") ||
		!strings.Contains(joined, "AWS_ENDPOINT_URL="+m.URL) {
		t.Errorf("Environ = %q", env)
	}
	for _, kv := range env {
		if f, ok := strings.CutPrefix(kv, "AWS_CONFIG_FILE="); ok {
			if _, err := os.Stat(f); err != nil {
				t.Errorf("config file: %v", err)
			}
		}
	}
}

func TestRequestsRecordSignerAndForm(t *testing.T) {
	m := StartMoto(t)
	body := "Action=GetCallerIdentity&Version=2011-06-15&Tags.member.1.Key=qdev-ai"
	req, _ := http.NewRequest("POST", m.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20240101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	reply, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// moto must have received the body the proxy read.
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(reply), "GetCallerIdentityResult") {
		t.Fatalf("status %d: %s", resp.StatusCode, reply)
	}
	reqs := m.Requests()
	if len(reqs) != 1 {
		t.Fatalf("Requests = %+v", reqs)
	}
	r := reqs[0]
	if r.Method != "POST" || r.Path != "/" || r.AccessKeyID != "ASIAEXAMPLE" || r.Service != "sts" || r.Region != "us-east-1" {
		t.Errorf("request = %+v", r)
	}
	if r.Form.Get("Action") != "GetCallerIdentity" || r.Form.Get("Tags.member.1.Key") != "qdev-ai" {
		t.Errorf("Form = %v", r.Form)
	}
}

func TestCredentialScope(t *testing.T) {
	tests := []struct{ auth, key, region, service string }{
		{"AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/s3/aws4_request, SignedHeaders=host, Signature=ab", "AKID", "eu-west-1", "s3"},
		{"AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sts/aws4_request,SignedHeaders=host", "AKID", "us-east-1", "sts"},
		{"AWS4-HMAC-SHA256 Credential=AKID", "AKID", "", ""},
		{"Bearer xyz", "", "", ""},
		{"", "", "", ""},
	}
	for _, tt := range tests {
		key, region, service := credentialScope(tt.auth)
		if key != tt.key || region != tt.region || service != tt.service {
			t.Errorf("credentialScope(%q) = %q, %q, %q; want %q, %q, %q", tt.auth, key, region, service, tt.key, tt.region, tt.service)
		}
	}
}
