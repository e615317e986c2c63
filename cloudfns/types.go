// Package cloudfns runs CloudBase cloud functions: folders of CommonJS (or ES module /
// TypeScript, transformed at deploy time) JavaScript whose index.js exports
// `main(event, context)`, executed in goja sandboxes with a wx-server-sdk module
// implemented by Minicloud.
//
// The pieces: bundle.go turns a folder into a validated Bundle; store.go keeps
// versioned deployments in PocketBase collections; the runtime (runtime*.go) runs a
// Version in pooled, limited VMs; service.go ties them together for callers (the HTTP
// dialects, cloud.callFunction, timer triggers, HTTP access) and records every
// invocation in the log.
package cloudfns

import (
	"context"
	"encoding/json"
	"time"

	"github.com/minicloud/minicloud/collections/ejson"
)

// Limits of cloud functions. CloudBase's own figures are named where they differ.
const (
	// DefaultTimeout is a function's timeout when config.json sets none (CloudBase's).
	DefaultTimeout = 3 * time.Second
	// MaxTimeout is the longest timeout config.json may set (CloudBase: 900 s by API).
	MaxTimeout = 900 * time.Second
	// MaxBundleBytes bounds the total size of a deployed function's files.
	MaxBundleBytes = 50 << 20
	// MaxFiles bounds the number of files in a bundle.
	MaxFiles = 10000
	// MaxEventBytes bounds the JSON event passed to an invocation.
	MaxEventBytes = 6 << 20
	// MaxResultBytes bounds the JSON result of an invocation.
	MaxResultBytes = 6 << 20
	// MaxLogBytes caps the console output kept per invocation.
	MaxLogBytes = 64 << 10
)

// Config is a function's config.json, as CloudBase defines it.
type Config struct {
	// Timeout in seconds (CloudBase's field is a number of seconds).
	Timeout float64 `json:"timeout,omitempty"`
	// Envs are the function's own environment variables (process.env).
	Envs map[string]string `json:"envVariables,omitempty"`
	// Triggers: at most one timer trigger, CloudBase's 7-field cron.
	Triggers []Trigger `json:"triggers,omitempty"`
	// Permissions lists the WeChat open APIs the function may call (cloud call).
	Permissions struct {
		OpenAPI []string `json:"openapi,omitempty"`
	} `json:"permissions,omitempty"`
	// MaxConcurrency bounds simultaneous invocations of this function (Minicloud's
	// extension; 0 means the server default).
	MaxConcurrency int `json:"maxConcurrency,omitempty"`
}

// TimeoutDuration returns the effective timeout.
func (c Config) TimeoutDuration() time.Duration {
	if c.Timeout <= 0 {
		return DefaultTimeout
	}
	d := time.Duration(c.Timeout * float64(time.Second))
	if d > MaxTimeout {
		return MaxTimeout
	}
	return d
}

// Trigger is one entry of config.json's triggers.
type Trigger struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Config string `json:"config"`
}

// Bundle is a function's code as deployed: files by slash-separated relative path
// (already transformed to CommonJS), their source maps, and its config.
type Bundle struct {
	Files      map[string][]byte `json:"files"`
	SourceMaps map[string][]byte `json:"sourceMaps,omitempty"`
	Config     Config            `json:"config"`
}

// Version is one deployed version of a function.
type Version struct {
	Function string
	Number   int
	Bundle   Bundle
	Created  time.Time
}

// Key identifies a version for caches (warm instances belong to one version).
func (v *Version) Key() string { return v.Function + "@" + itoa(v.Number) }

// CallContext is who invokes a function and how: what getWXContext() and the
// `context` argument show.
type CallContext struct {
	RequestID string
	// Source: "wx_client", "wx_http", "wx_devtools", "timer", "http", "admin",
	// "function" (cloud.callFunction) …, as CloudBase names SOURCE.
	Source   string
	OpenID   string
	AppID    string
	UnionID  string
	ClientIP string
	// UserInfo is added to event.userInfo for client callers, as CloudBase does.
	UserInfo map[string]any
	// Depth counts nested cloud.callFunction calls, to stop runaway recursion.
	Depth int
}

// Outcome of an invocation.
type Outcome string

// Outcomes recorded in the invocation log.
const (
	OutcomeSuccess Outcome = "success"
	OutcomeError   Outcome = "error"   // the function threw or rejected
	OutcomeTimeout Outcome = "timeout" // stopped at its deadline
	OutcomeLimit   Outcome = "limit"   // memory or stack limit, too busy
)

// Result is what an invocation produced.
type Result struct {
	// Value is the JSON encoding of main's resolved value ("null" for undefined).
	Value    json.RawMessage
	Logs     []LogLine
	Duration time.Duration
	Outcome  Outcome
	// Err is set when Outcome is not success.
	Err *InvokeError
}

// LogLine is one console call.
type LogLine struct {
	Level string    `json:"level"` // log, info, warn, error, debug
	Time  time.Time `json:"time"`
	Text  string    `json:"text"`
}

// InvokeError describes a failed invocation in terms safe to show to the caller.
type InvokeError struct {
	// Code is CloudBase's: FUNCTIONS_EXECUTE_FAIL (the function failed),
	// FUNCTIONS_TIME_LIMIT_EXCEEDED, FUNCTIONS_MEMORY_LIMIT_EXCEEDED,
	// FUNCTIONS_TOO_MANY_REQUESTS, FUNCTION_NOT_FOUND, INVALID_PARAM.
	Code    string `json:"code"`
	Message string `json:"message"`
	// Stack is the JavaScript stack, mapped to the user's source lines.
	Stack string `json:"stack,omitempty"`
}

func (e *InvokeError) Error() string { return e.Code + ": " + e.Message }

// Error codes of function calls.
const (
	CodeExecuteFail   = "FUNCTIONS_EXECUTE_FAIL"
	CodeTimeout       = "FUNCTIONS_TIME_LIMIT_EXCEEDED"
	CodeMemory        = "FUNCTIONS_MEMORY_LIMIT_EXCEEDED"
	CodeTooBusy       = "FUNCTIONS_TOO_MANY_REQUESTS"
	CodeNotFound      = "FUNCTION_NOT_FOUND"
	CodeInvalidParam  = "INVALID_PARAM"
	CodeNotAvailable  = "FUNCTION_NOT_AVAILABLE"
	CodeCallTooDeep   = "FUNCTIONS_CALL_TOO_DEEP"
	CodeDeployInvalid = "FUNCTIONS_DEPLOY_INVALID"
)

// Host is what the runtime needs from the rest of Minicloud while a function runs: the
// services its wx-server-sdk calls reach. The service implements it; tests fake it.
type Host interface {
	// EnvID is the environment id (cloud.DYNAMIC_CURRENT_ENV, context ENV).
	EnvID() string
	// Database runs a database action for the function with admin rights. action and
	// params use the /admin dialect's names and JSON shapes (EJSON strings for
	// documents and queries, as node-sdk sends them), and the answer is that dialect's
	// `data` object; see apis/actions.go.
	Database(ctx context.Context, action string, params json.RawMessage) (json.RawMessage, error)
	// CallFunction invokes another function (cloud.callFunction).
	CallFunction(ctx context.Context, name string, event json.RawMessage, cc CallContext) (Result, error)
}

// DocumentFinder is a Host that can also answer database.getDocument with the
// documents themselves (params as for Database): wx-server-sdk's get() then builds its
// result from them instead of from the action's EJSON text, which is made and parsed
// once per document otherwise.
type DocumentFinder interface {
	FindDocuments(ctx context.Context, params json.RawMessage) ([]ejson.D, error)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
