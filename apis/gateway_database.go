package apis

import (
	"net/http"
	"strconv"

	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/collections"
	"github.com/minicloud/minicloud/collections/ejson"
)

// The gateway dialect: js-sdk 3.x's default REST API under /v1. Bodies are the bare
// result ({list}, {insertedIds} …); errors are {code, message, requestId} with a 4xx
// status, which the SDK passes to the app as a result carrying `code`.

const defaultInstance = "(default)"

// gatewayError writes an error in the gateway's shape. It returns the error too, so
// that PocketBase's request log records the failure (the response is already written).
func (s *Server) gatewayError(e *core.RequestEvent, err error) error {
	ae := toAPIError(s.app, err)
	_ = writeJSON(e, ae.Status, []byte(`{"code":`+jsonString(ae.Code)+`,"message":`+jsonString(ae.Message)+`,"requestId":`+jsonString(requestID(e.Request))+`}`))
	return ae
}

// gatewayBegin checks the path's instance and database and the caller's token.
func (s *Server) gatewayBegin(e *core.RequestEvent) (collections.Caller, string, error) {
	if e.Request.PathValue("instance") != defaultInstance || e.Request.PathValue("database") != defaultInstance {
		return collections.Caller{}, "", invalidParam("only the (default) instance and database exist")
	}
	caller, err := s.clientCaller(bearer(e.Request))
	if err != nil {
		return caller, "", err
	}
	return caller, e.Request.PathValue("collection"), nil
}

func (s *Server) gatewayQuery(e *core.RequestEvent) error {
	caller, coll, err := s.gatewayBegin(e)
	if err != nil {
		return s.gatewayError(e, err)
	}
	qs := e.Request.URL.Query()
	filter, err := queryDoc(qs.Get("query"), "query")
	if err != nil {
		return s.gatewayError(e, err)
	}
	filter = dropNullOptions(filter)
	if qs.Get("count") == "true" {
		n, err := s.store.Count(e.Request.Context(), caller, coll, filter)
		if err != nil {
			return s.gatewayError(e, err)
		}
		return writeJSON(e, http.StatusOK, []byte(`{"total":`+strconv.FormatInt(n, 10)+`}`))
	}
	q := collections.Query{Filter: filter}
	if raw := qs.Get("order"); raw != "" {
		v, err := ejson.UnmarshalString(raw)
		if err != nil {
			return s.gatewayError(e, invalidParam("order is not valid JSON"))
		}
		if q.Sort, err = orderList(v); err != nil {
			return s.gatewayError(e, err)
		}
	}
	if q.Projection, err = queryDoc(qs.Get("projection"), "projection"); err != nil {
		return s.gatewayError(e, err)
	}
	if q.Skip, _, err = toInt("offset", qs.Get("offset")); err != nil {
		return s.gatewayError(e, err)
	}
	limit, given, err := toInt("limit", qs.Get("limit"))
	if err != nil {
		return s.gatewayError(e, err)
	}
	q.Limit = s.clientLimit(limit, given)
	docs, err := s.store.FindJSON(e.Request.Context(), caller, coll, q)
	if err != nil {
		return s.gatewayError(e, err)
	}
	size := 64
	for _, d := range docs {
		size += len(d) + 1
	}
	buf := make([]byte, 0, size)
	buf = append(buf, `{"list":[`...)
	for i, d := range docs {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, d...)
	}
	buf = append(buf, `],"offset":`...)
	buf = strconv.AppendInt(buf, int64(q.Skip), 10)
	buf = append(buf, `,"limit":`...)
	buf = strconv.AppendInt(buf, int64(q.Limit), 10)
	buf = append(buf, '}')
	return writeJSON(e, http.StatusOK, buf)
}

// clientLimit applies the client dialects' default page size; the store caps the rest.
func (s *Server) clientLimit(limit int, given bool) int {
	if !given || limit == 0 {
		return s.cfg.DefaultClientLimit
	}
	return min(limit, s.store.MaxLimit())
}

