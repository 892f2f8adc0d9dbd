package model

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// ErrorKind classifies provider failures so the agent can react to them.
type ErrorKind int

// Error kinds.
const (
	// KindOther is any failure not listed below; it is not retried.
	KindOther ErrorKind = iota
	// KindThrottled is HTTP 429 or a provider throttling error; retried.
	KindThrottled
	// KindServer is HTTP 5xx or an overloaded provider; retried.
	KindServer
	// KindContextOverflow means the request was larger than the model's window.
	KindContextOverflow
	// KindAuth is a missing or rejected credential.
	KindAuth
	// KindUnreachable is a network failure before any answer; retried.
	KindUnreachable
	// KindStreamBroken is a stream that failed after output had started.
	KindStreamBroken
	// KindNoServer is a connection refused or a host name that does not
	// resolve: nothing is there to answer. It is retried once only, in
	// case a local server is just starting.
	KindNoServer
	// KindCertificate is a server certificate the client does not trust;
	// not retried.
	KindCertificate
)

// APIError is a classified provider error.
type APIError struct {
	Provider string
	Kind     ErrorKind
	Status   int // HTTP status, 0 when none
	Message  string
	// Hint, when set, says what the user can do about it; Error ends with it.
	Hint string
	Err  error
}

func (e *APIError) Error() string {
	if e.Hint == "" {
		return e.Summary()
	}
	return e.Summary() + "; " + e.Hint
}

// Summary is the error without its hint, for a line that says it will be
// retried.
func (e *APIError) Summary() string {
	msg := e.Message
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	if e.Status != 0 {
		return fmt.Sprintf("%s: HTTP %d: %s", e.Provider, e.Status, msg)
	}
	return fmt.Sprintf("%s: %s", e.Provider, msg)
}

func (e *APIError) Unwrap() error { return e.Err }

// Retryable reports whether another attempt may succeed.
func (e *APIError) Retryable() bool {
	switch e.Kind {
	case KindThrottled, KindServer, KindUnreachable, KindNoServer:
		return true
	}
	return false
}

// KindOf returns the ErrorKind of err, KindOther when err is not an *APIError.
func KindOf(err error) ErrorKind {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Kind
	}
	return KindOther
}

// KindForStatus maps an HTTP status to an ErrorKind.
func KindForStatus(status int) ErrorKind {
	switch {
	case status == 429:
		return KindThrottled
	case status == 401 || status == 403:
		return KindAuth
	case status == 413:
		return KindContextOverflow
	case status >= 500:
		return KindServer
	}
	return KindOther
}

// IsNetworkError reports whether err is a transport failure (connection
// refused, reset, cut short) rather than an answer from the server.
func IsNetworkError(err error) bool {
	var urlErr *url.Error
	return errors.As(err, &urlErr) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// RootCause strips the *url.Error wrapper, whose text repeats the method
// and the full URL.
func RootCause(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) && urlErr.Err != nil {
		return urlErr.Err
	}
	return err
}

// ErrorLine returns the first line of an error body for a one-line message,
// shortened to 200 bytes, or def when the body is blank (a proxy's empty or
// HTML reply says more through its status).
func ErrorLine(body, def string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(body), "\n")
	if len(line) > 200 {
		line = line[:200] + "…"
	}
	if line == "" {
		return def
	}
	return line
}

// ClassifyTransport fills in e for a failed call that carried no API error
// the provider's SDK recognised. started says whether output had been
// shown, answered whether an HTTP response arrived, truncated whether the
// stream ended before the model finished.
func ClassifyTransport(e *APIError, err error, answered, started, truncated bool, ep Endpoint) {
	switch {
	case started:
		e.Kind = KindStreamBroken
		e.Message = "stream broke after output started: " + RootCause(err).Error()
	case truncated:
		e.Kind = KindServer
		e.Message = err.Error()
	case answered:
		// The server answered, then the body broke before any output.
		e.Kind = KindServer
		e.Message = "stream broke before any output: " + RootCause(err).Error()
	case IsNetworkError(err):
		ClassifyUnreached(e, err, ep)
	default:
		e.Message = err.Error()
	}
}
