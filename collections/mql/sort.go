package mql

import (
	"github.com/minicloud/minicloud/collections/ejson"
)

// MaxSortKeys bounds the number of orderBy fields in one query.
const MaxSortKeys = 32

// SortKey is one orderBy field.
type SortKey struct {
	Path string
	Desc bool
	segs []string
}

// Sort is a validated list of sort keys.
type Sort []SortKey

// NewSort validates sort keys.
func NewSort(keys []SortKey) (Sort, error) {
	if len(keys) > MaxSortKeys {
		return nil, errorf("at most %d orderBy fields are allowed", MaxSortKeys)
	}
	out := make(Sort, 0, len(keys))
	seen := map[string]bool{}
	for _, k := range keys {
		segs, err := splitPath(k.Path)
		if err != nil {
			return nil, err
		}
		if seen[k.Path] {
			continue // a repeated field cannot change the order
		}
		seen[k.Path] = true
		k.segs = segs
		out = append(out, k)
	}
	return out, nil
}

// emptyArrayKey is the sort key of an empty array. MongoDB sorts it as undefined,
// whose type sorts above MinKey and below null.
type emptyArrayKey struct{}

// Key extracts the value a document sorts by for k: for arrays, the smallest element
// ascending or the largest descending; missing fields sort as null.
func (k SortKey) Key(doc ejson.D) any {
	var best any
	have := false
	consider := func(v any) {
		if !have {
			best, have = v, true
			return
		}
		c := compareSortKeys(v, best)
		if (k.Desc && c > 0) || (!k.Desc && c < 0) {
			best = v
		}
	}
	walkPath(doc, k.segs, func(v any) bool {
		switch x := v.(type) {
		case missingType:
			consider(nil)
		case []any:
			if len(x) == 0 {
				consider(emptyArrayKey{})
			}
			for _, e := range x {
				consider(e)
			}
		default:
			consider(v)
		}
		return false
	})
	if !have {
		return nil
	}
	return best
}

func compareSortKeys(a, b any) int {
	_, ae := a.(emptyArrayKey)
	_, be := b.(emptyArrayKey)
	_, amin := a.(ejson.MinKey)
	_, bmin := b.(ejson.MinKey)
	switch {
	case ae && be:
		return 0
	case ae:
		if bmin {
			return 1
		}
		return -1
	case be:
		if amin {
			return -1
		}
		return 1
	}
	return ejson.Compare(a, b)
}

// Compare orders two documents by the sort keys.
func (s Sort) Compare(a, b ejson.D) int {
	for _, k := range s {
		c := compareSortKeys(k.Key(a), k.Key(b))
		if c != 0 {
			if k.Desc {
				return -c
			}
			return c
		}
	}
	return 0
}

// CompareKeys orders two precomputed key tuples (one value per sort key).
func (s Sort) CompareKeys(a, b []any) int {
	for i, k := range s {
		c := compareSortKeys(a[i], b[i])
		if c != 0 {
			if k.Desc {
				return -c
			}
			return c
		}
	}
	return 0
}

// Keys computes a document's key tuple once, for sorting many documents.
func (s Sort) Keys(doc ejson.D) []any {
	out := make([]any, len(s))
	for i, k := range s {
		out[i] = k.Key(doc)
	}
	return out
}
