package storage

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
)

// formPart is one part of a test form: a field, or a file when filename is set.
type formPart struct {
	name, filename, contentType, value string
}

// form builds a multipart/form-data body; it returns the body and its content type.
func form(t *testing.T, parts ...formPart) (*strings.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		cd := `form-data; name="` + p.name + `"`
		if p.filename != "" {
			cd += `; filename="` + p.filename + `"`
		}
		h.Set("Content-Disposition", cd)
		if p.contentType != "" {
			h.Set("Content-Type", p.contentType)
		}
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(w, p.value)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return strings.NewReader(buf.String()), mw.FormDataContentType()
}

func postForm(t *testing.T, u string, parts ...formPart) resp {
	t.Helper()
	body, ct := form(t, parts...)
	return send(t, http.MethodPost, u, body, map[string]string{"Content-Type": ct})
}

func TestFormUpload(t *testing.T) {
	s, app := newTestService(t, Config{MaxUpload: 1 << 20})
	srv := objectServer(t, s)
	tk := ticket(t, s, srv.URL, alice, UploadRequest{CloudPath: "wx/photo.png", Size: -1})

	// wx.uploadFile: the file part (named "file") among other fields, answered with JSON
	r := postForm(t, tk.URL,
		formPart{name: "key", value: "wx/photo.png"},
		formPart{name: "file", filename: "tmp_1.png", contentType: "application/octet-stream", value: "\x89PNG\r\n\x1a\nfirst"},
		formPart{name: "after", value: "ignored"})
	r.want(t, 200, `"fileID":"cloud://test-env.minicloud/wx/photo.png"`, `"size":13`, `"contentType":"image/png"`)
	if r.header.Get("Content-Type") != "application/json" || r.header.Get("ETag") == "" {
		t.Fatalf("headers %v", r.header)
	}
	got, f := readAll(t, s, bob, tk.FileID)
	if got != "\x89PNG\r\n\x1a\nfirst" || f.Owner != "alice" || f.ContentType != "image/png" {
		t.Fatalf("stored %q %+v", got, f)
	}

	// js-sdk's method 'post': success_action_status 201 asks for a 201; the part's own
	// type is kept
	r = postForm(t, tk.URL,
		formPart{name: "key", value: "wx/photo.png"}, formPart{name: "signature", value: tk.Authorization},
		formPart{name: "x-cos-meta-fileid", value: tk.MetaID}, formPart{name: "success_action_status", value: "201"},
		formPart{name: "x-cos-security-token", value: tk.Token}, formPart{name: "key", value: "wx/photo.png"},
		formPart{name: "file", filename: "blob", contentType: "text/plain", value: "second"})
	r.want(t, 201, `"fileID":"cloud://test-env.minicloud/wx/photo.png"`, `"contentType":"text/plain"`)
	if got, f := readAll(t, s, bob, tk.FileID); got != "second" || f.ContentType != "text/plain" {
		t.Fatalf("after 201: %q %+v", got, f)
	}
	// 204: no body
	r = postForm(t, tk.URL, formPart{name: "success_action_status", value: "204"}, formPart{name: "file", filename: "x", value: "third"})
	if r.status != 204 || r.body != "" {
		t.Fatalf("204: %+v", r)
	}
	n := metaCount(t, app)
	nBlobs := len(blobs(t, app))

	// refusals: nothing stored, the previous version ("third") kept
	big := strings.Repeat("x", 1<<20+1)
	fieldBig := strings.Repeat("f", int(MaxFormOverhead)+1)
	tampered := strings.Replace(tk.URL, "sign=", "sign=x", 1)
	traversal := strings.Replace(tk.URL, "/wx/photo.png", "/wx/../photo.png", 1)
	bobTicket := ticket(t, s, srv.URL, bob, UploadRequest{CloudPath: "bob/own.txt", Size: -1}).URL
	bobOnAlice := strings.Replace(bobTicket, "/bob/own.txt", "/wx/photo.png", 1)
	for _, c := range []struct {
		name   string
		url    string
		parts  []formPart
		status int
		code   string
	}{
		{"no file part", tk.URL, []formPart{{name: "key", value: "k"}}, 400, "the form holds no part named file"},
		{"file under another name", tk.URL, []formPart{{name: "upload", filename: "a.png", value: "x"}}, 400, "no part named file"},
		{"two file parts", tk.URL, []formPart{{name: "file", filename: "a", value: "one"}, {name: "file", filename: "b", value: "two"}}, 400, "more than one part named file"},
		{"oversize file", tk.URL, []formPart{{name: "file", filename: "a", value: big}}, 413, "<Code>EntityTooLarge</Code>"},
		{"oversize field before the file", tk.URL, []formPart{{name: "junk", value: fieldBig}, {name: "file", filename: "a", value: "x"}}, 413, "form fields besides the file"},
		{"oversize field after the file", tk.URL, []formPart{{name: "file", filename: "a", value: "x"}, {name: "junk", value: fieldBig}}, 413, "form fields besides the file"},
		{"tampered signature", tampered, []formPart{{name: "file", filename: "a", value: "x"}}, 403, "<Code>SignatureDoesNotMatch</Code>"},
		{"traversal", traversal, []formPart{{name: "file", filename: "a", value: "x"}}, 403, "<Code>SignatureDoesNotMatch</Code>"},
		{"another user's file", bobOnAlice, []formPart{{name: "file", filename: "a", value: "x"}}, 403, "SignatureDoesNotMatch"},
	} {
		t.Run(c.name, func(t *testing.T) {
			postForm(t, c.url, c.parts...).want(t, c.status, c.code)
		})
	}
	// not multipart at all; a malformed body; a declared length above the limit
	send(t, http.MethodPost, tk.URL, strings.NewReader("third"), map[string]string{"Content-Type": "text/plain"}).want(t, 400, "multipart/form-data")
	send(t, http.MethodPost, tk.URL, strings.NewReader("--b\r\nbroken"), map[string]string{"Content-Type": "multipart/form-data; boundary=b"}).want(t, 400, "<Code>")
	body, ct := form(t, formPart{name: "file", filename: "a", value: big + strings.Repeat("y", int(MaxFormOverhead))})
	send(t, http.MethodPost, tk.URL, body, map[string]string{"Content-Type": ct}).want(t, 413, "EntityTooLarge")

	if got, _ := readAll(t, s, bob, tk.FileID); got != "third" {
		t.Fatalf("a refused POST replaced the file: %q", got)
	}
	if metaCount(t, app) != n || len(blobs(t, app)) != nBlobs {
		t.Fatalf("refused POSTs left files: %d→%d records, %d→%d blobs", n, metaCount(t, app), nBlobs, len(blobs(t, app)))
	}
}

