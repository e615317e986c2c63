package apis

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/collections"
	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/minicloud/minicloud/collections/mql"
)

// The action dialects: POST /web (js-sdk CLOUD_API mode, plain JSON values) and POST
// /admin (node-sdk and wx-server-sdk, EJSON strings). Both answer HTTP 200 with
// {requestId, data} or {code, message, requestId}: their SDKs treat any other status
// as a network failure.

// actionCodec is what differs between /web and /admin: how documents, filters and
// sorts travel inside the JSON envelope.
type actionCodec struct {
	// doc decodes a field holding a document (web: a JSON object; admin: an EJSON string).
	doc func(v any, name string) (ejson.D, error)
	// encodeDoc encodes a result document (web: a relaxed JSON object; admin: a
	// canonical EJSON string).
	encodeDoc func(d ejson.D) (json.RawMessage, error)
	// order decodes the sort (web: [{field,direction}]; admin: EJSON {field: ±1}).
	order func(v any) ([]mql.SortKey, error)
	// defaultLimit applies when a query names no limit.
	defaultLimit int
}

var webCodec = actionCodec{
	doc: func(v any, name string) (ejson.D, error) {
		switch x := v.(type) {
		case nil:
			return nil, nil
		case ejson.D:
			return x, nil
		}
		return nil, invalidParam(name + " must be an object")
	},
	encodeDoc: func(d ejson.D) (json.RawMessage, error) {
		return ejson.Marshal(d, ejson.Relaxed)
	},
	order: orderList,
}

var adminCodec = actionCodec{
	doc: func(v any, name string) (ejson.D, error) {
		switch x := v.(type) {
		case nil:
			return nil, nil
		case string:
			if x == "" {
				return nil, nil
			}
			return decodeObject([]byte(x), name)
		case ejson.D:
			return x, nil
		}
		return nil, invalidParam(name + " must be an EJSON string")
	},
	encodeDoc: func(d ejson.D) (json.RawMessage, error) {
		b, err := ejson.Marshal(d, ejson.Canonical)
		if err != nil {
			return nil, err
		}
		return json.Marshal(string(b))
	},
	order: func(v any) ([]mql.SortKey, error) {
		switch x := v.(type) {
		case nil:
			return nil, nil
		case string:
			if x == "" {
				return nil, nil
			}
			d, err := decodeObject([]byte(x), "order")
			if err != nil {
				return nil, err
			}
			return orderDoc(d)
		case []any:
			return orderList(x)
		}
		return nil, invalidParam("order must be an EJSON string")
	},
	defaultLimit: 100,
}

// actionRequest is one decoded action call.
type actionRequest struct {
	ctx    context.Context
	reqID  string // the request id the answer carries
	ip     string // the client's address
	params ejson.D
	caller collections.Caller
	codec  actionCodec
	admin  bool
}

type actionFunc func(s *Server, r *actionRequest) (any, error)

// databaseActions are shared by both action dialects; names are the ones each SDK sends.
var databaseActions = map[string]actionFunc{
	// /web names
	"database.addDocument":    (*Server).actionInsert,
	"database.queryDocument":  (*Server).actionQuery,
	"database.updateDocument": (*Server).actionUpdate,
	"database.deleteDocument": (*Server).actionRemove,
	"database.countDocument":  (*Server).actionCount,
	"database.aggregate":      (*Server).actionAggregate,
	// /admin names
	"database.insertDocument":     (*Server).actionInsert,
	"database.getDocument":        (*Server).actionQuery,
	"database.modifyDocument":     (*Server).actionUpdate,
	"database.modifyAndReturnDoc": (*Server).actionUpdateAndReturn,
	"database.removeDocument":     (*Server).actionRemove,
	"database.calculateDocument":  (*Server).actionCount,
	"database.aggregateDocuments": (*Server).actionAggregate,
	// both
	"database.addCollection": (*Server).actionAddCollection,
	// admin only: permission management, named after CloudBase's management API
	"database.modifyDatabaseACL":   (*Server).actionSetPreset,
	"database.describeDatabaseACL": (*Server).actionGetPreset,
	"database.modifySafeRule":      (*Server).actionSetRules,
	"database.describeSafeRule":    (*Server).actionGetRules,
}