func (s *Server) gatewayGetDoc(e *core.RequestEvent) error {
	caller, coll, err := s.gatewayBegin(e)
	if err != nil {
		return s.gatewayError(e, err)
	}
	id := e.Request.PathValue("id")
	proj, err := queryDoc(e.Request.URL.Query().Get("projection"), "projection")
	if err != nil {
		return s.gatewayError(e, err)
	}
	docs, err := s.store.FindJSON(e.Request.Context(), caller, coll, collections.Query{
		Filter: ejson.D{{Key: "_id", Value: id}}, Limit: 1, Projection: proj,
	})
	if err != nil {
		return s.gatewayError(e, err)
	}
	if len(docs) == 0 {
		return s.gatewayError(e, newAPIError(http.StatusNotFound, CodeDocNotExist, "document "+id+" does not exist"))
	}
	return writeJSON(e, http.StatusOK, docs[0])
}

func (s *Server) gatewayBody(e *core.RequestEvent) (ejson.D, error) {
	raw, err := readBody(e)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return ejson.D{}, nil
	}
	d, err := decodeObject(raw, "the request body")
	if err != nil {
		return nil, err
	}
	if tx, _ := d.Get("transactionId"); tx != nil && tx != "" {
		return nil, invalidParam("transactions are not supported yet")
	}
	return d, nil
}

func (s *Server) gatewayAdd(e *core.RequestEvent) error {
	caller, coll, err := s.gatewayBegin(e)
	if err != nil {
		return s.gatewayError(e, err)
	}
	body, err := s.gatewayBody(e)
	if err != nil {
		return s.gatewayError(e, err)
	}
	docs, err := docList(body, "data")
	if err != nil {
		return s.gatewayError(e, err)
	}
	ids, err := s.store.Insert(e.Request.Context(), caller, coll, docs, collections.InsertOptions{})
	if err != nil {
		return s.gatewayError(e, err)
	}
	buf := []byte(`{"insertedIds":[`)
	for i, id := range ids {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = ejson.AppendString(buf, id)
	}
	return writeJSON(e, http.StatusOK, append(buf, "]}"...))
}

// docList reads a field holding one document or an array of documents.
func docList(body ejson.D, key string) ([]ejson.D, error) {
	v, _ := body.Get(key)
	switch x := v.(type) {
	case ejson.D:
		return []ejson.D{x}, nil
	case []any:
		out := make([]ejson.D, 0, len(x))
		for _, it := range x {
			d, ok := it.(ejson.D)
			if !ok {
				return nil, invalidParam(key + " must hold documents (objects)")
			}
			out = append(out, d)
		}
		return out, nil
	}
	return nil, invalidParam(key + " must be a document or an array of documents")
}

func (s *Server) gatewayUpdate(e *core.RequestEvent) error {
	caller, coll, err := s.gatewayBegin(e)
	if err != nil {
		return s.gatewayError(e, err)
	}
	body, err := s.gatewayBody(e)
	if err != nil {
		return s.gatewayError(e, err)
	}
	var spec collections.UpdateSpec
	if spec.Filter, err = docField(body, "query"); err != nil {
		return s.gatewayError(e, err)
	}
	if spec.Data, err = docField(body, "data"); err != nil {
		return s.gatewayError(e, err)
	}
	if spec.Data == nil {
		return s.gatewayError(e, invalidParam("data is required"))
	}
	if spec.Multi, err = boolField(body, "multi"); err != nil {
		return s.gatewayError(e, err)
	}
	if spec.Upsert, err = boolField(body, "upsert"); err != nil {
		return s.gatewayError(e, err)
	}
	replace, err := boolField(body, "replaceMode")
	if err != nil {
		return s.gatewayError(e, err)
	}
	// doc.set() sends plain fields: the whole new document
	spec.Replace = replace || !hasOperators(spec.Data)
	res, err := s.store.Update(e.Request.Context(), caller, coll, spec)
	if err != nil {
		return s.gatewayError(e, err)
	}
	buf := []byte(`{"matched":`)
	buf = strconv.AppendInt(buf, res.Matched, 10)
	buf = append(buf, `,"updated":`...)
	buf = strconv.AppendInt(buf, res.Updated, 10)
	buf = append(buf, `,"upsert_id":`...)
	buf = ejson.AppendString(buf, res.UpsertedID)
	// js-sdk's doc.set()/update() read upserted_id (the /web name) even in gateway mode
	buf = append(buf, `,"upserted_id":`...)
	buf = ejson.AppendString(buf, res.UpsertedID)
	return writeJSON(e, http.StatusOK, append(buf, '}'))
}

