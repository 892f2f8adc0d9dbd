package scim

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/qdev/qdev/internal/serverstore"
)

// scimError is a failure answered in the SCIM error form (RFC 7644
// §3.12): a status, a scimType for some 400s, and a one-line detail.
type scimError struct {
	status   int
	scimType string
	detail   string
}

func (e *scimError) Error() string { return e.detail }

var errUnauthorized = &scimError{status: http.StatusUnauthorized, detail: "a valid SCIM token is required (Authorization: Bearer …)"}

// invalidValue is a 400 for a request attribute that is missing, of the
// wrong type or not acceptable.
func invalidValue(detail string) error {
	return &scimError{status: http.StatusBadRequest, scimType: "invalidValue", detail: detail}
}

// errorBody is the SCIM error message.
type errorBody struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail"`
}

// writeError answers err. Errors the service does not recognise are
// logged and answered with a generic 500, so that no internal detail, and
// nothing secret, reaches the client.
func (s *Service) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := &scimError{status: http.StatusInternalServerError, detail: "internal error"}
	var se *scimError
	var fe *filterError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &se):
		e = se
	case errors.As(err, &fe):
		e = &scimError{status: http.StatusBadRequest, scimType: "invalidFilter", detail: fe.msg}
	case errors.As(err, &mbe):
		e = &scimError{status: http.StatusRequestEntityTooLarge, detail: "the request body is larger than the limit"}
	case errors.Is(err, serverstore.ErrNotFound):
		e = &scimError{status: http.StatusNotFound, detail: err.Error()}
	case errors.Is(err, serverstore.ErrExists):
		e = &scimError{status: http.StatusConflict, scimType: "uniqueness", detail: err.Error()}
	case errors.Is(err, serverstore.ErrLastAdmin):
		e = &scimError{status: http.StatusConflict, scimType: "mutability", detail: err.Error() + "; it stays enabled"}
	default:
		s.log.Error("SCIM request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, e.status, errorBody{Schemas: []string{errorSchema}, Status: strconv.Itoa(e.status), ScimType: e.scimType, Detail: e.detail})
}

// writeJSON answers status with v as SCIM JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
