package bedrock

import (
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
)

// bodyGuard works around a race between smithy-go and net/http. The SDK
// closes the request body as soon as the response headers arrive, and its
// body's WriteTo then returns io.EOF instead of (0, nil). net/http, which
// after sending Content-Length bytes copies the body once more to check
// for excess, takes that EOF for a write failure and closes the connection
// under the response stream: "use of closed network connection" a few
// events into the answer. A server that answers within microseconds (any
// local endpoint) hits this often. Hiding WriteTo makes io.Copy use Read,
// which treats io.EOF as the normal end it is.
type bodyGuard struct {
	next bedrockruntime.HTTPClient
}

func (g bodyGuard) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = readOnlyBody{r.Body}
	}
	return g.next.Do(r)
}

// readOnlyBody exposes only Read and Close of the wrapped body.
type readOnlyBody struct{ io.ReadCloser }

// guardHTTPClient installs bodyGuard around the client the SDK resolved.
func guardHTTPClient(o *bedrockruntime.Options) {
	if o.HTTPClient != nil {
		o.HTTPClient = bodyGuard{next: o.HTTPClient}
	}
}
