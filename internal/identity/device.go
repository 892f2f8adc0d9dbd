package identity

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/qdev/qdev/internal/serverstore"
)

// NormalizeUserCode returns a user code in the form the provider issues
// (XXXX-XXXX, from op.CharSetBase20) whatever the case, spacing and dashes
// it was typed with, or "" when it cannot be one.
func NormalizeUserCode(s string) string {
	var b strings.Builder
	for _, c := range strings.ToUpper(s) {
		switch {
		case strings.ContainsRune(op.CharSetBase20, c):
			b.WriteRune(c)
		case c == '-' || c == ' ' || c == '\t':
		default:
			return ""
		}
	}
	code := b.String()
	if len(code) != op.UserCodeBase20.CharAmount {
		return ""
	}
	return code[:4] + "-" + code[4:]
}

// devicePage is the verification page (RFC 8628, section 3.3): a form for
// the code, or, with ?user_code (the complete verification URI), the
// question whether to let that device in.
func (p *Provider) devicePage(w http.ResponseWriter, r *http.Request) {
	u, ok := p.sessionUser(r)
	if !ok {
		toSignIn(w, r)
		return
	}
	typed := r.URL.Query().Get("user_code")
	if typed == "" {
		p.render(w, http.StatusOK, "device", pageData{Title: "Sign in a device", CSRF: p.csrfToken(w, r), User: u.Email})
		return
	}
	code, ok := p.lookUpCode(w, r, u, typed)
	if !ok {
		return
	}
	p.render(w, http.StatusOK, "device_confirm", pageData{Title: "Allow this device?", CSRF: p.csrfToken(w, r), User: u.Email, Code: code})
}

// deviceSubmit takes a typed code to the confirmation, or records the
// user's decision on a code they confirmed.
func (p *Provider) deviceSubmit(w http.ResponseWriter, r *http.Request) {
	if err := p.parseForm(r); err != nil {
		p.formFailed(w, r, err)
		return
	}
	u, ok := p.sessionUser(r)
	if !ok {
		http.Redirect(w, r, signInPath+"?next="+url.QueryEscape(devicePath), http.StatusSeeOther)
		return
	}
	typed := r.PostForm.Get("user_code")
	decision := r.PostForm.Get("decision")
	if decision == "" {
		if code := NormalizeUserCode(typed); code != "" {
			typed = code
		}
		http.Redirect(w, r, devicePath+"?user_code="+url.QueryEscape(typed), http.StatusSeeOther)
		return
	}
	code, ok := p.lookUpCode(w, r, u, typed)
	if !ok {
		return
	}
	allow := decision == "allow"
	if err := p.store.DecideDeviceGrant(r.Context(), code, u.ID, allow, p.now()); err != nil {
		p.badCode(w, r, u, typed, err)
		return
	}
	if !allow {
		p.message(w, r, http.StatusOK, "Device refused", "The device was not signed in. You can close this window.", u.Email)
		return
	}
	p.message(w, r, http.StatusOK, "Device signed in",
		"The device is now signed in as "+u.Email+". You can close this window and go back to the terminal.", u.Email)
}

// lookUpCode returns the normalised code when it names a grant waiting for
// a decision. Wrong codes count against the address, as wrong passwords
// do: user codes are short enough to guess without that.
func (p *Provider) lookUpCode(w http.ResponseWriter, r *http.Request, u serverstore.User, typed string) (string, bool) {
	// The entry counts as a wrong one from before it is looked up, and is
	// forgiven once it turns out right.
	ctx, subject := context.WithoutCancel(r.Context()), codeSubject(clientAddress(r))
	at, allowed, err := p.takeAttempt(ctx, map[string]int{subject: deviceCodeEntries})
	if err != nil {
		p.log.Error("checking code entries", "err", err)
		p.message(w, r, http.StatusServiceUnavailable, "Try again", "The service is unavailable right now. Try again in a moment.", u.Email)
		return "", false
	}
	if !allowed {
		p.render(w, http.StatusTooManyRequests, "device", pageData{Title: "Sign in a device", CSRF: p.csrfToken(w, r), User: u.Email,
			Code: typed, Error: "Too many wrong codes. Wait 15 minutes, then try again."})
		return "", false
	}
	code := NormalizeUserCode(typed)
	if code == "" {
		p.unknownCode(w, r, u, typed, serverstore.ErrNotFound)
		return "", false
	}
	if _, err := p.store.PendingDeviceGrant(r.Context(), code, p.now()); err != nil {
		p.unknownCode(w, r, u, typed, err)
		return "", false
	}
	p.forgiveAttempt(ctx, at, subject)
	return code, true
}

// badCode counts a wrong code against the address and says so.
func (p *Provider) badCode(w http.ResponseWriter, r *http.Request, u serverstore.User, typed string, err error) {
	p.recordFailures(context.WithoutCancel(r.Context()), codeSubject(clientAddress(r)))
	p.unknownCode(w, r, u, typed, err)
}

// unknownCode says that the code is unknown (an entry already counted).
func (p *Provider) unknownCode(w http.ResponseWriter, r *http.Request, u serverstore.User, typed string, err error) {
	if !errors.Is(err, serverstore.ErrNotFound) {
		p.log.Error("reading a device grant", "err", err)
	}
	p.render(w, http.StatusBadRequest, "device", pageData{Title: "Sign in a device", CSRF: p.csrfToken(w, r), User: u.Email,
		Code: typed, Error: "That code is unknown or has expired. Check the terminal, or run q login again."})
}
