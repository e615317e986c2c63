package apis

import (
	"encoding/hex"
	"errors"
	"io"
	"net/http"

	"github.com/minicloud/minicloud/internal/reqid"
	"github.com/pocketbase/pocketbase/core"
)

// MaxRequestBytes bounds a request body on the CloudBase endpoints: one document may
// be 16 MiB, plus the envelope.
const MaxRequestBytes = 20 << 20

// maxDrainBytes bounds how much of an oversized body is read and dropped before the
// error is sent; a client sending more than that sees the connection reset.
const maxDrainBytes = 64 << 20

// readBody reads a request body up to MaxRequestBytes.
func readBody(e *core.RequestEvent) ([]byte, error) {
	if e.Request.Body == nil {
		return nil, nil
	}
	if n := e.Request.ContentLength; n >= 0 && n <= MaxRequestBytes {
		// The usual case: the length is known (net/http stops the body there), so read
		// it into one buffer of that size rather than growing one until EOF.
		body := make([]byte, n)
		if _, err := io.ReadFull(e.Request.Body, body); err != nil {
			return nil, newAPIError(http.StatusBadRequest, "INVALID_PARAM", "cannot read the request body")
		}
		return body, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(e.Response, e.Request.Body, MaxRequestBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			// MaxBytesReader cannot tell net/http to drop the connection through
			// PocketBase's response wrapper: the unread rest of the body would then be
			// parsed as the next request on this keep-alive connection (a plain-text
			// "400 Bad Request" for whatever the client sends next). Close it after the
			// reply, and read a bounded rest first so that a client still sending gets
			// our error rather than a connection reset.
			e.Response.Header().Set("Connection", "close")
			_, _ = io.CopyN(io.Discard, e.Request.Body, maxDrainBytes)
			return nil, newAPIError(http.StatusRequestEntityTooLarge, CodeBodyTooLarge, "request body is larger than 20 MiB")
		}
		return nil, newAPIError(http.StatusBadRequest, "INVALID_PARAM", "cannot read the request body")
	}
	return body, nil
}

// requestID returns the client's X-Request-Id, or a new one: 32 hex digits that rise
// with time (internal/reqid), so the invocation log's requestId index grows at its end.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 128 {
		return id
	}
	b := reqid.New()
	return hex.EncodeToString(b[:])
}
