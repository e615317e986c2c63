// Package apikeys authenticates requests that the official CloudBase server SDKs
// (@cloudbase/node-sdk, wx-server-sdk) send to the legacy admin endpoint
// `POST /admin?env=<env>&seqId=<id>`, and manages the key material behind them.
//
// Two forms exist on the wire:
//
//   - `Authorization: TC3-HMAC-SHA256 Credential=<secretId>/<date>/tcb/tc3_request,
//     SignedParams=..., SignedHeaders=..., Signature=<hex>` plus `X-Timestamp` and
//     `X-Signature-Expires`, computed by @cloudbase/signature-nodejs 2.2.0 from a
//     secretId/secretKey pair. [Verify] checks it.
//   - `Authorization: Bearer <accessKey>` when the SDK is configured with `accessKey`
//     (node-sdk 3.18+ only). [AccessKey] mints such a key from a stored pair and
//     [ParseAccessKey] / [VerifyBearer] check it.
//
// # The canonical request of signature-nodejs (tcb flavour, as used on /admin)
//
//	method            the SDK's method string verbatim: almost always "post", but "POST" in a few callers
//	                  (the wire always carries "POST"); Verify tries both spellings
//	signedUrl         the request URL without scheme and query: "//" + host + path, e.g. "//127.0.0.1:8090/admin"
//	query             the raw query string (url.parse(url).query), e.g. "env=e&seqId=19b5f2d2a00_1" — signed
//	canonicalHeaders  for every signed header, sorted: name ":" value "\n", where the name is lowercased and
//	                  trimmed, and the value is stringified, trimmed and lowercased — except content-type,
//	                  whose value is kept verbatim, or collapsed to "multipart/form-data" if it starts with that
//	signedHeaders     the names joined with ";" (node-sdk signs content-type;host;user-agent;x-client-timestamp;
//	                  x-sdk-version;x-tcb-source and any config.headers / X-TCB-Region / X-TCB-Tracelog)
//	hashedPayload     NOT a hash of the body bytes. It is hex(sha256(concat("&" + k + "=" + v + "\r\n")))
//	                  over the top-level request PARAMETERS: k = encodeURIComponent(key.toLowerCase().trim())
//	                  with !'()* also escaped; v = the string value trimmed (JS String.prototype.trim), or
//	                  JSON.stringify(value) for non-strings, or the raw bytes of a Buffer in multipart mode;
//	                  parameters whose value is "" (after trimming) are skipped; keys are ordered by
//	                  String.prototype.localeCompare (and listed in that order in SignedParams). For GET the
//	                  payload is empty: sha256("").
//
//	canonicalRequest = method \n signedUrl \n query \n canonicalHeaders \n signedHeaders \n hashedPayload
//	stringToSign     = "TC3-HMAC-SHA256" \n X-Timestamp \n date/tcb/tc3_request \n hex(sha256(canonicalRequest))
//	date             = UTC calendar date of X-Timestamp, "2006-01-02"
//	key              = HMAC(HMAC(HMAC("TC3"+secretKey, date), "tcb"), "tc3_request")
//	Signature        = hex(HMAC(key, stringToSign))
//
// X-Timestamp (seconds, the SDK sends now-1) and X-Signature-Expires (the SDK sends 600) are not
// themselves signed headers; the timestamp is bound through the string to sign, the expiry is not
// bound at all, so Verify never honours more than [MaxSignatureExpires].
package apikeys

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

const (
	// Algorithm is the Authorization scheme written by @cloudbase/signature-nodejs.
	Algorithm = "TC3-HMAC-SHA256"
	// Service is the credential-scope service name node-sdk signs with.
	Service = "tcb"
	// MaxClockSkew is the tolerated difference between the client's and the server's clocks.
	MaxClockSkew = 5 * time.Minute
	// MaxSignatureExpires caps the unsigned X-Signature-Expires header (the SDK always sends 600);
	// it is also the value used when the header is absent.
	MaxSignatureExpires = 600 * time.Second
)

// Sentinel errors; compare with errors.Is. Returned errors may wrap them with a short reason,
// which never contains key material or the expected signature.
var (
	ErrUnsigned     = errors.New("apikeys: request carries no TC3-HMAC-SHA256 authorization")
	ErrMalformed    = errors.New("apikeys: malformed authorization")
	ErrUnknownKey   = errors.New("apikeys: unknown or revoked secretId")
	ErrExpired      = errors.New("apikeys: signature timestamp outside the accepted window")
	ErrBadSignature = errors.New("apikeys: signature does not match")
)

