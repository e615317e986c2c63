package mql

import "fmt"

// Error is a user error in a query, update, projection or sort: bad operator, wrong type,
// conflicting paths. The HTTP layer maps it to CloudBase's invalid-parameter error.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }
