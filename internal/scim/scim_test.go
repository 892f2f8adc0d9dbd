package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/qdev/qdev/internal/apikey"
	"github.com/qdev/qdev/internal/server"
	"github.com/qdev/qdev/internal/serverstore"
	"github.com/qdev/qdev/internal/serverstore/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// replica is one q server over a shared store.
type replica struct {
	t    *testing.T
	url  string
	logs *syncBuffer
}

// fixture is an organisation with an administrator, a SCIM token, and two
// replicas serving it from their own connections to one database.
type fixture struct {
	*replica
	other *replica
	store *serverstore.Store
	admin string // the administrator's API key
	token string // a SCIM token
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func onBothStores(t *testing.T, test func(*testing.T, *fixture)) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) { test(t, newFixture(t, b.NewDB)) })
	}
}

func newFixture(t *testing.T, newDB storetest.NewDB) *fixture {
	t.Helper()
	opts := newDB(t)
	st := storetest.Open(t, opts)
	f := &fixture{store: st, admin: apikey.New(), token: apikey.New()}
	ctx := context.Background()
	if _, err := st.Initialise(ctx, "admin@example.com", apikey.Store(f.admin)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateSCIMToken(ctx, "okta", apikey.Store(f.token)); err != nil {
		t.Fatal(err)
	}
	f.replica = startReplica(t, st)
	f.other = startReplica(t, storetest.Open(t, opts))
	return f
}

func startReplica(t *testing.T, st *serverstore.Store) *replica {
	logs := &syncBuffer{}
	hs := httptest.NewServer(server.New(st, slog.New(slog.NewTextHandler(logs, nil))).Handler())
	t.Cleanup(hs.Close)
	return &replica{t: t, url: hs.URL, logs: logs}
}

// call sends body to method path with the bearer token key and returns the
// status and the decoded body (nil when empty).
func (r *replica) call(key, method, path, body string) (int, map[string]any) {
	r.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, r.url+path, rd)
	if err != nil {
		r.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if len(b) == 0 {
		return resp.StatusCode, nil
	}
	if strings.HasPrefix(path, "/scim/") && resp.Header.Get("Content-Type") != "application/scim+json" {
		r.t.Errorf("%s %s: Content-Type %q", method, path, resp.Header.Get("Content-Type"))
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		r.t.Fatalf("%s %s = %d, not a JSON object: %s", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode, v
}

// scimCall is call under /scim/v2 with token, failing unless the status
// is want; an error must be a SCIM error message.
func (r *replica) scimCall(token, method, path, body string, want int) map[string]any {
	r.t.Helper()
	code, v := r.call(token, method, "/scim/v2"+path, body)
	if code != want {
		r.t.Fatalf("%s %s %.200s = %d %v, want %d", method, path, body, code, v, want)
	}
	if code >= 400 {
		checkError(r.t, v, code)
	}
	return v
}

// scim is scimCall on the first replica with the fixture's SCIM token.
func (f *fixture) scim(method, path, body string, want int) map[string]any {
	f.t.Helper()
	return f.scimCall(f.token, method, path, body, want)
}

// apiKey makes an API key for the user with email.
func (f *fixture) apiKey(email string) string {
	f.t.Helper()
	key := apikey.New()
	if _, err := f.store.CreateAPIKey(context.Background(), email, "k", apikey.Store(key), nil); err != nil {
		f.t.Fatal(err)
	}
	return key
}

// expectMe checks the status of GET /v1/me with key.
func (r *replica) expectMe(key string, want int) {
	r.t.Helper()
	if code, v := r.call(key, "GET", "/v1/me", ""); code != want {
		r.t.Fatalf("GET /v1/me = %d %v, want %d", code, v, want)
	}
}

var sqliteDB = storetest.SQLite

// checkError checks that v is a SCIM error message with status.
func checkError(t *testing.T, v map[string]any, status int) {
	t.Helper()
	schemas, _ := v["schemas"].([]any)
	if len(schemas) != 1 || schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" || v["status"] != strconv.Itoa(status) || v["detail"] == "" {
		t.Fatalf("not a SCIM error with status %d: %v", status, v)
	}
	if d, _ := v["detail"].(string); strings.Contains(d, "serverstore") || strings.Contains(d, "json:") || strings.Contains(d, "\n") {
		t.Fatalf("the detail shows internals: %q", d)
	}
}

// str returns the string at a dotted path of v ("name.givenName",
// "emails.0.value").
func str(v any, path string) string {
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i := int(k[0] - '0')
			if i >= len(x) {
				return ""
			}
			v = x[i]
		}
	}
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// ids returns the ids of a list response's resources.
func ids(list map[string]any) []string {
	var out []string
	for _, r := range list["Resources"].([]any) {
		out = append(out, r.(map[string]any)["id"].(string))
	}
	return out
}