const (
	headerHost        = "host"
	headerContentType = "content-type"
	mimeMultipart     = "multipart/form-data"
	credentialSuffix  = "tc3_request"
	dateLayout        = "2006-01-02"
)

func malformed(reason string) error { return fmt.Errorf("%w: %s", ErrMalformed, reason) }
func badSig(reason string) error    { return fmt.Errorf("%w: %s", ErrBadSignature, reason) }

// tc3Auth is a parsed TC3-HMAC-SHA256 Authorization header.
type tc3Auth struct {
	secretID        string
	date            string
	signedParams    []string
	hasSignedParams bool
	signedHeaders   []string
	signature       []byte
}

// Verify checks a TC3-HMAC-SHA256 Authorization header of a request to the admin endpoint.
// body is the raw request body already read by the caller. lookup returns the secretKey for a
// secretId (ok=false if unknown or revoked). now is the server clock for expiry checks.
// It returns the secretId on success. Errors are ErrUnsigned (no/other scheme), ErrMalformed,
// ErrUnknownKey, ErrExpired (timestamp outside [now-expires-skew, now+skew], skew constant
// MaxClockSkew = 5*time.Minute), ErrBadSignature — sentinel errors, compare with errors.Is; messages
// never contain the secret or the expected signature.
//
// What the signature covers (mirroring the SDK exactly) is the method, host, path, raw query, the
// signed headers and the top-level body parameters as described in the package documentation.
// Because of how the SDK hashes parameters, a verified body may still differ from what was signed
// in ways that do not change the parameter hash: leading/trailing whitespace of top-level string
// values, and top-level keys whose value is "" (or whitespace only) may be added or removed.
// Handlers must treat those as insignificant. Verify rejects duplicate top-level keys (also
// duplicates that differ only in letter case), top-level JSON values other than objects, and GET
// requests with a body, none of which the SDK produces.
func Verify(r *http.Request, body []byte, lookup func(secretID string) (secretKey string, ok bool), now time.Time) (secretID string, err error) {
	authz := r.Header.Values("Authorization")
	if len(authz) == 0 || !strings.HasPrefix(authz[0], Algorithm+" ") {
		return "", ErrUnsigned
	}
	if len(authz) > 1 {
		return "", malformed("more than one Authorization header")
	}
	a, err := parseTC3Authorization(authz[0][len(Algorithm)+1:])
	if err != nil {
		return "", err
	}

	ts, err := requestTimestamp(r)
	if err != nil {
		return "", err
	}
	expires, err := signatureExpires(r)
	if err != nil {
		return "", err
	}
	signedAt := time.Unix(ts, 0)
	if signedAt.After(now.Add(MaxClockSkew)) || signedAt.Before(now.Add(-expires-MaxClockSkew)) {
		return "", ErrExpired
	}
	if signedAt.UTC().Format(dateLayout) != a.date {
		return "", badSig("credential date is not the date of X-Timestamp")
	}

	secretKey, ok := lookup(a.secretID)
	if !ok {
		return "", ErrUnknownKey
	}

	canon, err := canonicalParts(r, body, a)
	if err != nil {
		return "", err
	}
	for _, method := range methodSpellings(r.Method) {
		want := tc3Signature(secretKey, a.date, ts, canon.request(method))
		if hmac.Equal(want, a.signature) {
			return a.secretID, nil
		}
	}
	return "", ErrBadSignature
}

// methodSpellings returns the method strings the SDK may have signed: node-sdk passes
// 'post' to the signer but Node uppercases it on the wire; a few callers pass 'POST'.
func methodSpellings(wire string) []string {
	lower := strings.ToLower(wire)
	if lower == wire {
		return []string{wire, strings.ToUpper(wire)}
	}
	return []string{lower, wire}
}

