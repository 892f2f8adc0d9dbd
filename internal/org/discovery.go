package org

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// Metadata is what a server's OpenID discovery document says about it,
// the part q uses.
type Metadata struct {
	Issuer                      string `json:"issuer"`
	AuthorizationEndpoint       string `json:"authorization_endpoint"`
	TokenEndpoint               string `json:"token_endpoint"`
	DeviceAuthorizationEndpoint string `json:"device_authorization_endpoint"`
	RevocationEndpoint          string `json:"revocation_endpoint"`
}

// maxMetadata bounds the discovery document read.
const maxMetadata = 256 << 10

// Discover reads the discovery document of the server at startURL (as
// NormalizeStartURL returns it). The document must name the server itself
// as its issuer, and its endpoints must be http(s) URLs.
func (c *Client) Discover(ctx context.Context, startURL string) (Metadata, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, startURL+"/.well-known/openid-configuration", nil)
	if err != nil {
		return Metadata{}, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.httpClient().Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return Metadata{}, fmt.Errorf("server %s: %s", startURL, oneLine(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Metadata{}, fmt.Errorf("server %s: no sign-in service there (discovery answered %s)", startURL, resp.Status)
	}
	b, err := readLimited(resp.Body, maxMetadata)
	if err != nil {
		return Metadata{}, fmt.Errorf("server %s: discovery: %s", startURL, oneLine(err))
	}
	return ParseMetadata(b, startURL)
}

// ParseMetadata decodes and checks a discovery document fetched from
// startURL.
func ParseMetadata(b []byte, startURL string) (Metadata, error) {
	var m Metadata
	if err := json.Unmarshal(b, &m); err != nil {
		return Metadata{}, fmt.Errorf("server %s: the discovery document is not JSON", startURL)
	}
	issuer, err := NormalizeStartURL(m.Issuer)
	if err != nil || issuer != startURL {
		return Metadata{}, fmt.Errorf("server %s: it names itself %q; log in with --start-url set to that", startURL, m.Issuer)
	}
	for field, v := range map[string]string{"authorization_endpoint": m.AuthorizationEndpoint, "token_endpoint": m.TokenEndpoint,
		"device_authorization_endpoint": m.DeviceAuthorizationEndpoint, "revocation_endpoint": m.RevocationEndpoint} {
		if v == "" && field != "revocation_endpoint" {
			return Metadata{}, fmt.Errorf("server %s: the discovery document has no %s", startURL, field)
		}
		if u, err := url.Parse(v); v != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
			return Metadata{}, fmt.Errorf("server %s: the discovery document's %s is not an http(s) URL", startURL, field)
		}
	}
	return m, nil
}
