package apis

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	pbapis "github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/minicloud/minicloud/storage"
)

// Cloud storage in the three dialects. Each SDK first asks for upload info and then
// PUTs the bytes to the returned URL, which is Minicloud's own (storage.ObjectsPath),
// signed and short-lived; temporary download URLs point there too. Per-file failures
// (a missing file, a file the caller may not touch, a malformed file ID) are reported
// per file with CloudBase's codes; whole-request failures in the dialect's error shape.

// storageActions are the storage actions of /web and /admin (same names in both).
var storageActions = map[string]actionFunc{
	"storage.getUploadMetadata":   (*Server).actionUploadMetadata,
	"storage.batchGetDownloadUrl": (*Server).actionTempURLs,
	"storage.batchDeleteFile":     (*Server).actionDeleteFiles,
	// admin only: the custom storage security rules (storage_rules.go)
	"storage.modifyStorageRule":   (*Server).actionSetStorageRule,
	"storage.describeStorageRule": (*Server).actionGetStorageRule,
}

// storageRoutes adds the gateway's /v1/storages routes and the object endpoint.
func (s *Server) storageRoutes(se *core.ServeEvent) {
	noLog := pbapis.SkipSuccessActivityLog()
	gw := se.Router.Group("/v1/storages")
	gw.Bind(noLog).Unbind(pbapis.DefaultBodyLimitMiddlewareId, pbapis.DefaultLoadAuthTokenMiddlewareId)
	gw.POST("/get-objects-upload-info", s.gatewayUploadInfo)
	gw.POST("/get-objects-download-info", s.gatewayDownloadInfo)
	gw.POST("/delete-objects", s.gatewayDeleteObjects)

	// uploads are bounded by the storage service (MINICLOUD_MAX_UPLOAD), not by
	// PocketBase's body limit
	obj := se.Router.Group(strings.TrimSuffix(storage.ObjectsPath, "/"))
	obj.Bind(noLog).Unbind(pbapis.DefaultBodyLimitMiddlewareId, pbapis.DefaultLoadAuthTokenMiddlewareId)
	obj.GET("/{path...}", s.serveObject)
	obj.PUT("/{path...}", s.serveObject)
	obj.POST("/{path...}", s.serveObject) // form uploads (wx.uploadFile, js-sdk method 'post')

	// the action dialects' signed URLs start with the host the client called, unless a
	// public URL is configured
	if s.files != nil && s.files.Config().PublicURL == "" {
		se.Router.BindFunc(func(e *core.RequestEvent) error {
			if e.Request.Method == http.MethodPost && (e.Request.URL.Path == "/web" || e.Request.URL.Path == "/admin") {
				e.Request = e.Request.WithContext(storage.WithBaseURL(e.Request.Context(), storage.RequestBaseURL(e.Request)))
			}
			return e.Next()
		})
	}
}

func (s *Server) serveObject(e *core.RequestEvent) error {
	if s.files == nil {
		return s.gatewayError(e, errStorageOff)
	}
	// PocketBase's router copies every request body it reads into a buffer (memory,
	// then a temp file) so that it can be read again; uploads stream from the
	// connection instead
	if rr, ok := e.Request.Body.(*router.RereadableReadCloser); ok {
		e.Request.Body = rr.ReadCloser
	}
	s.files.ServeObject(e.Response, e.Request, e.Request.PathValue("path"))
	return nil
}

var errStorageOff = newAPIError(http.StatusNotImplemented, CodeNotAvailable, "cloud storage is not configured on this server")

// storageError converts a storage error to the HTTP edge's error.
func (s *Server) storageError(err error) *apiError {
	se := storage.AsError(err)
	if se.Code == storage.CodeSystem {
		logger(s.app).Error("storage error", "error", se.Err)
	}
	return &apiError{Status: se.Status, Code: se.Code, Message: se.Msg, cause: se.Err}
}

// ---- gateway (/v1/storages) ----

// gatewayStorageBatch authenticates the caller and decodes the body: a JSON array of
// 1 to storage.MaxBatch objects.
func (s *Server) gatewayStorageBatch(e *core.RequestEvent) ([]gatewayObject, storage.Caller, error) {
	if s.files == nil {
		return nil, storage.Caller{}, errStorageOff
	}
	caller, err := s.clientCaller(bearer(e.Request))
	if err != nil {
		return nil, caller, err
	}
	raw, err := readBody(e)
	if err != nil {
		return nil, caller, err
	}
	var body []gatewayObject
	if err := json.Unmarshal(raw, &body); err != nil {
		return nil, caller, invalidParam("the request body must be a JSON array of objects")
	}
	return body, caller, checkBatch(len(body))
}

// actionBatch reads the list parameter key of a storage action: 1 to
// storage.MaxBatch items (shape is what the message says it must hold).
func (s *Server) actionBatch(r *actionRequest, key, shape string) ([]any, error) {
	if s.files == nil {
		return nil, errStorageOff
	}
	v, _ := r.params.Get(key)
	list, ok := v.([]any)
	if !ok {
		return nil, invalidParam(key + " must be an array of " + shape)
	}
	return list, checkBatch(len(list))
}

