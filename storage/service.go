// Package storage is Minicloud's cloud storage: CloudBase files addressed by
// cloud://<env>.<bucket>/<cloudPath> IDs, with their metadata in the _mc_files
// collection and their bytes in PocketBase's filesystem (pb_data/storage, or S3 when
// PocketBase's S3 settings are enabled).
//
// Clients upload with a short-lived signed URL (PrepareUpload, then a PUT, or a
// multipart form POST as wx.uploadFile sends, that ServeObject checks against the
// declared size and content type) and download with signed temporary URLs (TempURLs).
// Server-side code (the admin dialect, cloud functions) calls Upload, Open, TempURLs and
// Delete with admin rights. The storage preset (READONLY by default, as on CloudBase), or
// the custom rules that replace it while they are set (rules.go), applies to client
// callers only.
package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"github.com/minicloud/minicloud/migrations"
)

// Defaults and limits.
const (
	// DefaultBucket is the bucket name in file IDs unless configured.
	DefaultBucket = "minicloud"
	// DefaultMaxUpload is the largest file an upload may carry unless configured.
	DefaultMaxUpload int64 = 50 << 20
	// DefaultUploadTTL is how long an upload URL stays valid.
	DefaultUploadTTL = 10 * time.Minute
	// DefaultMaxAge is a temporary URL's lifetime when the request names none.
	DefaultMaxAge = 2 * time.Hour
	// MaxPrivateAge caps a temporary URL's lifetime when not every user may read the
	// files (PRIVATE, ADMINONLY).
	MaxPrivateAge = 24 * time.Hour
	// MaxPublicAge caps it when every user may read them (READONLY, ADMINWRITE).
	MaxPublicAge = 365 * 24 * time.Hour
	// MaxBatch is the most file IDs one temp-URL or delete call takes (CloudBase's).
	MaxBatch = 50
	// ObjectsPath is the URL path under which files are uploaded and downloaded.
	ObjectsPath = "/storage/v1/objects/"
)

// Config configures the storage service.
type Config struct {
	// EnvID is the environment id in file IDs.
	EnvID string
	// Bucket is the bucket name in file IDs (DefaultBucket when empty). Keep the one
	// imported file IDs carry.
	Bucket string
	// MaxUpload bounds one file (DefaultMaxUpload when 0).
	MaxUpload int64
	// PublicURL is the base URL of signed URLs (scheme and host, maybe a path prefix),
	// for servers behind a proxy. Empty: derived from each request's Host.
	PublicURL string
	// Preset is the storage security preset (PresetReadOnly when empty).
	Preset Preset
	// UploadTTL is the lifetime of upload URLs (DefaultUploadTTL when 0).
	UploadTTL time.Duration
}

// Service stores and serves files.
type Service struct {
	app   core.App
	cfg   Config
	sign  *signer
	meta  *metaStore
	rules *RuleStore
	now   func() time.Time
	// viaFilesystem: always go through PocketBase's filesystem (tests, benchmarks)
	viaFilesystem bool
}