func parseTC3Authorization(s string) (*tc3Auth, error) {
	a := &tc3Auth{}
	seen := map[string]bool{}
	for field := range strings.SplitSeq(s, ",") {
		field = strings.TrimSpace(field)
		name, value, ok := strings.Cut(field, "=")
		if !ok {
			return nil, malformed("authorization field without '='")
		}
		if seen[name] {
			return nil, malformed("repeated authorization field")
		}
		seen[name] = true
		switch name {
		case "Credential":
			parts := strings.Split(value, "/")
			if len(parts) != 4 || parts[0] == "" {
				return nil, malformed("credential is not <secretId>/<date>/tcb/tc3_request")
			}
			if parts[2] != Service || parts[3] != credentialSuffix {
				return nil, malformed("credential scope is not <date>/tcb/tc3_request")
			}
			if _, err := time.Parse(dateLayout, parts[1]); err != nil {
				return nil, malformed("credential date is not YYYY-MM-DD")
			}
			a.secretID, a.date = parts[0], parts[1]
		case "SignedParams":
			a.hasSignedParams = true
			list, err := splitList(value, true)
			if err != nil {
				return nil, err
			}
			a.signedParams = list
		case "SignedHeaders":
			list, err := splitList(value, false)
			if err != nil {
				return nil, err
			}
			a.signedHeaders = list
		case "Signature":
			sig, err := hex.DecodeString(value)
			if err != nil || len(sig) != sha256.Size {
				return nil, malformed("signature is not 64 hex digits")
			}
			a.signature = sig
		default:
			return nil, malformed("unexpected authorization field")
		}
	}
	switch {
	case a.secretID == "":
		return nil, malformed("missing Credential")
	case a.signature == nil:
		return nil, malformed("missing Signature")
	case a.signedHeaders == nil:
		return nil, malformed("missing SignedHeaders")
	case !slices.Contains(a.signedHeaders, headerHost) || !slices.Contains(a.signedHeaders, headerContentType):
		return nil, malformed("host and content-type must be signed")
	}
	return a, nil
}

// splitList splits a ';'-separated list of distinct, non-empty names.
func splitList(v string, allowEmpty bool) ([]string, error) {
	if v == "" {
		if allowEmpty {
			return []string{}, nil
		}
		return nil, malformed("empty name list")
	}
	list := strings.Split(v, ";")
	seen := make(map[string]bool, len(list))
	for _, n := range list {
		if n == "" || seen[n] {
			return nil, malformed("empty or repeated name in list")
		}
		seen[n] = true
	}
	return list, nil
}

func singleHeader(r *http.Request, name string) (string, bool, error) {
	vs := r.Header.Values(name)
	switch len(vs) {
	case 0:
		return "", false, nil
	case 1:
		return vs[0], true, nil
	default:
		return "", false, malformed("repeated " + name + " header")
	}
}

func parseDecimal(s string) (int64, bool) {
	if s == "" || len(s) > 18 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func requestTimestamp(r *http.Request) (int64, error) {
	v, ok, err := singleHeader(r, "X-Timestamp")
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, malformed("missing X-Timestamp")
	}
	ts, ok := parseDecimal(v)
	if !ok {
		return 0, malformed("X-Timestamp is not a decimal number of seconds")
	}
	return ts, nil
}

func signatureExpires(r *http.Request) (time.Duration, error) {
	v, ok, err := singleHeader(r, "X-Signature-Expires")
	if err != nil || !ok {
		return MaxSignatureExpires, err
	}
	n, ok := parseDecimal(v)
	if !ok {
		return 0, malformed("X-Signature-Expires is not a decimal number of seconds")
	}
	if d := time.Duration(n) * time.Second; n < int64(MaxSignatureExpires/time.Second) {
		return d, nil
	}
	return MaxSignatureExpires, nil
}

// canonical holds the method-independent parts of the canonical request.
type canonical struct {
	signedURL, query, headers, signedHeaders, payloadHash string
}

func (c *canonical) request(method string) string {
	return method + "\n" + c.signedURL + "\n" + c.query + "\n" + c.headers + "\n" + c.signedHeaders + "\n" + c.payloadHash
}

func canonicalParts(r *http.Request, body []byte, a *tc3Auth) (*canonical, error) {
	host := r.Host
	if host == "" && r.URL != nil {
		host = r.URL.Host
	}
	path, query := requestTarget(r)

	var hb strings.Builder
	contentType := ""
	for _, name := range a.signedHeaders {
		var value string
		switch name {
		case headerHost:
			value = headerValue(host)
		case headerContentType:
			v, ok, err := singleHeader(r, "Content-Type")
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, badSig("signed header content-type is missing")
			}
			if strings.HasPrefix(v, mimeMultipart) {
				v = mimeMultipart
			}
			value, contentType = v, v
		default:
			hn := name
			if strings.Contains(hn, "%") {
				// header names are camSafeUrlEncoded by the signer; undo that for the lookup
				dec, err := percentDecode(hn)
				if err != nil {
					return nil, malformed("bad percent-encoding in SignedHeaders")
				}
				hn = dec
			}
			v, ok, err := singleHeader(r, hn)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, badSig("a signed header is missing")
			}
			value = headerValue(v)
		}
		hb.WriteString(name)
		hb.WriteByte(':')
		hb.WriteString(value)
		hb.WriteByte('\n')
	}

	ph, err := payloadHash(r, body, contentType == mimeMultipart, a)
	if err != nil {
		return nil, err
	}
	return &canonical{
		signedURL:     "//" + host + path,
		query:         query,
		headers:       hb.String(),
		signedHeaders: strings.Join(a.signedHeaders, ";"),
		payloadHash:   ph,
	}, nil
}