type gatewayObject struct {
	ObjectID      string              `json:"objectId,omitempty"`
	SignedHeader  map[string][]string `json:"signedHeader,omitempty"`
	CloudObjectID string              `json:"cloudObjectId,omitempty"`
	MaxAge        *float64            `json:"maxAge,omitempty"`
}

// gatewayItemError is a per-object failure in a gateway answer.
func gatewayItemError(out map[string]any, err error) map[string]any {
	se := storage.AsError(err)
	out["code"], out["message"] = se.Code, se.Msg
	return out
}

func checkBatch(n int) error {
	if n == 0 {
		return invalidParam("the request lists no objects")
	}
	if n > storage.MaxBatch {
		return invalidParam("at most 50 objects per request")
	}
	return nil
}

// headerValue reads a signed header case-insensitively.
func headerValue(h map[string][]string, name string) (string, bool) {
	for k, v := range h {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0], true
		}
	}
	return "", false
}

// gatewayUploadInfo: POST /v1/storages/get-objects-upload-info with
// [{objectId: cloudPath, signedHeader: {content-length: [n], content-type: [t]}}].
func (s *Server) gatewayUploadInfo(e *core.RequestEvent) error {
	body, caller, err := s.gatewayStorageBatch(e)
	if err != nil {
		return s.gatewayError(e, err)
	}
	ctx := storage.WithBaseURL(e.Request.Context(), storage.RequestBaseURL(e.Request))
	out := make([]map[string]any, len(body))
	for i, it := range body {
		item := map[string]any{"objectId": it.ObjectID}
		req := storage.UploadRequest{CloudPath: it.ObjectID, Size: -1}
		if v, ok := headerValue(it.SignedHeader, "content-length"); ok {
			n, _, err := toInt("content-length", v)
			if err != nil {
				out[i] = gatewayItemError(item, storageInvalid("the signed content-length must be a non-negative integer"))
				continue
			}
			req.Size = int64(n)
		}
		req.ContentType, _ = headerValue(it.SignedHeader, "content-type")
		t, err := s.files.PrepareUpload(ctx, caller, req)
		if err != nil {
			if se := storage.AsError(err); se.Code == storage.CodeSystem {
				return s.gatewayError(e, s.storageError(err))
			}
			out[i] = gatewayItemError(item, err)
			continue
		}
		item["uploadUrl"] = t.URL
		item["authorization"] = t.Authorization
		item["token"] = t.Token
		item["cloudObjectId"] = t.FileID
		item["cloudObjectMeta"] = t.MetaID
		item["downloadUrl"] = t.DownloadURL
		out[i] = item
	}
	return writeStorageJSON(e, out)
}

func storageInvalid(msg string) error {
	return &storage.Error{Code: storage.CodeInvalidParam, Msg: msg, Status: http.StatusBadRequest}
}

// gatewayDownloadInfo: POST /v1/storages/get-objects-download-info with
// [{cloudObjectId}] → [{cloudObjectId, downloadUrl} or {cloudObjectId, code, message}].
func (s *Server) gatewayDownloadInfo(e *core.RequestEvent) error {
	body, caller, err := s.gatewayStorageBatch(e)
	if err != nil {
		return s.gatewayError(e, err)
	}
	reqs := make([]storage.TempURLRequest, len(body))
	for i, it := range body {
		reqs[i].FileID = it.CloudObjectID
		if it.MaxAge != nil && *it.MaxAge > 0 {
			reqs[i].MaxAge = time.Duration(*it.MaxAge) * time.Second
		}
	}
	ctx := storage.WithBaseURL(e.Request.Context(), storage.RequestBaseURL(e.Request))
	urls, err := s.files.TempURLs(ctx, caller, reqs)
	if err != nil {
		return s.gatewayError(e, s.storageError(err))
	}
	out := make([]map[string]any, len(urls))
	for i, u := range urls {
		item := map[string]any{"cloudObjectId": u.FileID}
		if u.Code != "" {
			item["code"], item["message"] = u.Code, u.Message
		} else {
			item["downloadUrl"] = u.URL
			item["maxAge"] = int64(u.MaxAge / time.Second)
		}
		out[i] = item
	}
	return writeStorageJSON(e, out)
}

// gatewayDeleteObjects: POST /v1/storages/delete-objects with [{cloudObjectId}].
func (s *Server) gatewayDeleteObjects(e *core.RequestEvent) error {
	body, caller, err := s.gatewayStorageBatch(e)
	if err != nil {
		return s.gatewayError(e, err)
	}
	ids := make([]string, len(body))
	for i, it := range body {
		ids[i] = it.CloudObjectID
	}
	res, err := s.files.Delete(e.Request.Context(), caller, ids)
	if err != nil {
		return s.gatewayError(e, s.storageError(err))
	}
	out := make([]map[string]any, len(res))
	for i, r := range res {
		item := map[string]any{"cloudObjectId": r.FileID}
		if r.Code != "" {
			item["code"], item["message"] = r.Code, r.Message
		}
		out[i] = item
	}
	return writeStorageJSON(e, out)
}

