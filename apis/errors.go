package apis

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/collections"
)

// Codes the HTTP layer adds to the database's own.
const (
	CodeInvalidEnv      = "INVALIID_ENV" // sic: the spelling CloudBase and its SDKs use
	CodeUnauthenticated = "UNAUTHENTICATED"
	CodeTokenExpired    = "ACCESS_TOKEN_EXPIRED"
	CodeSignInvalid     = "SIGN_PARAM_INVALID"
	CodeInvalidAction   = "INVALID_ACTION"
	CodeBodyTooLarge    = "REQUEST_BODY_TOO_LARGE"
	CodeNotFound        = "RESOURCE_NOT_FOUND"
	CodeDocNotExist     = "DATABASE_DOCUMENT_NOT_EXIST"
	CodeNotAvailable    = "FUNCTION_NOT_AVAILABLE"
)

// apiError is the one error type of the HTTP edge: a CloudBase code, a message safe to
// show, and the HTTP status the gateway dialect uses.
type apiError struct {
	Code    string
	Message string
	Status  int
	cause   error
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func newAPIError(status int, code, msg string) *apiError {
	return &apiError{Status: status, Code: code, Message: msg}
}

// toAPIError maps any error to an apiError. Internal errors are logged with their
// cause and shown only as SYS_ERR.
func toAPIError(app core.App, err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	de := collections.AsError(err)
	status := http.StatusBadRequest
	switch de.Code {
	case collections.CodePermissionDenied:
		status = http.StatusForbidden
	case collections.CodeCollectionNotExist:
		status = http.StatusNotFound
	case collections.CodeDuplicateKey, collections.CodeCollectionExists:
		status = http.StatusConflict
	case collections.CodeDocumentTooLarge:
		status = http.StatusRequestEntityTooLarge
	case collections.CodeSystem:
		status = http.StatusInternalServerError
		logger(app).Error("database error", "error", de.Err)
	}
	return &apiError{Status: status, Code: string(de.Code), Message: de.Msg, cause: de.Err}
}

func logger(app core.App) *slog.Logger {
	if app == nil {
		return slog.Default()
	}
	return app.Logger()
}

// CloudBaseCode and CloudBaseMessage let cloud functions' SDK modules (cloudfns/wxsdk)
// report this error with its CloudBase code.
func (e *apiError) CloudBaseCode() string    { return e.Code }
func (e *apiError) CloudBaseMessage() string { return e.Message }
