package main

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"github.com/minicloud/minicloud/apis"
	"github.com/minicloud/minicloud/auth"
	"github.com/minicloud/minicloud/auth/apikeys"
	"github.com/minicloud/minicloud/cloudfns"
	"github.com/minicloud/minicloud/collections"
	"github.com/minicloud/minicloud/storage"
)

// config is Minicloud's own configuration; every field has a flag and an environment
// variable (the variable gives the flag's default).
type config struct {
	EnvID           string
	AnonymousAuth   bool
	MaxLimit        int
	DefaultLimit    int
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
}

// minicloud wires the services into a PocketBase app.
type minicloud struct {
	// commandFailed records that a Minicloud CLI command returned an error.
	commandFailed bool
	wx            wechatConfig
	fn            functionsConfig

	app   *pocketbase.PocketBase
	cfg   config
	store *collections.Store
	auth  *auth.Service
	keys  *apikeys.Registry
	// functions: deployed cloud function versions
	functions *cloudfns.Store
	// cloud storage: its flags and the service
	storage storageConfig
	files   *storage.Service
}

func newMinicloud(app *pocketbase.PocketBase) *minicloud {
	return &minicloud{app: app}
}

func envString(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func envBool(name string, def bool) bool {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		b, err := strconv.ParseBool(v)
		if err == nil {
			return b
		}
	}
	return def
}

func envInt(name string, def int) int {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		n, err := strconv.Atoi(v)
		if err == nil {
			return n
		}
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		d, err := time.ParseDuration(v)
		if err == nil {
			return d
		}
	}
	return def
}

func (m *minicloud) registerFlags() {
	m.registerWeChatFlags()
	m.registerFunctionFlags()
	m.registerStorageFlags()
	f := m.app.RootCmd.PersistentFlags()
	f.StringVar(&m.cfg.EnvID, "env-id", envString("MINICLOUD_ENV_ID", "minicloud"),
		"CloudBase environment id this server answers as (env MINICLOUD_ENV_ID)")
	f.BoolVar(&m.cfg.AnonymousAuth, "anonymous-auth", envBool("MINICLOUD_ANONYMOUS_AUTH", false),
		"allow anonymous sign-in for client SDKs (env MINICLOUD_ANONYMOUS_AUTH)")
	f.IntVar(&m.cfg.MaxLimit, "max-limit", envInt("MINICLOUD_MAX_LIMIT", collections.DefaultMaxLimit),
		"most documents one query returns, every dialect (env MINICLOUD_MAX_LIMIT)")
	f.IntVar(&m.cfg.DefaultLimit, "default-limit", envInt("MINICLOUD_DEFAULT_LIMIT", collections.DefaultClientLimit),
		"page size of a client query without limit (env MINICLOUD_DEFAULT_LIMIT)")
	f.DurationVar(&m.cfg.AccessTokenTTL, "access-token-ttl", envDuration("MINICLOUD_ACCESS_TOKEN_TTL", auth.DefaultAccessTokenTTL),
		"lifetime of client access tokens (env MINICLOUD_ACCESS_TOKEN_TTL)")
	f.DurationVar(&m.cfg.RefreshTokenTTL, "refresh-token-ttl", envDuration("MINICLOUD_REFRESH_TOKEN_TTL", auth.DefaultRefreshTokenTTL),
		"lifetime of client refresh tokens; sign-out revokes them sooner (env MINICLOUD_REFRESH_TOKEN_TTL)")
	m.eagerParseFlags(os.Args[1:])
}

// bind creates the services once PocketBase has opened its database, and adds the
// CloudBase routes when it serves.
func (m *minicloud) bind() {
	m.app.OnBootstrap().BindFunc(func(e *core.BootstrapEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		if m.cfg.EnvID == "" {
			return fmt.Errorf("the environment id must not be empty")
		}
		store, err := collections.New(e.App, collections.Config{MaxLimit: m.cfg.MaxLimit})
		if err != nil {
			return err
		}
		m.store = store
		m.auth = auth.New(e.App, auth.Config{
			EnvID:           m.cfg.EnvID,
			Anonymous:       m.cfg.AnonymousAuth,
			AccessTokenTTL:  m.cfg.AccessTokenTTL,
			RefreshTokenTTL: m.cfg.RefreshTokenTTL,
			WeChat:          m.weChatAuth(),
		})
		keys, err := apikeys.NewRegistry(e.App)
		if err != nil {
			return fmt.Errorf("api keys: %w", err)
		}
		m.keys = keys
		m.functions = cloudfns.NewStore(e.App)
		files, err := m.newStorage(e.App)
		if err != nil {
			return fmt.Errorf("storage: %w", err)
		}
		m.files = files
		return nil
	})
	m.app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		fns, err := m.newFunctions(se.App)
		if err != nil {
			return err
		}
		srv := apis.NewServer(se.App, apis.Config{EnvID: m.cfg.EnvID, DefaultClientLimit: m.cfg.DefaultLimit,
			LoginPerIP: m.wx.LoginPerIP, LoginPerOpenID: m.wx.LoginPerOpenID},
			apis.Services{Store: m.store, Auth: m.auth, Keys: m.keys, Files: m.files,
				Functions: fns, FunctionsHTTPPrefix: m.fn.HTTPPrefix})
		srv.Routes(se)
		if err := startFunctions(se, fns, srv); err != nil {
			return err
		}
		if m.wx.DevLogin {
			msg := "WECHAT DEVELOPMENT LOGIN IS ON: fake wx.login codes \"dev:<openid>\" sign anyone in as any openid. Never use this in production (unset MINICLOUD_WX_DEV_LOGIN)."
			slog.Warn(msg)
			se.App.Logger().Warn(msg)
		}
		se.App.Logger().Info("minicloud ready", "env", m.cfg.EnvID, "anonymousAuth", m.cfg.AnonymousAuth, "maxLimit", m.cfg.MaxLimit)
		return se.Next()
	})
}

// failing wraps a command's RunE so that its error also sets the exit status.
func (m *minicloud) failing(run func(c *cobra.Command, args []string) error) func(c *cobra.Command, args []string) error {
	return func(c *cobra.Command, args []string) error {
		err := run(c, args)
		if err != nil {
			m.commandFailed = true
		}
		return err
	}
}