func (r *actionRequest) adminOnly() error {
	if !r.admin {
		return newAPIError(http.StatusForbidden, string(collections.CodePermissionDenied), "only the admin API manages permissions")
	}
	return nil
}

// actionSetPreset sets a collection's permission preset: {collectionName, aclTag}.
func (s *Server) actionSetPreset(r *actionRequest) (any, error) {
	if err := r.adminOnly(); err != nil {
		return nil, err
	}
	coll, err := r.collection()
	if err != nil {
		return nil, err
	}
	tag, err := stringField(r.params, "aclTag")
	if err != nil {
		return nil, err
	}
	if err := s.store.SetPreset(r.ctx, coll, collections.Preset(tag)); err != nil {
		return nil, err
	}
	return map[string]any{}, nil
}

func (s *Server) actionGetPreset(r *actionRequest) (any, error) {
	if err := r.adminOnly(); err != nil {
		return nil, err
	}
	coll, err := r.collection()
	if err != nil {
		return nil, err
	}
	p, err := s.store.GetPreset(coll)
	if err != nil {
		return nil, err
	}
	return map[string]any{"aclTag": string(p)}, nil
}

// actionSetRules saves security rules: {collectionName, rule: "<JSON>"} (an empty
// rule returns the collection to its preset).
func (s *Server) actionSetRules(r *actionRequest) (any, error) {
	if err := r.adminOnly(); err != nil {
		return nil, err
	}
	coll, err := r.collection()
	if err != nil {
		return nil, err
	}
	raw, err := r.ruleParam()
	if err != nil {
		return nil, err
	}
	if err := s.store.SetRules(r.ctx, coll, raw); err != nil {
		return nil, err
	}
	return map[string]any{}, nil
}

func (s *Server) actionGetRules(r *actionRequest) (any, error) {
	if err := r.adminOnly(); err != nil {
		return nil, err
	}
	coll, err := r.collection()
	if err != nil {
		return nil, err
	}
	raw, err := s.store.Rules(coll)
	if err != nil {
		return nil, err
	}
	p, _ := s.store.GetPreset(coll)
	return map[string]any{"rule": string(raw), "aclTag": string(p)}, nil
}

func (r *actionRequest) collection() (string, error) {
	name, err := stringField(r.params, "collectionName")
	if err != nil {
		return "", err
	}
	if name == "" {
		return "", invalidParam("collectionName is required")
	}
	return name, nil
}

func (r *actionRequest) doc(key string) (ejson.D, error) {
	v, _ := r.params.Get(key)
	return r.codec.doc(v, key)
}

func (r *actionRequest) checkTransaction() error {
	if tx, _ := r.params.Get("transactionId"); tx != nil && tx != "" {
		return invalidParam("transactions are not supported yet")
	}
	return nil
}

func (s *Server) actionInsert(r *actionRequest) (any, error) {
	coll, err := r.collection()
	if err != nil {
		return nil, err
	}
	if err := r.checkTransaction(); err != nil {
		return nil, err
	}
	v, _ := r.params.Get("data")
	var docs []ejson.D
	single := false
	switch x := v.(type) {
	case []any:
		for _, it := range x {
			d, err := r.codec.doc(it, "data")
			if err != nil {
				return nil, err
			}
			if d == nil {
				return nil, invalidParam("data must hold documents")
			}
			docs = append(docs, d)
		}
	default:
		d, err := r.codec.doc(x, "data")
		if err != nil {
			return nil, err
		}
		if d == nil {
			return nil, invalidParam("data is required")
		}
		docs, single = []ejson.D{d}, true
	}
	// js-sdk's doc(id).create() passes the id beside the data
	if id, _ := r.params.Get("_id"); id != nil && single {
		docs[0] = append(ejson.D{{Key: "_id", Value: id}}, docs[0].Delete("_id")...)
	}
	ids, err := s.store.Insert(r.ctx, r.caller, coll, docs, collections.InsertOptions{CreateCollection: r.admin})
	if err != nil {
		return nil, err
	}
	out := map[string]any{"insertedIds": ids}
	if single {
		out["_id"] = ids[0]
	}
	return out, nil
}

