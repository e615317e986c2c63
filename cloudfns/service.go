package cloudfns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/minicloud/minicloud/collections/rules"
	"github.com/minicloud/minicloud/migrations"
)

// TriggerRecheck is how soon a running server follows a deploy, rollback or delete
// made by another process (the CLI) for timer triggers: the function list is compared
// this often. (Invocations follow within ActiveRecheck.)
const TriggerRecheck = 2 * time.Second

// MaxCallDepth bounds nested cloud.callFunction calls (a function calling itself
// forever would otherwise only stop at its timeout).
const MaxCallDepth = 8

// ServiceConfig configures cloud functions.
type ServiceConfig struct {
	EnvID   string
	Runtime RuntimeConfig
	// LogRetention keeps invocation logs this long (0: forever).
	LogRetention time.Duration
	// TimerLocation is the time zone of timer triggers (CloudBase: Asia/Shanghai).
	TimerLocation *time.Location
}

// DatabaseFunc runs an /admin-dialect database action with admin rights (the HTTP
// layer's AdminAction), for wx-server-sdk and node-sdk inside functions.
type DatabaseFunc func(ctx context.Context, action string, params json.RawMessage) (json.RawMessage, error)

// DocumentsFunc runs database.getDocument as DatabaseFunc does and returns the
// documents (DocumentFinder).
type DocumentsFunc func(ctx context.Context, params json.RawMessage) ([]ejson.D, error)

// Service is cloud functions as the rest of Minicloud uses them: deploy store, runtime,
// invocation log and timer triggers.
type Service struct {
	cfg     ServiceConfig
	store   *Store
	runtime *Runtime
	logs    *LogStore
	sched   *Scheduler
	rules   *RuleStore
	logger  *slog.Logger

	app core.App

	mu    sync.RWMutex
	db    DatabaseFunc
	docs  DocumentsFunc
	files FileStorage

	triggerRecheck time.Duration
	stopOnce       sync.Once
	stopWatch      chan struct{}
	watchDone      chan struct{}
}

// NewService wires the parts over a PocketBase app and its deploy store. It starts the
// invocation log's writer; Start starts the timers.
func NewService(app core.App, store *Store, cfg ServiceConfig) *Service {
	if cfg.TimerLocation == nil {
		cfg.TimerLocation = DefaultTimerLocation()
	}
	s := &Service{cfg: cfg, store: store, logs: NewLogStore(app, cfg.LogRetention), rules: NewRuleStore(app), logger: app.Logger(),
		app: app, triggerRecheck: TriggerRecheck, stopWatch: make(chan struct{})}
	s.runtime = NewRuntime(cfg.Runtime, serviceHost{s})
	s.sched = NewScheduler(cfg.TimerLocation, s.runTimer, WithSchedulerLogger(app.Logger()))
	s.store.OnChange(s.changed)
	return s
}

// SetDatabase connects functions' database calls to the database (set once the HTTP
// layer exists, which owns the admin actions).
func (s *Service) SetDatabase(fn DatabaseFunc) {
	s.mu.Lock()
	s.db = fn
	s.mu.Unlock()
}

// SetDocuments connects wx-server-sdk's get() to the documents themselves (see
// DocumentFinder); until then, and without it, get() goes through SetDatabase's action.
func (s *Service) SetDocuments(fn DocumentsFunc) {
	s.mu.Lock()
	s.docs = fn
	s.mu.Unlock()
}

// SetStorage connects wx-server-sdk's storage calls (uploadFile, downloadFile,
// getTempFileURL, deleteFile) to cloud storage; until then they answer "not available".
func (s *Service) SetStorage(fs FileStorage) {
	s.mu.Lock()
	s.files = fs
	s.mu.Unlock()
}

// Storage returns the storage functions reach (nil until SetStorage).
func (s *Service) Storage() FileStorage {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.files
}

// Store returns the deploy store.
func (s *Service) Store() *Store { return s.store }

// Runtime returns the runtime (to register native modules).
func (s *Service) Runtime() *Runtime { return s.runtime }

// Logs returns the invocation log.
func (s *Service) Logs() *LogStore { return s.logs }

// Rules returns the function security rules (invoke permissions).
func (s *Service) Rules() *RuleStore { return s.rules }

