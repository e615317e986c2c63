package mql

// $project, $addFields/$set and $unset, following MongoDB's projection executor:
//
//   - An inclusion projection first copies the included fields in the order of the input
//     document (descending into embedded documents and arrays of them for dotted paths;
//     scalars met on the way are dropped), then sets computed fields in the order of the
//     specification. _id is included unless excluded.
//   - An exclusion projection removes fields and keeps everything else; it cannot hold
//     computed fields.
//   - $addFields sets computed fields on the whole document. Setting a dotted path through
//     an array sets it in every element; through a scalar or a missing field it creates
//     an embedded document. A field set to missing ($$REMOVE) is removed.

import (
	"strings"

	"github.com/minicloud/minicloud/collections/ejson"
)

const (
	aggProjInclude = iota + 1
	aggProjExclude
	aggProjComputed
	aggProjSub
)

type aggProjNode struct {
	order       []string
	fields      map[string]*aggProjField
	hasComputed bool // somewhere in the subtree
}

type aggProjField struct {
	kind int
	expr aggExpr
	sub  *aggProjNode
}

func newAggProjNode() *aggProjNode { return &aggProjNode{fields: map[string]*aggProjField{}} }

const (
	aggModeInclusion = iota + 1
	aggModeExclusion
	aggModeAddFields
)

// aggProjectStage is $project, $addFields/$set or $unset.
type aggProjectStage struct {
	mode int
	root *aggProjNode
}

// aggProjParser builds the projection tree.
type aggProjParser struct {
	c         *aggCompiler
	stage     string
	addFields bool
	idFlag    int // 0 unset, aggProjInclude, aggProjExclude
	firstIncl string
	firstExcl string
	firstComp string
}

// set places a field at a dotted path under node.
func (p *aggProjParser) set(node *aggProjNode, path string, f *aggProjField) error {
	segs, err := aggFieldSegs(path)
	if err != nil {
		return errorf("Invalid %s :: caused by :: %s", p.stage, err.(*Error).Msg)
	}
	for _, s := range segs[:len(segs)-1] {
		child, ok := node.fields[s]
		if !ok {
			child = &aggProjField{kind: aggProjSub, sub: newAggProjNode()}
			node.fields[s] = child
			node.order = append(node.order, s)
		} else if child.kind != aggProjSub {
			return errorf("Invalid %s :: caused by :: Path collision at %s", p.stage, path)
		}
		node = child.sub
	}
	last := segs[len(segs)-1]
	if existing, ok := node.fields[last]; ok {
		if existing.kind == aggProjSub && f.kind == aggProjSub {
			return nil // merged by the caller into existing.sub
		}
		return errorf("Invalid %s :: caused by :: Path collision at %s", p.stage, path)
	}
	node.fields[last] = f
	node.order = append(node.order, last)
	return nil
}

// subNode returns the sub node at path, creating it.
func (p *aggProjParser) subNode(node *aggProjNode, path string) (*aggProjNode, error) {
	if err := p.set(node, path, &aggProjField{kind: aggProjSub, sub: newAggProjNode()}); err != nil {
		return nil, err
	}
	for _, s := range strings.Split(path, ".") {
		node = node.fields[s].sub
	}
	return node, nil
}

