package storage

import (
	"errors"
	"fmt"
	"net/http"
)

// CloudBase's storage error codes, as the SDKs know them (wx-server-sdk maps each to a
// numeric errCode: STORAGE_FILE_NONEXIST → -503003 and so on).
const (
	CodeInvalidParam    = "INVALID_PARAM"
	CodeFileNotExist    = "STORAGE_FILE_NONEXIST"
	CodeExceedAuthority = "STORAGE_EXCEED_AUTHORITY"
	CodeSignInvalid     = "STORAGE_SIGN_PARAM_INVALID"
	CodeRequestFail     = "STORAGE_REQUEST_FAIL"
	CodeFileTooLarge    = "STORAGE_FILE_TOO_LARGE"
	CodeSystem          = "SYS_ERR"
)

// Error is a storage error: a CloudBase code, a message safe to show to any client, and
// the HTTP status a REST dialect uses for it. Err is the cause, for logs only.
type Error struct {
	Code   string
	Msg    string
	Status int
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Msg, e.Err)
	}
	return e.Code + ": " + e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

func invalid(format string, args ...any) *Error {
	return &Error{Code: CodeInvalidParam, Msg: fmt.Sprintf(format, args...), Status: http.StatusBadRequest}
}

func notExist(path string) *Error {
	return &Error{Code: CodeFileNotExist, Msg: "storage file not exists: " + path, Status: http.StatusNotFound}
}

func denied(path string) *Error {
	return &Error{Code: CodeExceedAuthority, Msg: "permission denied: the storage rules do not let this caller access " + path, Status: http.StatusForbidden}
}

func tooLarge(limit int64) *Error {
	return &Error{Code: CodeFileTooLarge, Msg: fmt.Sprintf("the file is larger than %d bytes", limit), Status: http.StatusRequestEntityTooLarge}
}

// internal wraps an unexpected failure: the cause is kept for the log, the message says
// nothing about it.
func internal(err error) *Error {
	return &Error{Code: CodeSystem, Msg: "storage system error", Status: http.StatusInternalServerError, Err: err}
}

// AsError converts any error to an *Error; errors that are not storage errors become
// SYS_ERR.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return internal(err)
}
