package awstest

import (
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
