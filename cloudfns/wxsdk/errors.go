package wxsdk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync/atomic"

	"github.com/minicloud/minicloud/cloudfns"
	"github.com/minicloud/minicloud/internal/reqid"
)

// CodedError is what the module expects from Host errors: a CloudBase error code
// ("DATABASE_PERMISSION_DENIED", "DATABASE_COLLECTION_NOT_EXIST", "INVALID_PARAM"…),
// which the SDKs turn into their numeric errCode (-502003, -502005, -501007…). If the
// error also has a CloudBaseMessage() string method, that is the message shown;
// otherwise Error() is. errors.As finds it in wrapped errors.
type CodedError interface {
	error
	CloudBaseCode() string
}

type codedMessage interface {
	CloudBaseMessage() string
}

// ErrorCode maps an error from the Host to the CloudBase code and message a function
// sees. The default understands CodedError, *cloudfns.InvokeError, errors with a
// Code() string method, and context deadlines; anything else is SYS_ERR. Replace it to
// plug another mapping (for example apis.ErrorCode).
var ErrorCode = DefaultErrorCode

// DefaultErrorCode is ErrorCode's default.
func DefaultErrorCode(err error) (code, message string) {
	var ce CodedError
	if errors.As(err, &ce) {
		if m, ok := ce.(codedMessage); ok {
			return ce.CloudBaseCode(), m.CloudBaseMessage()
		}
		return ce.CloudBaseCode(), ce.Error()
	}
	var ie *cloudfns.InvokeError
	if errors.As(err, &ie) {
		return ie.Code, ie.Message
	}
	var c interface {
		error
		Code() string
	}
	if errors.As(err, &c) && c.Code() != "" {
		return c.Code(), c.Error()
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "SERVER_TIMEOUT", "the function's time limit was reached during the call"
	case errors.Is(err, context.Canceled):
		return "SYS_ERR", "the call was canceled"
	}
	return "SYS_ERR", err.Error()
}

func errorCode(err error) (code, message string) {
	code, message = ErrorCode(err)
	if code == "" {
		code = "SYS_ERR"
	}
	return code, message
}

// NewRequestID makes the request id of one database call (node-sdk's requestId): a
// UUID-shaped string, random per process with a counter in its last group. Tests
// replace it.
var NewRequestID = func() string {
	n := requestCounter.Add(1)
	var out [36]byte
	copy(out[:24], requestPrefix)
	const digits = "0123456789abcdef"
	for i := 35; i >= 24; i-- {
		out[i] = digits[n&0xf]
		n >>= 4
	}
	return string(out[:])
}

// NewCallRequestID makes the request id of a cloud.callFunction (callFunction's
// requestID, the callee's CallContext.RequestID): the callee's invocation is logged
// under it, and an id that carries its time (internal/reqid) is found in the log
// near that time. Tests replace it.
var NewCallRequestID = reqid.NewUUID

var (
	requestCounter atomic.Uint64
	requestPrefix  = func() string {
		var b [10]byte
		_, _ = rand.Read(b[:])
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		h := hex.EncodeToString(b[:])
		return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-"
	}()
)
