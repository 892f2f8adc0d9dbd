package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/qdev/qdev/internal/adminapi"
)

const adminPassword = "the administrator's passphrase"

// consoleServer is an organisation server whose administrator,
// admin@example.com, has a password to sign in to the console with.
func consoleServer(t *testing.T, e *env) (url, adminKey string) {
	url, adminKey = orgServer(t, e)
	e.asAdmin(url, adminKey, adminPassword+"\n", "users", "set-password", "admin@example.com")
	return url, adminKey
}

// consoleMessages collects what the browser's console says from now on:
// script errors, and the policy violations a page's Content-Security-Policy
// reports.
func consoleMessages(ctx context.Context) func() []string {
	var mu sync.Mutex
	var got []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			mu.Lock()
			got = append(got, m.String()+" ("+m.URL+")")
			mu.Unlock()
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
}

// signIn signs in as the administrator on the sign-in page the console
// sent the browser to.
func signIn() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "admin@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), adminPassword),
		chromedp.Click(chromedp.CSS("#signin")),
	)
}

// evaluate runs expr in the page and stores its value in *dst.
func evaluate[T any](expr string, dst *T) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		v, err := chromedp.Evaluate[T](expr)(ctx, t)
		*dst = v
		return err
	})
}

// until waits for expr to be true in the page.
func until(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[bool](expr)(ctx, t)
		return err
	})
}

// TestConsoleInBrowser: an administrator signs in to the web console in
// headless Chromium, creates a user, assigns them a subscription and sees it
// listed as Pending, then visits every section. htmx enhances the pages
// under their strict policy: every step after the sign-in swaps the page in
// place (a marker set on the first page survives), and the browser reports
// no script error and no policy violation. The skip link comes first on
// the keyboard and moves the focus to the content.
func TestConsoleInBrowser(t *testing.T) {
	e := newEnv(t)
	url, adminKey := consoleServer(t, e)
	ctx := browser(t)
	said := consoleMessages(ctx)
	shots := artefacts(t)

	var htmxType, focused, created, subs, key, marker, me string
	err := chromedp.Do(ctx,
		chromedp.Navigate(url+"/console/"),
		screenshot(shots, "01-sign-in"),
		signIn(),
		chromedp.WaitVisible(chromedp.CSS("#users")),
		until("document.readyState === 'complete'"),
		screenshot(shots, "02-users"),
		evaluate("typeof window.htmx", &htmxType),
		evaluate("window.qdevMarker = 'kept'", &marker),

		// The keyboard: the skip link is the first stop, and takes the
		// focus to the page's content.
		chromedp.KeyEvent(kb.Tab),
		evaluate("document.activeElement.className", &focused),
		chromedp.KeyEvent(kb.Enter),
		until("document.activeElement.id === 'main'"),

		chromedp.SendKeys(chromedp.CSS("#email"), "carol@example.com"),
		chromedp.SendKeys(chromedp.CSS("#name"), "Carol Danvers"),
		chromedp.Click(chromedp.CSS("#create-user-submit")),
		chromedp.WaitVisible(chromedp.CSS("#profile-email")),
		textOf("#notice", &created),
		screenshot(shots, "03-user-created"),

		chromedp.Click(chromedp.CSS(`nav a[href="/console/subscriptions"]`)),
		chromedp.WaitVisible(chromedp.CSS("#assign-submit")),
		chromedp.SendKeys(chromedp.CSS("#user"), "carol@example.com"),
		chromedp.SetValue(chromedp.CSS("#tier"), "Pro"),
		chromedp.Click(chromedp.CSS("#assign-submit")),
		chromedp.WaitVisible(chromedp.CSS("#notice")),
		textOf("#subscriptions tbody", &subs),
		screenshot(shots, "04-subscription-assigned"),

		chromedp.Click(chromedp.CSS(`nav a[href="/console/groups"]`)),
		chromedp.WaitVisible(chromedp.CSS("#create-group-submit")),
		chromedp.SendKeys(chromedp.CSS("#name"), "eng"),
		chromedp.Click(chromedp.CSS("#create-group-submit")),
		chromedp.WaitVisible(chromedp.CSS("#add-members-submit")),
		chromedp.SendKeys(chromedp.CSS("#emails"), "carol@example.com"),
		chromedp.Click(chromedp.CSS("#add-members-submit")),
		chromedp.WaitVisible(chromedp.CSS("#notice")),
		screenshot(shots, "05-group"),

		chromedp.Click(chromedp.CSS(`nav a[href="/console/tiers"]`)),
		chromedp.WaitVisible(chromedp.CSS("#tiers")),
		screenshot(shots, "06-tiers"),

		chromedp.Click(chromedp.CSS(`nav a[href="/console/keys"]`)),
		chromedp.WaitVisible(chromedp.CSS("#create-key-submit")),
		chromedp.SendKeys(chromedp.CSS("#user"), "carol@example.com"),
		chromedp.SendKeys(chromedp.CSS("#name"), "laptop"),
		chromedp.Click(chromedp.CSS("#create-key-submit")),
		chromedp.WaitVisible(chromedp.CSS("#new-key")),
		textOf("#new-key", &key),
		screenshot(shots, "07-key-created"),

		chromedp.Click(chromedp.CSS(`nav a[href="/console/settings"]`)),
		chromedp.WaitVisible(chromedp.CSS("#scim-tokens")),
		screenshot(shots, "08-settings"),

		chromedp.Click(chromedp.CSS("#whoami")),
		chromedp.WaitVisible(chromedp.CSS("#profile-tier")),
		textOf("#profile-email", &me),
		screenshot(shots, "09-me"),
		evaluate("String(window.qdevMarker)", &marker),

		// Signing out ends the session: the console sends the browser to
		// sign in again.
		chromedp.Click(chromedp.CSS("#signout")),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.Navigate(url+"/console/users"),
		chromedp.WaitVisible(chromedp.CSS("#password")),
		screenshot(shots, "10-signed-out"),
	)
	if err != nil {
		t.Fatalf("browser: %v\nconsole: %q", err, said())
	}
	if htmxType != "object" {
		t.Errorf("typeof window.htmx = %q: htmx did not load", htmxType)
	}
	if focused != "skip" {
		t.Errorf("the first Tab focuses %q, want the skip link", focused)
	}
	if created != "The user was created." {
		t.Errorf("notice after creating the user: %q", created)
	}
	if !strings.Contains(subs, "carol@example.com") || !strings.Contains(subs, "Pro") || !strings.Contains(subs, "Pending") {
		t.Errorf("the subscriptions listed: %q", subs)
	}
	if !strings.HasPrefix(key, "qdev_") {
		t.Errorf("the new key shown: %q", key)
	}
	if me != "admin@example.com" {
		t.Errorf("own profile shows %q", me)
	}
	if marker != "kept" {
		t.Errorf("a step loaded a whole page instead of htmx swapping it in (marker %q)", marker)
	}
	for _, m := range said() {
		// The sign-in page is the identity provider's, which has no icon.
		if strings.HasSuffix(m, "/favicon.ico)") {
			continue
		}
		if strings.Contains(m, "Content Security Policy") || strings.HasPrefix(m, "exception") || strings.HasPrefix(m, "error") {
			t.Errorf("the browser said: %s", m)
		}
	}

	// What the browser did is what the server holds: q admin agrees.
	var listed []adminapi.Subscription
	out := e.asAdmin(url, adminKey, "", "subscriptions", "list", "--format", "json").stdout
	if err := json.Unmarshal([]byte(out), &listed); err != nil || len(listed) != 1 ||
		listed[0].User != "carol@example.com" || listed[0].Tier != "Pro" || listed[0].Status != "Pending" {
		t.Errorf("q admin subscriptions list: %v %s", err, out)
	}
}

