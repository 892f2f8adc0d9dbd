// Package adminclient calls the organisation service's admin API, as
// `q admin` does: JSON over HTTP with an API key, errors as problem details.
package adminclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/qdev/qdev/internal/adminapi"
)

// Environment variables a client reads.
const (
	EnvAPIKey   = "QDEV_API_KEY"
	EnvStartURL = "QDEV_START_URL"
)

// Client calls one server with one API key.
type Client struct {
	base string
	key  string
	http *http.Client
}

// New returns a client of the server at serverURL (http or https) using
// key. hc nil means http.DefaultClient.
func New(serverURL, key string, hc *http.Client) (*Client, error) {
	if serverURL == "" {
		return nil, fmt.Errorf("no server: pass --server URL, set %s, or run q login", EnvStartURL)
	}
	u, err := url.Parse(serverURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("server %q: expected an http:// or https:// URL", serverURL)
	}
	if key == "" {
		return nil, fmt.Errorf("no API key: set %s, or run q login", EnvAPIKey)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: strings.TrimRight(serverURL, "/"), key: key, http: hc}, nil
}

// URL is the server's URL, without a trailing slash.
func (c *Client) URL() string { return c.base }

// Do sends body (JSON, when not nil) to method path and decodes the answer
// into out (when not nil). A problem answer is returned as *adminapi.Problem.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("server %s: %v", c.base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		return problemOf(resp)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(out); err != nil {
		return fmt.Errorf("server %s: unreadable answer to %s %s", c.base, method, path)
	}
	return nil
}

// problemOf reads an error answer. One that is not problem details (a proxy's
// page, say) becomes a Problem from the status alone.
func problemOf(resp *http.Response) error {
	var p adminapi.Problem
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(b, &p) != nil || p.Status == 0 {
		p = adminapi.Problem{Status: resp.StatusCode, Title: http.StatusText(resp.StatusCode)}
	}
	return &p
}

// List fetches every page of the listing at path (which may carry a query)
// and returns all items.
func List[T any](ctx context.Context, c *Client, path string) ([]T, error) {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	var all []T
	cursor := ""
	for {
		var page adminapi.List[T]
		p := path
		if cursor != "" {
			p += sep + "cursor=" + url.QueryEscape(cursor)
		}
		if err := c.Do(ctx, http.MethodGet, p, nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" || page.NextCursor == cursor {
			return all, nil
		}
		cursor = page.NextCursor
	}
}

// Path joins segments into an API path, escaping each.
func Path(segments ...string) string {
	var b strings.Builder
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}
