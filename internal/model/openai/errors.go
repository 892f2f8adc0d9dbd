package openai

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/ssestream"

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
	var apiErr *openai.Error
	var streamErr *ssestream.StreamError
	switch {
	case errors.As(err, &apiErr):
		e.Status = apiErr.StatusCode
		e.Message = firstNonEmpty(apiErr.Message, apiErr.Code, apiErr.Type, http.StatusText(e.Status), "error without a message")
		e.Kind = model.KindForStatus(e.Status)
		if isOverflow(apiErr.Code, e.Message) {
			e.Kind = model.KindContextOverflow
		}
	case res != nil && res.StatusCode >= 400:
		// An error body that is not OpenAI-shaped JSON (a proxy's HTML
		// page, plain text): the SDK fails to parse it and loses the status.
		e.Status = res.StatusCode
		e.Message = bodyMessage(res)
		e.Kind = model.KindForStatus(e.Status)
		if isOverflow("", e.Message) {
			e.Kind = model.KindContextOverflow
		}
	case errors.As(err, &streamErr):
		// An error event inside a 200 stream.
		code, msg := errorFields(streamErr.Event.Data)
		e.Message = msg
		if e.Message == "" {
			e.Message = streamErr.Message
		}
		switch {
		case started:
			e.Kind = model.KindStreamBroken
		case isOverflow(code, e.Message):
			e.Kind = model.KindContextOverflow
		default:
			e.Kind = model.KindServer
		}
	default:
		model.ClassifyTransport(e, err, res != nil, started, errors.Is(err, errTruncated), c.endpoint)
	}
	return e
}

// isOverflow recognises "the request is larger than the context window"
// from OpenAI and the wordings of common compatible servers.
func isOverflow(code, msg string) bool {
	if code == "context_length_exceeded" {
		return true
	}
	m := strings.ToLower(msg)
	for _, s := range []string{"maximum context length", "context length exceeded", "context_length_exceeded", "context window", "prompt is too long"} {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

// bodyMessage returns the first line of an error body, shortened.
func bodyMessage(res *http.Response) string {
	if res.Body == nil {
		return http.StatusText(res.StatusCode)
	}
	b, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if _, msg := errorFields(b); msg != "" {
		return msg
	}
	return model.ErrorLine(string(b), http.StatusText(res.StatusCode))
}

// errorFields reads code and message from an OpenAI error object
// {"error":{"code":...,"message":...}}; code may be a string or a number.
func errorFields(b []byte) (code, msg string) {
	var v struct {
		Error struct {
			Code    any    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &v) != nil {
		return "", ""
	}
	if s, ok := v.Error.Code.(string); ok {
		code = s
	}
	return code, v.Error.Message
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