// requestTarget returns the escaped path and the raw query as the client sent them.
func requestTarget(r *http.Request) (path, query string) {
	if ru := r.RequestURI; strings.HasPrefix(ru, "/") {
		path, query, _ = strings.Cut(ru, "?")
		return path, query
	}
	return r.URL.EscapedPath(), r.URL.RawQuery
}

// headerValue canonicalises a header value like the signer: JS trim + toLowerCase. Node writes
// header strings as latin1, so every byte is one code point.
func headerValue(raw string) string {
	rs := make([]rune, len(raw))
	for i := 0; i < len(raw); i++ {
		rs[i] = rune(raw[i])
	}
	return jsToLower(jsTrim(string(rs)))
}

type param struct {
	key   string // camSafeUrlEncode(key.toLowerCase().trim())
	value []byte // formatted value
}

func payloadHash(r *http.Request, body []byte, multipartBody bool, a *tc3Auth) (string, error) {
	if strings.EqualFold(r.Method, http.MethodGet) {
		if len(body) != 0 {
			return "", malformed("GET with a body (the signature would not cover it)")
		}
		return hexSHA256(nil), nil
	}
	var (
		params []param
		err    error
	)
	if multipartBody {
		params, err = multipartParams(r, body)
	} else {
		params, err = jsonParams(body)
	}
	if err != nil {
		return "", err
	}

	byKey := make(map[string][]byte, len(params))
	for _, p := range params {
		if _, dup := byKey[p.key]; dup {
			return "", malformed("duplicate body parameter")
		}
		byKey[p.key] = p.value
	}
	hashed := make([]string, 0, len(params))
	for _, p := range params {
		if p.value != nil {
			hashed = append(hashed, p.key)
		}
	}

	var order []string
	if a.hasSignedParams {
		if len(a.signedParams) != len(hashed) {
			return "", badSig("SignedParams does not list the body parameters")
		}
		for _, k := range a.signedParams {
			if v, ok := byKey[k]; !ok || v == nil {
				return "", badSig("SignedParams does not list the body parameters")
			}
		}
		order = a.signedParams
	} else {
		order = hashed
		slices.SortStableFunc(order, localeCompare)
	}

	h := sha256.New()
	for _, k := range order {
		io.WriteString(h, "&"+k+"=")
		h.Write(byKey[k])
		io.WriteString(h, "\r\n")
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// jsonParams walks the top level of a JSON object body. The value of a parameter is the trimmed
// string for strings and the exact JSON text (== JSON.stringify of the value, since the SDK's body
// is JSON.stringify of the whole object) otherwise. A nil value means "not hashed".
func jsonParams(body []byte) ([]param, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err == io.EOF {
		return nil, nil // no body: nothing is hashed, like {}
	}
	if err != nil || tok != json.Delim('{') {
		return nil, malformed("body is not a JSON object")
	}
	var params []param
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, malformed("body is not valid JSON")
		}
		key, _ := kt.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, malformed("body is not valid JSON")
		}
		if key == "" {
			continue // the signer ignores the empty key
		}
		var value []byte
		if raw[0] == '"' {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, malformed("body is not valid JSON")
			}
			value = nonEmpty(jsTrim(s))
		} else {
			value = bytes.Clone(raw)
		}
		fk := formatKey(key)
		if fk == "" {
			return nil, malformed("blank body parameter name")
		}
		params = append(params, param{key: fk, value: value})
	}
	if _, err := dec.Token(); err != nil {
		return nil, malformed("body is not valid JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, malformed("trailing data after the JSON body")
	}
	return params, nil
}

