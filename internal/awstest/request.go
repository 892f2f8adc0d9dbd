package awstest

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// maxFormBody bounds the form bodies the proxy reads; query-protocol
// requests (STS, IAM, EC2) are small.
const maxFormBody = 1 << 20

// Request is what the proxy recorded of one request, so tests can check
// who signed a call and what it asked for.
type Request struct {
	Method string
	// Path is the URL path ("/" for STS, "/bucket/key" for path-style S3).
	Path      string
	UserAgent string
	// AccessKeyID, Service and Region come from the SigV4 Authorization
	// header's "Credential=AKID/date/region/service/aws4_request"; they
	// are empty for an unsigned request.
	AccessKeyID string
	Service     string
	Region      string
	// Target is the X-Amz-Target header of JSON-protocol calls
	// ("DynamoDB_20120810.ListTables").
	Target string
	// Form is the decoded body of a form-encoded (query-protocol) request,
	// such as STS's Action=AssumeRole&SourceIdentity=…; nil otherwise.
	Form url.Values
}

// Requests returns every request the proxy has seen, in order.
func (m *Moto) Requests() []Request {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Request(nil), m.requests...)
}

// Filter returns the requests for which keep is true, in order.
func (m *Moto) Filter(keep func(Request) bool) []Request {
	var out []Request
	for _, r := range m.Requests() {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// record extracts a Request from r, reading a form body and putting it
// back for the proxy.
func record(r *http.Request) (Request, error) {
	req := Request{
		Method:    r.Method,
		Path:      r.URL.Path,
		UserAgent: r.Header.Get("User-Agent"),
		Target:    r.Header.Get("X-Amz-Target"),
	}
	req.AccessKeyID, req.Region, req.Service = credentialScope(r.Header.Get("Authorization"))
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" || r.Body == nil {
		return req, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxFormBody+1))
	r.Body.Close()
	if err != nil {
		return req, fmt.Errorf("read form body: %v", err)
	}
	if len(body) > maxFormBody {
		return req, fmt.Errorf("form body larger than %d bytes", maxFormBody)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if req.Form, err = url.ParseQuery(string(body)); err != nil {
		return req, fmt.Errorf("form body: %v", err)
	}
	return req, nil
}

// credentialScope parses a SigV4 Authorization header,
// "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/s3/aws4_request,
// SignedHeaders=…, Signature=…", into the key id, region and service.
func credentialScope(auth string) (keyID, region, service string) {
	_, rest, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return "", "", ""
	}
	cred, _, _ := strings.Cut(rest, ",")
	parts := strings.Split(strings.TrimSpace(cred), "/")
	keyID = parts[0]
	if len(parts) == 5 {
		region, service = parts[2], parts[3]
	}
	return keyID, region, service
}