// Authorize applies the function security rules to a client caller (auth is the zero
// value for a caller who is not signed in). loginType, when not nil, is asked for
// auth.LoginType only if the function's rule reads it. A refusal is an *InvokeError with
// CodePermissionDenied. Admin callers, other functions, timers and HTTP access do not
// come through here.
func (s *Service) Authorize(ctx context.Context, name string, auth rules.Auth, loginType func() string) error {
	r, err := s.rules.Get(ctx)
	if err != nil {
		return err
	}
	if loginType != nil && auth.LoginType == "" && r.Rule(name).UsesLoginType() {
		auth.LoginType = loginType()
	}
	ok, err := r.Allow(name, auth)
	if err != nil {
		s.logger.Warn("function rule failed", "function", name, "error", err)
	}
	if ok {
		return nil
	}
	msg := "permission denied: the function rules do not let this caller invoke " + name
	if !auth.SignedIn() {
		msg += " (sign in first)"
	}
	return &InvokeError{Code: CodePermissionDenied, Message: msg}
}

// Invoke runs the active version of a function and records the invocation. Failures of
// the function itself come back in Result (Outcome, Err); an unknown function or a bad
// event is an *InvokeError.
func (s *Service) Invoke(ctx context.Context, name string, event json.RawMessage, cc CallContext) (Result, error) {
	if cc.Depth > MaxCallDepth {
		return Result{}, &InvokeError{Code: CodeCallTooDeep, Message: fmt.Sprintf("cloud.callFunction is nested more than %d deep", MaxCallDepth)}
	}
	if len(event) > MaxEventBytes {
		return Result{}, &InvokeError{Code: CodeInvalidParam, Message: fmt.Sprintf("the event is larger than %d bytes", MaxEventBytes)}
	}
	if len(event) == 0 {
		event = json.RawMessage("{}")
	}
	v, err := s.store.Active(ctx, name)
	if err != nil {
		if errors.Is(err, ErrFunctionNotFound) {
			return Result{}, &InvokeError{Code: CodeNotFound, Message: "function " + name + " does not exist"}
		}
		return Result{}, fmt.Errorf("invoke %s: %w", name, err)
	}
	start := time.Now()
	res := s.runtime.Invoke(ctx, v, event, cc)
	s.logs.Record(NewLogEntry(name, v.Number, cc, start, len(event), res))
	return res, nil
}

// Start loads the timer triggers of every function, starts the scheduler, and watches
// for functions changed by another process (every TriggerRecheck) until ctx ends or
// Stop.
func (s *Service) Start(ctx context.Context) error {
	seen, err := s.functionStamps(ctx)
	if err != nil {
		return fmt.Errorf("start functions: %w", err)
	}
	for name := range seen {
		s.loadTriggers(ctx, name)
	}
	s.sched.Start(ctx)
	s.watchDone = make(chan struct{})
	go s.watch(ctx, seen)
	return nil
}

// Stop stops the scheduler (waiting for running timers) and the watcher, and flushes
// the log.
func (s *Service) Stop(ctx context.Context) {
	s.stopOnce.Do(func() { close(s.stopWatch) })
	if s.watchDone != nil {
		<-s.watchDone
	}
	s.sched.Stop()
	_ = s.logs.Flush(ctx)
}

// functionStamps returns every function's active version and a stamp that changes on
// deploy, rollback and delete-and-recreate.
func (s *Service) functionStamps(ctx context.Context) (map[string]fnStamp, error) {
	var rows []struct {
		Name    string `db:"name"`
		Active  int    `db:"activeVersion"`
		Updated string `db:"updated"`
	}
	err := s.app.DB().NewQuery("SELECT `name`, `activeVersion`, `updated` FROM `" + migrations.Functions + "`").
		WithContext(ctx).All(&rows)
	if err != nil {
		return nil, err
	}
	out := make(map[string]fnStamp, len(rows))
	for _, r := range rows {
		out[r.Name] = fnStamp{active: r.Active, updated: r.Updated}
	}
	return out, nil
}

type fnStamp struct {
	active  int
	updated string
}

