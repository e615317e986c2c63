package wxsdk

import (
	"strconv"

	"github.com/dop251/goja"

	"github.com/minicloud/minicloud/cloudfns"
)

// StorageHost is the optional part of a cloudfns.Host that serves cloud storage. When
// the Host implements it (and, if it also has a HasStorage() bool method, that reports
// true), uploadFile, downloadFile, getTempFileURL and deleteFile work; otherwise they
// answer "not available yet in Minicloud". The server's Host implements it over the
// storage service, with admin rights.
type StorageHost = cloudfns.FileStorage

// TempFileRequest asks for one download URL; MaxAge is in seconds (0: the default).
type TempFileRequest = cloudfns.TempFileRequest

// FileResult is the outcome for one file. Code is "" or "SUCCESS" when it worked,
// otherwise a CloudBase code such as "STORAGE_FILE_NONEXIST".
type FileResult = cloudfns.FileResult

// hasStorage reports whether the Host serves storage now.
func (m *module) hasStorage() bool {
	sh, ok := m.env.Host().(StorageHost)
	if !ok {
		return false
	}
	if h, ok := sh.(interface{ HasStorage() bool }); ok {
		return h.HasStorage()
	}
	return true
}

func (m *module) storageHost() StorageHost {
	sh, _ := m.env.Host().(StorageHost)
	return sh
}

// storageResult starts a storage answer: {requestId} plus {code, message} on failure.
func (m *module) storageResult(err error) (*goja.Object, bool) {
	out := m.vm.NewObject()
	_ = out.Set("requestId", NewRequestID())
	if err != nil {
		code, msg := errorCode(err)
		_ = out.Set("code", code)
		_ = out.Set("message", msg)
		return out, false
	}
	return out, true
}

func bytesOf(v goja.Value) ([]byte, bool) {
	switch x := v.Export().(type) {
	case []byte:
		return x, true
	case goja.ArrayBuffer:
		return x.Bytes(), true
	case string:
		return []byte(x), true
	}
	return nil, false
}

// uploadFile(cloudPath, content) → {fileID} | {code, message}
func (m *module) uploadFile(c goja.FunctionCall) goja.Value {
	content, ok := bytesOf(c.Argument(1))
	if !ok {
		m.throw("fileContent must be a Buffer, a typed array, an ArrayBuffer or a string")
	}
	id, err := m.storageHost().UploadFile(m.env.Context(), c.Argument(0).String(), content)
	out, ok := m.storageResult(err)
	if ok {
		_ = out.Set("fileID", id)
	}
	return out
}

// downloadFile(fileID) → {content: ArrayBuffer} | {code, message}
func (m *module) downloadFile(c goja.FunctionCall) goja.Value {
	data, err := m.storageHost().DownloadFile(m.env.Context(), c.Argument(0).String())
	out, ok := m.storageResult(err)
	if ok {
		_ = out.Set("content", m.vm.NewArrayBuffer(data))
	}
	return out
}

func (m *module) fileList(results []FileResult) goja.Value {
	items := make([]any, len(results))
	for i, r := range results {
		o := m.vm.NewObject()
		_ = o.Set("fileID", r.FileID)
		_ = o.Set("tempFileURL", r.TempFileURL)
		_ = o.Set("maxAge", r.MaxAge)
		_ = o.Set("code", r.Code)
		items[i] = o
	}
	return m.vm.NewArray(items...)
}

// getTempFileURL([{fileID, maxAge}]) → {fileList:[{fileID, tempFileURL, maxAge, code}]}
func (m *module) getTempFileURL(c goja.FunctionCall) goja.Value {
	var reqs []TempFileRequest
	if arr, ok := c.Argument(0).(*goja.Object); ok {
		n := int(arr.Get("length").ToInteger())
		for i := 0; i < n; i++ {
			it := arr.Get(strconv.Itoa(i)).ToObject(m.vm)
			reqs = append(reqs, TempFileRequest{FileID: it.Get("fileID").String(), MaxAge: int(it.Get("maxAge").ToInteger())})
		}
	}
	res, err := m.storageHost().TempFileURLs(m.env.Context(), reqs)
	out, ok := m.storageResult(err)
	if ok {
		_ = out.Set("fileList", m.fileList(res))
	}
	return out
}

// deleteFile([fileID]) → {fileList:[{fileID, code}]}
func (m *module) deleteFile(c goja.FunctionCall) goja.Value {
	var ids []string
	if arr, ok := c.Argument(0).(*goja.Object); ok {
		n := int(arr.Get("length").ToInteger())
		for i := 0; i < n; i++ {
			ids = append(ids, arr.Get(strconv.Itoa(i)).String())
		}
	}
	res, err := m.storageHost().DeleteFiles(m.env.Context(), ids)
	out, ok := m.storageResult(err)
	if ok {
		_ = out.Set("fileList", m.fileList(res))
	}
	return out
}
