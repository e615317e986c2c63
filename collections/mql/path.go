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

// walkMatch calls emit with every value a query operator tests at the path, as
// MongoDB's matcher iterates a path (BSONElementIterator):
//
//   - a document yields its field, or missing when it has none; a scalar met before the
//     path ends yields missing;
//   - an array met before the path ends yields, for a field segment, what each element
//     that is a document yields; other elements yield nothing, so an empty array or an
//     array of scalars yields nothing at all ({"a.b": null} does not match {a: [1]});
//   - a numeric segment applied to an array is tried both ways: elements that are
//     documents are searched for a field of that name, and the element at that position
//     yields itself (last segment), the rest of the path when it is a document, or the
//     rest of the path walked as an array when it is an array.
//
// leafArray tells whether v ends the path as a field value, whose elements MongoDB also
// tests when it is an array (an element reached by position is tested only as a whole).
// emit returns true to stop the walk; walkMatch reports whether it was stopped.
func walkMatch(v any, segs []string, emit func(v any, leafArray bool) bool) bool {
	w := matchWalker{emit: emit}
	return w.walk(v, segs)
}

// matchWalker carries a walkMatch. Trying a numeric segment both ways branches at every
// level, which grows exponentially with the path length over documents nested under
// numeric field names; once that happens the walker remembers the (container, rest of
// the path) states it has walked and skips repeats, which could only emit the same
// values again.
type matchWalker struct {
	emit func(v any, leafArray bool) bool
	seen map[walkState]bool
}

type walkState struct {
	node any // pointer to the first element of a document or array
	rest int // segments left
}

func (w *matchWalker) walk(v any, segs []string) bool {
	if len(segs) == 0 {
		return w.emit(v, true)
	}
	if w.seen != nil {
		var node any
		switch x := v.(type) {
		case ejson.D:
			if len(x) > 0 {
				node = &x[0]
			}
		case []any:
			if len(x) > 0 {
				node = &x[0]
			}
		}
		if node != nil {
			st := walkState{node: node, rest: len(segs)}
			if w.seen[st] {
				return false
			}
			w.seen[st] = true
		}
	}
	switch x := v.(type) {
	case ejson.D:
		child, ok := x.Get(segs[0])
		if !ok {
			return w.emit(missing, false)
		}
		return w.walk(child, segs[1:])
	case []any:
		idx, isIdx := arrayIndex(segs[0])
		for i, e := range x {
			d, isDoc := e.(ejson.D)
			positional := isIdx && i == idx
			if isDoc && positional && w.seen == nil {
				w.seen = map[walkState]bool{}
			}
			if isDoc && w.walk(d, segs) {
				return true
			}
			if !positional {
				continue
			}
			rest := segs[1:]
			if len(rest) == 0 {
				if w.emit(e, false) {
					return true
				}
				continue
			}
			switch y := e.(type) {
			case ejson.D:
				if w.walk(y, rest) {
					return true
				}
			case []any:
				if w.walk(y, rest) { // the nested array is traversed like a field's array
					return true
				}
			}
		}
		return false
	default:
		return w.emit(missing, false)
	}
}

// arrayAsDoc views an array as the document MongoDB stores it as, with keys "0", "1"…
// ($elemMatch applies its sub-filter to array elements that way).
func arrayAsDoc(arr []any) ejson.D {
	d := make(ejson.D, len(arr))
	for i, e := range arr {
		d[i] = ejson.E{Key: strconv.Itoa(i), Value: e}
	}
	return d
}

// walkPath calls emit with every value the path reaches in v, for sort keys: a field
// name applied to an array visits each element that is a document; a numeric segment
// indexes an array. Branches that end nowhere (a scalar element, an empty array, an
// index past the end) emit missing, which sorts as null, as in MongoDB's sort keys.
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
