package cloudfns

import (
	"context"
	"errors"
	"testing"
)

type memStorage struct{ files map[string][]byte }

func (m *memStorage) UploadFile(ctx context.Context, p string, b []byte) (string, error) {
	m.files["cloud://e.b/"+p] = b
	return "cloud://e.b/" + p, nil
}

func (m *memStorage) DownloadFile(ctx context.Context, id string) ([]byte, error) {
	b, ok := m.files[id]
	if !ok {
		return nil, &InvokeError{Code: "STORAGE_FILE_NONEXIST", Message: "no " + id}
	}
	return b, nil
}

func (m *memStorage) TempFileURLs(ctx context.Context, reqs []TempFileRequest) ([]FileResult, error) {
	out := make([]FileResult, len(reqs))
	for i, r := range reqs {
		out[i] = FileResult{FileID: r.FileID, TempFileURL: "http://x/" + r.FileID, MaxAge: r.MaxAge}
	}
	return out, nil
}

func (m *memStorage) DeleteFiles(ctx context.Context, ids []string) ([]FileResult, error) {
	out := make([]FileResult, len(ids))
	for i, id := range ids {
		out[i] = FileResult{FileID: id}
		delete(m.files, id)
	}
	return out, nil
}

func TestServiceHostStorage(t *testing.T) {
	s := newTestService(t)
	h := serviceHost{s}
	ctx := context.Background()
	if h.HasStorage() || s.Storage() != nil {
		t.Fatal("storage before SetStorage")
	}
	var ie *InvokeError
	if _, err := h.UploadFile(ctx, "a.txt", []byte("x")); !errors.As(err, &ie) || ie.Code != "STORAGE_REQUEST_FAIL" {
		t.Fatalf("upload without storage: %v", err)
	}
	if _, err := h.DownloadFile(ctx, "id"); err == nil {
		t.Fatal("download without storage")
	}
	if _, err := h.TempFileURLs(ctx, nil); err == nil {
		t.Fatal("temp URLs without storage")
	}
	if _, err := h.DeleteFiles(ctx, nil); err == nil {
		t.Fatal("delete without storage")
	}

	s.SetStorage(&memStorage{files: map[string][]byte{}})
	if !h.HasStorage() {
		t.Fatal("storage not connected")
	}
	id, err := h.UploadFile(ctx, "a.txt", []byte("hi"))
	if err != nil || id != "cloud://e.b/a.txt" {
		t.Fatal(id, err)
	}
	if b, err := h.DownloadFile(ctx, id); err != nil || string(b) != "hi" {
		t.Fatal(string(b), err)
	}
	if r, err := h.TempFileURLs(ctx, []TempFileRequest{{FileID: id, MaxAge: 60}}); err != nil || r[0].TempFileURL != "http://x/"+id || r[0].MaxAge != 60 {
		t.Fatal(r, err)
	}
	if r, err := h.DeleteFiles(ctx, []string{id}); err != nil || r[0].FileID != id {
		t.Fatal(r, err)
	}
	if _, err := h.DownloadFile(ctx, id); !errors.As(err, &ie) || ie.Code != "STORAGE_FILE_NONEXIST" {
		t.Fatalf("deleted: %v", err)
	}
}