// findQuery reads a query action's collection and query (filter, projection, order,
// offset, limit with the caller's bounds): what actionQuery and AdminFind run.
func (s *Server) findQuery(r *actionRequest) (string, collections.Query, error) {
	coll, err := r.collection()
	if err != nil {
		return "", collections.Query{}, err
	}
	if err := r.checkTransaction(); err != nil {
		return "", collections.Query{}, err
	}
	var q collections.Query
	if q.Filter, err = r.doc("query"); err != nil {
		return "", collections.Query{}, err
	}
	if q.Projection, err = r.doc("projection"); err != nil {
		return "", collections.Query{}, err
	}
	ov, _ := r.params.Get("order")
	if q.Sort, err = r.codec.order(ov); err != nil {
		return "", collections.Query{}, err
	}
	if q.Skip, _, err = intField(r.params, "offset"); err != nil {
		return "", collections.Query{}, err
	}
	limit, given, err := intField(r.params, "limit")
	if err != nil {
		return "", collections.Query{}, err
	}
	if r.admin {
		if !given || limit == 0 {
			limit = r.codec.defaultLimit
		}
		q.Limit = min(limit, s.store.MaxLimit())
	} else {
		q.Limit = s.clientLimit(limit, given)
	}
	return coll, q, nil
}

func (s *Server) actionQuery(r *actionRequest) (any, error) {
	coll, q, err := s.findQuery(r)
	if err != nil {
		return nil, err
	}
	var list []json.RawMessage
	if r.admin {
		docs, err := s.store.Find(r.ctx, r.caller, coll, q)
		if err != nil {
			return nil, err
		}
		list = make([]json.RawMessage, len(docs))
		for i, d := range docs {
			if list[i], err = r.codec.encodeDoc(d); err != nil {
				return nil, err
			}
		}
	} else {
		// /web answers relaxed JSON: the storage format, copied as stored
		docs, err := s.store.FindJSON(r.ctx, r.caller, coll, q)
		if err != nil {
			return nil, err
		}
		list = make([]json.RawMessage, len(docs))
		for i, d := range docs {
			list[i] = d
		}
	}
	return map[string]any{"list": list, "offset": q.Skip, "limit": q.Limit}, nil
}

func (s *Server) actionCount(r *actionRequest) (any, error) {
	coll, err := r.collection()
	if err != nil {
		return nil, err
	}
	filter, err := r.doc("query")
	if err != nil {
		return nil, err
	}
	n, err := s.store.Count(r.ctx, r.caller, coll, filter)
	if err != nil {
		return nil, err
	}
	return map[string]any{"total": n}, nil
}

func (r *actionRequest) updateSpec() (string, collections.UpdateSpec, error) {
	var spec collections.UpdateSpec
	coll, err := r.collection()
	if err != nil {
		return "", spec, err
	}
	if err := r.checkTransaction(); err != nil {
		return "", spec, err
	}
	if spec.Filter, err = r.doc("query"); err != nil {
		return "", spec, err
	}
	if spec.Data, err = r.doc("data"); err != nil {
		return "", spec, err
	}
	if spec.Data == nil {
		return "", spec, invalidParam("data is required")
	}
	if spec.Multi, err = boolField(r.params, "multi"); err != nil {
		return "", spec, err
	}
	if spec.Upsert, err = boolField(r.params, "upsert"); err != nil {
		return "", spec, err
	}
	merge := true
	if v, ok := r.params.Get("merge"); ok && v != nil {
		b, ok := v.(bool)
		if !ok {
			return "", spec, invalidParam("merge must be a boolean")
		}
		merge = b
	}
	// merge:false is doc.set(): the data replaces the document
	spec.Replace = !merge
	return coll, spec, nil
}

