package cloudfns

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// HTTP access: plain HTTP requests routed to a function (CloudBase's "HTTP 访问服务").
//
// The request becomes CloudBase's "integrated request" event:
//
//	{
//	  "path": "/api/hello",              // request path below the access prefix
//	  "httpMethod": "POST",
//	  "headers": {"content-type": "application/json", …},   // lower-case names; repeated
//	                                     // headers joined with ", " ("; " for cookie)
//	  "multiValueHeaders": {"accept": ["a", "b"], …},       // every header, all values
//	  "queryStringParameters": {"a": "1", "b": "x,y"},      // repeated keys joined with ","
//	  "multiValueQueryStringParameters": {"a": ["1"], "b": ["x", "y"]},
//	  "requestContext": {"requestId": "…", "envId": "…", "appId": "…", "sourceIp": "…",
//	                     "httpMethod": "POST", "path": "/api/hello",
//	                     "time": "2025-01-02T03:04:05.678Z", "timeEpoch": 1735787045678},
//	  "body": "…",                       // text, or base64 when isBase64Encoded
//	  "isBase64Encoded": false
//	}
//
// The body is base64-encoded when it is not valid UTF-8, when its Content-Type is not a
// text type (images, octet-stream, …) or when it has a Content-Encoding.
//
// The function's return value becomes the response, as on CloudBase:
//   - an object with "statusCode" is an integrated response: {statusCode, headers,
//     multiValueHeaders, body, isBase64Encoded}; a string body is sent as is (decoded
//     first when isBase64Encoded), another JSON body is sent as JSON;
//   - a string is sent as text/plain; a number or boolean as its text, text/plain;
//   - any other object or array is sent as JSON (application/json);
//   - undefined/null: 200 with an empty body.

// DefaultHTTPAccessMaxBody bounds a request body when EventFromRequest gets no limit:
// its base64 form plus headers still fits MaxEventBytes.
const DefaultHTTPAccessMaxBody = 4 << 20

// HTTPAccessError is a request that cannot become an event (Status 400 or 413), or a
// function result that cannot become a response (Status 502). Message is safe to show.
type HTTPAccessError struct {
	Status  int
	Message string
}

func (e *HTTPAccessError) Error() string { return e.Message }

// HTTPAccessMeta is what the server knows about an HTTP access request beyond the
// request itself. Attach it with WithHTTPAccessMeta before calling EventFromRequest.
type HTTPAccessMeta struct {
	// RequestID is the invocation's request id (also CallContext.RequestID). When
	// empty, EventFromRequest makes one up.
	RequestID string
	// SourceIP is the client address (after trusted-proxy handling); default: the
	// request's RemoteAddr.
	SourceIP string
	EnvID    string
	AppID    string
	// Time is when the request arrived; default: now.
	Time time.Time
}

type httpAccessMetaKey struct{}

// WithHTTPAccessMeta returns ctx carrying m for EventFromRequest.
func WithHTTPAccessMeta(ctx context.Context, m HTTPAccessMeta) context.Context {
	return context.WithValue(ctx, httpAccessMetaKey{}, m)
}

// HTTPAccessEvent is the integrated-request event (see the shape above).
type HTTPAccessEvent struct {
	Path                            string                   `json:"path"`
	HTTPMethod                      string                   `json:"httpMethod"`
	Headers                         map[string]string        `json:"headers"`
	MultiValueHeaders               map[string][]string      `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string        `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string      `json:"multiValueQueryStringParameters"`
	RequestContext                  HTTPAccessRequestContext `json:"requestContext"`
	Body                            string                   `json:"body"`
	IsBase64Encoded                 bool                     `json:"isBase64Encoded"`
}

// HTTPAccessRequestContext is the event's requestContext.
type HTTPAccessRequestContext struct {
	RequestID  string `json:"requestId"`
	EnvID      string `json:"envId,omitempty"`
	AppID      string `json:"appId,omitempty"`
	SourceIP   string `json:"sourceIp"`
	HTTPMethod string `json:"httpMethod"`
	Path       string `json:"path"`
	Time       string `json:"time"`
	TimeEpoch  int64  `json:"timeEpoch"`
}

// SplitHTTPAccessPath splits a request path below prefix (e.g. "/fn") into the
// function name and the rest: "/fn/hello/a/b" gives "hello", "/a/b". ok is false when
// the path is not below prefix or names no function.
func SplitHTTPAccessPath(urlPath, prefix string) (function, rest string, ok bool) {
	prefix = strings.TrimRight(prefix, "/")
	if !strings.HasPrefix(urlPath, prefix+"/") {
		return "", "", false
	}
	p := urlPath[len(prefix)+1:]
	function, rest, _ = strings.Cut(p, "/")
	if function == "" {
		return "", "", false
	}
	return function, "/" + rest, true
}

