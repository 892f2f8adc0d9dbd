package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const chromium = "/usr/bin/chromium"

// browser starts headless Chromium with a profile of its own, for the
// length of the test; opts add to its flags.
func browser(t *testing.T, opts ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("%s is needed (apt-get install chromium): %v", chromium, err)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1000, 760),
	}, opts...)...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// artefacts returns the directory that keeps a test's screenshots:
// artefacts/e2e/TEST at the top of the repository (ignored by git).
func artefacts(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "artefacts", "e2e", t.Name())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// screenshot saves the page as name.png in dir.
func screenshot(dir, name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		png, err := chromedp.CaptureScreenshot()(ctx, t)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	})
}

// textOf reads the text of the element sel names into *dst.
func textOf(sel string, dst *string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		s, err := chromedp.Text(chromedp.CSS(sel))(ctx, t)
		*dst = s
		return err
	})
}

var codeRE = regexp.MustCompile(`enter the code: ([A-Z]{4}-[A-Z]{4})`)
var verifyRE = regexp.MustCompile(`^\s+(http://\S+/device)$`)

// whoami runs q whoami --format json and decodes it.
func (e *env) whoami() (map[string]any, result) {
	e.t.Helper()
	r := e.run("", "whoami", "--format", "json")
	var id map[string]any
	if r.code == 0 {
		if err := json.Unmarshal([]byte(r.stdout), &id); err != nil {
			e.t.Fatalf("q whoami --format json printed %q: %v", r.stdout, err)
		}
	}
	return id, r
}

// TestLoginWithDeviceFlow: an administrator creates a user with a
// password; the user runs q login --use-device-flow, signs in and approves
// the code in a browser (headless Chromium), and q whoami then names them.
// q logout ends the session.
func TestLoginWithDeviceFlow(t *testing.T) {
	e := newEnv(t)
	url, key := orgServer(t, e)
	e.asAdmin(url, key, "", "groups", "create", "eng")
	e.asAdmin(url, key, "a long passphrase\n", "users", "create", "alice@example.com", "--name", "Alice Liddell",
		"--group", "eng", "--password-stdin")
	e.asAdmin(url, key, "", "subscriptions", "assign", "--user", "alice@example.com", "--tier", "Pro")

	login := e.start("login", "--use-device-flow", "--start-url", url)
	verify := login.waitFor(verifyRE)[1]
	code := login.waitFor(codeRE)[1]
	if verify != url+"/device" {
		t.Fatalf("verification URL %q, want %s/device", verify, url)
	}

	shots := artefacts(t)
	var shown, done string
	err := chromedp.Do(browser(t),
		chromedp.Navigate(verify),
		// Not signed in yet: the device page sends the browser to sign in.
		chromedp.WaitVisible(chromedp.CSS("#email")),
		screenshot(shots, "1-sign-in"),
		chromedp.SendKeys(chromedp.CSS("#email"), "alice@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), "a long passphrase"),
		chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(chromedp.CSS("#user_code")),
		screenshot(shots, "2-enter-code"),
		// Typed as a person might: lower case, without the dash.
		chromedp.SendKeys(chromedp.CSS("#user_code"), strings.ToLower(strings.ReplaceAll(code, "-", ""))),
		chromedp.Click(chromedp.CSS("#continue")),
		chromedp.WaitVisible(chromedp.CSS("#code")),
		textOf("#code", &shown),
		screenshot(shots, "3-confirm"),
		chromedp.Click(chromedp.CSS("#allow")),
		chromedp.WaitVisible(chromedp.CSS("#message")),
		textOf("#message", &done),
		screenshot(shots, "4-done"),
	)
	if err != nil {
		t.Fatalf("browser: %v; q login said:\n%s", err, login.errText())
	}
	if shown != code {
		t.Errorf("the confirmation page shows %q, want %q", shown, code)
	}
	if !strings.Contains(done, "signed in as alice@example.com") {
		t.Errorf("final page: %q", done)
	}
	if rc, out := login.wait(); rc != 0 || out != "Logged in to "+url+" as alice@example.com.\n" {
		t.Fatalf("q login: exit %d, stdout %q; stderr:\n%s", rc, out, login.errText())
	}

	sessions := filepath.Join(e.vars["XDG_DATA_HOME"], "qdev", "org", "sessions.json")
	if fi, err := os.Stat(sessions); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("session file: %v, %v; want mode 0600", fi, err)
	}

	id, r := e.whoami()
	if r.code != 0 {
		t.Fatalf("q whoami: %+v", r)
	}
	want := map[string]any{"email": "alice@example.com", "name": "Alice Liddell", "groups": []any{"eng"},
		"tier": "Pro", "status": "Pending", "start_url": url, "role": "user", "auth": "login"}
	for k, v := range want {
		if b, _ := json.Marshal(id[k]); string(b) != mustJSON(t, v) {
			t.Errorf("whoami %s = %s, want %s", k, b, mustJSON(t, v))
		}
	}

	if r := e.run("", "logout"); r.code != 0 || r.stdout != "Logged out of "+url+".\n" || r.stderr != "" {
		t.Fatalf("q logout: %+v", r)
	}
	if _, r := e.whoami(); r.code != 1 || !strings.Contains(r.stderr, "not logged in") {
		t.Fatalf("q whoami after logout: %+v", r)
	}
}

