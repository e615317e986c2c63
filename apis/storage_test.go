package apis

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/migrations"
	"github.com/minicloud/minicloud/storage"
)

// storageHarness is the scenario harness with cloud storage switched on.
type storageHarness struct {
	*harness
	files *storage.Service
}

func newStorageHarness(t *testing.T, cfg storage.Config) *storageHarness {
	t.Helper()
	sh := &storageHarness{}
	sh.harness = newHarness(t, harnessOptions{services: withStorage(t, cfg, &sh.files)})
	return sh
}

// withStorage adds cloud storage (cfg, for the test env) to a harness's services and
// keeps its handle in *files.
func withStorage(tb testing.TB, cfg storage.Config, files **storage.Service) func(core.App, *Services) {
	return func(app core.App, svc *Services) {
		cfg.EnvID = testEnv
		f, err := storage.New(app, cfg)
		if err != nil {
			tb.Fatal(err)
		}
		*files, svc.Files = f, f
	}
}

// raw sends a request through the router; URLs the server handed out (http://example.com/…)
// are sent to it too.
func (h *storageHarness) raw(method, url string, body io.Reader, header map[string]string) *httptest.ResponseRecorder {
	h.t.Helper()
	url = strings.TrimPrefix(url, "http://example.com")
	req := httptest.NewRequest(method, url, body)
	if body == nil {
		req.ContentLength = 0
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, req)
	return rec
}

