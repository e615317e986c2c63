package apis

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

func bodyEvent(body io.Reader, length int64) (*core.RequestEvent, *httptest.ResponseRecorder) {
	req := httptest.NewRequest(http.MethodPost, "/v1/functions/f", body)
	req.ContentLength = length
	rec := httptest.NewRecorder()
	e := &core.RequestEvent{}
	e.Request, e.Response = req, rec
	return e, rec
}

// onlyReader hides the concrete type, so httptest cannot learn the length.
type onlyReader struct{ io.Reader }

func TestReadBody(t *testing.T) {
	payload := `{"a":1,"b":"hello"}`
	for _, c := range []struct {
		name   string
		body   io.Reader
		length int64
	}{
		{"known length", strings.NewReader(payload), int64(len(payload))},
		{"unknown length (chunked)", onlyReader{strings.NewReader(payload)}, -1},
	} {
		e, _ := bodyEvent(c.body, c.length)
		got, err := readBody(e)
		if err != nil || string(got) != payload {
			t.Errorf("%s: %q, %v", c.name, got, err)
		}
	}

	// A body shorter than its Content-Length is a client error, not a hang or a 500.
	e, _ := bodyEvent(strings.NewReader(payload[:5]), int64(len(payload)))
	var ae *apiError
	if _, err := readBody(e); !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
		t.Errorf("short body: %v", err)
	}

	// Too large, whether the length is declared or not: 413, and the connection closes.
	big := bytes.Repeat([]byte("x"), MaxRequestBytes+1)
	for _, length := range []int64{int64(len(big)), -1} {
		e, rec := bodyEvent(onlyReader{bytes.NewReader(big)}, length)
		_, err := readBody(e)
		if !errors.As(err, &ae) || ae.Status != http.StatusRequestEntityTooLarge || ae.Code != CodeBodyTooLarge {
			t.Errorf("length %d: %v", length, err)
		}
		if rec.Header().Get("Connection") != "close" {
			t.Errorf("length %d: connection not closed", length)
		}
	}
}

func TestRequestIDRisesAndHonoursTheClients(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	a := requestID(req)
	b := requestID(req)
	if len(a) != 32 || a == b || a[:12] > b[:12] {
		t.Fatalf("ids %q then %q", a, b)
	}
	req.Header.Set("X-Request-Id", "client-id-1")
	if got := requestID(req); got != "client-id-1" {
		t.Fatalf("client id: %q", got)
	}
	req.Header.Set("X-Request-Id", strings.Repeat("x", 129))
	if got := requestID(req); len(got) != 32 {
		t.Fatalf("overlong client id kept: %q", got)
	}
}
