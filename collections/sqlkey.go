package collections

import (
	"database/sql/driver"
	"fmt"
	"strings"

	"modernc.org/sqlite"

	"github.com/minicloud/minicloud/collections/ejson"
)

// keyFunc is the SQL function that maps a JSON value (the text `data -> '$.path'`
// yields, or NULL for a missing path) to a BLOB whose memcmp order is MongoDB's value
// order (ejson.AppendKey). Indexes are built on it, so a range scan or ORDER BY over
// one index column is exact across types, dates and documents.
const keyFunc = "mc_key"

func init() {
	sqlite.MustRegisterDeterministicScalarFunction(keyFunc, 1, sqlKey)
}

var nullKey = ejson.Key(nil)

func sqlKey(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	switch x := args[0].(type) {
	case nil:
		return nullKey, nil
	case string:
		return keyOfJSON([]byte(x)), nil
	case []byte:
		return keyOfJSON(x), nil
	case int64:
		return ejson.Key(x), nil
	case float64:
		return ejson.Key(x), nil
	}
	return nullKey, nil
}

func keyOfJSON(b []byte) []byte {
	v, err := ejson.Unmarshal(b)
	if err != nil {
		// not JSON (written around Minicloud): order it as the raw string
		return ejson.Key(string(b))
	}
	return ejson.Key(v)
}

// jsonPath renders field path segments as an SQLite JSON path with every label
// quoted as a JSON string, so that any key text is addressed literally (SQLite decodes
// JSON escapes in quoted labels; Go escapes such as \a would not match). It is always
// bound as a parameter, never spliced into SQL.
func jsonPath(segs []string) string {
	b := []byte{'$'}
	for _, s := range segs {
		b = append(b, '.')
		b = ejson.AppendString(b, s)
	}
	return string(b)
}

// indexablePath reports whether a path may appear literally in an index expression:
// plain identifiers only, so the SQL text of the expression is always safe.
func indexablePath(path string) bool {
	if path == "" || len(path) > 200 {
		return false
	}
	for _, seg := range strings.Split(path, ".") {
		if seg == "" || (seg[0] >= '0' && seg[0] <= '9') {
			return false
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
				return false
			}
		}
	}
	return true
}

// indexExpr is the canonical index expression of a field. Query plans emit exactly this
// text for indexed paths so that SQLite matches them to the index.
func indexExpr(path string) string {
	return fmt.Sprintf("%s(%s -> '$.%s')", keyFunc, fieldData, path)
}
