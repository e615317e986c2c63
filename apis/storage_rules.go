package apis

import (
	"errors"
	"net/http"

	"github.com/minicloud/minicloud/storage"
)

// Managing the custom storage security rules over /admin (API key only):
//
//	storage.modifyStorageRule   {rule: "<JSON>" | {read, write}}   an empty rule ("", "{}",
//	                            null) removes the custom rules: the preset applies again
//	storage.describeStorageRule {} → {rule: "<JSON>" or "", preset, isCustom}
//
// The rules govern client SDKs (the gateway, /web); the admin dialect and cloud
// functions bypass them.

// storageAdminOnly refuses rule management to client dialects.
func (s *Server) storageAdminOnly(r *actionRequest) error {
	if !r.admin {
		return newAPIError(http.StatusForbidden, "PERMISSION_DENIED", "only the admin API manages the storage rules")
	}
	if s.files == nil {
		return errStorageOff
	}
	return nil
}

// actionSetStorageRule saves the custom storage rules: {rule: "<JSON>"} (or the document
// itself as an object). A rule that does not validate is refused with the rule's name
// and, for an expression, its line and column.
func (s *Server) actionSetStorageRule(r *actionRequest) (any, error) {
	if err := s.storageAdminOnly(r); err != nil {
		return nil, err
	}
	raw, err := r.ruleParam()
	if err != nil {
		return nil, err
	}
	rs, err := s.files.Rules().Set(r.ctx, raw)
	if err != nil {
		if errors.Is(err, storage.ErrInvalidRules) {
			return nil, invalidParam(err.Error())
		}
		return nil, err
	}
	return s.storageRuleAnswer(rs), nil
}

// actionGetStorageRule returns what governs client access now.
func (s *Server) actionGetStorageRule(r *actionRequest) (any, error) {
	if err := s.storageAdminOnly(r); err != nil {
		return nil, err
	}
	rs, err := s.files.Rules().Load(r.ctx)
	if err != nil {
		return nil, err
	}
	return s.storageRuleAnswer(rs), nil
}

func (s *Server) storageRuleAnswer(rs *storage.Rules) map[string]any {
	out := map[string]any{"preset": string(s.files.Preset()), "isCustom": rs != nil, "rule": ""}
	if rs != nil {
		out["rule"] = string(rs.JSON())
	}
	return out
}
