package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/apis"
	"github.com/minicloud/minicloud/cloudfns"
	"github.com/minicloud/minicloud/cloudfns/wxsdk"
	"github.com/minicloud/minicloud/collections"
	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/minicloud/minicloud/storage"
)

// functionsConfig configures cloud functions.
type functionsConfig struct {
	HTTPPrefix     string
	FetchAllow     string
	LogRetention   time.Duration
	MaxConcurrency int
	MaxQueue       int
	Memory         string
}

func (m *minicloud) registerFunctionFlags() {
	f := m.app.RootCmd.PersistentFlags()
	f.StringVar(&m.fn.HTTPPrefix, "functions-http-prefix", envString("MINICLOUD_FUNCTIONS_HTTP_PREFIX", "/fn"),
		"path prefix for HTTP access to functions: /fn/<name>/… (\"\" turns it off) (env MINICLOUD_FUNCTIONS_HTTP_PREFIX)")
	f.StringVar(&m.fn.FetchAllow, "functions-fetch-allow", envString("MINICLOUD_FUNCTIONS_FETCH_ALLOW", ""),
		"hosts functions may reach with fetch() or http/https, comma-separated: api.example.com, *.example.com, or * for any (env MINICLOUD_FUNCTIONS_FETCH_ALLOW)")
	f.DurationVar(&m.fn.LogRetention, "functions-log-retention", envDuration("MINICLOUD_FUNCTIONS_LOG_RETENTION", cloudfns.DefaultLogRetention),
		"how long invocation logs are kept (0: forever) (env MINICLOUD_FUNCTIONS_LOG_RETENTION)")
	f.IntVar(&m.fn.MaxConcurrency, "functions-max-concurrency", envInt("MINICLOUD_FUNCTIONS_MAX_CONCURRENCY", 0),
		"invocations running at once, all functions (0: 4 per CPU) (env MINICLOUD_FUNCTIONS_MAX_CONCURRENCY)")
	f.IntVar(&m.fn.MaxQueue, "functions-max-queue", envInt("MINICLOUD_FUNCTIONS_MAX_QUEUE", 0),
		"invocations waiting for a slot before callers get FUNCTIONS_TOO_MANY_REQUESTS (0: 256) (env MINICLOUD_FUNCTIONS_MAX_QUEUE)")
	f.StringVar(&m.fn.Memory, "functions-memory", envString("MINICLOUD_FUNCTIONS_MEMORY", "512MiB"),
		"memory budget of all running functions together; the call using most is stopped past it (env MINICLOUD_FUNCTIONS_MEMORY)")
}

// newFunctions builds the functions service for a serving app.
func (m *minicloud) newFunctions(app core.App) (*cloudfns.Service, error) {
	memory, err := storage.ParseSize(m.fn.Memory)
	if err != nil || memory < 16<<20 {
		return nil, fmt.Errorf("--functions-memory: %q is not a size of at least 16MiB", m.fn.Memory)
	}
	var allow []string
	for _, h := range strings.Split(m.fn.FetchAllow, ",") {
		if h = strings.TrimSpace(h); h != "" {
			allow = append(allow, h)
		}
	}
	svc := cloudfns.NewService(app, m.functions, cloudfns.ServiceConfig{
		EnvID:        m.cfg.EnvID,
		LogRetention: m.fn.LogRetention,
		Runtime: cloudfns.RuntimeConfig{FetchAllow: allow, MaxConcurrency: m.fn.MaxConcurrency,
			MaxQueue: m.fn.MaxQueue, MaxHeapBytes: uint64(memory)},
	})
	svc.Runtime().RegisterModule("wx-server-sdk", wxsdk.WXServerSDK)
	svc.Runtime().RegisterModule("@cloudbase/node-sdk", wxsdk.NodeSDK)
	if m.files != nil {
		svc.SetStorage(&functionStorage{files: m.files, logger: app.Logger()})
	}
	return svc, nil
}

// startFunctions connects functions to the database and starts their timers.
func startFunctions(se *core.ServeEvent, svc *cloudfns.Service, srv *apis.Server) error {
	svc.SetDatabase(func(ctx context.Context, action string, params json.RawMessage) (json.RawMessage, error) {
		return srv.AdminAction(ctx, action, params)
	})
	svc.SetDocuments(func(ctx context.Context, params json.RawMessage) ([]ejson.D, error) {
		return srv.AdminFind(ctx, params)
	})
	if fs, ok := svc.Storage().(*functionStorage); ok && se.Server != nil {
		fs.base = serverBaseURL(se.Server)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := svc.Start(ctx); err != nil {
		cancel()
		return err
	}
	se.App.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		stopCtx, stop := context.WithTimeout(context.Background(), 5*time.Second)
		defer stop()
		svc.Stop(stopCtx)
		cancel()
		return e.Next()
	})
	return nil
}

