package openai

import "testing"

func TestNewConfig(t *testing.T) {
	cases := []struct {
		name            string
		env             map[string]string
		opts            Options
		ollama          bool
		wantErr         string
		wantName, wantU string
	}{
		{name: "no key for openai", env: map[string]string{"OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""},
			wantErr: "openai: OPENAI_API_KEY is not set"},
		{name: "key from env", env: map[string]string{"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": ""},
			wantName: "openai", wantU: DefaultBaseURL},
		{name: "custom base needs no key", env: map[string]string{"OPENAI_API_KEY": "", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1/"},
			wantName: "openai", wantU: "http://127.0.0.1:9/v1"},
		{name: "options win over env", env: map[string]string{"OPENAI_API_KEY": "", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"},
			opts: Options{BaseURL: "http://127.0.0.1:8/x", ProviderName: "gateway"}, wantName: "gateway", wantU: "http://127.0.0.1:8/x"},
		{name: "bad base URL", env: map[string]string{"OPENAI_BASE_URL": "localhost:8080"},
			wantErr: `openai: base URL "localhost:8080" is not an http(s) URL`},
		{name: "ollama default", env: map[string]string{"OLLAMA_HOST": ""}, ollama: true,
			wantName: "ollama", wantU: DefaultOllamaBaseURL},
		{name: "ollama host and port", env: map[string]string{"OLLAMA_HOST": "gpu.lan:1234"}, ollama: true,
			wantName: "ollama", wantU: "http://gpu.lan:1234/v1"},
		{name: "ollama host only", env: map[string]string{"OLLAMA_HOST": "https://gpu.example"}, ollama: true,
			wantName: "ollama", wantU: "https://gpu.example:11434/v1"},
		{name: "ollama options win", env: map[string]string{"OLLAMA_HOST": "gpu:1"}, ollama: true,
			opts: Options{BaseURL: "http://127.0.0.1:7/v1"}, wantName: "ollama", wantU: "http://127.0.0.1:7/v1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			var cl *Client
			var err error
			if c.ollama {
				cl, err = NewOllama(c.opts)
			} else {
				cl, err = New(c.opts)
			}
			if c.wantErr != "" {
				if err == nil || err.Error() != c.wantErr {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cl.Name() != c.wantName || cl.endpoint.URL != c.wantU {
				t.Errorf("name %q base %q, want %q %q", cl.Name(), cl.endpoint.URL, c.wantName, c.wantU)
			}
		})
	}
}
