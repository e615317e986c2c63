package apis

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/minicloud/minicloud/cloudfns"
	"github.com/minicloud/minicloud/collections/ejson"
)

// Managing cloud functions over /admin (API key only): the environment's function
// security rules and the invocation log.
//
//	functions.modifyInvokeRule   {rule: "<JSON>" | {…}}   an empty rule restores the default
//	functions.describeInvokeRule {}                      → {rule: "<JSON>", isDefault}
//	functions.getFunctionLogs    {functionName, requestId, outcome, startTime, endTime,
//	                              limit, offset, withLogs} → {logs: [...], limit, offset}

// functionsAdminOnly refuses management actions to client dialects.
func (s *Server) functionsAdminOnly(r *actionRequest) error {
	if !r.admin {
		return newAPIError(http.StatusForbidden, cloudfns.CodePermissionDenied, "only the admin API manages cloud functions")
	}
	if s.functions == nil {
		return newAPIError(http.StatusServiceUnavailable, cloudfns.CodeNotAvailable, "cloud functions are not enabled on this server")
	}
	return nil
}

// actionSetInvokeRule saves the function security rules: {rule: "<JSON>"} (or the
// document itself as an object). A rule that does not validate is refused with the entry
// and, for an expression, its line and column.
func (s *Server) actionSetInvokeRule(r *actionRequest) (any, error) {
	if err := s.functionsAdminOnly(r); err != nil {
		return nil, err
	}
	raw, err := r.ruleParam()
	if err != nil {
		return nil, err
	}
	rs, err := s.functions.Rules().Set(r.ctx, raw)
	if err != nil {
		if errors.Is(err, cloudfns.ErrInvalidInvokeRules) {
			return nil, invalidParam(err.Error())
		}
		return nil, err
	}
	return map[string]any{"rule": string(rs.JSON())}, nil
}

// actionGetInvokeRule returns the rules in force: {rule: "<JSON>", isDefault}.
func (s *Server) actionGetInvokeRule(r *actionRequest) (any, error) {
	if err := s.functionsAdminOnly(r); err != nil {
		return nil, err
	}
	rs, err := s.functions.Rules().Load(r.ctx)
	if err != nil {
		return nil, err
	}
	raw := string(rs.JSON())
	return map[string]any{"rule": raw, "isDefault": raw == cloudfns.DefaultInvokeRules}, nil
}

// actionFunctionLogs queries the invocation log, newest first.
func (s *Server) actionFunctionLogs(r *actionRequest) (any, error) {
	if err := s.functionsAdminOnly(r); err != nil {
		return nil, err
	}
	q, err := logQueryFromParams(r.params)
	if err != nil {
		return nil, err
	}
	// what was recorded before this call is visible to it
	if err := s.functions.Logs().Flush(r.ctx); err != nil {
		return nil, err
	}
	logs, err := s.functions.Logs().Query(r.ctx, q)
	if err != nil {
		return nil, err
	}
	if logs == nil {
		logs = []cloudfns.LogEntry{}
	}
	return map[string]any{"logs": logs, "limit": q.Limit, "offset": q.Offset}, nil
}

// MaxLogQueryLimit is the most log entries one query returns.
const MaxLogQueryLimit = 1000

func logQueryFromParams(p ejson.D) (cloudfns.LogQuery, error) {
	var q cloudfns.LogQuery
	var err error
	if q.Function, err = stringField(p, "functionName"); err != nil {
		return q, err
	}
	if q.RequestID, err = stringField(p, "requestId"); err != nil {
		return q, err
	}
	if q.RequestID == "" {
		if q.RequestID, err = stringField(p, "functionRequestId"); err != nil {
			return q, err
		}
	}
	outcome, err := stringField(p, "outcome")
	if err != nil {
		return q, err
	}
	if q.Outcome, err = ParseOutcome(outcome); err != nil {
		return q, err
	}
	if q.Since, err = timeField(p, "startTime"); err != nil {
		return q, err
	}
	if q.Until, err = timeField(p, "endTime"); err != nil {
		return q, err
	}
	limit, given, err := intField(p, "limit")
	if err != nil {
		return q, err
	}
	if !given || limit == 0 {
		limit = 100
	}
	q.Limit = min(limit, MaxLogQueryLimit)
	if q.Offset, _, err = intField(p, "offset"); err != nil {
		return q, err
	}
	withLogs := true
	if v, ok := p.Get("withLogs"); ok && v != nil {
		b, ok := v.(bool)
		if !ok {
			return q, invalidParam("withLogs must be a boolean")
		}
		withLogs = b
	}
	q.NoLogs = !withLogs
	return q, nil
}

// ParseOutcome reads an outcome filter: success, error, timeout or limit ("" for any).
func ParseOutcome(s string) (cloudfns.Outcome, error) {
	switch o := cloudfns.Outcome(strings.ToLower(s)); o {
	case "", cloudfns.OutcomeSuccess, cloudfns.OutcomeError, cloudfns.OutcomeTimeout, cloudfns.OutcomeLimit:
		return o, nil
	}
	return "", invalidParam("outcome must be success, error, timeout or limit, not " + strconv.Quote(s))
}

// timeField reads a time as RFC 3339 text, "YYYY-MM-DD HH:MM:SS" (UTC), or Unix
// milliseconds.
func timeField(d ejson.D, key string) (time.Time, error) {
	v, ok := d.Get(key)
	if !ok || v == nil {
		return time.Time{}, nil
	}
	switch x := v.(type) {
	case string:
		if x == "" {
			return time.Time{}, nil
		}
		if t, err := ParseTime(x); err == nil {
			return t, nil
		}
		return time.Time{}, invalidParam(key + " must be an RFC 3339 time or Unix milliseconds, not " + strconv.Quote(x))
	case time.Time:
		return x, nil
	}
	if ejson.IsNumber(v) {
		return time.UnixMilli(int64(ejson.ToFloat(v))), nil
	}
	return time.Time{}, invalidParam(key + " must be an RFC 3339 time or Unix milliseconds")
}

// ParseTime reads RFC 3339 text, "YYYY-MM-DD HH:MM:SS" or "YYYY-MM-DD" (UTC), or Unix
// milliseconds as digits.
func ParseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.UnixMilli(ms), nil
	}
	return time.Time{}, errors.New("not a time: " + strconv.Quote(s))
}