func (h *storageHarness) fileCount() int64 {
	h.t.Helper()
	col, err := h.app.FindCollectionByNameOrId(migrations.Files)
	if err != nil {
		h.t.Fatal(err)
	}
	n, err := h.app.CountRecords(col)
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

func decode[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return v
}

const (
	gwUpload   = "/v1/storages/get-objects-upload-info"
	gwDownload = "/v1/storages/get-objects-download-info"
	gwDelete   = "/v1/storages/delete-objects"
)

func fileID(p string) string { return "cloud://" + testEnv + "." + storage.DefaultBucket + "/" + p }

func TestGatewayStorage(t *testing.T) {
	h := newStorageHarness(t, storage.Config{MaxUpload: 40 << 20})
	alice, aliceID := h.signIn()
	bob, _ := h.signIn()

	// upload: ask for the URL, PUT the bytes with the returned authorization
	var up []map[string]any
	h.run([]scenario{{name: "upload info", method: http.MethodPost, url: gwUpload, token: alice,
		body:         `[{"objectId":"dir/hello.txt","signedHeader":{"content-length":["11"],"content-type":["text/plain"]}}]`,
		expectStatus: 200, expectBody: []string{`"cloudObjectId":"` + fileID("dir/hello.txt") + `"`, `"uploadUrl":"http://example.com/storage/v1/objects/dir/hello.txt?`, `"authorization":"`, `"token":"`, `"cloudObjectMeta":"`, `"downloadUrl":"http://example.com/storage/v1/objects/dir/hello.txt?sign=`},
		rejectBody: []string{`"code"`},
		after:      func(t *testing.T, body string) { up = decode[[]map[string]any](t, body) }}})
	put := h.raw(http.MethodPut, up[0]["uploadUrl"].(string), strings.NewReader("hello world"), map[string]string{
		"Content-Type": "text/plain", "authorization": up[0]["authorization"].(string), "x-cos-security-token": up[0]["token"].(string)})
	if put.Code != 200 || put.Header().Get("ETag") != `"5eb63bbbe01eeed093cb22bb8f5acdc3"` {
		t.Fatalf("PUT: %d %s", put.Code, put.Body)
	}
	rec, err := h.app.FindFirstRecordByData(migrations.Files, "path", "dir/hello.txt")
	if err != nil || rec.GetString("_openid") != aliceID || rec.GetInt("size") != 11 || rec.GetString("contentType") != "text/plain" {
		t.Fatalf("metadata %v %v", rec, err)
	}

	var dl []map[string]any
	h.run([]scenario{
		{name: "download info", method: http.MethodPost, url: gwDownload, token: bob,
			body:         `[{"cloudObjectId":"` + fileID("dir/hello.txt") + `"},{"cloudObjectId":"` + fileID("nope.txt") + `"},{"cloudObjectId":"cloud://other-env.minicloud/x"},{"cloudObjectId":"cloud://` + testEnv + `.other-bucket/x"},{"cloudObjectId":"not-an-id"}]`,
			expectStatus: 200,
			expectBody: []string{`"downloadUrl":"http://example.com/storage/v1/objects/dir/hello.txt?sign=`,
				`"cloudObjectId":"` + fileID("nope.txt") + `","code":"STORAGE_FILE_NONEXIST"`,
				`"cloudObjectId":"cloud://other-env.minicloud/x","code":"INVALID_PARAM","message":"the file ID \"cloud://other-env.minicloud/x\" belongs to another environment or bucket`,
				`"cloudObjectId":"cloud://` + testEnv + `.other-bucket/x","code":"INVALID_PARAM"`,
				`"cloudObjectId":"not-an-id","code":"INVALID_PARAM","message":"malformed file ID`},
			after: func(t *testing.T, body string) { dl = decode[[]map[string]any](t, body) }},
	})
	get := h.raw(http.MethodGet, dl[0]["downloadUrl"].(string), nil, nil)
	if get.Code != 200 || get.Body.String() != "hello world" || get.Header().Get("Content-Type") != "text/plain" {
		t.Fatalf("GET: %d %q %v", get.Code, get.Body, get.Header())
	}

	// a 33 MiB upload: above PocketBase's own 32 MiB body limit, within MINICLOUD_MAX_UPLOAD
	big := bytes.Repeat([]byte("x"), 33<<20)
	h.run([]scenario{{name: "big upload info", method: http.MethodPost, url: gwUpload, token: alice,
		body: `[{"objectId":"big.bin","signedHeader":{"content-length":["34603008"]}}]`, expectStatus: 200,
		after: func(t *testing.T, body string) { up = decode[[]map[string]any](t, body) }}})
	if put := h.raw(http.MethodPut, up[0]["uploadUrl"].(string), bytes.NewReader(big), nil); put.Code != 200 {
		t.Fatalf("big PUT: %d %s", put.Code, put.Body)
	}

	before := h.fileCount()
	long := strings.Repeat("a", storage.MaxPathBytes+1)
	items := make([]string, 51)
	for i := range items {
		items[i] = `{"cloudObjectId":"` + fileID("x") + `"}`
	}
	h.run([]scenario{
		{name: "no token", method: http.MethodPost, url: gwUpload, body: `[{"objectId":"a.txt"}]`, expectStatus: 401, expectBody: []string{`"code":"UNAUTHENTICATED"`, `"requestId"`}},
		{name: "bad token", method: http.MethodPost, url: gwDownload, token: "nope", body: `[{"cloudObjectId":"x"}]`, expectStatus: 401, expectBody: []string{`"code":"UNAUTHENTICATED"`}},
		{name: "body not an array", method: http.MethodPost, url: gwUpload, token: alice, body: `{"objectId":"a.txt"}`, expectStatus: 400, expectBody: []string{`"code":"INVALID_PARAM"`}},
		{name: "malformed JSON", method: http.MethodPost, url: gwDelete, token: alice, body: `[{"cloudObjectId":`, expectStatus: 400, expectBody: []string{`"code":"INVALID_PARAM"`}},
		{name: "empty list", method: http.MethodPost, url: gwDownload, token: alice, body: `[]`, expectStatus: 400, expectBody: []string{`"code":"INVALID_PARAM"`}},
		{name: "51 objects", method: http.MethodPost, url: gwDownload, token: alice, body: "[" + strings.Join(items, ",") + "]", expectStatus: 400, expectBody: []string{`"code":"INVALID_PARAM"`, "at most 50"}},
		{name: "51 deletes", method: http.MethodPost, url: gwDelete, token: alice, body: "[" + strings.Join(items, ",") + "]", expectStatus: 400, expectBody: []string{"at most 50"}},
		{name: "bad paths, one by one", method: http.MethodPost, url: gwUpload, token: alice,
			body: `[{"objectId":"../etc/passwd"},{"objectId":"/abs.txt"},{"objectId":"a\\b.txt"},{"objectId":"a\u0000b"},{"objectId":"` + long + `"},{"objectId":""},{"objectId":"a//b"},` +
				`{"objectId":"ok.txt","signedHeader":{"content-length":["abc"]}},{"objectId":"huge.bin","signedHeader":{"content-length":["99999999999"]}},{"objectId":"t.txt","signedHeader":{"content-type":["text/plain\r\nX: 1"]}}]`,
			expectStatus: 200,
			expectBody: []string{`{"code":"INVALID_PARAM","message":"the cloud path \"../etc/passwd\" holds a \"..\" segment: paths cannot climb directories","objectId":"../etc/passwd"}`,
				`"code":"INVALID_PARAM","message":"the cloud path \"/abs.txt\" is absolute`, `holds a backslash`, `holds a control character`,
				`is longer than 850 bytes`, `the cloud path is empty`, `has an empty segment`, `the signed content-length must be a non-negative integer`,
				`{"code":"STORAGE_FILE_TOO_LARGE","message":"the file is larger than 41943040 bytes","objectId":"huge.bin"}`, `is not printable ASCII`},
			rejectBody: []string{`uploadUrl`}},
		{name: "bob cannot overwrite alice's file", method: http.MethodPost, url: gwUpload, token: bob, body: `[{"objectId":"dir/hello.txt"}]`,
			expectStatus: 200, expectBody: []string{`[{"code":"STORAGE_EXCEED_AUTHORITY","message":"permission denied`}, rejectBody: []string{`uploadUrl`}},
		{name: "bob cannot delete alice's file", method: http.MethodPost, url: gwDelete, token: bob, body: `[{"cloudObjectId":"` + fileID("dir/hello.txt") + `"}]`,
			expectStatus: 200, expectBody: []string{`"code":"STORAGE_EXCEED_AUTHORITY"`}},
	})
	if h.fileCount() != before {
		t.Fatal("bad requests stored files")
	}

	// a tampered or altered upload URL stores nothing and answers COS's XML error
	h.run([]scenario{{name: "upload info for bob", method: http.MethodPost, url: gwUpload, token: bob,
		body: `[{"objectId":"bob.txt","signedHeader":{"content-length":["3"]}}]`, expectStatus: 200,
		after: func(t *testing.T, body string) { up = decode[[]map[string]any](t, body) }}})
	u := up[0]["uploadUrl"].(string)
	for name, bad := range map[string]string{
		"tampered": strings.Replace(u, "sign=", "sign=x", 1),
		"owner":    strings.Replace(u, "owner=", "owner=x", 1),
		"size":     strings.Replace(u, "size=3", "size=30", 1),
		"path":     strings.Replace(u, "bob.txt", "alice.txt", 1),
	} {
		res := h.raw(http.MethodPut, bad, strings.NewReader("abc"), nil)
		if res.Code != 403 || !strings.Contains(res.Body.String(), "<Code>SignatureDoesNotMatch</Code>") {
			t.Errorf("%s URL: %d %s", name, res.Code, res.Body)
		}
	}
	if res := h.raw(http.MethodPut, u, strings.NewReader("abcd"), nil); res.Code != 413 || !strings.Contains(res.Body.String(), "<Code>EntityTooLarge</Code>") {
		t.Fatalf("larger than declared: %d %s", res.Code, res.Body)
	}
	if h.fileCount() != before {
		t.Fatal("refused PUTs stored files")
	}

	h.run([]scenario{
		{name: "alice deletes", method: http.MethodPost, url: gwDelete, token: alice, body: `[{"cloudObjectId":"` + fileID("dir/hello.txt") + `"},{"cloudObjectId":"` + fileID("dir/hello.txt") + `"}]`,
			expectStatus: 200, expectBody: []string{`[{"cloudObjectId":"` + fileID("dir/hello.txt") + `"},{"cloudObjectId":"` + fileID("dir/hello.txt") + `","code":"STORAGE_FILE_NONEXIST"`}},
		{name: "the temp URL now reports it missing", method: http.MethodPost, url: gwDownload, token: alice, body: `[{"cloudObjectId":"` + fileID("dir/hello.txt") + `"}]`,
			expectStatus: 200, expectBody: []string{`"code":"STORAGE_FILE_NONEXIST"`}, rejectBody: []string{"downloadUrl"}},
	})
	if res := h.raw(http.MethodGet, dl[0]["downloadUrl"].(string), nil, nil); res.Code != 404 || !strings.Contains(res.Body.String(), "NoSuchKey") {
		t.Fatalf("GET after delete: %d %s", res.Code, res.Body)
	}
}

func TestWebStorageActions(t *testing.T) {
	h := newStorageHarness(t, storage.Config{Preset: storage.PresetPrivate})
	alice, _ := h.signIn()
	bob, _ := h.signIn()
	web := func(token, action, params string) string {
		return `{"action":"` + action + `","env":"` + testEnv + `","dataVersion":"2020-01-10","access_token":"` + token + `"` + params + `}`
	}
	url := "/web?env=" + testEnv
	var meta map[string]any
	h.run([]scenario{
		{name: "upload metadata", method: http.MethodPost, url: url, body: web(alice, "storage.getUploadMetadata", `,"path":"a/b.png","method":"put","headers":{}`),
			expectStatus: 200, expectBody: []string{`"requestId"`, `"url":"http://example.com/storage/v1/objects/a/b.png?`, `"fileId":"` + fileID("a/b.png") + `"`, `"token":"`, `"authorization":"`, `"cosFileId":"`, `"download_url":"http://example.com/storage/v1/objects/a/b.png?sign=`},
			after: func(t *testing.T, body string) { meta = decode[map[string]any](t, body)["data"].(map[string]any) }},
	})
	if res := h.raw(http.MethodPut, meta["url"].(string), strings.NewReader("\x89PNG\r\n\x1a\n"), nil); res.Code != 200 {
		t.Fatalf("PUT %d %s", res.Code, res.Body)
	}
	if f, err := h.files.Stat(context.Background(), storage.Caller{Admin: true}, fileID("a/b.png")); err != nil || f.ContentType != "image/png" {
		t.Fatalf("stat %+v %v", f, err)
	}
	h.run([]scenario{
		{name: "temp URLs with both field names", method: http.MethodPost, url: url,
			body:         web(alice, "storage.batchGetDownloadUrl", `,"file_list":[{"fileid":"`+fileID("a/b.png")+`","max_age":60},{"fileid":"`+fileID("missing")+`"},{"fileid":"../x"}]`),
			expectStatus: 200,
			expectBody: []string{`"fileid":"` + fileID("a/b.png") + `"`, `"fileID":"` + fileID("a/b.png") + `"`, `"code":"SUCCESS"`, `"maxAge":60`,
				`"download_url":"http://example.com/storage/v1/objects/a/b.png?sign=`, `"tempFileURL":"http://example.com/storage/v1/objects/a/b.png?sign=`, `\u0026ttl=60"`,
				`"code":"STORAGE_FILE_NONEXIST"`, `"code":"INVALID_PARAM","download_url":"","fileID":"../x"`}},
		{name: "bob may not read alice's private file", method: http.MethodPost, url: url,
			body:         web(bob, "storage.batchGetDownloadUrl", `,"file_list":[{"fileid":"`+fileID("a/b.png")+`"}]`),
			expectStatus: 200, expectBody: []string{`"code":"STORAGE_EXCEED_AUTHORITY"`, `"tempFileURL":""`}, rejectBody: []string{"sign="}},
		{name: "bob may not overwrite it", method: http.MethodPost, url: url, body: web(bob, "storage.getUploadMetadata", `,"path":"a/b.png","method":"put"`),
			expectStatus: 200, expectBody: []string{`"code":"STORAGE_EXCEED_AUTHORITY"`}, rejectBody: []string{`"url"`}},
		{name: "bob may not delete it", method: http.MethodPost, url: url, body: web(bob, "storage.batchDeleteFile", `,"fileid_list":["`+fileID("a/b.png")+`"]`),
			expectStatus: 200, expectBody: []string{`"delete_list":[{"code":"STORAGE_EXCEED_AUTHORITY"`}},
		{name: "traversal", method: http.MethodPost, url: url, body: web(alice, "storage.getUploadMetadata", `,"path":"../../etc/passwd","method":"put"`),
			expectStatus: 200, expectBody: []string{`"code":"INVALID_PARAM"`, `\"..\" segment`}},
		{name: "absolute path", method: http.MethodPost, url: url, body: web(alice, "storage.getUploadMetadata", `,"path":"/etc/passwd"`),
			expectStatus: 200, expectBody: []string{`"code":"INVALID_PARAM"`, "absolute"}},
		{name: "backslash", method: http.MethodPost, url: url, body: web(alice, "storage.getUploadMetadata", `,"path":"..\\..\\x"`),
			expectStatus: 200, expectBody: []string{`"code":"INVALID_PARAM"`, "backslash"}},
		{name: "NUL", method: http.MethodPost, url: url, body: web(alice, "storage.getUploadMetadata", `,"path":"a\u0000.txt"`),
			expectStatus: 200, expectBody: []string{`"code":"INVALID_PARAM"`, "control character"}},
		{name: "path not a string", method: http.MethodPost, url: url, body: web(alice, "storage.getUploadMetadata", `,"path":5`),
			expectStatus: 200, expectBody: []string{`"code":"INVALID_PARAM"`}},
		{name: "POST uploads", method: http.MethodPost, url: url, body: web(alice, "storage.getUploadMetadata", `,"path":"x.txt","method":"post"`),
			expectStatus: 200, expectBody: []string{`"url":"http://example.com/storage/v1/objects/x.txt?`, `"cosFileId"`}},
		{name: "unknown upload method", method: http.MethodPost, url: url, body: web(alice, "storage.getUploadMetadata", `,"path":"x.txt","method":"patch"`),
			expectStatus: 200, expectBody: []string{`"code":"INVALID_PARAM"`, "'put' or 'post'"}},
		{name: "declared headers bind the upload", method: http.MethodPost, url: url, body: web(alice, "storage.getUploadMetadata", `,"path":"x.txt","method":"put","headers":{"Content-Type":"text/csv","content-length":3}`),
			expectStatus: 200, expectBody: []string{`size=3`, `type=text%2Fcsv`}},
		{name: "file_list not an array", method: http.MethodPost, url: url, body: web(alice, "storage.batchGetDownloadUrl", `,"file_list":"x"`),
			expectStatus: 200, expectBody: []string{`"code":"INVALID_PARAM"`}},
		{name: "fileid_list holds a number", method: http.MethodPost, url: url, body: web(alice, "storage.batchDeleteFile", `,"fileid_list":[5]`),
			expectStatus: 200, expectBody: []string{`"code":"INVALID_PARAM"`}},
		{name: "no token", method: http.MethodPost, url: url, body: web("", "storage.batchDeleteFile", `,"fileid_list":["x"]`),
			expectStatus: 200, expectBody: []string{`"code":"UNAUTHENTICATED"`}},
		{name: "another env", method: http.MethodPost, url: "/web?env=other", body: web(alice, "storage.batchDeleteFile", `,"fileid_list":["x"]`),
			expectStatus: 200, expectBody: []string{`"code":"INVALIID_ENV"`}},
		{name: "alice deletes", method: http.MethodPost, url: url, body: web(alice, "storage.batchDeleteFile", `,"fileid_list":["`+fileID("a/b.png")+`","cloud://x.y/z"]`),
			expectStatus: 200, expectBody: []string{`{"code":"SUCCESS","fileID":"` + fileID("a/b.png") + `","fileid":"` + fileID("a/b.png") + `"}`, `"code":"INVALID_PARAM","fileID":"cloud://x.y/z"`}},
	})
	if h.fileCount() != 0 {
		t.Fatal("files left")
	}
}

func TestAdminStorageActions(t *testing.T) {
	h := newStorageHarness(t, storage.Config{Preset: storage.PresetAdminOnly})
	alice, _ := h.signIn()
	key := map[string]string{"Authorization": "Bearer " + h.admin.AccessKey}
	url := "/admin?env=" + testEnv
	var meta map[string]any
	h.run([]scenario{
		{name: "unsigned", method: http.MethodPost, url: url, body: `{"action":"storage.getUploadMetadata","path":"a.txt","method":"put"}`,
			expectStatus: 200, expectBody: []string{`"code":"SIGN_PARAM_INVALID"`}},
		{name: "clients are refused under ADMINONLY", method: http.MethodPost, url: "/web?env=" + testEnv,
			body:         `{"action":"storage.getUploadMetadata","access_token":"` + alice + `","path":"a.txt","method":"put"}`,
			expectStatus: 200, expectBody: []string{`"code":"STORAGE_EXCEED_AUTHORITY"`}},
		{name: "admin upload metadata", method: http.MethodPost, url: url, headers: key, body: `{"action":"storage.getUploadMetadata","envName":"` + testEnv + `","path":"admin/a.txt","method":"put"}`,
			expectStatus: 200, expectBody: []string{`"url":"http://example.com/storage/v1/objects/admin/a.txt?admin=1`, `"fileId":"` + fileID("admin/a.txt") + `"`},
			after: func(t *testing.T, body string) { meta = decode[map[string]any](t, body)["data"].(map[string]any) }},
	})
	// node-sdk streams the PUT chunked, with no Content-Length or Content-Type
	if res := h.raw(http.MethodPut, meta["url"].(string), io.MultiReader(strings.NewReader("admin bytes")), map[string]string{"Signature": meta["authorization"].(string), "key": "admin%2Fa.txt"}); res.Code != 200 || res.Body.Len() != 0 {
		t.Fatalf("PUT %d %q", res.Code, res.Body)
	}
	var list map[string]any
	h.run([]scenario{
		{name: "temp URLs with node-sdk's names", method: http.MethodPost, url: url, headers: key,
			body:         `{"action":"storage.batchGetDownloadUrl","file_list":[{"fileid":"` + fileID("admin/a.txt") + `","max_age":600},{"fileid":"` + fileID("b") + `"}]}`,
			expectStatus: 200, expectBody: []string{`"fileID":"` + fileID("admin/a.txt") + `"`, `"tempFileURL":"http://example.com/storage/v1/objects/admin/a.txt?sign=`, `"code":"SUCCESS"`, `"maxAge":600`, `"code":"STORAGE_FILE_NONEXIST"`},
			after: func(t *testing.T, body string) { list = decode[map[string]any](t, body)["data"].(map[string]any) }},
	})
	u := list["download_list"].([]any)[0].(map[string]any)["tempFileURL"].(string)
	if res := h.raw(http.MethodGet, u, nil, nil); res.Code != 200 || res.Body.String() != "admin bytes" {
		t.Fatalf("GET %d %q", res.Code, res.Body)
	}

	// AdminAction (cloud functions) has no request: URLs are relative unless a public URL is set
	data, err := h.srv.AdminAction(context.Background(), "storage.batchGetDownloadUrl", []byte(`{"file_list":[{"fileid":"`+fileID("admin/a.txt")+`"}]}`))
	if err != nil || !strings.Contains(string(data), `"tempFileURL":"/storage/v1/objects/admin/a.txt?sign=`) {
		t.Fatalf("AdminAction: %s %v", data, err)
	}
	_, err = h.srv.AdminAction(context.Background(), "storage.batchDeleteFile", []byte(`{"fileid_list":[]}`))
	if code, _ := ErrorCode(err); code != "INVALID_PARAM" {
		t.Fatalf("empty delete: %v", err)
	}
	h.run([]scenario{
		{name: "admin deletes", method: http.MethodPost, url: url, headers: key, body: `{"action":"storage.batchDeleteFile","fileid_list":["` + fileID("admin/a.txt") + `"]}`,
			expectStatus: 200, expectBody: []string{`"delete_list":[{"code":"SUCCESS","fileID":"` + fileID("admin/a.txt") + `"`}},
	})
}

func TestStorageOff(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	alice, _ := h.signIn()
	h.run([]scenario{
		{name: "gateway", method: http.MethodPost, url: gwUpload, token: alice, body: `[{"objectId":"a"}]`, expectStatus: 501, expectBody: []string{`"code":"FUNCTION_NOT_AVAILABLE"`}},
		{name: "web", method: http.MethodPost, url: "/web?env=" + testEnv, body: `{"action":"storage.batchDeleteFile","access_token":"` + alice + `","fileid_list":["x"]}`,
			expectStatus: 200, expectBody: []string{`"code":"FUNCTION_NOT_AVAILABLE"`}},
		{name: "objects", method: http.MethodGet, url: "/storage/v1/objects/a.txt", expectStatus: 501},
	})
}

// formBody builds a multipart/form-data body from name/value pairs; the part named
// "file" (any number of them) is sent as a file.
func formBody(t *testing.T, fields ...[2]string) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		var err error
		var w io.Writer
		if f[0] == "file" {
			w, err = mw.CreateFormFile("file", "tmp.bin")
		} else {
			w, err = mw.CreateFormField(f[0])
		}
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(w, f[1])
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}