// TestWhoamiWithAPIKey: headless use, with QDEV_API_KEY and QDEV_START_URL
// and no login.
func TestWhoamiWithAPIKey(t *testing.T) {
	e := newEnv(t)
	url, key := orgServer(t, e)
	e.asAdmin(url, key, "", "users", "create", "ci@example.com", "--name", "CI")
	r := e.asAdmin(url, key, "", "keys", "create", "--user", "ci@example.com", "--name", "pipeline")
	ciKey := strings.TrimSpace(r.stdout)

	e.vars["QDEV_API_KEY"], e.vars["QDEV_START_URL"] = ciKey, url
	id, r := e.whoami()
	if r.code != 0 || id["email"] != "ci@example.com" || id["auth"] != "api_key" || id["start_url"] != url || id["tier"] != "Free" {
		t.Fatalf("q whoami with an API key: %v %+v", id, r)
	}
	r = e.run("", "whoami")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "Using an API key with "+url+" as ci@example.com\n") {
		t.Fatalf("q whoami (plain): %+v", r)
	}

	e.vars["QDEV_API_KEY"] = "qdev_" + strings.Repeat("x", 43)
	if _, r := e.whoami(); r.code != 1 || !strings.Contains(r.stderr, "refused the API key") || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("q whoami with a wrong key: %+v", r)
	}
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var authorizeRE = regexp.MustCompile(`^\s+(http://\S+/authorize\?\S+)$`)

// TestLoginInBrowser: the default q login. q listens on a loopback port;
// the browser (headless Chromium, opened at the URL q prints) signs in,
// approves, and is sent back to q, which holds the session afterwards.
// A real browser checks what a unit test cannot: that the page's policy
// lets the approval end at q's address.
func TestLoginInBrowser(t *testing.T) {
	e := newEnv(t)
	url, key := orgServer(t, e)
	e.asAdmin(url, key, "bob's passphrase\n", "users", "create", "bob@example.com", "--password-stdin")

	e.vars["BROWSER"] = "true" // q "opens" it; the test drives Chromium itself
	login := e.start("login", "--start-url", url)
	authURL := login.waitFor(authorizeRE)[1]

	shots := artefacts(t)
	var final string
	err := chromedp.Do(browser(t),
		chromedp.Navigate(authURL),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "bob@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), "bob's passphrase"),
		chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(chromedp.CSS("#allow")),
		screenshot(shots, "1-consent"),
		chromedp.Click(chromedp.CSS("#allow")),
		chromedp.WaitVisible(chromedp.CSS("p")),
		textOf("p", &final),
		screenshot(shots, "2-back-at-q"),
	)
	if err != nil {
		t.Fatalf("browser: %v; q login said:\n%s", err, login.errText())
	}
	if !strings.Contains(final, "You are signed in") {
		t.Fatalf("the page q served says %q", final)
	}
	if rc, out := login.wait(); rc != 0 || out != "Logged in to "+url+" as bob@example.com.\n" {
		t.Fatalf("q login: exit %d, stdout %q; stderr:\n%s", rc, out, login.errText())
	}
	if id, r := e.whoami(); r.code != 0 || id["email"] != "bob@example.com" {
		t.Fatalf("q whoami: %v %+v", id, r)
	}
}
