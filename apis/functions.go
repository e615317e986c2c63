package apis

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	pbapis "github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/minicloud/minicloud/auth"
	"github.com/minicloud/minicloud/cloudfns"
	"github.com/minicloud/minicloud/collections"
	"github.com/minicloud/minicloud/collections/rules"
	"github.com/minicloud/minicloud/migrations"
	"github.com/minicloud/minicloud/storage"
)

// Cloud functions in the three dialects: gateway POST /v1/functions/<name> (the body is
// the event, the answer the bare result), /web and /admin functions.invokeFunction
// ({function_name, request_data: "<JSON>"} → {response_data: "<JSON>"}), plus HTTP
// access under a path prefix. Client calls (gateway, /web) pass the function security
// rules first (cloudfns/invoke_rules.go); /admin, HTTP access, timers and
// cloud.callFunction do not. Management actions are in functions_admin.go.

var functionActions = map[string]actionFunc{
	"functions.invokeFunction": (*Server).actionInvokeFunction,
	// admin only (functions_admin.go), named after CloudBase's management API
	"functions.modifyInvokeRule":   (*Server).actionSetInvokeRule,
	"functions.describeInvokeRule": (*Server).actionGetInvokeRule,
	"functions.getFunctionLogs":    (*Server).actionFunctionLogs,
}

// functionStatus is the gateway's HTTP status for a failed call.
func functionStatus(code string) int {
	switch code {
	case cloudfns.CodeNotFound:
		return http.StatusNotFound
	case cloudfns.CodeTooBusy:
		return http.StatusTooManyRequests
	case cloudfns.CodeTimeout:
		return http.StatusGatewayTimeout
	case cloudfns.CodeInvalidParam, cloudfns.CodeCallTooDeep:
		return http.StatusBadRequest
	case cloudfns.CodeNotAvailable:
		return http.StatusServiceUnavailable
	case cloudfns.CodePermissionDenied:
		return http.StatusForbidden
	}
	return http.StatusBadGateway // the function failed, not the server
}

// invokeErr turns a failed call into the HTTP edge's error: the function's error
// message and its (source-mapped) stack, as CloudBase reports them to the caller.
func invokeErr(ie *cloudfns.InvokeError) error {
	msg := ie.Message
	switch {
	case ie.Stack == "":
	case strings.HasPrefix(ie.Stack, msg):
		msg = ie.Stack // the stack's first line is the message
	default:
		msg += "\n" + ie.Stack
	}
	return newAPIError(functionStatus(ie.Code), ie.Code, msg)
}

// callContext describes a caller to its function.
func callContext(reqID, ip string, caller collections.Caller, source string) cloudfns.CallContext {
	return cloudfns.CallContext{
		RequestID: reqID,
		Source:    source,
		ClientIP:  ip,
		OpenID:    caller.OpenID,
		AppID:     caller.AppID,
		UnionID:   caller.UnionID,
	}
}

// invoke runs a function and returns its JSON result.
func (s *Server) invoke(ctx context.Context, name string, event json.RawMessage, cc cloudfns.CallContext) (json.RawMessage, error) {
	if s.functions == nil {
		return nil, newAPIError(http.StatusServiceUnavailable, cloudfns.CodeNotAvailable, "cloud functions are not enabled on this server")
	}
	if name == "" {
		return nil, invalidParam("the function name is required")
	}
	if len(event) > 0 && !json.Valid(event) {
		return nil, invalidParam("the function's data must be JSON")
	}
	res, err := s.functions.Invoke(ctx, name, event, cc)
	if err != nil {
		var ie *cloudfns.InvokeError
		if errors.As(err, &ie) {
			return nil, invokeErr(ie)
		}
		return nil, err
	}
	if res.Err != nil {
		return nil, invokeErr(res.Err)
	}
	return res.Value, nil
}

// functionCaller identifies a client for the function rules. A request without a token
// is a caller who is not signed in (the rules decide: "auth != null" refuses it, true
// lets it through); an invalid or expired token fails as on every client route.
func (s *Server) functionCaller(token string) (collections.Caller, error) {
	if token == "" {
		return collections.Caller{}, nil
	}
	return s.clientCaller(token)
}

// authorizeInvoke applies the function rules to a client call. auth.loginType
// (ANONYMOUS for anonymous sign-in, as CloudBase names it) is looked up only for a rule
// that reads it.
func (s *Server) authorizeInvoke(ctx context.Context, name string, caller collections.Caller, token string) error {
	if s.functions == nil {
		return nil // invoke answers that functions are off
	}
	a := rules.Auth{OpenID: caller.OpenID, UID: caller.UID, UnionID: caller.UnionID, LoginType: caller.LoginType}
	err := s.functions.Authorize(ctx, name, a, func() string { return s.loginType(caller, token) })
	var ie *cloudfns.InvokeError
	if errors.As(err, &ie) {
		return newAPIError(functionStatus(ie.Code), ie.Code, ie.Message)
	}
	return err
}

