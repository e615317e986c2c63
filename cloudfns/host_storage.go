package cloudfns

import "context"

// FileStorage is cloud storage as running functions reach it (wx-server-sdk's
// uploadFile, downloadFile, getTempFileURL and deleteFile), with admin rights as on
// CloudBase. Errors should carry a CloudBase code (CloudBaseCode() string, as
// wxsdk.CodedError describes).
type FileStorage interface {
	// UploadFile stores content at cloudPath and returns its fileID (cloud://…).
	UploadFile(ctx context.Context, cloudPath string, content []byte) (fileID string, err error)
	// DownloadFile returns a file's content.
	DownloadFile(ctx context.Context, fileID string) ([]byte, error)
	// TempFileURLs returns a download URL per file, in order.
	TempFileURLs(ctx context.Context, files []TempFileRequest) ([]FileResult, error)
	// DeleteFiles removes files and reports each one, in order.
	DeleteFiles(ctx context.Context, fileIDs []string) ([]FileResult, error)
}

// TempFileRequest asks for one download URL; MaxAge is in seconds (0: the default).
type TempFileRequest struct {
	FileID string
	MaxAge int
}

// FileResult is the outcome for one file. Code is "" or "SUCCESS" when it worked,
// otherwise a CloudBase code such as "STORAGE_FILE_NONEXIST".
type FileResult struct {
	FileID      string
	TempFileURL string
	MaxAge      int
	Code        string
}

// errStorageOff answers storage calls while no FileStorage is connected.
var errStorageOff = &InvokeError{Code: "STORAGE_REQUEST_FAIL", Message: "cloud storage is not available on this server"}

func (h serviceHost) fileStorage() (FileStorage, error) {
	h.s.mu.RLock()
	fs := h.s.files
	h.s.mu.RUnlock()
	if fs == nil {
		return nil, errStorageOff
	}
	return fs, nil
}

// HasStorage reports whether storage is connected (wxsdk asks before each call).
func (h serviceHost) HasStorage() bool {
	_, err := h.fileStorage()
	return err == nil
}

func (h serviceHost) UploadFile(ctx context.Context, cloudPath string, content []byte) (string, error) {
	fs, err := h.fileStorage()
	if err != nil {
		return "", err
	}
	return fs.UploadFile(ctx, cloudPath, content)
}

func (h serviceHost) DownloadFile(ctx context.Context, fileID string) ([]byte, error) {
	fs, err := h.fileStorage()
	if err != nil {
		return nil, err
	}
	return fs.DownloadFile(ctx, fileID)
}

func (h serviceHost) TempFileURLs(ctx context.Context, files []TempFileRequest) ([]FileResult, error) {
	fs, err := h.fileStorage()
	if err != nil {
		return nil, err
	}
	return fs.TempFileURLs(ctx, files)
}

func (h serviceHost) DeleteFiles(ctx context.Context, fileIDs []string) ([]FileResult, error) {
	fs, err := h.fileStorage()
	if err != nil {
		return nil, err
	}
	return fs.DeleteFiles(ctx, fileIDs)
}