func (p *aggProjParser) spec(node *aggProjNode, prefix string, spec ejson.D) error {
	for _, f := range spec {
		full := f.Key
		if prefix != "" {
			full = prefix + "." + f.Key
		}
		if strings.HasPrefix(f.Key, "$") {
			return errorf("Invalid %s :: caused by :: FieldPath field names may not start with '$': %q", p.stage, full)
		}
		var field *aggProjField
		switch v := f.Value.(type) {
		case bool, int64, float64, int, int32, ejson.Decimal:
			if p.addFields {
				break
			}
			incl := aggTruthy(v)
			if full == "_id" {
				p.idFlag = aggProjExclude
				if incl {
					p.idFlag = aggProjInclude
				}
				if !incl {
					field = &aggProjField{kind: aggProjExclude}
				} else {
					field = &aggProjField{kind: aggProjInclude}
				}
				break
			}
			if incl {
				field = &aggProjField{kind: aggProjInclude}
				if p.firstIncl == "" {
					p.firstIncl = full
				}
			} else {
				field = &aggProjField{kind: aggProjExclude}
				if p.firstExcl == "" {
					p.firstExcl = full
				}
			}
		case ejson.D:
			if len(v) > 0 && !strings.HasPrefix(v[0].Key, "$") {
				sub, err := p.subNode(node, f.Key)
				if err != nil {
					return err
				}
				if err := p.spec(sub, full, v); err != nil {
					return err
				}
				continue
			}
			if len(v) == 0 && !p.addFields {
				return errorf("Invalid %s :: caused by :: An empty sub-projection is not a valid value. Found empty object at path %s", p.stage, full)
			}
		}
		if field == nil {
			e, err := p.c.expr(f.Value)
			if err != nil {
				return err
			}
			field = &aggProjField{kind: aggProjComputed, expr: e}
			if p.firstComp == "" {
				p.firstComp = full
			}
		}
		if err := p.set(node, f.Key, field); err != nil {
			return err
		}
	}
	return nil
}

// markComputed sets hasComputed on every node whose subtree holds computed fields.
func (n *aggProjNode) markComputed() bool {
	for _, name := range n.order {
		f := n.fields[name]
		switch f.kind {
		case aggProjComputed:
			n.hasComputed = true
		case aggProjSub:
			if f.sub.markComputed() {
				n.hasComputed = true
			}
		}
	}
	return n.hasComputed
}

func (c *aggCompiler) projectStage(v any) (aggStage, error) {
	spec, ok := v.(ejson.D)
	if !ok {
		return nil, errorf("$project specification must be an object")
	}
	if len(spec) == 0 {
		return nil, errorf("Invalid $project :: caused by :: projection specification must have at least one field")
	}
	p := &aggProjParser{c: c, stage: "$project"}
	root := newAggProjNode()
	if err := p.spec(root, "", spec); err != nil {
		return nil, err
	}
	mode := aggModeInclusion
	switch {
	case p.firstExcl != "" && p.firstComp != "":
		return nil, errorf("Invalid $project :: caused by :: Cannot use expression other than $meta in exclusion projection")
	case p.firstExcl != "" && p.firstIncl != "":
		return nil, errorf("Invalid $project :: caused by :: Cannot do exclusion on field %s in inclusion projection", p.firstExcl)
	case p.firstExcl != "":
		mode = aggModeExclusion
	case p.firstIncl == "" && p.firstComp == "" && p.idFlag == aggProjExclude:
		mode = aggModeExclusion
	}
	if mode == aggModeInclusion {
		if f, ok := root.fields["_id"]; ok && f.kind == aggProjExclude {
			delete(root.fields, "_id")
			root.order = aggRemove(root.order, "_id")
		} else if !ok {
			root.fields["_id"] = &aggProjField{kind: aggProjInclude}
			root.order = append([]string{"_id"}, root.order...)
		}
	}
	root.markComputed()
	return &aggProjectStage{mode: mode, root: root}, nil
}

