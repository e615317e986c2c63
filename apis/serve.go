// Package apis holds Minicloud's HTTP edge: the three CloudBase dialects (gateway REST
// /v1, legacy actions /web, admin actions /admin) and sign-in under /auth/v1. Handlers
// are thin: they decode a dialect's wire format, call the one engine in collections,
// and encode the result the way that dialect's SDK expects.
package apis

import (
	"net/http"
	"strings"

	pbapis "github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/auth"
	"github.com/minicloud/minicloud/auth/apikeys"
	"github.com/minicloud/minicloud/cloudfns"
	"github.com/minicloud/minicloud/collections"
	"github.com/minicloud/minicloud/storage"
)

// Config is the HTTP edge's configuration.
type Config struct {
	// EnvID is the CloudBase environment id this server answers as.
	EnvID string
	// DefaultClientLimit is the page size of a client query that names no limit.
	DefaultClientLimit int
	// LoginPerIP and LoginPerOpenID limit sign-ins per minute (0: unlimited).
	LoginPerIP, LoginPerOpenID int
}

// Services are the engines the handlers call.
type Services struct {
	Store *collections.Store
	Auth  *auth.Service
	Keys  *apikeys.Registry
	// Files is cloud storage (nil: the storage routes answer that it is off).
	Files *storage.Service
	// Functions runs cloud functions (nil: calls answer that they are off).
	Functions *cloudfns.Service
	// FunctionsHTTPPrefix is the path under which plain HTTP requests reach functions
	// ("/fn/<name>/…"); empty turns HTTP access off.
	FunctionsHTTPPrefix string
}

// Server holds the services the handlers call.
type Server struct {
	app core.App
	cfg Config
	// sign-in rate limits
	loginByIP, loginByOpenID *auth.Limiter
	store                    *collections.Store
	auth                     *auth.Service
	keys                     *apikeys.Registry
	files                    *storage.Service
	functions                *cloudfns.Service
	httpPrefix               string
}

// NewServer creates the HTTP edge over its services.
func NewServer(app core.App, cfg Config, svc Services) *Server {
	if cfg.DefaultClientLimit <= 0 {
		cfg.DefaultClientLimit = collections.DefaultClientLimit
	}
	return &Server{app: app, cfg: cfg, store: svc.Store, auth: svc.Auth, keys: svc.Keys, files: svc.Files,
		functions: svc.Functions, httpPrefix: strings.TrimRight(svc.FunctionsHTTPPrefix, "/"),
		loginByIP: auth.NewLimiter(cfg.LoginPerIP), loginByOpenID: auth.NewLimiter(cfg.LoginPerOpenID)}
}

// actionFor finds the handler of a /web or /admin action. Each capability keeps its
// own table (databaseActions, …), listed here.
func actionFor(name string) (actionFunc, bool) {
	for _, table := range []map[string]actionFunc{databaseActions, storageActions, functionActions} {
		if fn, ok := table[name]; ok {
			return fn, true
		}
	}
	return nil, false
}

// Bind registers the routes when PocketBase serves.
func (s *Server) Bind() {
	s.app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		s.Routes(se)
		return se.Next()
	})
}

// Routes adds every CloudBase route to the serve event's router. Successful data-plane
// requests skip PocketBase's per-request activity log, which would halve throughput;
// failures are still logged. CORS comes from PocketBase's --origins setting.
func (s *Server) Routes(se *core.ServeEvent) {
	noLog := pbapis.SkipSuccessActivityLog()

	// Our own body limit (MaxRequestBytes) answers in each dialect's error shape, and
	// our own token check (auth.VerifyCached) replaces PocketBase's, which would read the
	// user from the database on every request.
	v1 := se.Router.Group("/v1")
	v1.Bind(noLog).Unbind(pbapis.DefaultBodyLimitMiddlewareId, pbapis.DefaultLoadAuthTokenMiddlewareId)
	db := v1.Group("/database/instances/{instance}/databases/{database}")
	db.Unbind(pbapis.DefaultBodyLimitMiddlewareId, pbapis.DefaultLoadAuthTokenMiddlewareId) // an Unbind does not reach subgroups
	db.GET("/collections/{collection}/documents", s.gatewayQuery)
	db.GET("/collections/{collection}/documents/{id}", s.gatewayGetDoc)
	db.POST("/collections/{collection}/documents", s.gatewayAdd)
	db.PATCH("/collections/{collection}/documents", s.gatewayUpdate)
	db.POST("/collections/{collection}/documents/remove", s.gatewayRemove)
	db.POST("/collections/{collection}/documents/aggregations", s.gatewayAggregate)
	db.POST("/collections", s.gatewayAddCollection)
	v1.Any("/{rest...}", s.gatewayNotFound)

	web := se.Router.Group("")
	web.Bind(noLog).Unbind(pbapis.DefaultBodyLimitMiddlewareId, pbapis.DefaultLoadAuthTokenMiddlewareId)
	web.POST("/web", s.webAction)
	web.POST("/admin", s.adminAction)

	a := se.Router.Group("/auth/v1")
	a.POST("/signin/anonymously", s.authSignInAnonymously)
	a.POST("/provider/token", s.authProviderToken)
	a.POST("/signin/with/provider", s.authSignInWithProvider)
	a.POST("/token", s.authToken)
	a.GET("/user/me", s.authUserMe)
	a.POST("/user/signout", s.authSignOut)
	a.POST("/revoke", s.authSignOut)

	s.storageRoutes(se)
	s.functionRoutes(se, v1)
}

// bearer returns the token of an Authorization: Bearer header.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}