// multipartParams reads a form-data body as written by the form-data package: Buffer values carry
// a part Content-Type (application/octet-stream) and are hashed raw, string values have none and
// are trimmed (and skipped when empty).
func multipartParams(r *http.Request, body []byte) ([]param, error) {
	_, ps, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || ps["boundary"] == "" {
		return nil, malformed("multipart body without boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(body), ps["boundary"])
	var params []param
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			return params, nil
		}
		if err != nil {
			return nil, malformed("bad multipart body")
		}
		name := p.FormName()
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, malformed("bad multipart body")
		}
		if name == "" {
			return nil, malformed("multipart part without a form-data name")
		}
		fk := formatKey(name)
		if fk == "" {
			return nil, malformed("blank body parameter name")
		}
		var value []byte
		if p.Header.Get("Content-Type") != "" {
			value = data
			if value == nil {
				value = []byte{}
			}
		} else {
			value = nonEmpty(jsTrim(string(data)))
		}
		params = append(params, param{key: fk, value: value})
	}
}

func nonEmpty(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// formatKey is camSafeUrlEncode(key.toLowerCase().trim()).
func formatKey(k string) string {
	return camSafeURLEncode(jsTrim(jsToLower(k)))
}

// camSafeURLEncode is encodeURIComponent with !'()* also escaped: only A-Z a-z 0-9 - _ . ~ stay.
func camSafeURLEncode(s string) string {
	const hexUpper = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexUpper[c>>4])
		b.WriteByte(hexUpper[c&15])
	}
	return b.String()
}

func percentDecode(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", errors.New("short escape")
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", err
		}
		b.WriteByte(byte(v))
		i += 2
	}
	return b.String(), nil
}

// jsTrim is String.prototype.trim: ECMAScript WhiteSpace and LineTerminator code points.
func jsTrim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		switch r {
		case '\t', '\n', '\v', '\f', '\r', ' ', 0x00A0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
			return true
		}
		return 0x2000 <= r && r <= 0x200A
	})
}

// jsToLower approximates String.prototype.toLowerCase (exact for everything except the
// context-dependent final sigma, where a mismatch merely fails verification).
func jsToLower(s string) string {
	if !strings.ContainsRune(s, 'İ') {
		return strings.ToLower(s)
	}
	return strings.ToLower(strings.ReplaceAll(s, "İ", "i\u0307"))
}

// localeCompare orders formatted parameter keys like Node's String.prototype.localeCompare (ICU
// root collation). After formatKey a key only holds a-z 0-9 - _ . ~ % and upper-case hex digits,
// whose primary order is _ - . % ~ 0..9 a..z, with lower case before upper case at tertiary level.
// It is only needed when SignedParams is absent (node-sdk always sends it).
func localeCompare(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if pa, pb := primaryWeight(a[i]), primaryWeight(b[i]); pa != pb {
			return cmpInt(pa, pb)
		}
	}
	if len(a) != len(b) {
		return cmpInt(len(a), len(b))
	}
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] {
			// same primary weight: the same letter in different case; lower case sorts first
			if unicode.IsLower(rune(a[i])) {
				return -1
			}
			return 1
		}
	}
	return 0
}

func primaryWeight(c byte) int {
	switch {
	case c == '_':
		return 1
	case c == '-':
		return 2
	case c == '.':
		return 3
	case c == '%':
		return 4
	case c == '~':
		return 5
	case '0' <= c && c <= '9':
		return 10 + int(c-'0')
	case 'a' <= c && c <= 'z':
		return 30 + int(c-'a')
	case 'A' <= c && c <= 'Z':
		return 30 + int(c-'A')
	}
	return 100 + int(c)
}

func cmpInt(a, b int) int {
	if a < b {
		return -1
	}
	return 1
}

func hexSHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	io.WriteString(m, msg)
	return m.Sum(nil)
}

// tc3Signature derives the TC3 signing key for the date and signs the canonical request.
func tc3Signature(secretKey, date string, timestamp int64, canonicalRequest string) []byte {
	kDate := hmacSHA256([]byte("TC3"+secretKey), date)
	kService := hmacSHA256(kDate, Service)
	kSigning := hmacSHA256(kService, credentialSuffix)
	stringToSign := Algorithm + "\n" + strconv.FormatInt(timestamp, 10) + "\n" +
		date + "/" + Service + "/" + credentialSuffix + "\n" + hexSHA256([]byte(canonicalRequest))
	return hmacSHA256(kSigning, stringToSign)
}
