package storage

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// ServeObject serves ObjectsPath<cloudPath>: PUT stores an upload made with a URL from
// PrepareUpload; GET and HEAD serve a file to the holder of a temporary URL from
// TempURLs, with ranges, ETag/If-None-Match and, on ?download[=name], an attachment
// disposition. cloudPath is the URL path after ObjectsPath, unescaped. Errors are
// COS's XML documents (<Error><Code>…), which the SDKs parse.
func (s *Service) ServeObject(w http.ResponseWriter, r *http.Request, cloudPath string) {
	switch r.Method {
	case http.MethodPut:
		s.serveUpload(w, r, cloudPath)
	case http.MethodPost:
		s.serveFormUpload(w, r, cloudPath)
	case http.MethodGet, http.MethodHead:
		s.serveDownload(w, r, cloudPath)
	default:
		w.Header().Set("Allow", "GET, HEAD, PUT, POST")
		s.xmlError(w, r, http.StatusMethodNotAllowed, "MethodNotAllowed", "the method is not allowed on objects", nil)
	}
}

// verifyPath checks a signature against the URL's path. A URL whose path was escaped
// twice (js-sdk and node-sdk pass temporary URLs through encodeURI before fetching
// them) is accepted too: the signature still binds the one path it was made for.
func (s *Service) verifyPath(p string, sig string, parts func(p string) []string) (string, bool) {
	if s.sign.verify(sig, parts(p)...) {
		return p, true
	}
	if strings.Contains(p, "%") {
		if alt, err := url.PathUnescape(p); err == nil && s.sign.verify(sig, parts(alt)...) {
			return alt, true
		}
	}
	return "", false
}