// writeStorageJSON writes a gateway answer; URLs keep their '&' (no HTML escaping).
func writeStorageJSON(e *core.RequestEvent, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return writeJSON(e, http.StatusOK, bytes.TrimRight(buf.Bytes(), "\n"))
}

// ---- /web and /admin actions ----

// actionUploadMetadata: storage.getUploadMetadata {path, method: 'put'|'post', headers?}
// → {url, token, authorization, fileId, cosFileId, download_url}. The URL takes a PUT of
// the bytes or a multipart/form-data POST with the file in the field "file".
func (s *Server) actionUploadMetadata(r *actionRequest) (any, error) {
	if s.files == nil {
		return nil, errStorageOff
	}
	p, err := stringField(r.params, "path")
	if err != nil {
		return nil, err
	}
	if m, err := stringField(r.params, "method"); err != nil {
		return nil, err
	} else if m != "" && !strings.EqualFold(m, "put") && !strings.EqualFold(m, "post") {
		return nil, invalidParam("method must be 'put' or 'post'")
	}
	req := storage.UploadRequest{CloudPath: p, Size: -1}
	// js-sdk's CLOUD_API mode passes the upload's own headers; honour a declared type
	// and length (the PUT must then match them)
	if h, err := docField(r.params, "headers"); err != nil {
		return nil, err
	} else {
		for _, kv := range h {
			switch strings.ToLower(kv.Key) {
			case "content-type":
				ct, ok := kv.Value.(string)
				if !ok {
					return nil, invalidParam("headers.content-type must be a string")
				}
				req.ContentType = ct
			case "content-length":
				n, _, err := toInt("headers.content-length", kv.Value)
				if err != nil {
					return nil, err
				}
				req.Size = int64(n)
			}
		}
	}
	t, err := s.files.PrepareUpload(r.ctx, r.caller, req)
	if err != nil {
		return nil, s.storageError(err)
	}
	return map[string]any{
		"url":           t.URL,
		"token":         t.Token,
		"authorization": t.Authorization,
		"fileId":        t.FileID,
		"cosFileId":     t.MetaID,
		"download_url":  t.DownloadURL,
	}, nil
}

// actionTempURLs: storage.batchGetDownloadUrl {file_list: [{fileid, max_age?}]} →
// {download_list: [{fileid, fileID, download_url, tempFileURL, maxAge, code, message?}]}
// (js-sdk reads the first names, node-sdk and wx-server-sdk the second).
func (s *Server) actionTempURLs(r *actionRequest) (any, error) {
	list, err := s.actionBatch(r, "file_list", "{fileid, max_age}")
	if err != nil {
		return nil, err
	}
	reqs := make([]storage.TempURLRequest, len(list))
	for i, it := range list {
		switch x := it.(type) {
		case string:
			reqs[i].FileID = x
		case ejson.D:
			id, err := stringField(x, "fileid")
			if err != nil {
				return nil, invalidParam("file_list[].fileid must be a string")
			}
			if id == "" {
				id, _ = stringField(x, "fileID")
			}
			reqs[i].FileID = id
			if age, ok := x.Get("max_age"); ok && age != nil {
				n, _, err := toInt("max_age", age)
				if err != nil {
					return nil, err
				}
				reqs[i].MaxAge = time.Duration(n) * time.Second
			}
		default:
			return nil, invalidParam("file_list must be an array of {fileid, max_age}")
		}
	}
	urls, err := s.files.TempURLs(r.ctx, r.caller, reqs)
	if err != nil {
		return nil, s.storageError(err)
	}
	out := make([]map[string]any, len(urls))
	for i, u := range urls {
		item := map[string]any{"fileid": u.FileID, "fileID": u.FileID}
		if u.Code != "" {
			item["code"], item["message"] = u.Code, u.Message
			item["download_url"], item["tempFileURL"] = "", ""
		} else {
			item["code"] = "SUCCESS"
			item["download_url"], item["tempFileURL"] = u.URL, u.URL
			item["maxAge"] = int64(u.MaxAge / time.Second)
		}
		out[i] = item
	}
	return map[string]any{"download_list": out}, nil
}

// actionDeleteFiles: storage.batchDeleteFile {fileid_list: [id]} →
// {delete_list: [{fileid, fileID, code, message?}]}.
func (s *Server) actionDeleteFiles(r *actionRequest) (any, error) {
	list, err := s.actionBatch(r, "fileid_list", "file IDs")
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(list))
	for i, it := range list {
		id, ok := it.(string)
		if !ok {
			return nil, invalidParam("fileid_list must hold strings")
		}
		ids[i] = id
	}
	res, err := s.files.Delete(r.ctx, r.caller, ids)
	if err != nil {
		return nil, s.storageError(err)
	}
	out := make([]map[string]any, len(res))
	for i, d := range res {
		item := map[string]any{"fileid": d.FileID, "fileID": d.FileID, "code": "SUCCESS"}
		if d.Code != "" {
			item["code"], item["message"] = d.Code, d.Message
		}
		out[i] = item
	}
	return map[string]any{"delete_list": out}, nil
}
