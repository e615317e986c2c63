package storage

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sync"

	"github.com/pocketbase/pocketbase/core"
)

// While PocketBase's S3 storage is off, blobs are written, read and deleted straight in
// its local storage folder (pb_data/storage/_mc_files/…), the same files PocketBase's
// filesystem would use: its writer would add to every upload a temporary file and a
// rename (a blob's random name is unreferenced until the metadata commits, so it can be
// written in place), a metadata sidecar (the metadata lives in _mc_files) and a content
// sniff with a rewind (done only when the type is needed). Blobs written either way read
// alike either way.

// localRoot returns the local storage folder, or false when S3 is enabled.
func (s *Service) localRoot() (string, bool) {
	if s.viaFilesystem || s.app.Settings().S3.Enabled {
		return "", false
	}
	return filepath.Join(s.app.DataDir(), core.LocalStorageDirName), true
}

// localDirs remembers the blob folders known to exist.
var localDirs sync.Map

// writeLocalBlob streams r into root/key, at most limit bytes.
func (s *Service) writeLocalBlob(root, key string, r io.Reader, limit int64) (*stagedBlob, error) {
	full := filepath.Join(root, filepath.FromSlash(key))
	f, err := createBlobFile(full)
	if err != nil {
		return nil, internal(fmt.Errorf("create blob: %w", err))
	}
	ur := newUploadReader(r, limit, nil)
	ur.headMax = sniffBytes // no rewind here: keep only what sniffing needs
	_, werr := ur.WriteTo(f)
	cerr := f.Close()
	if ur.err != nil || werr != nil || cerr != nil {
		removeLocalBlob(full)
		switch {
		case errors.Is(ur.err, errTooLarge):
			return nil, tooLarge(limit)
		case ur.err != nil:
			return nil, &Error{Code: CodeRequestFail, Msg: "the upload was interrupted before its end", Status: http.StatusBadRequest, Err: ur.err}
		}
		return nil, internal(fmt.Errorf("write blob: %w", errors.Join(werr, cerr)))
	}
	return &stagedBlob{key: key, size: ur.n, md5: fmt.Sprintf("%x", ur.md5.Sum(nil)), head: ur.head}, nil
}

// createBlobFile creates a new file, and its folder when missing.
func createBlobFile(full string) (*os.File, error) {
	dir := filepath.Dir(full)
	if _, ok := localDirs.Load(dir); !ok {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		localDirs.Store(dir, struct{}{})
	}
	f, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrNotExist) {
		// the folder was removed since
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		f, err = os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	}
	return f, err
}

// removeLocalBlob deletes a blob and the sidecar PocketBase's writer may have left.
func removeLocalBlob(full string) error {
	err := os.Remove(full)
	if rerr := os.Remove(full + ".attrs"); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) && err == nil {
		err = rerr
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