func (s *Service) serveDownload(w http.ResponseWriter, r *http.Request, p string) {
	g, sig, err := parseDownloadGrant(p, r.URL.Query())
	if err != nil {
		s.xmlError(w, r, http.StatusForbidden, "AccessDenied", err.Error(), nil)
		return
	}
	host := s.bucketHost()
	p, ok := s.verifyPath(p, sig, func(p string) []string { g.Path = p; return g.parts(host) })
	if !ok {
		s.xmlError(w, r, http.StatusForbidden, "SignatureDoesNotMatch", "the URL's signature does not match: it was altered or made for another file", nil)
		return
	}
	now := s.now()
	if now.Unix() > g.Expires {
		s.xmlError(w, r, http.StatusForbidden, "AccessDenied", "Request has expired: get a new URL with getTempFileURL", nil)
		return
	}
	pol, err := s.policy(r.Context())
	if err != nil {
		s.xmlError(w, r, http.StatusInternalServerError, "InternalError", "storage system error", err)
		return
	}
	if time.Duration(g.TTL)*time.Second > MaxPrivateAge && !pol.publicRead() {
		s.xmlError(w, r, http.StatusForbidden, "AccessDenied", "this long-lived URL was made while every user could read the files; the storage rules no longer allow it", nil)
		return
	}
	f, err := s.meta.get(r.Context(), p)
	if err != nil {
		s.xmlError(w, r, http.StatusInternalServerError, "InternalError", "storage system error", err)
		return
	}
	if f == nil {
		s.xmlError(w, r, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.", nil)
		return
	}
	rc, err := s.openBlob(r.Context(), f)
	if err != nil {
		if se := AsError(err); se.Code == CodeFileNotExist {
			s.xmlError(w, r, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.", nil)
		} else {
			s.xmlError(w, r, http.StatusInternalServerError, "InternalError", "storage system error", err)
		}
		return
	}
	defer rc.Close()

	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("ETag", f.ETag())
	h.Set("X-Content-Type-Options", "nosniff")
	// files are served from the API's origin: never let one run scripts there
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox")
	h.Set("Cache-Control", "private, max-age="+strconv.FormatInt(max(0, min(g.Expires-now.Unix(), 7*86400)), 10))
	if name, ok := downloadName(r.URL.Query(), p); ok {
		h.Set("Content-Disposition", contentDisposition(name))
	}
	http.ServeContent(w, r, "", f.Updated, rc)
}

// downloadName reads ?download (the file's own name) or ?download=name.
func downloadName(q url.Values, p string) (string, bool) {
	v, ok := q["download"]
	if !ok {
		return "", false
	}
	name := ""
	if len(v) > 0 {
		name = v[0]
	}
	switch strings.ToLower(name) {
	case "", "1", "true":
		name = path.Base(p)
	}
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if name == "" || name == "." || name == ".." {
		name = path.Base(p)
	}
	return name, true
}

// contentDisposition builds an attachment header with an ASCII fallback name and the
// exact UTF-8 one (RFC 6266).
func contentDisposition(name string) string {
	ascii := make([]byte, 0, len(name))
	for _, r := range name {
		switch {
		case r < 0x20 || r == 0x7f || r == '"' || r == '\\' || r == '%' || r == ';':
			ascii = append(ascii, '_')
		case r < 0x80:
			ascii = append(ascii, byte(r))
		default:
			ascii = append(ascii, '_')
		}
	}
	return `attachment; filename="` + string(ascii) + `"; filename*=UTF-8''` + url.PathEscape(name)
}

// uploadRefusal is why an upload request is refused, in COS's terms.
type uploadRefusal struct {
	status int
	code   string
	msg    string
	cause  error
}

// checkUpload verifies an upload URL (signature, expiry, path) and returns its grant,
// the cloud path it was signed for, and the most bytes the file may have.
func (s *Service) checkUpload(r *http.Request, p string) (uploadGrant, string, int64, *uploadRefusal) {
	g, sig, err := parseUploadGrant(p, r.URL.Query())
	if err != nil {
		return g, "", 0, &uploadRefusal{http.StatusForbidden, "AccessDenied", err.Error(), nil}
	}
	host := s.bucketHost()
	p, ok := s.verifyPath(p, sig, func(p string) []string { g.Path = p; return g.parts(host) })
	if !ok {
		return g, "", 0, &uploadRefusal{http.StatusForbidden, "SignatureDoesNotMatch", "the upload URL's signature does not match: it was altered or made for another path", nil}
	}
	if s.now().Unix() > g.Expires {
		return g, "", 0, &uploadRefusal{http.StatusForbidden, "AccessDenied", "Request has expired: ask for a new upload URL", nil}
	}
	if err := ValidatePath(p); err != nil {
		return g, "", 0, &uploadRefusal{http.StatusBadRequest, "InvalidArgument", AsError(err).Msg, nil}
	}
	limit := s.cfg.MaxUpload
	if g.MaxSize >= 0 && g.MaxSize < limit {
		limit = g.MaxSize
	}
	return g, p, limit, nil
}

// storeRefusal maps a storage error of an upload to COS's answer.
func storeRefusal(err error, limit int64) *uploadRefusal {
	se := AsError(err)
	switch se.Code {
	case CodeFileTooLarge:
		return &uploadRefusal{http.StatusRequestEntityTooLarge, "EntityTooLarge", "the file is larger than the " + strconv.FormatInt(limit, 10) + " bytes this upload allows; nothing was stored", nil}
	case CodeExceedAuthority:
		return &uploadRefusal{http.StatusForbidden, "AccessDenied", se.Msg, nil}
	case CodeRequestFail:
		return &uploadRefusal{http.StatusBadRequest, "IncompleteBody", se.Msg, nil}
	}
	return &uploadRefusal{http.StatusInternalServerError, "InternalError", "storage system error", se}
}

// refuse answers a refused upload. Its body may be unread: the connection closes after
// the answer, or the rest of the body would be parsed as the next request.
func (s *Service) refuse(w http.ResponseWriter, r *http.Request, e *uploadRefusal) {
	w.Header().Set("Connection", "close")
	s.xmlError(w, r, e.status, e.code, e.msg, e.cause)
}

// uploadType picks the stored content type of an upload: the signed one (a different
// sent one is refused), else the sent one when valid, else none (derived later from the
// path or the bytes).
func uploadType(g uploadGrant, sent string) (string, *uploadRefusal) {
	if g.ContentType != "" {
		if sent != "" && !sameMediaType(sent, g.ContentType) {
			return "", &uploadRefusal{http.StatusForbidden, "SignatureDoesNotMatch", "the Content-Type " + sent + " differs from the declared " + g.ContentType, nil}
		}
		return g.ContentType, nil
	}
	if checkContentType(sent) != nil {
		return "", nil
	}
	return sent, nil
}

func (s *Service) serveUpload(w http.ResponseWriter, r *http.Request, p string) {
	g, p, limit, bad := s.checkUpload(r, p)
	if bad == nil && r.ContentLength > limit {
		bad = &uploadRefusal{http.StatusRequestEntityTooLarge, "EntityTooLarge", "the body is larger than the " + strconv.FormatInt(limit, 10) + " bytes this upload allows", nil}
	}
	var ct string
	if bad == nil {
		ct, bad = uploadType(g, r.Header.Get("Content-Type"))
	}
	if bad != nil {
		s.refuse(w, r, bad)
		return
	}
	f, err := s.store(r.Context(), Caller{Admin: g.Admin, OpenID: g.Owner}, p, r.Body, limit, ct)
	if err != nil {
		s.refuse(w, r, storeRefusal(err, limit))
		return
	}
	w.Header().Set("ETag", f.ETag())
	w.Header().Set("x-cos-request-id", newRequestID())
	w.WriteHeader(http.StatusOK)
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// xmlError writes COS's error document: node-sdk parses <Error><Code>, <Message>,
// <RequestId> and <TraceId> out of a failed upload, and js-sdk reports the body.
func (s *Service) xmlError(w http.ResponseWriter, r *http.Request, status int, code, msg string, cause error) {
	id := newRequestID()
	if cause != nil {
		s.app.Logger().Error("storage: "+msg, "path", r.URL.Path, "requestId", id, "error", cause)
	}
	h := w.Header()
	for _, k := range []string{"Content-Disposition", "ETag", "Cache-Control", "Last-Modified"} {
		h.Del(k)
	}
	h.Set("Content-Type", "application/xml")
	h.Set("x-cos-request-id", id)
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	var b strings.Builder
	b.WriteString("<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n")
	for _, kv := range [][2]string{{"Code", code}, {"Message", msg}, {"Resource", r.URL.Path}, {"RequestId", id}, {"TraceId", id}} {
		b.WriteString("\t<" + kv[0] + ">")
		_ = xml.EscapeText(&b, []byte(kv[1]))
		b.WriteString("</" + kv[0] + ">\n")
	}
	b.WriteString("</Error>\n")
	_, _ = w.Write([]byte(b.String()))
}
