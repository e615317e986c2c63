package storage

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
)

// Form uploads: wx.uploadFile in a mini-program, and js-sdk's uploadFile({method:
// 'post'}), send the file as a multipart/form-data POST to the upload URL, the file in
// the field "file" and other fields beside it (js-sdk: key, signature,
// x-cos-security-token, x-cos-meta-fileid, success_action_status). The URL's query
// carries the signature, as for a PUT, and the same checks apply; the other fields are
// read past and ignored, except success_action_status (COS's: 200, 201 or 204; the
// answer is a small JSON document, {fileID, size, contentType, md5}, except for 204) and
// a Content-Type field before the file.

// FormFileField is the form field that carries the file of a POST upload.
const FormFileField = "file"

// MaxFormOverhead bounds what a POST upload may carry besides the file's bytes: the other
// fields, part headers and boundaries.
const MaxFormOverhead int64 = 64 << 10

// maxFormValue is the longest field value kept (longer ones are read past).
const maxFormValue = 256

var errFormTooLarge = errors.New("the form is larger than its file and fields may be")

// limitedBody fails with errFormTooLarge once more than n bytes are read.
type limitedBody struct {
	r io.Reader
	n int64
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.n <= 0 {
		// one byte more tells a body of exactly n bytes from a longer one
		var b [1]byte
		if k, err := l.r.Read(b[:]); k > 0 {
			return 0, errFormTooLarge
		} else if err != nil {
			return 0, err
		}
		return 0, nil
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	k, err := l.r.Read(p)
	l.n -= int64(k)
	return k, err
}

// formUpload is the outcome of reading a POST upload's form.
type formUpload struct {
	blob        *stagedBlob
	contentType string
	status      string // success_action_status
}

func (s *Service) serveFormUpload(w http.ResponseWriter, r *http.Request, p string) {
	g, p, limit, bad := s.checkUpload(r, p)
	if bad == nil && r.ContentLength > limit+MaxFormOverhead {
		bad = &uploadRefusal{http.StatusRequestEntityTooLarge, "EntityTooLarge", "the body is larger than the " + strconv.FormatInt(limit, 10) + " bytes this upload allows, plus its form fields", nil}
	}
	var boundary string
	if bad == nil {
		mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		boundary = params["boundary"]
		if err != nil || mt != "multipart/form-data" || boundary == "" {
			bad = &uploadRefusal{http.StatusBadRequest, "InvalidArgument", "a POST upload is multipart/form-data with the file in the field named file (or PUT the bytes as the body)", nil}
		}
	}
	c := Caller{Admin: g.Admin, OpenID: g.Owner}
	var pol policy
	if bad == nil {
		var err error
		if pol, err = s.writePolicy(r.Context(), c, p); err != nil {
			bad = storeRefusal(err, limit)
		}
	}
	if bad != nil {
		s.refuse(w, r, bad)
		return
	}
	up, bad := s.readForm(r, g, boundary, limit)
	if bad != nil {
		if up.blob != nil {
			s.discard(r.Context(), up.blob)
		}
		s.refuse(w, r, bad)
		return
	}
	f, err := s.commit(r.Context(), c, pol, p, up.blob, up.contentType)
	if err != nil {
		s.refuse(w, r, storeRefusal(err, limit))
		return
	}
	h := w.Header()
	h.Set("ETag", f.ETag())
	h.Set("x-cos-request-id", newRequestID())
	switch strings.TrimSpace(up.status) {
	case "204":
		w.WriteHeader(http.StatusNoContent)
	default:
		// 200, or 201 when asked (js-sdk's method 'post' asks, and parses the answer as
		// JSON if it can: COS's XML would only make it log a parse error)
		status := http.StatusOK
		if strings.TrimSpace(up.status) == "201" {
			status = http.StatusCreated
		}
		body, _ := json.Marshal(map[string]any{"fileID": f.FileID, "size": f.Size, "contentType": f.ContentType, "md5": f.MD5})
		h.Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

// readForm streams the form: the file part into a staged blob (up.blob, which the
// caller discards on a refusal), the other fields read past. Exactly one file part must
// come.
func (s *Service) readForm(r *http.Request, g uploadGrant, boundary string, limit int64) (formUpload, *uploadRefusal) {
	var up formUpload
	body := &limitedBody{r: r.Body, n: limit + MaxFormOverhead}
	mr := multipart.NewReader(body, boundary)
	var fieldBytes int64
	formTooLarge := &uploadRefusal{http.StatusRequestEntityTooLarge, "EntityTooLarge", "the form fields besides the file are larger than " + strconv.FormatInt(MaxFormOverhead, 10) + " bytes; nothing was stored", nil}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, errFormTooLarge) {
				return up, formTooLarge
			}
			return up, &uploadRefusal{http.StatusBadRequest, "MalformedPOSTRequest", "the multipart body is malformed: " + err.Error(), nil}
		}
		name := part.FormName()
		if name == FormFileField {
			if up.blob != nil {
				part.Close()
				return up, &uploadRefusal{http.StatusBadRequest, "InvalidArgument", "the form holds more than one part named file; nothing was stored", nil}
			}
			sent := part.Header.Get("Content-Type")
			if up.contentType != "" {
				sent = up.contentType // a Content-Type field before the file
			} else if mt, _, _ := mime.ParseMediaType(sent); mt == "application/octet-stream" {
				sent = "" // what clients send when they know nothing better
			}
			ct, bad := uploadType(g, sent)
			if bad != nil {
				part.Close()
				return up, bad
			}
			b, err := s.writeBlob(r.Context(), part, limit)
			part.Close()
			if err != nil {
				if errors.Is(err, errFormTooLarge) {
					return up, formTooLarge
				}
				return up, storeRefusal(err, limit)
			}
			up.blob, up.contentType = b, ct
			continue
		}
		// any other field: keep the few read, count the rest against the overhead
		var val strings.Builder
		n, err := io.Copy(&val, io.LimitReader(part, maxFormValue+1))
		if err == nil && n > maxFormValue {
			var rest int64
			rest, err = io.Copy(io.Discard, part)
			n += rest
		}
		part.Close()
		fieldBytes += n
		if errors.Is(err, errFormTooLarge) || fieldBytes > MaxFormOverhead {
			return up, formTooLarge
		}
		if err != nil {
			return up, &uploadRefusal{http.StatusBadRequest, "MalformedPOSTRequest", "the multipart body is malformed: " + err.Error(), nil}
		}
		if n <= maxFormValue {
			switch strings.ToLower(name) {
			case "success_action_status":
				up.status = val.String()
			case "content-type":
				if up.blob == nil && checkContentType(val.String()) == nil {
					up.contentType = val.String()
				}
			}
		}
	}
	if up.blob == nil {
		return up, &uploadRefusal{http.StatusBadRequest, "InvalidArgument", "the form holds no part named file, the field of the file; nothing was stored", nil}
	}
	return up, nil
}
