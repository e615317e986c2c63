package apis

import (
	"math"
	"net/http"
	"strconv"

	"github.com/minicloud/minicloud/collections"
	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/minicloud/minicloud/collections/mql"
)

func invalidParam(msg string) error {
	return newAPIError(http.StatusBadRequest, "INVALID_PARAM", msg)
}

// decodeObject decodes JSON/EJSON that must be an object. Malformed input and any other
// JSON value are the client's mistake (INVALID_PARAM, named by what), never SYS_ERR.
func decodeObject(raw []byte, what string) (ejson.D, error) {
	v, err := ejson.Unmarshal(raw)
	if err != nil {
		de := collections.AsError(err)
		if de.Code == collections.CodeSystem {
			return nil, invalidParam(what + " is not valid JSON")
		}
		return nil, invalidParam(what + ": " + de.Msg)
	}
	d, ok := v.(ejson.D)
	if !ok {
		return nil, invalidParam(what + " must be a JSON object, not " + ejson.TypeName(v))
	}
	return d, nil
}

// field helpers over decoded request bodies

func docField(d ejson.D, key string) (ejson.D, error) {
	v, ok := d.Get(key)
	if !ok || v == nil {
		return nil, nil
	}
	doc, ok := v.(ejson.D)
	if !ok {
		return nil, invalidParam(key + " must be an object")
	}
	return doc, nil
}

func boolField(d ejson.D, key string) (bool, error) {
	v, ok := d.Get(key)
	if !ok || v == nil {
		return false, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, invalidParam(key + " must be a boolean")
	}
	return b, nil
}

func stringField(d ejson.D, key string) (string, error) {
	v, ok := d.Get(key)
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", invalidParam(key + " must be a string")
	}
	return s, nil
}

// intField reads a non-negative integer that may arrive as a number or a numeric string.
func intField(d ejson.D, key string) (int, bool, error) {
	v, ok := d.Get(key)
	if !ok || v == nil {
		return 0, false, nil
	}
	return toInt(key, v)
}

func toInt(key string, v any) (int, bool, error) {
	switch x := v.(type) {
	case int64:
		if x < 0 {
			return 0, false, invalidParam(key + " must not be negative")
		}
		return int(min(x, math.MaxInt32)), true, nil
	case float64:
		if x < 0 || x != math.Trunc(x) || math.IsNaN(x) {
			return 0, false, invalidParam(key + " must be a non-negative integer")
		}
		return int(min(x, math.MaxInt32)), true, nil
	case string:
		if x == "" {
			return 0, false, nil
		}
		n, err := strconv.ParseInt(x, 10, 64)
		if err != nil || n < 0 {
			return 0, false, invalidParam(key + " must be a non-negative integer")
		}
		return int(min(n, math.MaxInt32)), true, nil
	}
	return 0, false, invalidParam(key + " must be an integer")
}

// orderList parses CloudBase's [{field, direction}] order list.
func orderList(v any) ([]mql.SortKey, error) {
	if v == nil {
		return nil, nil
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, invalidParam("order must be an array of {field, direction}")
	}
	out := make([]mql.SortKey, 0, len(arr))
	for _, it := range arr {
		d, ok := it.(ejson.D)
		if !ok {
			return nil, invalidParam("order must be an array of {field, direction}")
		}
		f, _ := d.Get("field")
		dir, _ := d.Get("direction")
		fs, ok1 := f.(string)
		ds, ok2 := dir.(string)
		if !ok1 || fs == "" {
			return nil, invalidParam("order field must be a non-empty string")
		}
		if !ok2 {
			ds = "asc"
		}
		switch ds {
		case "asc":
			out = append(out, mql.SortKey{Path: fs})
		case "desc":
			out = append(out, mql.SortKey{Path: fs, Desc: true})
		default:
			return nil, invalidParam("order direction must be asc or desc")
		}
	}
	return out, nil
}

// orderDoc parses a MongoDB-style sort document {field: 1|-1}.
func orderDoc(d ejson.D) ([]mql.SortKey, error) {
	out := make([]mql.SortKey, 0, len(d))
	for _, e := range d {
		var dir float64
		switch x := e.Value.(type) {
		case int64:
			dir = float64(x)
		case float64:
			dir = x
		case string:
			switch x {
			case "asc":
				dir = 1
			case "desc":
				dir = -1
			}
		}
		switch dir {
		case 1:
			out = append(out, mql.SortKey{Path: e.Key})
		case -1:
			out = append(out, mql.SortKey{Path: e.Key, Desc: true})
		default:
			return nil, invalidParam("sort direction of " + e.Key + " must be 1 or -1")
		}
	}
	return out, nil
}

// hasOperators reports whether an update document uses $-operators.
func hasOperators(d ejson.D) bool {
	for _, e := range d {
		if len(e.Key) > 0 && e.Key[0] == '$' {
			return true
		}
	}
	return false
}

// ruleParam reads a rule document from the `rule` parameter: its JSON text, or the
// document itself as an object. Absent, it is empty (which restores a default).
func (r *actionRequest) ruleParam() ([]byte, error) {
	switch v, _ := r.params.Get("rule"); x := v.(type) {
	case string:
		return []byte(x), nil
	case ejson.D:
		raw, err := ejson.Marshal(x, ejson.Relaxed)
		if err != nil {
			return nil, invalidParam("rule: " + err.Error())
		}
		return raw, nil
	case nil:
		return nil, nil
	default:
		return nil, invalidParam("rule must be a JSON string or object")
	}
}
