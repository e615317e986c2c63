package apis

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"

	"github.com/pocketbase/pocketbase/core"
)

// MaxRequestBytes bounds a request body on the CloudBase endpoints: one document may
// be 16 MiB, plus the envelope.
const MaxRequestBytes = 20 << 20

// readBody reads a request body up to MaxRequestBytes.
func readBody(e *core.RequestEvent) ([]byte, error) {
	if e.Request.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(e.Response, e.Request.Body, MaxRequestBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, newAPIError(http.StatusRequestEntityTooLarge, CodeBodyTooLarge, "request body is larger than 20 MiB")
		}
		return nil, newAPIError(http.StatusBadRequest, "INVALID_PARAM", "cannot read the request body")
	}
	return body, nil
}

// requestID returns the client's X-Request-Id, or a new one.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 128 {
		return id
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
