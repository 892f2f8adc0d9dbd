package server

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/orgadmin"
	"github.com/qdev/qdev/internal/serverstore"
)

// fieldError is a 400 caused by one request field: the same error the
// administrative operations refuse a field with.
type fieldError = orgadmin.FieldError

func invalid(field, msg string) error { return orgadmin.Invalid(field, msg) }

// statusError is a failure with its own status and message.
type statusError struct {
	status int
	typ    string
	msg    string
}

func (e *statusError) Error() string { return e.msg }

var (
	errUnauthorized = &statusError{http.StatusUnauthorized, adminapi.TypeUnauthorized, "a valid access token or API key is required: run q login, or set QDEV_API_KEY"}
	errForbidden    = &statusError{http.StatusForbidden, adminapi.TypeForbidden, "your role does not allow this"}
)

// writeProblem answers with err as problem details. Errors the server does
// not recognise are logged and answered with a generic 500, so that no
// internal detail (and nothing secret) reaches the client.
func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := adminapi.Problem{Status: http.StatusInternalServerError, Type: adminapi.TypeInternal, Detail: "internal error"}
	var fe *fieldError
	var se *statusError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &fe):
		p = adminapi.Problem{Status: http.StatusBadRequest, Type: adminapi.TypeInvalid, Detail: fe.Msg, Field: fe.Field}
	case errors.Is(err, orgadmin.ErrOwnAccount):
		p = adminapi.Problem{Status: http.StatusConflict, Type: adminapi.TypeConflict, Detail: err.Error()}
	case errors.As(err, &se):
		p = adminapi.Problem{Status: se.status, Type: se.typ, Detail: se.msg}
	case errors.As(err, &mbe):
		p = adminapi.Problem{Status: http.StatusRequestEntityTooLarge, Type: adminapi.TypeTooLarge,
			Detail: "the request body is larger than the limit"}
	case errors.Is(err, serverstore.ErrNotFound):
		p = adminapi.Problem{Status: http.StatusNotFound, Type: adminapi.TypeNotFound, Detail: err.Error()}
	case errors.Is(err, serverstore.ErrExists):
		p = adminapi.Problem{Status: http.StatusConflict, Type: adminapi.TypeConflict, Detail: err.Error()}
	default:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	p.Title = http.StatusText(p.Status)
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}

// writeJSON answers 200 (or status) with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