// TestConsoleWithoutJavaScript: with scripts off, the console is plain
// pages, links and forms: signing in, reading every section, and a change
// through a form all work.
func TestConsoleWithoutJavaScript(t *testing.T) {
	e := newEnv(t)
	url, key := consoleServer(t, e)
	e.asAdmin(url, key, "", "groups", "create", "eng")
	e.asAdmin(url, key, "", "users", "create", "dan@example.com", "--name", "Dan", "--group", "eng")
	e.asAdmin(url, key, "", "subscriptions", "assign", "--user", "dan@example.com", "--tier", "Pro")
	// Blink's own setting, as a person turning JavaScript off in the
	// browser's settings gets.
	ctx := browser(t, chromedp.Flag("blink-settings", "scriptEnabled=false"))
	shots := artefacts(t)

	var htmxType, subs, users, group, notice string
	err := chromedp.Do(ctx,
		chromedp.Navigate(url+"/console/subscriptions"),
		signIn(),
		chromedp.WaitVisible(chromedp.CSS("#subscriptions")),
		evaluate("typeof window.htmx", &htmxType),
		textOf("#subscriptions tbody", &subs),
		screenshot(shots, "1-subscriptions"),
		chromedp.Click(chromedp.CSS(`nav a[href="/console/users"]`)),
		chromedp.WaitVisible(chromedp.CSS("#users")),
		textOf("#users tbody", &users),
		screenshot(shots, "2-users"),
		chromedp.Click(chromedp.CSS(`nav a[href="/console/groups"]`)),
		chromedp.WaitVisible(chromedp.CSS("#groups")),
		chromedp.Click(chromedp.CSS(`#groups a[href="/console/groups/eng"]`)),
		chromedp.WaitVisible(chromedp.CSS("#members")),
		textOf("#members tbody", &group),
		screenshot(shots, "3-group"),
		chromedp.Click(chromedp.CSS(`nav a[href="/console/tiers"]`)),
		chromedp.WaitVisible(chromedp.CSS("#tiers")),
		chromedp.Click(chromedp.CSS(`nav a[href="/console/keys"]`)),
		chromedp.WaitVisible(chromedp.CSS("#keys")),
		chromedp.Click(chromedp.CSS(`nav a[href="/console/settings"]`)),
		chromedp.WaitVisible(chromedp.CSS("#scim-tokens")),
		chromedp.SendKeys(chromedp.CSS("#name"), "okta"),
		chromedp.Click(chromedp.CSS("#create-scim-submit")),
		chromedp.WaitVisible(chromedp.CSS("#new-token")),
		textOf("#notice", &notice),
		screenshot(shots, "4-settings"),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if htmxType != "undefined" {
		t.Fatalf("typeof window.htmx = %q: scripts ran", htmxType)
	}
	if !strings.Contains(subs, "dan@example.com") || !strings.Contains(subs, "Pending") {
		t.Errorf("subscriptions: %q", subs)
	}
	if !strings.Contains(users, "admin@example.com") || !strings.Contains(users, "dan@example.com") {
		t.Errorf("users: %q", users)
	}
	if !strings.Contains(group, "dan@example.com") {
		t.Errorf("members of eng: %q", group)
	}
	if !strings.Contains(notice, "The SCIM token okta was created") {
		t.Errorf("notice: %q", notice)
	}
}