func (s *Server) actionUpdate(r *actionRequest) (any, error) {
	coll, spec, err := r.updateSpec()
	if err != nil {
		return nil, err
	}
	res, err := s.store.Update(r.ctx, r.caller, coll, spec)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"updated": res.Updated, "upsert_id": res.UpsertedID, "matched": res.Matched}
	if !r.admin {
		out["upserted_id"] = res.UpsertedID
	}
	if res.Doc != nil {
		raw, err := r.codec.encodeDoc(res.Doc)
		if err != nil {
			return nil, err
		}
		out["doc"] = raw
	}
	return out, nil
}

func (s *Server) actionUpdateAndReturn(r *actionRequest) (any, error) {
	coll, spec, err := r.updateSpec()
	if err != nil {
		return nil, err
	}
	spec.Multi = false
	res, err := s.store.Update(r.ctx, r.caller, coll, spec)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"updated": res.Updated}
	if res.Doc != nil {
		raw, err := r.codec.encodeDoc(res.Doc)
		if err != nil {
			return nil, err
		}
		out["doc"] = raw
	}
	return out, nil
}

func (s *Server) actionRemove(r *actionRequest) (any, error) {
	coll, err := r.collection()
	if err != nil {
		return nil, err
	}
	if err := r.checkTransaction(); err != nil {
		return nil, err
	}
	filter, err := r.doc("query")
	if err != nil {
		return nil, err
	}
	multi, err := boolField(r.params, "multi")
	if err != nil {
		return nil, err
	}
	n, err := s.store.Remove(r.ctx, r.caller, coll, filter, multi)
	if err != nil {
		return nil, err
	}
	return map[string]any{"deleted": n}, nil
}

func (s *Server) actionAggregate(r *actionRequest) (any, error) {
	coll, err := r.collection()
	if err != nil {
		return nil, err
	}
	if err := r.checkTransaction(); err != nil {
		return nil, err
	}
	v, _ := r.params.Get("stages")
	list, ok := v.([]any)
	if !ok {
		return nil, invalidParam("stages must be an array of {stageKey, stageValue}")
	}
	stages := make([]ejson.D, 0, len(list))
	for _, it := range list {
		d, ok := it.(ejson.D)
		if !ok {
			return nil, invalidParam("stages must be an array of {stageKey, stageValue}")
		}
		key, err := stringField(d, "stageKey")
		if err != nil || key == "" {
			return nil, invalidParam("every stage needs a stageKey")
		}
		// /web sends JSON.stringify(value), /admin an EJSON string; both decode alike
		val, _ := d.Get("stageValue")
		if str, isStr := val.(string); isStr {
			if val, err = ejson.UnmarshalString(str); err != nil {
				return nil, invalidParam("stageValue of " + key + ": " + collections.AsError(err).Msg)
			}
		}
		stages = append(stages, ejson.D{{Key: key, Value: val}})
	}
	docs, err := s.aggregate(r.ctx, r.caller, coll, stages)
	if err != nil {
		return nil, err
	}
	encoded := make([]string, len(docs))
	for i, d := range docs {
		b, err := ejson.Marshal(d, ejson.Canonical)
		if err != nil {
			return nil, err
		}
		encoded[i] = string(b)
	}
	if r.admin {
		return map[string]any{"list": encoded}, nil
	}
	// js-sdk's CLOUD_API mode parses list as a JSON string of EJSON strings
	b, err := json.Marshal(encoded)
	if err != nil {
		return nil, err
	}
	return map[string]any{"list": string(b)}, nil
}

// aggregate runs a pipeline with the result limits of the caller's dialect: a client
// pipeline without a $limit stage returns one default page (CloudBase's behaviour), and
// no pipeline returns more than the store's maximum.
func (s *Server) aggregate(ctx context.Context, caller collections.Caller, coll string, stages []ejson.D) ([]ejson.D, error) {
	limit := s.store.MaxLimit()
	if !caller.Admin && !hasStage(stages, "$limit") {
		limit = s.cfg.DefaultClientLimit
	}
	docs, err := s.store.Aggregate(ctx, caller, coll, stages)
	if err != nil {
		return nil, err
	}
	if len(docs) > limit {
		docs = docs[:limit]
	}
	return docs, nil
}