// EventFromRequest turns r into the integrated-request event. pathPrefix is the part
// of the URL path the function does not see (the event's path is the rest, always
// starting with "/"; a path not below the prefix is passed whole). maxBody bounds the
// body (<= 0: DefaultHTTPAccessMaxBody); a larger body, or an event over
// MaxEventBytes, is an *HTTPAccessError with Status 413. The request id, client IP and
// environment come from WithHTTPAccessMeta.
func EventFromRequest(r *http.Request, pathPrefix string, maxBody int64) (json.RawMessage, error) {
	if maxBody <= 0 {
		maxBody = DefaultHTTPAccessMaxBody
	}
	meta, _ := r.Context().Value(httpAccessMetaKey{}).(HTTPAccessMeta)
	if meta.RequestID == "" {
		meta.RequestID = newHTTPAccessRequestID()
	}
	if meta.SourceIP == "" {
		meta.SourceIP = r.RemoteAddr
		if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
			meta.SourceIP = host
		}
	}
	if meta.Time.IsZero() {
		meta.Time = time.Now()
	}

	body, err := readHTTPAccessBody(r, maxBody)
	if err != nil {
		return nil, err
	}

	ev := HTTPAccessEvent{
		Path:       httpAccessPath(r.URL.Path, pathPrefix),
		HTTPMethod: r.Method,
	}
	ev.Headers, ev.MultiValueHeaders = httpAccessHeaders(r)
	ev.QueryStringParameters, ev.MultiValueQueryStringParameters = httpAccessQuery(r.URL.RawQuery)
	ev.RequestContext = HTTPAccessRequestContext{
		RequestID:  meta.RequestID,
		EnvID:      meta.EnvID,
		AppID:      meta.AppID,
		SourceIP:   meta.SourceIP,
		HTTPMethod: r.Method,
		Path:       ev.Path,
		Time:       meta.Time.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		TimeEpoch:  meta.Time.UnixMilli(),
	}
	if len(body) > 0 {
		if httpAccessIsText(r.Header.Get("Content-Type"), r.Header.Get("Content-Encoding")) && utf8.Valid(body) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	out, err := json.Marshal(&ev)
	if err != nil {
		return nil, &HTTPAccessError{Status: http.StatusBadRequest, Message: "cannot encode the request: " + err.Error()}
	}
	if len(out) > MaxEventBytes {
		return nil, &HTTPAccessError{Status: http.StatusRequestEntityTooLarge,
			Message: fmt.Sprintf("request too large: the event would be %d bytes, the limit is %d", len(out), MaxEventBytes)}
	}
	return out, nil
}

func readHTTPAccessBody(r *http.Request, maxBody int64) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	tooLarge := &HTTPAccessError{Status: http.StatusRequestEntityTooLarge,
		Message: fmt.Sprintf("request body too large: the limit is %d bytes", maxBody)}
	if r.ContentLength > maxBody {
		return nil, tooLarge
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	n, err := buf.ReadFrom(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge
		}
		return nil, &HTTPAccessError{Status: http.StatusBadRequest, Message: "cannot read the request body: " + err.Error()}
	}
	if n > maxBody {
		return nil, tooLarge
	}
	return buf.Bytes(), nil
}

func httpAccessPath(p, prefix string) string {
	prefix = strings.TrimRight(prefix, "/")
	if prefix != "" && strings.HasPrefix(p, prefix) && (len(p) == len(prefix) || p[len(prefix)] == '/') {
		p = p[len(prefix):]
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p
}

func httpAccessHeaders(r *http.Request) (map[string]string, map[string][]string) {
	single := make(map[string]string, len(r.Header)+1)
	multi := make(map[string][]string, len(r.Header)+1)
	if r.Host != "" {
		single["host"] = r.Host
		multi["host"] = []string{r.Host}
	}
	for name, vals := range r.Header {
		if len(vals) == 0 {
			continue
		}
		k := strings.ToLower(name)
		if k == "host" && r.Host != "" {
			continue
		}
		multi[k] = append(multi[k], vals...)
	}
	for k, vals := range multi {
		if k == "host" && r.Host != "" {
			continue
		}
		sep := ", "
		if k == "cookie" {
			sep = "; "
		}
		single[k] = strings.Join(vals, sep)
	}
	return single, multi
}

// httpAccessQuery parses a raw query string leniently (a malformed pair is kept as
// far as it decodes, never an error) in order of appearance.
func httpAccessQuery(raw string) (map[string]string, map[string][]string) {
	single := map[string]string{}
	multi := map[string][]string{}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, v = httpAccessUnescape(k), httpAccessUnescape(v)
		multi[k] = append(multi[k], v)
	}
	for k, vals := range multi {
		single[k] = strings.Join(vals, ",")
	}
	return single, multi
}

