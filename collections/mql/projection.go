package mql

import (
	"strings"

	"github.com/minicloud/minicloud/collections/ejson"
)

// Projection selects the fields a query returns.
type Projection struct {
	include bool // inclusion mode; otherwise exclusion
	root    *projNode
	idOff   bool // _id explicitly excluded
	empty   bool
}

type projNode struct {
	children map[string]*projNode
	order    []string
	leaf     bool
	slice    *[2]int // $slice: skip, limit (limit<0 means from the end when skip unused)
}

// ParseProjection validates a projection document: {a:1,'b.c':1} includes fields,
// {a:0} excludes them, {arr:{$slice:n}} or {$slice:[skip,n]} trims arrays. Inclusion
// and exclusion cannot be mixed, except for excluding _id.
func ParseProjection(p ejson.D) (*Projection, error) {
	pr := &Projection{root: &projNode{}}
	if len(p) == 0 {
		pr.empty = true
		return pr, nil
	}
	mode := 0 // 1 include, -1 exclude
	idIncluded := false
	for _, e := range p {
		segs, err := splitPath(e.Key)
		if err != nil {
			return nil, err
		}
		var slice *[2]int
		incl := false
		switch v := e.Value.(type) {
		case ejson.D:
			if len(v) != 1 || v[0].Key != "$slice" {
				return nil, errorf("unsupported projection for %q", e.Key)
			}
			s, err := parseSlice(v[0].Value)
			if err != nil {
				return nil, err
			}
			slice = &s
		default:
			incl = truthy(v)
		}
		if slice == nil {
			if e.Key == "_id" {
				// _id may be included or excluded in either mode; alone, {_id: 1} is an
				// inclusion projection of just _id
				pr.idOff = !incl
				idIncluded = incl
				continue
			}
			m := -1
			if incl {
				m = 1
			}
			if mode != 0 && mode != m {
				return nil, errorf("projection cannot mix inclusion and exclusion")
			}
			mode = m
		}
		node := pr.root
		for i, seg := range segs {
			if node.leaf && node.slice == nil {
				return nil, errorf("projection paths %q collide", e.Key)
			}
			if node.children == nil {
				node.children = map[string]*projNode{}
			}
			child, ok := node.children[seg]
			if !ok {
				child = &projNode{}
				node.children[seg] = child
				node.order = append(node.order, seg)
			} else if i == len(segs)-1 || child.leaf {
				return nil, errorf("projection paths %q collide", e.Key)
			}
			node = child
		}
		node.leaf = true
		node.slice = slice
	}
	// with no other field deciding, {_id: 1} includes only _id, while $slice alone and
	// {_id: 0} keep every other field
	pr.include = mode == 1 || (mode == 0 && idIncluded)
	return pr, nil
}

func parseSlice(v any) ([2]int, error) {
	if n, ok := integral(v); ok {
		return [2]int{0, int(clampInt(n))}, nil
	}
	if arr, ok := v.([]any); ok && len(arr) == 2 {
		skip, ok1 := integral(arr[0])
		lim, ok2 := integral(arr[1])
		if ok1 && ok2 && lim > 0 {
			return [2]int{int(clampInt(skip)), int(clampInt(lim))}, nil
		}
		return [2]int{}, errorf("$slice [skip, n] needs integers with n > 0")
	}
	return [2]int{}, errorf("$slice needs a number or [skip, n]")
}

func clampInt(n int64) int64 {
	const limit = 1 << 30
	if n > limit {
		return limit
	}
	if n < -limit {
		return -limit
	}
	return n
}

// IsEmpty reports whether the projection returns whole documents.
func (p *Projection) IsEmpty() bool { return p == nil || (p.empty && !p.idOff) }

// Apply returns the projected copy of doc (doc is not modified).
func (p *Projection) Apply(doc ejson.D) ejson.D {
	if p.IsEmpty() {
		return doc
	}
	var out ejson.D
	if p.include {
		out = includeDoc(doc, p.root)
		if !p.idOff {
			if id, ok := doc.Get("_id"); ok && out.Index("_id") < 0 {
				out = append(ejson.D{{Key: "_id", Value: id}}, out...)
			}
		}
	} else {
		out = excludeDoc(doc, p.root)
		if p.idOff {
			out = out.Delete("_id")
		}
	}
	return out
}

func includeDoc(doc ejson.D, n *projNode) ejson.D {
	out := ejson.D{}
	for _, e := range doc {
		child, ok := n.children[e.Key]
		if !ok {
			continue
		}
		if child.leaf {
			out = append(out, ejson.E{Key: e.Key, Value: applySlice(e.Value, child.slice)})
			continue
		}
		if v, keep := includeValue(e.Value, child); keep {
			out = append(out, ejson.E{Key: e.Key, Value: v})
		}
	}
	return out
}

func includeValue(v any, n *projNode) (any, bool) {
	switch x := v.(type) {
	case ejson.D:
		return includeDoc(x, n), true
	case []any:
		arr := make([]any, 0, len(x))
		for _, e := range x {
			if r, keep := includeValue(e, n); keep {
				arr = append(arr, r)
			}
		}
		return arr, true
	}
	return nil, false
}

func excludeDoc(doc ejson.D, n *projNode) ejson.D {
	out := make(ejson.D, 0, len(doc))
	for _, e := range doc {
		child, ok := n.children[e.Key]
		if !ok {
			out = append(out, e)
			continue
		}
		if child.leaf {
			if child.slice != nil {
				out = append(out, ejson.E{Key: e.Key, Value: applySlice(e.Value, child.slice)})
			}
			continue
		}
		out = append(out, ejson.E{Key: e.Key, Value: excludeValue(e.Value, child)})
	}
	return out
}

func excludeValue(v any, n *projNode) any {
	switch x := v.(type) {
	case ejson.D:
		return excludeDoc(x, n)
	case []any:
		arr := make([]any, len(x))
		for i, e := range x {
			arr[i] = excludeValue(e, n)
		}
		return arr
	}
	return v
}

func applySlice(v any, s *[2]int) any {
	arr, ok := v.([]any)
	if s == nil || !ok {
		return v
	}
	skip, lim := s[0], s[1]
	n := len(arr)
	if skip == 0 && lim < 0 {
		// last |lim| elements
		if -lim >= n {
			return arr
		}
		return arr[n+lim:]
	}
	if skip < 0 {
		skip = n + skip
		if skip < 0 {
			skip = 0
		}
	}
	if skip >= n {
		return []any{}
	}
	end := skip + lim
	if lim < 0 || end > n {
		end = n
	}
	return arr[skip:end]
}

// String renders the projection's paths, for error messages and logs.
func (p *Projection) String() string {
	var parts []string
	var walk func(prefix string, n *projNode)
	walk = func(prefix string, n *projNode) {
		for _, k := range n.order {
			c := n.children[k]
			path := k
			if prefix != "" {
				path = prefix + "." + k
			}
			if c.leaf {
				parts = append(parts, path)
			}
			walk(path, c)
		}
	}
	walk("", p.root)
	return strings.Join(parts, ",")
}