// watch follows changes made by other processes: a function deployed with the CLI
// while the server runs gets its timer trigger scheduled, a deleted one loses it.
// (Changes made in this process arrive at once through the store's OnChange.)
func (s *Service) watch(ctx context.Context, seen map[string]fnStamp) {
	defer close(s.watchDone)
	t := time.NewTicker(s.triggerRecheck)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.stopWatch:
			return
		case <-t.C:
		}
		now, err := s.functionStamps(ctx)
		if err != nil {
			if ctx.Err() == nil {
				s.logger.Warn("functions: cannot list functions", "error", err)
			}
			continue
		}
		for name, st := range now {
			if seen[name] != st {
				s.runtime.Evict(name)
				s.triggersOf(ctx, name, st.active)
			}
		}
		for name := range seen {
			if _, ok := now[name]; !ok {
				s.runtime.Evict(name)
				s.sched.Remove(name)
			}
		}
		seen = now
	}
}

// triggersOf schedules the timer triggers of one version, read from the database (the
// store's cache of active versions may be a moment behind another process's change).
func (s *Service) triggersOf(ctx context.Context, name string, version int) {
	var cfg string
	err := s.app.DB().NewQuery("SELECT `config` FROM `" + migrations.FunctionVersions + "` WHERE `function` = {:name} AND `version` = {:version} LIMIT 1").
		WithContext(ctx).Bind(dbx.Params{"name": name, "version": version}).Row(&cfg)
	if err != nil {
		s.sched.Remove(name)
		return
	}
	var c Config
	if cfg != "" && cfg != "null" {
		if err := json.Unmarshal([]byte(cfg), &c); err != nil {
			s.logger.Warn("timer trigger ignored", "function", name, "error", err)
			return
		}
	}
	if len(c.Triggers) == 0 {
		s.sched.Remove(name)
		return
	}
	if err := s.sched.Set(name, c.Triggers); err != nil {
		s.logger.Warn("timer trigger ignored", "function", name, "error", err)
	}
}

// changed follows a deploy, rollback or delete (in this process or another).
func (s *Service) changed(name string) {
	s.runtime.Evict(name)
	s.loadTriggers(context.Background(), name)
}

func (s *Service) loadTriggers(ctx context.Context, name string) {
	v, err := s.store.Active(ctx, name)
	if err != nil {
		s.sched.Remove(name)
		return
	}
	if len(v.Bundle.Config.Triggers) == 0 {
		s.sched.Remove(name)
		return
	}
	if err := s.sched.Set(name, v.Bundle.Config.Triggers); err != nil {
		s.logger.Warn("timer trigger ignored", "function", name, "error", err)
	}
}

// runTimer invokes a function for its timer trigger; CloudBase discards the result.
func (s *Service) runTimer(ctx context.Context, function string, t Trigger) {
	event, _ := json.Marshal(map[string]any{
		"Type":        "Timer",
		"TriggerName": t.Name,
		"Time":        time.Now().In(s.cfg.TimerLocation).Format(time.RFC3339),
		"Message":     "",
	})
	cc := CallContext{RequestID: newRequestID(), Source: "timer"}
	if _, err := s.Invoke(ctx, function, event, cc); err != nil {
		s.logger.Warn("timer invocation failed", "function", function, "error", err)
	}
}

// serviceHost is what running functions reach through their SDK modules.
type serviceHost struct{ s *Service }

func (h serviceHost) EnvID() string { return h.s.cfg.EnvID }

func (h serviceHost) Database(ctx context.Context, action string, params json.RawMessage) (json.RawMessage, error) {
	h.s.mu.RLock()
	db := h.s.db
	h.s.mu.RUnlock()
	if db == nil {
		return nil, &InvokeError{Code: CodeNotAvailable, Message: "the database is not connected"}
	}
	return db(ctx, action, params)
}

// FindDocuments answers through SetDocuments' function, else through the action.
func (h serviceHost) FindDocuments(ctx context.Context, params json.RawMessage) ([]ejson.D, error) {
	h.s.mu.RLock()
	docs := h.s.docs
	h.s.mu.RUnlock()
	if docs == nil {
		return nil, ErrNoDocuments
	}
	return docs(ctx, params)
}

// ErrNoDocuments is FindDocuments' answer when no DocumentsFunc is connected: the
// caller then uses the database action.
var ErrNoDocuments = errors.New("no document finder connected: use the database action")

func (h serviceHost) CallFunction(ctx context.Context, name string, event json.RawMessage, cc CallContext) (Result, error) {
	cc.Depth++
	if cc.RequestID == "" {
		cc.RequestID = newRequestID()
	}
	return h.s.Invoke(ctx, name, event, cc)
}