// httpAccessUnescape decodes %XX and '+' and leaves malformed escapes as they are.
func httpAccessUnescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	if !utf8.Valid(b) {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(b)
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// httpAccessIsText reports whether a body of this type may be passed as text (it is
// also checked for valid UTF-8). No Content-Type counts as text.
func httpAccessIsText(contentType, contentEncoding string) bool {
	if ce := strings.TrimSpace(strings.ToLower(contentEncoding)); ce != "" && ce != "identity" {
		return false
	}
	if strings.TrimSpace(contentType) == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	}
	if strings.HasPrefix(mt, "text/") || strings.HasPrefix(mt, "multipart/") {
		return true
	}
	if strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml") {
		return true
	}
	switch mt {
	case "application/json", "application/xml", "application/x-www-form-urlencoded",
		"application/javascript", "application/ecmascript", "application/x-javascript",
		"application/graphql", "application/x-ndjson", "application/ndjson",
		"application/yaml", "application/x-yaml", "application/toml", "application/sql",
		"application/csv", "application/xhtml+xml", "application/jsonl",
		"application/x-json", "application/x-sh", "application/x-httpd-php":
		return true
	}
	return false
}

func newHTTPAccessRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// --------------------------------------------------------------------------------
// Responses

// httpHopHeaders are connection-level headers a function may not set, and headers
// the server computes itself.
var httpHopHeaders = map[string]bool{
	"connection": true, "keep-alive": true, "proxy-connection": true,
	"transfer-encoding": true, "upgrade": true, "te": true, "trailer": true,
	"proxy-authenticate": true, "proxy-authorization": true,
	"content-length": true, "date": true, "http2-settings": true,
}

type httpAccessResponse struct {
	status int
	header http.Header
	body   []byte
}

// WriteResponse writes a function's result (its JSON return value) as the HTTP
// response, following CloudBase's rules (see the top of this file). A malformed
// integrated response returns an *HTTPAccessError with Status 502 and writes nothing,
// so the caller can answer with its own error.
func WriteResponse(w http.ResponseWriter, result json.RawMessage) error {
	resp, err := httpAccessResponseOf(result)
	if err != nil {
		return err
	}
	h := w.Header()
	for k, vals := range resp.header {
		h[k] = vals
	}
	noBody := resp.status == http.StatusNoContent || resp.status == http.StatusNotModified
	if noBody {
		h.Del("Content-Type")
	} else {
		h.Set("Content-Length", strconv.Itoa(len(resp.body)))
	}
	w.WriteHeader(resp.status)
	if noBody || len(resp.body) == 0 {
		return nil
	}
	_, err = w.Write(resp.body)
	return err
}

const (
	ctJSON = "application/json; charset=utf-8"
	ctText = "text/plain; charset=utf-8"
)

func httpAccessResponseOf(result json.RawMessage) (*httpAccessResponse, error) {
	v := bytes.TrimSpace(result)
	resp := &httpAccessResponse{status: http.StatusOK, header: http.Header{}}
	if len(v) == 0 || string(v) == "null" {
		return resp, nil
	}
	switch v[0] {
	case '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, badHTTPAccessResult("the result is not valid JSON")
		}
		resp.header.Set("Content-Type", ctText)
		resp.body = []byte(s)
		return resp, nil
	case '{':
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(v, &obj); err != nil {
			return nil, badHTTPAccessResult("the result is not valid JSON")
		}
		if _, ok := obj["statusCode"]; ok {
			return integratedHTTPResponse(obj)
		}
		resp.header.Set("Content-Type", ctJSON)
		resp.body = v
		return resp, nil
	case '[':
		resp.header.Set("Content-Type", ctJSON)
		resp.body = v
		return resp, nil
	default: // number, true, false
		if !json.Valid(v) {
			return nil, badHTTPAccessResult("the result is not valid JSON")
		}
		resp.header.Set("Content-Type", ctText)
		resp.body = v
		return resp, nil
	}
}