func (s *Server) gatewayRemove(e *core.RequestEvent) error {
	caller, coll, err := s.gatewayBegin(e)
	if err != nil {
		return s.gatewayError(e, err)
	}
	body, err := s.gatewayBody(e)
	if err != nil {
		return s.gatewayError(e, err)
	}
	filter, err := docField(body, "query")
	if err != nil {
		return s.gatewayError(e, err)
	}
	multi, err := boolField(body, "multi")
	if err != nil {
		return s.gatewayError(e, err)
	}
	n, err := s.store.Remove(e.Request.Context(), caller, coll, filter, multi)
	if err != nil {
		return s.gatewayError(e, err)
	}
	return writeJSON(e, http.StatusOK, []byte(`{"deleted":`+strconv.FormatInt(n, 10)+`}`))
}

func (s *Server) gatewayAggregate(e *core.RequestEvent) error {
	caller, coll, err := s.gatewayBegin(e)
	if err != nil {
		return s.gatewayError(e, err)
	}
	body, err := s.gatewayBody(e)
	if err != nil {
		return s.gatewayError(e, err)
	}
	v, _ := body.Get("pipeline")
	list, ok := v.([]any)
	if !ok {
		return s.gatewayError(e, invalidParam("pipeline must be an array of stages"))
	}
	stages := make([]ejson.D, 0, len(list))
	for _, it := range list {
		d, ok := it.(ejson.D)
		if !ok {
			return s.gatewayError(e, invalidParam("every pipeline stage must be an object"))
		}
		stages = append(stages, d)
	}
	docs, err := s.aggregate(e.Request.Context(), caller, coll, stages)
	if err != nil {
		return s.gatewayError(e, err)
	}
	buf := []byte(`{"list":[`)
	for i, d := range docs {
		if i > 0 {
			buf = append(buf, ',')
		}
		if buf, err = ejson.AppendValue(buf, d, ejson.Relaxed); err != nil {
			return s.gatewayError(e, err)
		}
	}
	return writeJSON(e, http.StatusOK, append(buf, "]}"...))
}

func (s *Server) gatewayAddCollection(e *core.RequestEvent) error {
	if e.Request.PathValue("instance") != defaultInstance || e.Request.PathValue("database") != defaultInstance {
		return s.gatewayError(e, invalidParam("only the (default) instance and database exist"))
	}
	if _, err := s.clientCaller(bearer(e.Request)); err != nil {
		return s.gatewayError(e, err)
	}
	return s.gatewayError(e, newAPIError(http.StatusForbidden, string(collections.CodePermissionDenied), "clients cannot create collections: use the admin SDK or the dashboard"))
}

func (s *Server) gatewayNotFound(e *core.RequestEvent) error {
	return s.gatewayError(e, newAPIError(http.StatusNotFound, CodeNotFound, "no such API: "+e.Request.Method+" "+e.Request.URL.Path))
}

// nullableOptions are operator options that js-sdk may leave undefined:
// db.RegExp({regexp}) without options, geoNear({geometry, maxDistance}) without
// minDistance…
var nullableOptions = map[string]bool{"$options": true, "$minDistance": true, "$maxDistance": true}

// dropNullOptions removes those options when they are null. The gateway's query string is
// made with bson's EJSON.stringify, which turns undefined into null (the /web dialect's
// JSON.stringify drops it instead); an option cannot mean anything by null, and field
// names cannot start with '$', so only operator options are touched.
func dropNullOptions(d ejson.D) ejson.D {
	if d == nil {
		return nil
	}
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case ejson.D:
			out := x[:0:0]
			for _, e := range x {
				if e.Value == nil && nullableOptions[e.Key] {
					continue
				}
				out = append(out, ejson.E{Key: e.Key, Value: walk(e.Value)})
			}
			return out
		case []any:
			for i := range x {
				x[i] = walk(x[i])
			}
			return x
		}
		return v
	}
	return walk(d).(ejson.D)
}

// queryDoc decodes an EJSON document passed in a query string parameter.
func queryDoc(raw, name string) (ejson.D, error) {
	if raw == "" {
		return nil, nil
	}
	return decodeObject([]byte(raw), name)
}

func writeJSON(e *core.RequestEvent, status int, body []byte) error {
	h := e.Response.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	e.Response.WriteHeader(status)
	_, err := e.Response.Write(body)
	return err
}

func jsonString(s string) string { return string(ejson.AppendString(nil, s)) }