func hasStage(stages []ejson.D, name string) bool {
	for _, st := range stages {
		if len(st) == 1 && st[0].Key == name {
			return true
		}
	}
	return false
}

func (s *Server) actionAddCollection(r *actionRequest) (any, error) {
	coll, err := r.collection()
	if err != nil {
		return nil, err
	}
	if !r.admin {
		return nil, newAPIError(http.StatusForbidden, string(collections.CodePermissionDenied), "clients cannot create collections: use the admin SDK or the dashboard")
	}
	if err := s.store.CreateCollection(r.ctx, coll); err != nil {
		return nil, err
	}
	return map[string]any{}, nil
}

// writeAction writes an action dialect's success envelope.
func writeAction(e *core.RequestEvent, reqID string, data any) error {
	b, err := json.Marshal(map[string]any{"requestId": reqID, "data": data})
	if err != nil {
		return err
	}
	return writeJSON(e, http.StatusOK, b)
}

// actionError writes an action dialect's error envelope (HTTP 200, as CloudBase does)
// and returns the error for PocketBase's request log.
func (s *Server) actionError(e *core.RequestEvent, reqID string, err error) error {
	ae := toAPIError(s.app, err)
	_ = writeJSON(e, http.StatusOK, []byte(`{"code":`+jsonString(ae.Code)+`,"message":`+jsonString(ae.Message)+`,"requestId":`+jsonString(reqID)+`}`))
	return ae
}

// seqRequestID builds a request id the way CloudBase echoes the SDK's seqId.
func seqRequestID(r *http.Request, params ejson.D) string {
	if seq := r.URL.Query().Get("seqId"); seq != "" && len(seq) <= 64 {
		return seq
	}
	if v, _ := params.Get("seqId"); v != nil {
		if s, ok := v.(string); ok && s != "" && len(s) <= 64 {
			return s
		}
	}
	return requestID(r)
}

var _ = strconv.Itoa

// AdminAction runs a /admin action without HTTP, with admin rights: what a cloud
// function's wx-server-sdk (or node-sdk) database calls go through. params is the
// action's JSON body; the answer is the dialect's `data` object.
func (s *Server) AdminAction(ctx context.Context, action string, params []byte) (json.RawMessage, error) {
	fn, ok := actionFor(action)
	if !ok {
		return nil, newAPIError(http.StatusBadRequest, CodeInvalidAction, "unknown action "+action)
	}
	r, err := adminRequest(ctx, params)
	if err != nil {
		return nil, err
	}
	data, err := fn(s, r)
	if err != nil {
		return nil, toAPIError(s.app, err)
	}
	return json.Marshal(data)
}

// adminRequest is an /admin action request with admin rights, from its JSON body.
func adminRequest(ctx context.Context, params []byte) (*actionRequest, error) {
	d, err := decodeObject(params, "the action parameters")
	if err != nil {
		return nil, err
	}
	return &actionRequest{ctx: ctx, params: d, caller: collections.AdminCaller, codec: adminCodec, admin: true}, nil
}

// AdminFind runs the /admin dialect's database.getDocument with admin rights and
// returns the documents themselves: a cloud function's get() then builds its result
// from them, with no EJSON text made and parsed again in between. params and errors
// are AdminAction's.
func (s *Server) AdminFind(ctx context.Context, params []byte) ([]ejson.D, error) {
	r, err := adminRequest(ctx, params)
	if err != nil {
		return nil, err
	}
	coll, q, err := s.findQuery(r)
	if err != nil {
		return nil, toAPIError(s.app, err)
	}
	docs, err := s.store.Find(ctx, r.caller, coll, q)
	if err != nil {
		return nil, toAPIError(s.app, err)
	}
	return docs, nil
}

// ErrorCode returns the CloudBase code and message of an error from AdminAction.
func ErrorCode(err error) (code, message string) {
	ae := toAPIError(nil, err)
	return ae.Code, ae.Message
}