// New creates the storage service. The signing key is read from (or created in) the
// app's data directory.
func New(app core.App, cfg Config) (*Service, error) {
	if cfg.EnvID == "" {
		return nil, errors.New("storage: the environment id is empty")
	}
	if cfg.Bucket == "" {
		cfg.Bucket = DefaultBucket
	}
	if strings.ContainsAny(cfg.Bucket, "/.") || strings.ContainsFunc(cfg.Bucket, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, fmt.Errorf("storage: invalid bucket name %q: no '/', '.', spaces or control characters", cfg.Bucket)
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = DefaultMaxUpload
	}
	if cfg.Preset == "" {
		cfg.Preset = PresetReadOnly
	}
	if _, err := ParsePreset(string(cfg.Preset)); err != nil {
		return nil, err
	}
	if cfg.UploadTTL <= 0 {
		cfg.UploadTTL = DefaultUploadTTL
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	sign, err := loadSigner(app.DataDir())
	if err != nil {
		return nil, err
	}
	meta, err := newMetaStore(app)
	if err != nil {
		return nil, err
	}
	s := &Service{app: app, cfg: cfg, sign: sign, meta: meta, rules: NewRuleStore(app), now: time.Now}
	// a file deleted in the dashboard takes its bytes with it (the service's own deletes
	// run in SQL and remove the blob themselves)
	app.OnRecordAfterDeleteSuccess(migrations.Files).BindFunc(func(e *core.RecordEvent) error {
		if blob := e.Record.GetString("blob"); strings.HasPrefix(blob, blobPrefix) {
			s.deleteBlob(context.Background(), blob)
		}
		return e.Next()
	})
	return s, nil
}

// Config returns the service's effective configuration.
func (s *Service) Config() Config { return s.cfg }

// Preset returns the storage security preset.
func (s *Service) Preset() Preset { return s.cfg.Preset }

// Rules returns the store of the custom storage rules, which replace the preset when set.
func (s *Service) Rules() *RuleStore { return s.rules }

// policy returns what decides client access now: the custom rules, else the preset.
func (s *Service) policy(ctx context.Context) (policy, error) {
	r, err := s.rules.Get(ctx)
	if err != nil {
		return policy{}, internal(err)
	}
	return policy{preset: s.cfg.Preset, rules: r}, nil
}

// baseURLKey is the context key of a request's base URL.
type baseURLKey struct{}

// WithBaseURL returns a context carrying the base URL (scheme://host) that signed URLs
// made under it should start with, unless Config.PublicURL is set.
func WithBaseURL(ctx context.Context, base string) context.Context {
	return context.WithValue(ctx, baseURLKey{}, strings.TrimRight(base, "/"))
}

// RequestBaseURL derives the base URL a client used to reach the server.
func RequestBaseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// baseURL is where signed URLs point: Config.PublicURL, else the context's base URL,
// else nothing (URLs relative to the server's root).
func (s *Service) baseURL(ctx context.Context) string {
	if s.cfg.PublicURL != "" {
		return s.cfg.PublicURL
	}
	if b, ok := ctx.Value(baseURLKey{}).(string); ok {
		return b
	}
	return ""
}

// UploadRequest asks for an upload URL.
type UploadRequest struct {
	CloudPath string
	// Size is the declared size in bytes, or -1 when the client did not declare one;
	// the upload may carry at most that many bytes.
	Size int64
	// ContentType is the declared content type, or empty; the upload must carry it (or
	// none), and the file is served with it.
	ContentType string
}

// UploadTicket is what a client needs to upload: PUT the bytes to URL before Expires.
// Authorization, Token and MetaID fill the fields CloudBase's SDKs send back as headers
// (authorization, x-cos-security-token, x-cos-meta-fileid); the URL alone carries the
// signature.
type UploadTicket struct {
	FileID        string
	URL           string
	Authorization string
	Token         string
	MetaID        string
	// DownloadURL is a temporary download URL of the file once uploaded.
	DownloadURL string
	Expires     time.Time
}

// PrepareUpload checks that the caller may write cloudPath and signs an upload URL.
func (s *Service) PrepareUpload(ctx context.Context, c Caller, req UploadRequest) (UploadTicket, error) {
	if err := ValidatePath(req.CloudPath); err != nil {
		return UploadTicket{}, err
	}
	if err := checkContentType(req.ContentType); err != nil {
		return UploadTicket{}, err
	}
	if req.Size > s.cfg.MaxUpload {
		return UploadTicket{}, tooLarge(s.cfg.MaxUpload)
	}
	if req.Size < 0 {
		req.Size = -1
	}
	if !c.Admin {
		pol, err := s.policy(ctx)
		if err != nil {
			return UploadTicket{}, err
		}
		if !pol.mayEverWrite(c) {
			return UploadTicket{}, denied(req.CloudPath)
		}
		cur, err := s.meta.get(ctx, req.CloudPath)
		if err != nil {
			return UploadTicket{}, internal(err)
		}
		if !pol.canWrite(c, req.CloudPath, cur) {
			return UploadTicket{}, denied(req.CloudPath)
		}
	}
	now := s.now()
	exp := now.Add(s.cfg.UploadTTL)
	g := uploadGrant{Path: req.CloudPath, Admin: c.Admin, Owner: c.OpenID, MaxSize: req.Size, ContentType: req.ContentType, Expires: exp.Unix()}
	if c.Admin {
		g.Owner = ""
	}
	sig := s.sign.sign(g.parts(s.bucketHost())...)
	base := s.baseURL(ctx)
	dl := s.downloadURL(base, req.CloudPath, now, DefaultMaxAge)
	return UploadTicket{
		FileID:        s.FileID(req.CloudPath),
		URL:           base + ObjectsPath + escapePath(req.CloudPath) + "?" + g.query(sig),
		Authorization: sig,
		Token:         sig,
		MetaID:        randomID(16, alnum),
		DownloadURL:   dl,
		Expires:       exp,
	}, nil
}

// downloadURL signs a temporary URL of a cloud path.
func (s *Service) downloadURL(base, p string, now time.Time, ttl time.Duration) string {
	g := downloadGrant{Path: p, Expires: now.Add(ttl).Unix(), TTL: int64(ttl / time.Second)}
	return base + ObjectsPath + escapePath(p) + "?" + g.query(s.sign.sign(g.parts(s.bucketHost())...))
}

// Upload stores a file from server-side code (the bytes need not be in memory): size is
// the expected size or -1, contentType the file's type or "" to derive it from the
// path's extension or the bytes. It returns the file ID.
func (s *Service) Upload(ctx context.Context, c Caller, cloudPath string, r io.Reader, size int64, contentType string) (string, error) {
	if err := ValidatePath(cloudPath); err != nil {
		return "", err
	}
	if err := checkContentType(contentType); err != nil {
		return "", err
	}
	limit := s.cfg.MaxUpload
	if size > limit {
		return "", tooLarge(limit)
	}
	if size >= 0 {
		limit = size
	}
	f, err := s.store(ctx, c, cloudPath, r, limit, contentType)
	if err != nil {
		return "", err
	}
	return f.FileID, nil
}

// store streams r into a new blob and records it as cloudPath, replacing any previous
// version the caller may overwrite. Nothing is kept when the bytes exceed limit, the
// reader fails, or the caller turns out not to be allowed.
func (s *Service) store(ctx context.Context, c Caller, cloudPath string, r io.Reader, limit int64, contentType string) (*FileInfo, error) {
	pol, err := s.writePolicy(ctx, c, cloudPath)
	if err != nil {
		return nil, err
	}
	b, err := s.writeBlob(ctx, r, limit)
	if err != nil {
		return nil, err
	}
	return s.commit(ctx, c, pol, cloudPath, b, contentType)
}

// writePolicy returns the policy a write is checked against, refusing at once a caller
// who may write no file at all.
func (s *Service) writePolicy(ctx context.Context, c Caller, cloudPath string) (policy, error) {
	if c.Admin {
		return policy{preset: s.cfg.Preset}, nil
	}
	pol, err := s.policy(ctx)
	if err != nil {
		return pol, err
	}
	if !pol.mayEverWrite(c) {
		return pol, denied(cloudPath)
	}
	return pol, nil
}

// stagedBlob is a blob written but not yet recorded as any file's bytes.
type stagedBlob struct {
	key  string
	size int64
	md5  string
	head []byte // the first bytes, for content sniffing
}

// writeBlob streams r into a new blob of at most limit bytes. On failure nothing is
// left behind.
func (s *Service) writeBlob(ctx context.Context, r io.Reader, limit int64) (*stagedBlob, error) {
	// blobs spread over 36 folders, so that no folder of a local store grows huge
	blobID := randomID(24, lowerDigits)
	key := blobPrefix + blobID[:1] + "/" + blobID
	if root, ok := s.localRoot(); ok {
		return s.writeLocalBlob(root, key, r, limit)
	}
	fsys, err := s.app.NewFilesystem()
	if err != nil {
		return nil, internal(err)
	}
	defer fsys.Close()
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	fsys.SetContext(wctx)

	ur := newUploadReader(r, limit, cancel)
	upErr := fsys.UploadFile(&filesystem.File{Name: blobID, OriginalName: blobID, Reader: ur}, key)
	if ur.err != nil || upErr != nil {
		cancel()
		s.deleteBlob(context.WithoutCancel(ctx), key)
		switch {
		case errors.Is(ur.err, errTooLarge):
			return nil, tooLarge(limit)
		case ur.err != nil:
			return nil, &Error{Code: CodeRequestFail, Msg: "the upload was interrupted before its end", Status: http.StatusBadRequest, Err: ur.err}
		}
		return nil, internal(fmt.Errorf("write blob: %w", upErr))
	}
	return &stagedBlob{key: key, size: ur.n, md5: fmt.Sprintf("%x", ur.md5.Sum(nil)), head: ur.head}, nil
}

// discard deletes a staged blob that will not be recorded.
func (s *Service) discard(ctx context.Context, b *stagedBlob) {
	s.deleteBlob(context.WithoutCancel(ctx), b.key)
}

// commit records a staged blob as the bytes of cloudPath after checking, inside the
// metadata transaction, that the caller may write the file as it is now (PrepareUpload
// checked it as it was then). The blob is deleted when the commit fails; the previous
// version's blob when it succeeds.
func (s *Service) commit(ctx context.Context, c Caller, pol policy, cloudPath string, b *stagedBlob, contentType string) (*FileInfo, error) {
	check := func(cur *FileInfo) error {
		if !pol.canWrite(c, cloudPath, cur) {
			return denied(cloudPath)
		}
		return nil
	}
	f := &FileInfo{
		FileID:      s.FileID(cloudPath),
		Path:        cloudPath,
		Size:        b.size,
		ContentType: contentTypeOf(contentType, cloudPath, b.head),
		MD5:         b.md5,
		blob:        b.key,
	}
	if !c.Admin {
		f.Owner = c.OpenID
	}
	old, err := s.meta.put(context.WithoutCancel(ctx), f, check)
	if err != nil {
		s.discard(ctx, b)
		var se *Error
		if errors.As(err, &se) {
			return nil, se
		}
		return nil, internal(err)
	}
	if old != "" && old != b.key {
		s.deleteBlob(context.WithoutCancel(ctx), old)
	}
	return f, nil
}

// deleteBlob removes a blob, logging failures other than "already gone".
func (s *Service) deleteBlob(ctx context.Context, key string) {
	if root, ok := s.localRoot(); ok {
		if err := removeLocalBlob(filepath.Join(root, filepath.FromSlash(key))); err != nil {
			s.app.Logger().Error("storage: delete blob", "key", key, "error", err)
		}
		return
	}
	fsys, err := s.app.NewFilesystem()
	if err != nil {
		s.app.Logger().Error("storage: delete blob", "key", key, "error", err)
		return
	}
	defer fsys.Close()
	fsys.SetContext(ctx)
	if err := fsys.Delete(key); err != nil && !errors.Is(err, filesystem.ErrNotFound) {
		s.app.Logger().Error("storage: delete blob", "key", key, "error", err)
	}
}

// Stat returns a file's metadata if the caller may read it.
func (s *Service) Stat(ctx context.Context, c Caller, fileID string) (*FileInfo, error) {
	p, err := s.ParseFileID(fileID)
	if err != nil {
		return nil, err
	}
	return s.statPath(ctx, c, p)
}

func (s *Service) statPath(ctx context.Context, c Caller, p string) (*FileInfo, error) {
	pol := policy{preset: s.cfg.Preset}
	if !c.Admin {
		var err error
		if pol, err = s.policy(ctx); err != nil {
			return nil, err
		}
	}
	if !pol.mayEverRead(c) {
		return nil, denied(p)
	}
	f, err := s.meta.get(ctx, p)
	if err != nil {
		return nil, internal(err)
	}
	if f == nil {
		return nil, notExist(p)
	}
	if !pol.canRead(c, p, f.Owner) {
		return nil, denied(p)
	}
	f.FileID = s.FileID(p)
	return f, nil
}

// Open returns a reader of a file's bytes (seekable; on S3 a seek becomes a range
// request) and its metadata. Close the reader.
func (s *Service) Open(ctx context.Context, c Caller, fileID string) (io.ReadSeekCloser, *FileInfo, error) {
	f, err := s.Stat(ctx, c, fileID)
	if err != nil {
		return nil, nil, err
	}
	rc, err := s.openBlob(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	return rc, f, nil
}

// blobReader closes the filesystem together with the reader.
type blobReader struct {
	io.ReadSeeker
	closers []io.Closer
}

func (b *blobReader) Close() error {
	var errs []error
	for _, c := range b.closers {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

func (s *Service) openBlob(ctx context.Context, f *FileInfo) (io.ReadSeekCloser, error) {
	if !strings.HasPrefix(f.blob, blobPrefix) || strings.Contains(f.blob, "..") {
		// only the service writes blob keys; one edited to point elsewhere in the
		// filesystem (another collection's files) is never served
		s.app.Logger().Warn("storage: a file's blob key is outside "+blobPrefix, "path", f.Path, "blob", f.blob)
		return nil, notExist(f.Path)
	}
	if root, ok := s.localRoot(); ok {
		// an *os.File: the server can send it with sendfile
		file, err := os.Open(filepath.Join(root, filepath.FromSlash(f.blob)))
		if errors.Is(err, fs.ErrNotExist) {
			s.app.Logger().Warn("storage: a file's blob is missing", "path", f.Path, "blob", f.blob)
			return nil, notExist(f.Path)
		}
		if err != nil {
			return nil, internal(err)
		}
		return file, nil
	}
	fsys, err := s.app.NewFilesystem()
	if err != nil {
		return nil, internal(err)
	}
	fsys.SetContext(ctx)
	br, err := fsys.GetReader(f.blob)
	if err != nil {
		fsys.Close()
		if errors.Is(err, filesystem.ErrNotFound) {
			s.app.Logger().Warn("storage: a file's blob is missing", "path", f.Path, "blob", f.blob)
			return nil, notExist(f.Path)
		}
		return nil, internal(err)
	}
	return &blobReader{ReadSeeker: br, closers: []io.Closer{br, fsys}}, nil
}

// TempURLRequest asks for a temporary URL of one file. MaxAge is its lifetime
// (DefaultMaxAge when 0; capped at MaxPrivateAge, or MaxPublicAge when every user may
// read the files).
type TempURLRequest struct {
	FileID string
	MaxAge time.Duration
}

// TempURL is the answer for one file: Code is empty and URL set on success, otherwise
// Code is CloudBase's per-file error code (STORAGE_FILE_NONEXIST,
// STORAGE_EXCEED_AUTHORITY, INVALID_PARAM).
type TempURL struct {
	FileID  string
	URL     string
	MaxAge  time.Duration
	Code    string
	Message string
}

// TempURLs signs temporary download URLs, at most MaxBatch per call. Each file is
// checked on its own. The URLs start with Config.PublicURL, else the context's base URL
// (WithBaseURL), else they are relative to the server's root.
func (s *Service) TempURLs(ctx context.Context, c Caller, files []TempURLRequest) ([]TempURL, error) {
	if len(files) == 0 {
		return nil, invalid("the file list is empty")
	}
	if len(files) > MaxBatch {
		return nil, invalid("at most %d files per call, not %d", MaxBatch, len(files))
	}
	base := s.baseURL(ctx)
	now := s.now()
	pol, err := s.policy(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]TempURL, len(files))
	for i, req := range files {
		out[i].FileID = req.FileID
		f, err := s.Stat(ctx, c, req.FileID)
		if err != nil {
			se := AsError(err)
			if se.Code == CodeSystem {
				return nil, se
			}
			out[i].Code, out[i].Message = se.Code, se.Msg
			continue
		}
		ttl := req.MaxAge
		if ttl <= 0 {
			ttl = DefaultMaxAge
		}
		ttl = ttl.Truncate(time.Second)
		if ttl < time.Second {
			ttl = time.Second
		}
		limit := MaxPrivateAge
		if pol.publicRead() {
			limit = MaxPublicAge
		}
		ttl = min(ttl, limit)
		out[i].MaxAge = ttl
		out[i].URL = s.downloadURL(base, f.Path, now, ttl)
	}
	return out, nil
}

// DeleteResult is the answer for one file: Code is empty on success.
type DeleteResult struct {
	FileID  string
	Code    string
	Message string
}

// Delete removes files, at most MaxBatch per call, each checked on its own.
func (s *Service) Delete(ctx context.Context, c Caller, fileIDs []string) ([]DeleteResult, error) {
	if len(fileIDs) == 0 {
		return nil, invalid("the file list is empty")
	}
	if len(fileIDs) > MaxBatch {
		return nil, invalid("at most %d files per call, not %d", MaxBatch, len(fileIDs))
	}
	out := make([]DeleteResult, len(fileIDs))
	for i, id := range fileIDs {
		out[i].FileID = id
		err := s.deleteOne(ctx, c, id)
		if err != nil {
			se := AsError(err)
			if se.Code == CodeSystem {
				return nil, se
			}
			out[i].Code, out[i].Message = se.Code, se.Msg
		}
	}
	return out, nil
}

func (s *Service) deleteOne(ctx context.Context, c Caller, id string) error {
	p, err := s.ParseFileID(id)
	if err != nil {
		return err
	}
	pol, err := s.writePolicy(ctx, c, p)
	if err != nil {
		return err
	}
	f, err := s.meta.remove(context.WithoutCancel(ctx), p, func(cur *FileInfo) error {
		if cur == nil {
			return notExist(p)
		}
		if !pol.canWrite(c, p, cur) {
			return denied(p)
		}
		return nil
	})
	if err != nil {
		var se *Error
		if errors.As(err, &se) {
			return se
		}
		return internal(err)
	}
	s.deleteBlob(context.WithoutCancel(ctx), f.blob)
	return nil
}

// ParseSize reads a byte count: a plain number of bytes, or a number with one of the
// units B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB (powers of 1024), any case.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := len(t)
	for i > 0 && (t[i-1] < '0' || t[i-1] > '9') {
		i--
	}
	num, unit := strings.TrimSpace(t[:i]), strings.ToLower(strings.TrimSpace(t[i:]))
	mult := map[string]int64{"": 1, "b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[unit]
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || mult == 0 || n <= 0 || n > (1<<50)/mult {
		return 0, fmt.Errorf("invalid size %q: use a positive number of bytes, or e.g. 50MiB", s)
	}
	return n * mult, nil
}

// CheckPublicURL validates a configured public URL: absolute http(s), no query.
func CheckPublicURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("invalid public URL %q: use an absolute http(s) URL such as https://api.example.com", s)
	}
	return nil
}