// serverBaseURL is the URL of the server's own listener, the base of temporary URLs a
// function asks for outside an HTTP request (a timer) unless --public-url is set.
func serverBaseURL(srv *http.Server) string {
	scheme := "http"
	if srv.TLSConfig != nil {
		scheme = "https"
	}
	host, port, err := net.SplitHostPort(srv.Addr)
	if err != nil {
		return ""
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// maxFunctionDownload bounds what cloud.downloadFile reads into a function's memory.
const maxFunctionDownload = 100 << 20

// functionStorage is cloud storage for wx-server-sdk inside functions: the storage
// service with admin rights (functions bypass the storage presets, as on CloudBase).
type functionStorage struct {
	files  *storage.Service
	logger *slog.Logger
	// base prefixes temporary URLs the service leaves relative (no --public-url and no
	// request base in the context, as in a timer run).
	base string
}

var _ cloudfns.FileStorage = (*functionStorage)(nil)

// storageError carries a storage error's CloudBase code to the function.
type storageError struct{ code, msg string }

func (e *storageError) Error() string            { return e.code + ": " + e.msg }
func (e *storageError) CloudBaseCode() string    { return e.code }
func (e *storageError) CloudBaseMessage() string { return e.msg }

func (f *functionStorage) err(err error) error {
	if err == nil {
		return nil
	}
	se := storage.AsError(err)
	if se.Code == storage.CodeSystem && f.logger != nil {
		f.logger.Error("storage call from a function failed", "error", err.Error())
	}
	return &storageError{code: se.Code, msg: se.Msg}
}

func (f *functionStorage) UploadFile(ctx context.Context, cloudPath string, content []byte) (string, error) {
	id, err := f.files.Upload(ctx, collections.AdminCaller, cloudPath, bytes.NewReader(content), int64(len(content)), "")
	return id, f.err(err)
}

func (f *functionStorage) DownloadFile(ctx context.Context, fileID string) ([]byte, error) {
	rc, info, err := f.files.Open(ctx, collections.AdminCaller, fileID)
	if err != nil {
		return nil, f.err(err)
	}
	defer rc.Close()
	if info.Size > maxFunctionDownload {
		return nil, &storageError{code: storage.CodeFileTooLarge, msg: fmt.Sprintf("the file is larger than %d bytes, too large to download into a function: use getTempFileURL", maxFunctionDownload)}
	}
	b, err := io.ReadAll(io.LimitReader(rc, maxFunctionDownload+1))
	if err != nil {
		return nil, f.err(err)
	}
	return b, nil
}

func (f *functionStorage) TempFileURLs(ctx context.Context, files []cloudfns.TempFileRequest) ([]cloudfns.FileResult, error) {
	reqs := make([]storage.TempURLRequest, len(files))
	for i, r := range files {
		reqs[i] = storage.TempURLRequest{FileID: r.FileID, MaxAge: time.Duration(r.MaxAge) * time.Second}
	}
	urls, err := f.files.TempURLs(ctx, collections.AdminCaller, reqs)
	if err != nil {
		return nil, f.err(err)
	}
	out := make([]cloudfns.FileResult, len(urls))
	for i, u := range urls {
		out[i] = cloudfns.FileResult{FileID: u.FileID, Code: u.Code, MaxAge: int(u.MaxAge / time.Second), TempFileURL: u.URL}
		if strings.HasPrefix(u.URL, "/") {
			out[i].TempFileURL = f.base + u.URL
		}
	}
	return out, nil
}

func (f *functionStorage) DeleteFiles(ctx context.Context, fileIDs []string) ([]cloudfns.FileResult, error) {
	res, err := f.files.Delete(ctx, collections.AdminCaller, fileIDs)
	if err != nil {
		return nil, f.err(err)
	}
	out := make([]cloudfns.FileResult, len(res))
	for i, r := range res {
		out[i] = cloudfns.FileResult{FileID: r.FileID, Code: r.Code}
	}
	return out, nil
}