// loginType is CloudBase's auth.loginType of a signed-in client ("" for none): from its
// token, or from its user record when the token came another way (/web's header).
func (s *Server) loginType(caller collections.Caller, token string) string {
	var typ string
	if token != "" {
		if id, err := s.auth.VerifyCached(token); err == nil {
			typ = id.Type
		}
	}
	if typ == "" && caller.UID != "" {
		for _, coll := range []string{migrations.Users, migrations.WxUsers} {
			if rec, err := s.app.FindRecordById(coll, caller.UID); err == nil {
				typ = auth.IdentityOf(rec).Type
				break
			}
		}
	}
	return loginTypeName(typ)
}

// loginTypeName is CloudBase's name for an identity type ("" for none).
func loginTypeName(typ string) string {
	switch typ {
	case "":
		return ""
	case auth.TypeAnonymous:
		return "ANONYMOUS"
	case auth.TypeWeChat:
		return "WECHAT"
	}
	return strings.ToUpper(typ)
}

// withStorageBase lets temporary URLs a function asks for (cloud.getTempFileURL) start
// with the address the caller used, unless --public-url says otherwise.
func withStorageBase(r *http.Request) context.Context {
	return storage.WithBaseURL(r.Context(), storage.RequestBaseURL(r))
}

// gatewayCallFunction serves POST /v1/functions/<name>.
func (s *Server) gatewayCallFunction(e *core.RequestEvent) error {
	token := bearer(e.Request)
	caller, err := s.functionCaller(token)
	if err != nil {
		return s.gatewayError(e, err)
	}
	name := e.Request.PathValue("name")
	ctx := withStorageBase(e.Request)
	if err := s.authorizeInvoke(ctx, name, caller, token); err != nil {
		return s.gatewayError(e, err)
	}
	body, err := readBody(e)
	if err != nil {
		return s.gatewayError(e, err)
	}
	cc := callContext(requestID(e.Request), e.RealIP(), caller, "wx_client")
	out, err := s.invoke(ctx, name, body, cc)
	if err != nil {
		return s.gatewayError(e, err)
	}
	return writeJSON(e, http.StatusOK, out)
}

// actionInvokeFunction is functions.invokeFunction on /web and /admin.
func (s *Server) actionInvokeFunction(r *actionRequest) (any, error) {
	name, err := stringField(r.params, "function_name")
	if err != nil {
		return nil, err
	}
	var event json.RawMessage
	switch v, _ := r.params.Get("request_data"); x := v.(type) {
	case nil:
	case string:
		event = json.RawMessage(x)
	default:
		return nil, invalidParam("request_data must be a JSON string")
	}
	source := "wx_client"
	if r.admin {
		source = "admin"
	} else {
		token, _ := stringField(r.params, "access_token")
		if err := s.authorizeInvoke(r.ctx, name, r.caller, token); err != nil {
			return nil, err
		}
	}
	cc := callContext(r.reqID, r.ip, r.caller, source)
	out, err := s.invoke(r.ctx, name, event, cc)
	if err != nil {
		return nil, err
	}
	return map[string]any{"response_data": string(out)}, nil
}

// httpAccess serves plain HTTP requests routed to a function: the event is CloudBase's
// integrated request, the answer the function's {statusCode, headers, body}.
func (s *Server) httpAccess(prefix string) func(e *core.RequestEvent) error {
	return func(e *core.RequestEvent) error {
		name, _, ok := cloudfns.SplitHTTPAccessPath(e.Request.URL.Path, prefix)
		if !ok || s.functions == nil {
			return writeJSON(e, http.StatusNotFound, []byte(`{"code":"FUNCTION_NOT_FOUND","message":"no function here"}`))
		}
		cc := cloudfns.CallContext{RequestID: requestID(e.Request), Source: "wx_http", ClientIP: e.RealIP()}
		ctx := cloudfns.WithHTTPAccessMeta(e.Request.Context(), cloudfns.HTTPAccessMeta{RequestID: cc.RequestID, SourceIP: cc.ClientIP, EnvID: s.cfg.EnvID})
		event, err := cloudfns.EventFromRequest(e.Request.WithContext(ctx), prefix+"/"+name, 0)
		if err != nil {
			var he *cloudfns.HTTPAccessError
			if errors.As(err, &he) {
				return writeJSON(e, he.Status, []byte(`{"code":"INVALID_PARAM","message":`+jsonString(he.Error())+`}`))
			}
			return writeJSON(e, http.StatusBadRequest, []byte(`{"code":"INVALID_PARAM","message":"cannot read the request"}`))
		}
		out, err := s.invoke(e.Request.Context(), name, event, cc)
		if err != nil {
			ae := toAPIError(s.app, err)
			_ = writeJSON(e, ae.Status, []byte(`{"code":`+jsonString(ae.Code)+`,"message":`+jsonString(ae.Message)+`,"requestId":`+jsonString(cc.RequestID)+`}`))
			return ae
		}
		return cloudfns.WriteResponse(e.Response, out)
	}
}

// functionRoutes adds the gateway call route and HTTP access.
func (s *Server) functionRoutes(se *core.ServeEvent, v1 *router.RouterGroup[*core.RequestEvent]) {
	v1.POST("/functions/{name}", s.gatewayCallFunction)
	if s.httpPrefix != "" {
		g := se.Router.Group(s.httpPrefix)
		g.Bind(pbapis.SkipSuccessActivityLog()).Unbind(pbapis.DefaultLoadAuthTokenMiddlewareId)
		g.Any("/{path...}", s.httpAccess(s.httpPrefix))
	}
}