func badHTTPAccessResult(msg string) *HTTPAccessError {
	return &HTTPAccessError{Status: http.StatusBadGateway, Message: "invalid function response: " + msg}
}

func integratedHTTPResponse(obj map[string]json.RawMessage) (*httpAccessResponse, error) {
	resp := &httpAccessResponse{header: http.Header{}}

	status, err := httpAccessStatus(obj["statusCode"])
	if err != nil {
		return nil, err
	}
	resp.status = status

	// headers: name -> string | number | boolean | array of those (several values);
	// multiValueHeaders: name -> array. Both may be present; values add up.
	if err := addHTTPAccessHeaders(resp.header, obj["headers"], false); err != nil {
		return nil, err
	}
	if err := addHTTPAccessHeaders(resp.header, obj["multiValueHeaders"], true); err != nil {
		return nil, err
	}

	b64 := false
	if raw, ok := obj["isBase64Encoded"]; ok {
		switch strings.TrimSpace(string(raw)) {
		case "true", `"true"`:
			b64 = true
		case "false", `"false"`, "null", `""`:
		default:
			return nil, badHTTPAccessResult("isBase64Encoded must be a boolean")
		}
	}

	raw := bytes.TrimSpace(obj["body"])
	switch {
	case len(raw) == 0 || string(raw) == "null":
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, badHTTPAccessResult("body is not valid JSON")
		}
		if b64 {
			dec, err := decodeHTTPAccessBase64(s)
			if err != nil {
				return nil, badHTTPAccessResult("body is not valid base64 (isBase64Encoded is true)")
			}
			resp.body = dec
		} else {
			resp.body = []byte(s)
		}
	default:
		// Not a string: send the JSON value itself.
		resp.body = raw
		if resp.header.Get("Content-Type") == "" {
			resp.header.Set("Content-Type", ctJSON)
		}
	}
	if resp.header.Get("Content-Type") == "" && len(resp.body) > 0 {
		if b64 {
			resp.header.Set("Content-Type", "application/octet-stream")
		} else {
			resp.header.Set("Content-Type", ctText)
		}
	}
	if len(resp.body) > MaxResultBytes {
		return nil, badHTTPAccessResult(fmt.Sprintf("body is %d bytes, the limit is %d", len(resp.body), MaxResultBytes))
	}
	return resp, nil
}

func httpAccessStatus(raw json.RawMessage) (int, error) {
	s := strings.TrimSpace(string(raw))
	if unq, err := strconv.Unquote(s); err == nil && strings.HasPrefix(s, `"`) {
		s = strings.TrimSpace(unq)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != float64(int(f)) || f < 200 || f > 599 {
		return 0, badHTTPAccessResult(fmt.Sprintf("statusCode must be an integer from 200 to 599, got %s", truncateUTF8(string(raw), 40)))
	}
	return int(f), nil
}

func decodeHTTPAccessBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("bad base64")
}

func addHTTPAccessHeaders(h http.Header, raw json.RawMessage, multi bool) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		if multi {
			return badHTTPAccessResult("multiValueHeaders must be an object")
		}
		return badHTTPAccessResult("headers must be an object")
	}
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, k)
	}
	sort.Strings(names) // deterministic when two spellings of one name are given
	for _, name := range names {
		if !validHTTPHeaderName(name) || httpHopHeaders[strings.ToLower(name)] {
			continue // dropped, not an error: the rest of the response is still good
		}
		var vals []json.RawMessage
		v := bytes.TrimSpace(obj[name])
		if len(v) > 0 && v[0] == '[' {
			if err := json.Unmarshal(v, &vals); err != nil {
				return badHTTPAccessResult("header " + strconv.Quote(name) + " has a bad value")
			}
		} else {
			vals = []json.RawMessage{v}
		}
		key := http.CanonicalHeaderKey(name)
		for _, one := range vals {
			s, ok := httpAccessHeaderValue(one)
			if !ok || !validHTTPHeaderValue(s) {
				continue
			}
			h[key] = append(h[key], s)
		}
	}
	return nil
}

// httpAccessHeaderValue turns a JSON string, number or boolean into header text.
func httpAccessHeaderValue(v json.RawMessage) (string, bool) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || string(v) == "null" {
		return "", false
	}
	switch v[0] {
	case '"':
		var s string
		if json.Unmarshal(v, &s) != nil {
			return "", false
		}
		return s, true
	case '{', '[':
		return "", false
	}
	return string(v), json.Valid(v)
}

func validHTTPHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

// validHTTPHeaderValue rejects control characters (CR, LF, NUL …) except tab.
func validHTTPHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