func aggRemove(list []string, s string) []string {
	out := list[:0:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

func (c *aggCompiler) addFieldsStage(name string, v any) (aggStage, error) {
	spec, ok := v.(ejson.D)
	if !ok {
		return nil, errorf("%s specification stage must be an object, got %s", name, aggTypeName(v))
	}
	p := &aggProjParser{c: c, stage: name, addFields: true}
	root := newAggProjNode()
	if err := p.spec(root, "", spec); err != nil {
		return nil, err
	}
	root.markComputed()
	return &aggProjectStage{mode: aggModeAddFields, root: root}, nil
}

func (c *aggCompiler) unsetStage(v any) (aggStage, error) {
	var paths []any
	switch x := v.(type) {
	case string:
		paths = []any{x}
	case []any:
		paths = x
	}
	if len(paths) == 0 {
		return nil, errorf("$unset specification must be a string or an array with at least one field")
	}
	p := &aggProjParser{c: c, stage: "$unset"}
	root := newAggProjNode()
	for _, pv := range paths {
		s, ok := pv.(string)
		if !ok {
			return nil, errorf("$unset specification must be a string or an array containing only string values")
		}
		if err := p.set(root, s, &aggProjField{kind: aggProjExclude}); err != nil {
			return nil, err
		}
	}
	return &aggProjectStage{mode: aggModeExclusion, root: root}, nil
}

func (s *aggProjectStage) run(r *aggRun, vars *aggVar, docs []ejson.D) ([]ejson.D, error) {
	out := make([]ejson.D, len(docs))
	for i, d := range docs {
		var err error
		switch s.mode {
		case aggModeExclusion:
			out[i] = s.root.excludeDoc(d)
		case aggModeInclusion:
			proj := s.root.includeDoc(d)
			if s.root.hasComputed {
				proj, err = s.root.computeDoc(proj, r.env(d, vars))
			}
			out[i] = proj
		default:
			out[i], err = s.root.computeDoc(append(ejson.D(nil), d...), r.env(d, vars))
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (n *aggProjNode) excludeDoc(in ejson.D) ejson.D {
	out := make(ejson.D, 0, len(in))
	for _, f := range in {
		pf := n.fields[f.Key]
		switch {
		case pf == nil, pf.kind == aggProjInclude:
			out = append(out, f)
		case pf.kind == aggProjSub:
			out = append(out, ejson.E{Key: f.Key, Value: pf.sub.excludeValue(f.Value)})
		}
	}
	return out
}

func (n *aggProjNode) excludeValue(v any) any {
	switch x := v.(type) {
	case ejson.D:
		return n.excludeDoc(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = n.excludeValue(e)
		}
		return out
	}
	return v
}

// includeDoc is the projection phase of an inclusion projection.
func (n *aggProjNode) includeDoc(in ejson.D) ejson.D {
	out := make(ejson.D, 0, len(n.order))
	for _, f := range in {
		pf := n.fields[f.Key]
		if pf == nil {
			continue
		}
		switch pf.kind {
		case aggProjInclude:
			out = append(out, f)
		case aggProjSub:
			if v := pf.sub.includeValue(f.Value); !aggIsMissing(v) {
				out = append(out, ejson.E{Key: f.Key, Value: v})
			}
		}
	}
	return out
}

func (n *aggProjNode) includeValue(v any) any {
	switch x := v.(type) {
	case ejson.D:
		return n.includeDoc(x)
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			r := n.includeValue(e)
			if aggIsMissing(r) && !n.hasComputed {
				continue // placeholders stay only where computed fields will fill them
			}
			out = append(out, r)
		}
		return out
	}
	return aggMissing
}

// computeDoc is the expression phase: it sets the computed fields of the subtree on
// doc, which the caller owns (nested documents are copied before they change).
func (n *aggProjNode) computeDoc(doc ejson.D, e *aggEnv) (ejson.D, error) {
	for _, name := range n.order {
		f := n.fields[name]
		var v any
		switch {
		case f.kind == aggProjComputed:
			r, err := f.expr.eval(e)
			if err != nil {
				return nil, err
			}
			v = r
		case f.kind == aggProjSub && f.sub.hasComputed:
			old, ok := doc.Get(name)
			if !ok {
				old = aggMissing
			}
			r, err := f.sub.computeValue(old, e)
			if err != nil {
				return nil, err
			}
			v = r
		default:
			continue
		}
		i := doc.Index(name)
		switch {
		case aggIsMissing(v) && i >= 0:
			doc = append(doc[:i:i], doc[i+1:]...)
		case aggIsMissing(v):
		case i >= 0:
			doc[i].Value = v
		default:
			doc = append(doc, ejson.E{Key: name, Value: v})
		}
	}
	return doc, nil
}

func (n *aggProjNode) computeValue(v any, e *aggEnv) (any, error) {
	switch x := v.(type) {
	case ejson.D:
		return n.computeDoc(append(ejson.D(nil), x...), e)
	case []any:
		out := make([]any, len(x))
		for i, el := range x {
			r, err := n.computeValue(el, e)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return n.computeDoc(ejson.D{}, e)
}
