package apis

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"
)

// webAction serves POST /web: js-sdk's CLOUD_API mode, the access token in the body.
func (s *Server) webAction(e *core.RequestEvent) error {
	raw, err := readBody(e)
	if err != nil {
		return s.actionError(e, requestID(e.Request), err)
	}
	params, err := decodeObject(raw, "the request body")
	if err != nil {
		return s.actionError(e, requestID(e.Request), err)
	}
	reqID := seqRequestID(e.Request, params)
	envBody, _ := stringField(params, "env")
	if err := s.checkEnv(e.Request.URL.Query().Get("env"), envBody); err != nil {
		return s.actionError(e, reqID, err)
	}
	action, _ := stringField(params, "action")
	fn, ok := actionFor(action)
	if !ok {
		return s.actionError(e, reqID, newAPIError(http.StatusBadRequest, CodeInvalidAction, "unknown action "+action))
	}
	token, _ := stringField(params, "access_token")
	if token == "" {
		token = bearer(e.Request)
	}
	caller, err := s.clientCaller(token)
	if err != nil {
		return s.actionError(e, reqID, err)
	}
	data, err := fn(s, &actionRequest{ctx: e.Request.Context(), reqID: reqID, ip: e.RealIP(), params: params, caller: caller, codec: webCodec})
	if err != nil {
		return s.actionError(e, reqID, err)
	}
	return writeAction(e, reqID, data)
}
