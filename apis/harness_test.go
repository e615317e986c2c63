package apis

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	pbapis "github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/auth"
	"github.com/minicloud/minicloud/auth/apikeys"
	"github.com/minicloud/minicloud/collections"
	"github.com/minicloud/minicloud/internal/testapp"
)

const testEnv = "test-env"

// harness is a Minicloud server on real SQLite in a temp dir, served through the same
// PocketBase router (default middlewares included) that `minicloud serve` uses.
type harness struct {
	t       *testing.T
	srv     *Server
	app     core.App
	store   *collections.Store
	auth    *auth.Service
	keys    *apikeys.Registry
	handler http.Handler
	admin   apikeys.Created
}

type harnessOptions struct {
	anonymous bool
	wechat    auth.WeChatConfig
	// sign-in limits per minute (0: unlimited)
	loginPerIP, loginPerOpenID int
	// services, if set, adds services (storage, functions) to the server's
	services func(app core.App, svc *Services)
	// ready, if set, runs once the server exists, before its routes are built
	ready func(srv *Server)
}

func newHarness(t *testing.T, opts harnessOptions) *harness {
	t.Helper()
	h := buildHarness(t, opts)
	h.t = t
	return h
}

// buildHarness builds the server of a harness for tests and benchmarks alike (a
// benchmark's harness has no t: it uses the handler, app and services only).
func buildHarness(tb testing.TB, opts harnessOptions) *harness {
	tb.Helper()
	app := testapp.New(tb)
	store, err := collections.New(app, collections.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	keys, err := apikeys.NewRegistry(app)
	if err != nil {
		tb.Fatal(err)
	}
	authSvc := auth.New(app, auth.Config{EnvID: testEnv, Anonymous: opts.anonymous, WeChat: opts.wechat})
	svc := Services{Store: store, Auth: authSvc, Keys: keys}
	if opts.services != nil {
		opts.services(app, &svc)
	}
	srv := NewServer(app, Config{EnvID: testEnv, LoginPerIP: opts.loginPerIP, LoginPerOpenID: opts.loginPerOpenID}, svc)
	if opts.ready != nil {
		opts.ready(srv)
	}
	r, err := pbapis.NewRouter(app)
	if err != nil {
		tb.Fatal(err)
	}
	srv.Routes(&core.ServeEvent{App: app, Router: r})
	mux, err := r.BuildMux()
	if err != nil {
		tb.Fatal(err)
	}
	created, err := keys.Create("test")
	if err != nil {
		tb.Fatal(err)
	}
	return &harness{srv: srv, app: app, store: store, auth: authSvc, keys: keys, handler: mux, admin: created}
}

// signIn creates a user and returns an access token for it.
func (h *harness) signIn() (token, openid string) {
	h.t.Helper()
	col, err := h.app.FindCollectionByNameOrId("_mc_users")
	if err != nil {
		h.t.Fatal(err)
	}
	rec := core.NewRecord(col)
	rec.Set("type", "test")
	rec.SetRandomPassword()
	if err := h.app.Save(rec); err != nil {
		h.t.Fatal(err)
	}
	tk, err := h.auth.IssueTokens(rec)
	if err != nil {
		h.t.Fatal(err)
	}
	return tk.AccessToken, rec.Id
}

func (h *harness) createCollection(name string, preset collections.Preset) {
	h.t.Helper()
	ctx := context.Background()
	if err := h.store.CreateCollection(ctx, name); err != nil {
		h.t.Fatal(err)
	}
	if err := h.store.SetPreset(ctx, name, preset); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) count(coll string) int64 {
	h.t.Helper()
	n, err := h.store.Count(context.Background(), collections.AdminCaller, coll, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

// scenario is one API call and what must come back.
type scenario struct {
	name    string
	method  string
	url     string
	body    string
	headers map[string]string
	// token is sent as Authorization: Bearer
	token        string
	expectStatus int
	expectBody   []string // substrings the body must contain
	rejectBody   []string // substrings it must not contain
	after        func(t *testing.T, body string)
}

func (h *harness) run(scenarios []scenario) {
	h.t.Helper()
	for _, sc := range scenarios {
		h.t.Run(sc.name, func(t *testing.T) {
			body := h.do(t, sc)
			if sc.after != nil {
				sc.after(t, body)
			}
		})
	}
}

func (h *harness) do(t *testing.T, sc scenario) string {
	t.Helper()
	method := sc.method
	if method == "" {
		method = http.MethodGet
	}
	req := httptest.NewRequest(method, sc.url, strings.NewReader(sc.body))
	if sc.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range sc.headers {
		req.Header.Set(k, v)
	}
	if sc.token != "" {
		req.Header.Set("Authorization", "Bearer "+sc.token)
	}
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, req)
	raw, _ := io.ReadAll(rec.Body)
	body := string(raw)
	if sc.expectStatus != 0 && rec.Code != sc.expectStatus {
		t.Fatalf("status %d, want %d; body %s", rec.Code, sc.expectStatus, body)
	}
	if rec.Code >= 500 && sc.expectStatus < 500 {
		t.Fatalf("server error %d: %s", rec.Code, body)
	}
	for _, s := range sc.expectBody {
		if !strings.Contains(body, s) {
			t.Errorf("body lacks %q: %s", s, body)
		}
	}
	for _, s := range sc.rejectBody {
		if strings.Contains(body, s) {
			t.Errorf("body must not contain %q: %s", s, body)
		}
	}
	return body
}

const gwDocs = "/v1/database/instances/(default)/databases/(default)/collections/"
