// Package collections is Minicloud's document database: CloudBase collections stored as
// PocketBase collections (one row per document, the document as JSON), queried with
// MongoDB's query language. Every dialect (gateway, /web, /admin) and every server-side
// caller goes through the one Store in this package.
package collections

import (
	"errors"
	"fmt"

	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/minicloud/minicloud/collections/mql"
)

// Code is a CloudBase error code, as the SDKs know them (wx-server-sdk maps each to a
// numeric errCode: DATABASE_PERMISSION_DENIED → -502003 and so on).
type Code string

// CloudBase error codes returned by the database.
const (
	CodeInvalidParam       Code = "INVALID_PARAM"
	CodeInvalidOperator    Code = "DATABASE_INVALID_OPERRATOR" // sic: CloudBase's spelling
	CodePermissionDenied   Code = "DATABASE_PERMISSION_DENIED"
	CodeCollectionNotExist Code = "DATABASE_COLLECTION_NOT_EXIST"
	CodeCollectionExists   Code = "DATABASE_COLLECTION_ALREADY_EXIST"
	CodeCollectionLimit    Code = "DATABASE_COLLECTION_EXCEED_LIMIT"
	CodeDuplicateKey       Code = "DATABASE_DUPLICATE_KEY"
	CodeDocumentTooLarge   Code = "DATABASE_DOCUMENT_TOO_LARGE"
	CodeRequestFailed      Code = "DATABASE_REQUEST_FAILED"
	CodeSystem             Code = "SYS_ERR"
)

// Error is a database error with a CloudBase code and a message safe to show to clients.
type Error struct {
	Code Code
	Msg  string
	Err  error // cause, for logs only
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Msg, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

func newError(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// AsError converts any error into an *Error: user errors from the query language and
// the decoder become INVALID_PARAM, anything else is an internal SYS_ERR whose message
// does not leak details.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var me *mql.Error
	if errors.As(err, &me) {
		return &Error{Code: CodeInvalidParam, Msg: me.Msg}
	}
	var se *ejson.SyntaxError
	if errors.As(err, &se) {
		return &Error{Code: CodeInvalidParam, Msg: se.Error()}
	}
	if errors.Is(err, ejson.ErrTooDeep) {
		return &Error{Code: CodeInvalidParam, Msg: err.Error()}
	}
	return &Error{Code: CodeSystem, Msg: "internal database error", Err: err}
}
