package mql

import (
	"strconv"
	"strings"

	"github.com/minicloud/minicloud/collections/ejson"
)

// MaxPathDepth bounds the number of segments in a dotted field path.
const MaxPathDepth = 100

// missing marks a path branch that ends without a value. It differs from null: only
// $exists tells them apart, and equality to null matches both.
type missingType struct{}

var missing = missingType{}

// splitPath validates a dotted path and returns its segments.
func splitPath(path string) ([]string, error) {
	if path == "" {
		return nil, errorf("field path must not be empty")
	}
	segs := strings.Split(path, ".")
	if len(segs) > MaxPathDepth {
		return nil, errorf("field path %q is too deep", path)
	}
	for _, s := range segs {
		if s == "" {
			return nil, errorf("field path %q has an empty segment", path)
		}
		if s[0] == '$' {
			return nil, errorf("field path %q: segment %q must not start with '$'", path, s)
		}
	}
	return segs, nil
}

// arrayIndex returns the index a path segment names, if it is a non-negative integer.
func arrayIndex(seg string) (int, bool) {
	if seg == "" || len(seg) > 9 {
		return 0, false
	}
	for i := 0; i < len(seg); i++ {
		if seg[i] < '0' || seg[i] > '9' {
			return 0, false
		}
	}
	if len(seg) > 1 && seg[0] == '0' {
		return 0, false
	}
	n, err := strconv.Atoi(seg)
	return n, err == nil
}

// walkPath calls emit with every value the path reaches in v, following MongoDB's
// traversal: a field name applied to an array visits each element that is a document;
// a numeric segment indexes an array. Branches that end nowhere emit missing.
// emit returns true to stop the walk; walkPath reports whether it was stopped.
func walkPath(v any, segs []string, emit func(any) bool) bool {
	if len(segs) == 0 {
		return emit(v)
	}
	seg := segs[0]
	switch x := v.(type) {
	case ejson.D:
		child, ok := x.Get(seg)
		if !ok {
			return emit(missing)
		}
		return walkPath(child, segs[1:], emit)
	case []any:
		if i, ok := arrayIndex(seg); ok {
			if i < len(x) {
				return walkPath(x[i], segs[1:], emit)
			}
			return emit(missing)
		}
		if len(x) == 0 {
			return emit(missing)
		}
		for _, e := range x {
			var stop bool
			if d, ok := e.(ejson.D); ok {
				stop = walkPath(d, segs, emit)
			} else {
				stop = emit(missing)
			}
			if stop {
				return true
			}
		}
		return false
	default:
		return emit(missing)
	}
}

// Lookup returns the single value at a dotted path through nested documents and array
// indexes (no array expansion), and whether it exists. Sorting and projection use it.
func Lookup(doc ejson.D, path string) (any, bool) {
	var cur any = doc
	for _, seg := range strings.Split(path, ".") {
		switch x := cur.(type) {
		case ejson.D:
			v, ok := x.Get(seg)
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, ok := arrayIndex(seg)
			if !ok || i >= len(x) {
				return nil, false
			}
			cur = x[i]
		default:
			return nil, false
		}
	}
	return cur, true
}