func TestFormUploadDeclaredSizeAndType(t *testing.T) {
	s, app := newTestService(t, Config{})
	srv := objectServer(t, s)
	tk := ticket(t, s, srv.URL, alice, UploadRequest{CloudPath: "d/t.csv", Size: 5, ContentType: "text/csv"})
	postForm(t, tk.URL, formPart{name: "file", filename: "a", value: "123456"}).want(t, 413, "EntityTooLarge")
	postForm(t, tk.URL, formPart{name: "file", filename: "a", contentType: "image/png", value: "12345"}).want(t, 403, "differs from the declared text/csv")
	if metaCount(t, app) != 0 {
		t.Fatal("refused uploads stored files")
	}
	postForm(t, tk.URL, formPart{name: "file", filename: "a", value: "12345"}).want(t, 200, `"contentType":"text/csv"`)

	// a Content-Type field before the file sets the type when none was declared
	tk = ticket(t, s, srv.URL, alice, UploadRequest{CloudPath: "d/x", Size: -1})
	postForm(t, tk.URL, formPart{name: "Content-Type", value: "application/json"}, formPart{name: "file", filename: "a", value: "{}"}).want(t, 200, `"contentType":"application/json"`)
}

func TestFormUploadPermissionAtCommit(t *testing.T) {
	s, _ := newTestService(t, Config{})
	srv := objectServer(t, s)
	// bob's URL for a new path; alice creates the file first: bob's POST is refused
	tk := ticket(t, s, srv.URL, bob, UploadRequest{CloudPath: "race.txt", Size: -1})
	if _, err := s.Upload(context.Background(), alice, "race.txt", strings.NewReader("alice"), -1, ""); err != nil {
		t.Fatal(err)
	}
	postForm(t, tk.URL, formPart{name: "file", filename: "a", value: "bob"}).want(t, 403, "<Code>AccessDenied</Code>")
	if got, _ := readAll(t, s, alice, s.FileID("race.txt")); got != "alice" {
		t.Fatalf("got %q", got)
	}
}

func TestLimitedBody(t *testing.T) {
	b, err := io.ReadAll(&limitedBody{r: strings.NewReader("abcd"), n: 4})
	if err != nil || string(b) != "abcd" {
		t.Fatalf("exact: %q %v", b, err)
	}
	_, err = io.ReadAll(&limitedBody{r: strings.NewReader("abcde"), n: 4})
	if !errors.Is(err, errFormTooLarge) {
		t.Fatalf("over: %v", err)
	}
}
