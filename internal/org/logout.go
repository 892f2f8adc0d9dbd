package org

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Logout ends the current session: it asks the server to revoke the
// refresh token (which ends the access tokens issued with it), then
// deletes the tokens here whatever the server said. The returned error,
// when the session is gone but the server could not be told, says so.
func (c *Client) Logout(ctx context.Context) (Session, error) {
	var sess Session
	err := c.store().update(func(all *Sessions) error {
		cur, ok := all.Find(all.Current)
		if !ok {
			return ErrNotLoggedIn
		}
		sess = *cur
		all.Remove(cur.StartURL)
		return nil
	})
	if err != nil {
		return Session{}, err
	}
	if sess.RevocationEndpoint == "" {
		return sess, nil
	}
	var errs []error
	for _, t := range []struct{ token, hint string }{{sess.RefreshToken, "refresh_token"}, {sess.AccessToken, "access_token"}} {
		if t.token != "" {
			errs = append(errs, c.revoke(ctx, sess, t.token, t.hint))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return sess, fmt.Errorf("logged out here, but the server could not revoke the session: %s", oneLine(err))
	}
	return sess, nil
}

// revoke asks the server to revoke token (RFC 7009).
func (c *Client) revoke(ctx context.Context, sess Session, token, hint string) error {
	form := url.Values{"token": {token}, "token_type_hint": {hint}, "client_id": {sess.ClientID}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sess.RevocationEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.httpClient().Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("revocation answered %s", resp.Status)
	}
	return nil
}
