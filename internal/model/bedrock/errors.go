package bedrock

import (
	"errors"
	"net/url"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/qdev/qdev/internal/model"
)

// credentialHints are the phrases the SDK uses when it finds no usable
// credentials. It has no typed error for this: the identity step wraps
// whatever the last provider in the chain reported.
var credentialHints = []string{
	"get identity",
	"failed to retrieve credentials",
	"failed to refresh cached credentials",
	"no EC2 IMDS role found",
	"SSO session",
	"refresh cached SSO token",
}

// overflowHints are phrases of ValidationExceptions that mean the prompt
// does not fit the model's context window; they vary by model family.
var overflowHints = []string{
	"too long",
	"too many tokens",
	"too many input tokens",
	"context length",
	"context window",
}

// classify turns an SDK error from a call that produced no output into a
// *model.APIError.
func classify(err error, endpoint model.Endpoint) *model.APIError {
	ae := &model.APIError{Provider: ProviderName, Kind: model.KindOther, Err: err}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		ae.Status = re.HTTPStatusCode()
	}

	// Identity failures come first: they may wrap an API error of another
	// service (SSO, STS) that says nothing about Bedrock.
	text := err.Error()
	if hasAny(text, credentialHints) {
		ae.Kind = model.KindAuth
		cause := lastCause(text)
		if strings.Contains(text, "IMDS") {
			// The chain ends at instance metadata, whose failure hides
			// that nothing earlier in the chain had credentials either.
			cause = "none found in the environment, shared config files, SSO or EC2 instance metadata"
		}
		ae.Message = "no usable AWS credentials (set AWS_PROFILE or AWS_ACCESS_KEY_ID, or run `aws sso login`): " + cause
		return ae
	}

	var api smithy.APIError
	if errors.As(err, &api) {
		code, msg := api.ErrorCode(), oneLine(api.ErrorMessage())
		ae.Message = code
		if msg != "" {
			ae.Message += ": " + msg
		}
		ae.Kind = kindForCode(code, msg, ae.Status)
		return ae
	}

	var se *smithyhttp.RequestSendError
	if errors.As(err, &se) {
		model.ClassifyUnreached(ae, err, model.Endpoint{URL: failedEndpoint(err, endpoint.URL), Hint: endpoint.Hint})
		ae.Message = oneLine(ae.Message)
		return ae
	}

	if ae.Status != 0 {
		ae.Kind = model.KindForStatus(ae.Status)
	}
	ae.Message = oneLine(text)
	return ae
}

// kindForCode maps a Bedrock or AWS error code to an ErrorKind; the code
// wins over the HTTP status because Bedrock sends ModelNotReady as 429 and
// quota errors as 400.
func kindForCode(code, msg string, status int) model.ErrorKind {
	switch code {
	case "ThrottlingException", "ServiceQuotaExceededException", "TooManyRequestsException":
		return model.KindThrottled
	case "ServiceUnavailableException", "InternalServerException", "ModelNotReadyException",
		"ModelTimeoutException", "ModelStreamErrorException", "InternalFailure":
		return model.KindServer
	case "AccessDeniedException", "UnrecognizedClientException", "ExpiredTokenException",
		"ExpiredToken", "InvalidSignatureException", "IncompleteSignature",
		"InvalidClientTokenId", "MissingAuthenticationToken", "MissingAuthenticationTokenException",
		"SignatureDoesNotMatch":
		return model.KindAuth
	case "ValidationException":
		if hasAny(msg, overflowHints) {
			return model.KindContextOverflow
		}
		return model.KindOther
	}
	if status != 0 {
		return model.KindForStatus(status)
	}
	return model.KindOther
}

// isServiceError reports whether err is an error answer from Bedrock (as
// opposed to a transport or decoding failure).
func isServiceError(err error) bool {
	var api smithy.APIError
	return errors.As(err, &api)
}

// failedEndpoint names the host a failed request went to.
func failedEndpoint(err error, fallback string) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
			return u.Scheme + "://" + u.Host
		}
	}
	return fallback
}

// lastCause returns the innermost part of an SDK error chain, which is the
// part a user can act on ("connection refused", "no EC2 IMDS role found").
func lastCause(s string) string {
	s = oneLine(s)
	if i := strings.LastIndex(s, ": "); i >= 0 && i+2 < len(s) {
		return s[i+2:]
	}
	return s
}

func hasAny(s string, needles []string) bool {
	s = strings.ToLower(s)
	for _, n := range needles {
		if strings.Contains(s, strings.ToLower(n)) {
			return true
		}
	}
	return false
}

// oneLine folds whitespace runs, newlines included, into single spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
