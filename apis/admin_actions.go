package apis

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/auth/apikeys"
	"github.com/minicloud/minicloud/collections"
)

// adminAction serves POST /admin: node-sdk and wx-server-sdk, signed with an API key
// (TC3-HMAC-SHA256 from secretId/secretKey, or Bearer <accessKey>). Admin callers
// bypass collection permissions, as on CloudBase.
func (s *Server) adminAction(e *core.RequestEvent) error {
	raw, err := readBody(e)
	if err != nil {
		return s.actionError(e, requestID(e.Request), err)
	}
	now := time.Now()
	secretID, err := apikeys.Authenticate(e.Request, raw, s.keys.Lookup, now)
	if err != nil {
		// unknown keys and bad signatures answer alike, so ids cannot be probed
		msg := "request signature is invalid"
		switch {
		case errors.Is(err, apikeys.ErrUnsigned):
			msg = "the admin API needs an API key: sign requests with secretId/secretKey (minicloud keys create)"
		case errors.Is(err, apikeys.ErrExpired):
			msg = "request signature has expired: check the client clock"
		}
		return s.actionError(e, requestID(e.Request), newAPIError(http.StatusUnauthorized, CodeSignInvalid, msg))
	}
	s.keys.MarkUsed(secretID, now)
	if strings.HasPrefix(e.Request.Header.Get("Content-Type"), "multipart/") {
		return s.actionError(e, requestID(e.Request), newAPIError(http.StatusNotImplemented, CodeNotAvailable, "WeChat open API and cloudPay calls are not available yet"))
	}
	params, err := decodeObject(raw, "the request body")
	if err != nil {
		return s.actionError(e, requestID(e.Request), err)
	}
	reqID := seqRequestID(e.Request, params)
	envName, _ := stringField(params, "envName")
	if err := s.checkEnv(e.Request.URL.Query().Get("env"), envName); err != nil {
		return s.actionError(e, reqID, err)
	}
	action, _ := stringField(params, "action")
	fn, ok := actionFor(action)
	if !ok {
		return s.actionError(e, reqID, newAPIError(http.StatusBadRequest, CodeInvalidAction, "unknown action "+action))
	}
	data, err := fn(s, &actionRequest{ctx: e.Request.Context(), reqID: reqID, ip: e.RealIP(), params: params, caller: collections.AdminCaller, codec: adminCodec, admin: true})
	if err != nil {
		return s.actionError(e, reqID, err)
	}
	return writeAction(e, reqID, data)
}