func TestFormUploads(t *testing.T) {
	h := newStorageHarness(t, storage.Config{MaxUpload: 1 << 20})
	alice, aliceID := h.signIn()
	web := func(params string) string {
		return `{"action":"storage.getUploadMetadata","env":"` + testEnv + `","dataVersion":"2020-01-10","access_token":"` + alice + `"` + params + `}`
	}
	var meta map[string]any
	h.run([]scenario{{name: "upload metadata for a POST", method: http.MethodPost, url: "/web?env=" + testEnv, body: web(`,"path":"mp/a.txt","method":"post"`),
		expectStatus: 200, expectBody: []string{`"url":"http://example.com/storage/v1/objects/mp/a.txt?`},
		after: func(t *testing.T, body string) { meta = decode[map[string]any](t, body)["data"].(map[string]any) }}})
	u := meta["url"].(string)
	post := func(url string, fields ...[2]string) *httptest.ResponseRecorder {
		body, ct := formBody(t, fields...)
		return h.raw(http.MethodPost, url, body, map[string]string{"Content-Type": ct})
	}

	// a 33 MiB form would pass PocketBase's 32 MiB body limit only if it were lifted; the
	// 1 MiB upload limit refuses it before reading it
	res := post(u, [2]string{"key", "mp/a.txt"}, [2]string{"file", strings.Repeat("z", 1<<20+1)})
	if res.Code != 413 || !strings.Contains(res.Body.String(), "<Code>EntityTooLarge</Code>") {
		t.Fatalf("oversize: %d %s", res.Code, res.Body)
	}
	for name, c := range map[string]struct {
		url    string
		fields [][2]string
		status int
		code   string
	}{
		"missing file part":  {u, [][2]string{{"key", "mp/a.txt"}}, 400, "<Code>InvalidArgument</Code>"},
		"two file parts":     {u, [][2]string{{"file", "a"}, {"file", "b"}}, 400, "more than one part named file"},
		"tampered signature": {strings.Replace(u, "sign=", "sign=A", 1), [][2]string{{"file", "a"}}, 403, "<Code>SignatureDoesNotMatch</Code>"},
		// the router redirects a path with dot segments to its clean form
		"traversal":         {strings.Replace(u, "/mp/a.txt", "/mp/../../a.txt", 1), [][2]string{{"file", "a"}}, 307, ""},
		"escaped traversal": {strings.Replace(u, "/mp/a.txt", "/mp/%2e%2e/a.txt", 1), [][2]string{{"file", "a"}}, 403, "<Code>SignatureDoesNotMatch</Code>"},
	} {
		if res := post(c.url, c.fields...); res.Code != c.status || !strings.Contains(res.Body.String(), c.code) {
			t.Errorf("%s: %d %s", name, res.Code, res.Body)
		}
	}
	if h.fileCount() != 0 {
		t.Fatal("refused POSTs stored files")
	}

	res = post(u, [2]string{"key", "mp/a.txt"}, [2]string{"file", "hello form"})
	if res.Code != 200 || !strings.Contains(res.Body.String(), `"fileID":"`+fileID("mp/a.txt")+`"`) {
		t.Fatalf("POST: %d %s", res.Code, res.Body)
	}
	rec, err := h.app.FindFirstRecordByData(migrations.Files, "path", "mp/a.txt")
	if err != nil || rec.GetString("_openid") != aliceID || rec.GetInt("size") != 10 || rec.GetString("contentType") != "text/plain" {
		t.Fatalf("metadata %v %v", rec, err)
	}
	// js-sdk's uploadFile({method:'post'}) fields; it wants 201
	res = post(u, [2]string{"key", "mp/a.txt"}, [2]string{"signature", meta["authorization"].(string)}, [2]string{"x-cos-meta-fileid", meta["cosFileId"].(string)},
		[2]string{"success_action_status", "201"}, [2]string{"x-cos-security-token", meta["token"].(string)}, [2]string{"key", "mp/a.txt"}, [2]string{"file", "v2"})
	if res.Code != 201 || !strings.Contains(res.Body.String(), `"fileID":"`+fileID("mp/a.txt")+`"`) {
		t.Fatalf("POST 201: %d %s", res.Code, res.Body)
	}
	if res := post(u, [2]string{"file", "v3"}, [2]string{"file", "v4"}); res.Code != 400 {
		t.Fatalf("two files: %d", res.Code)
	}
	rc, _, err := h.files.Open(context.Background(), storage.Caller{Admin: true}, fileID("mp/a.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if b, _ := io.ReadAll(rc); string(b) != "v2" {
		t.Fatalf("content %q, want v2 (refused POST kept the previous version)", b)
	}
}
