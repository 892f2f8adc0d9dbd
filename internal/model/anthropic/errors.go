package anthropic

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/anthropics/anthropic-sdk-go"

	"github.com/qdev/qdev/internal/model"
)

// classify turns a failed call into a *model.APIError. res is the HTTP
// response when one arrived; started says whether output had been shown.
// A cancelled ctx wins over everything: its error is returned as is.
func (c *Client) classify(ctx context.Context, err error, res *http.Response, started bool) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	e := &model.APIError{Provider: c.name, Err: err}
	var apiErr *anthropic.Error
	switch {
	case errors.As(err, &apiErr):
		typ, msg := errorFields([]byte(apiErr.RawJSON()))
		e.Message = msg
		if e.Message == "" {
			e.Message = typ
		}
		if e.Message == "" {
			e.Message = model.ErrorLine(apiErr.RawJSON(), http.StatusText(apiErr.StatusCode))
		}
		if apiErr.StatusCode >= 400 {
			// An error event inside a 200 stream has no status of its own.
			e.Status = apiErr.StatusCode
		}
		if started {
			e.Kind = model.KindStreamBroken
		} else {
			e.Kind = errorKind(e.Status, typ, e.Message)
		}
	case res != nil && res.StatusCode >= 400:
		e.Status = res.StatusCode
		e.Message = model.ErrorLine(readBody(res), http.StatusText(res.StatusCode))
		e.Kind = errorKind(e.Status, "", e.Message)
	default:
		model.ClassifyTransport(e, err, res != nil, started, errors.Is(err, errTruncated), c.endpoint)
	}
	return e
}

// errorKind classifies an API error by its type first, since an error
// event in a stream has no HTTP status, then by status and message.
func errorKind(status int, typ, msg string) model.ErrorKind {
	if strings.Contains(strings.ToLower(msg), "prompt is too long") {
		return model.KindContextOverflow
	}
	switch anthropic.ErrorType(typ) {
	case anthropic.ErrorTypeRateLimitError:
		return model.KindThrottled
	case anthropic.ErrorTypeOverloadedError, anthropic.ErrorTypeAPIError, anthropic.ErrorTypeTimeoutError:
		return model.KindServer
	case anthropic.ErrorTypeAuthenticationError, anthropic.ErrorTypePermissionError:
		return model.KindAuth
	case "request_too_large":
		return model.KindContextOverflow
	}
	if status == 0 {
		// An unknown error event mid-stream: the server's trouble.
		return model.KindServer
	}
	return model.KindForStatus(status)
}

// errorFields reads type and message from an Anthropic error body
// {"type":"error","error":{"type":...,"message":...}}.
func errorFields(b []byte) (typ, msg string) {
	var v struct {
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &v) != nil {
		return "", ""
	}
	return v.Error.Type, v.Error.Message
}

func readBody(res *http.Response) string {
	if res.Body == nil {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if _, msg := errorFields(b); msg != "" {
		return msg
	}
	return string(b)
}
