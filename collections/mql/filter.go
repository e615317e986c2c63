package mql

import (
	"math"
	"regexp"
	"strings"

	"github.com/minicloud/minicloud/collections/ejson"
)

// MaxFilterNodes bounds the size of a filter so that a hostile query cannot make the
// server spend unbounded time compiling or matching it.
const MaxFilterNodes = 5000

// MaxInValues bounds the operand list of $in, $nin and $all.
const MaxInValues = 10000

// OpKind names a field-level query operator.
type OpKind int

// Field-level operators.
const (
	OpEq OpKind = iota + 1
	OpNe
	OpGt
	OpGte
	OpLt
	OpLte
	OpIn
	OpNin
	OpExists
	OpAll
	OpElemMatch
	OpSize
	OpMod
	OpRegex
	OpType
	OpNot
	OpGeoWithin
	OpGeoIntersects
	OpNearSphere
)

var opNames = map[string]OpKind{
	"$eq": OpEq, "$ne": OpNe, "$gt": OpGt, "$gte": OpGte, "$lt": OpLt, "$lte": OpLte,
	"$in": OpIn, "$nin": OpNin, "$exists": OpExists, "$all": OpAll, "$elemMatch": OpElemMatch,
	"$size": OpSize, "$mod": OpMod, "$regex": OpRegex, "$type": OpType, "$not": OpNot,
	"$geoWithin": OpGeoWithin, "$geoIntersects": OpGeoIntersects,
	"$nearSphere": OpNearSphere, "$near": OpNearSphere,
}

// Node is one node of a parsed filter: *And, *Or, *Nor or *Field.
type Node interface {
	match(doc ejson.D) bool
}

// And matches when every child matches (an empty And matches everything).
type And struct{ Children []Node }

// Or matches when any child matches.
type Or struct{ Children []Node }

// Nor matches when no child matches.
type Nor struct{ Children []Node }

// Field applies operators, all of which must match, to the values at Path.
type Field struct {
	Path string
	Segs []string
	Ops  []*Op
}

// Op is one operator applied to a field.
type Op struct {
	Kind   OpKind
	Value  any   // operand of comparisons, $exists (bool), $size (int64), $regex (ejson.Regex)
	Values []any // operands of $in, $nin, $all; type codes of $type
	// Regex is set on an equality whose operand is a regular expression used as a
	// pattern ({a: /x/}, $in, $all, $not): strings matching it match. An explicit
	// {$eq: /x/} leaves it nil and matches only the identical regular expression.
	Regex *regexp.Regexp
	// Not holds the operators under $not; ElemMatch the sub-filter of $elemMatch, which
	// applies either to element documents or (ElemOps) directly to element values.
	Not       []*Op
	ElemMatch Node
	ElemOps   []*Op
	// All holds the conditions of $all, one per operand: equalities, or $elemMatch
	// operators for {$all: [{$elemMatch: …}, …]}.
	All []*Op
	Mod [2]float64
	Geo *geoQuery
	res []*regexp.Regexp // compiled regexes among $in/$nin values, in order
}

// Filter is a parsed query filter.
type Filter struct {
	Root Node
}

// ParseFilter validates a filter document and compiles it.
func ParseFilter(q ejson.D) (*Filter, error) {
	p := filterParser{}
	n, err := p.doc(q, 0)
	if err != nil {
		return nil, err
	}
	return &Filter{Root: n}, nil
}

// MatchAll is the filter that matches every document.
var MatchAll = &Filter{Root: &And{}}

// Match reports whether doc matches the filter.
func (f *Filter) Match(doc ejson.D) bool { return f.Root.match(doc) }

// IsEmpty reports whether the filter has no conditions.
func (f *Filter) IsEmpty() bool {
	a, ok := f.Root.(*And)
	return ok && len(a.Children) == 0
}

type filterParser struct {
	nodes int
}

func (p *filterParser) count() error {
	p.nodes++
	if p.nodes > MaxFilterNodes {
		return errorf("query is too large (more than %d conditions)", MaxFilterNodes)
	}
	return nil
}

func (p *filterParser) doc(q ejson.D, depth int) (Node, error) {
	if depth > ejson.MaxDepth {
		return nil, errorf("query is nested too deeply")
	}
	and := &And{}
	for _, e := range q {
		if err := p.count(); err != nil {
			return nil, err
		}
		if strings.HasPrefix(e.Key, "$") {
			n, err := p.logical(e.Key, e.Value, depth)
			if err != nil {
				return nil, err
			}
			if n != nil {
				and.Children = append(and.Children, n)
			}
			continue
		}
		f, err := p.field(e.Key, e.Value, depth)
		if err != nil {
			return nil, err
		}
		and.Children = append(and.Children, f)
	}
	if len(and.Children) == 1 {
		return and.Children[0], nil
	}
	return and, nil
}

func (p *filterParser) logical(op string, v any, depth int) (Node, error) {
	switch op {
	case "$and", "$or", "$nor":
		arr, ok := v.([]any)
		if !ok || len(arr) == 0 {
			return nil, errorf("%s must be a non-empty array", op)
		}
		children := make([]Node, 0, len(arr))
		for _, item := range arr {
			d, ok := item.(ejson.D)
			if !ok {
				return nil, errorf("%s entries must be objects", op)
			}
			n, err := p.doc(d, depth+1)
			if err != nil {
				return nil, err
			}
			children = append(children, n)
		}
		switch op {
		case "$and":
			return &And{Children: children}, nil
		case "$or":
			return &Or{Children: children}, nil
		default:
			return &Nor{Children: children}, nil
		}
	case "$comment":
		return nil, nil
	case "$expr":
		return p.exprNode(v)
	case "$where", "$text", "$jsonSchema", "$sampleRate":
		return nil, errorf("unsupported query operator %s", op)
	}
	return nil, errorf("unknown top level operator %s", op)
}

// isOperatorDoc reports whether a field's condition is a document of operators: a
// document whose first key starts with '$' (and is not an EJSON wrapper, which the
// decoder already turned into a value).
func isOperatorDoc(v any) (ejson.D, bool) {
	d, ok := v.(ejson.D)
	if !ok || len(d) == 0 {
		return nil, false
	}
	return d, strings.HasPrefix(d[0].Key, "$")
}

func (p *filterParser) field(path string, cond any, depth int) (*Field, error) {
	segs, err := splitPath(path)
	if err != nil {
		return nil, err
	}
	f := &Field{Path: path, Segs: segs}
	ops, err := p.condition(cond, depth)
	if err != nil {
		return nil, err
	}
	f.Ops = ops
	return f, nil
}

// condition parses the right-hand side of a field: an operator document or a value.
func (p *filterParser) condition(cond any, depth int) ([]*Op, error) {
	if depth > ejson.MaxDepth {
		return nil, errorf("query is nested too deeply")
	}
	d, isOps := isOperatorDoc(cond)
	if !isOps {
		op, err := eqOp(cond)
		if err != nil {
			return nil, err
		}
		return []*Op{op}, nil
	}
	var ops []*Op
	var options *string
	for _, e := range d {
		if e.Key == "$options" {
			s, ok := e.Value.(string)
			if !ok {
				return nil, errorf("$options must be a string")
			}
			options = &s
		}
	}
	for _, e := range d {
		if err := p.count(); err != nil {
			return nil, err
		}
		if e.Key == "$options" {
			continue
		}
		if !strings.HasPrefix(e.Key, "$") {
			return nil, errorf("unknown operator %s: field conditions cannot mix operators and fields", e.Key)
		}
		op, err := p.operator(e.Key, e.Value, options, depth)
		if err != nil {
			return nil, err
		}
		ops = append(ops, op)
	}
	if options != nil {
		hasRegex := false
		for _, op := range ops {
			hasRegex = hasRegex || op.Kind == OpRegex
		}
		if !hasRegex {
			return nil, errorf("$options needs a $regex")
		}
	}
	return ops, nil
}

// eqOp is the implicit equality of {field: value} (and of $in, $all and $not operands):
// a regular expression operand matches strings as a pattern.
func eqOp(v any) (*Op, error) {
	op, err := explicitEqOp(v)
	if err != nil {
		return nil, err
	}
	if r, ok := v.(ejson.Regex); ok {
		re, err := compileRegex(r.Pattern, r.Options)
		if err != nil {
			return nil, err
		}
		op.Regex = re
	}
	return op, nil
}

// explicitEqOp is {$eq: value}: plain equality, so a regular expression operand matches
// only the identical stored regular expression, as in MongoDB.
func explicitEqOp(v any) (*Op, error) {
	if sd, ok := v.(ejson.ServerDate); ok {
		return nil, errorf("serverDate cannot be used in a query: %v", sd)
	}
	return &Op{Kind: OpEq, Value: v}, nil
}

func (p *filterParser) operator(name string, v any, options *string, depth int) (*Op, error) {
	kind, ok := opNames[name]
	if !ok {
		return nil, errorf("unknown operator %s", name)
	}
	op := &Op{Kind: kind}
	switch kind {
	case OpEq:
		return explicitEqOp(v)
	case OpNe:
		if _, isRe := v.(ejson.Regex); isRe {
			return nil, errorf("$ne cannot take a regular expression: use {$not: /pattern/}")
		}
		eq, err := explicitEqOp(v)
		if err != nil {
			return nil, err
		}
		eq.Kind = OpNe
		return eq, nil
	case OpGt, OpGte, OpLt, OpLte:
		if _, isRe := v.(ejson.Regex); isRe {
			return nil, errorf("%s cannot compare with a regular expression", name)
		}
		op.Value = v
	case OpIn, OpNin, OpAll:
		arr, ok := v.([]any)
		if !ok {
			return nil, errorf("%s needs an array", name)
		}
		if len(arr) > MaxInValues {
			return nil, errorf("%s takes at most %d values", name, MaxInValues)
		}
		op.Values = arr
		if kind == OpAll {
			all, err := p.allOps(arr, depth)
			if err != nil {
				return nil, err
			}
			op.All = all
			return op, nil
		}
		for _, item := range arr {
			switch x := item.(type) {
			case ejson.Regex:
				re, err := compileRegex(x.Pattern, x.Options)
				if err != nil {
					return nil, err
				}
				op.res = append(op.res, re)
			case ejson.D:
				if len(x) > 0 && strings.HasPrefix(x[0].Key, "$") {
					return nil, errorf("cannot use operator %s inside %s", x[0].Key, name)
				}
			case ejson.ServerDate:
				return nil, errorf("serverDate cannot be used in a query")
			}
		}
	case OpExists:
		op.Value = truthy(v)
	case OpSize:
		n, ok := integral(v)
		if !ok || n < 0 {
			return nil, errorf("$size needs a non-negative integer")
		}
		op.Value = n
	case OpMod:
		arr, ok := v.([]any)
		if !ok || len(arr) != 2 || !ejson.IsNumber(arr[0]) || !ejson.IsNumber(arr[1]) {
			return nil, errorf("$mod needs an array of two numbers [divisor, remainder]")
		}
		div := math.Trunc(ejson.ToFloat(arr[0]))
		rem := math.Trunc(ejson.ToFloat(arr[1]))
		if div == 0 || math.IsNaN(div) || math.IsInf(div, 0) || math.IsNaN(rem) || math.IsInf(rem, 0) {
			return nil, errorf("$mod divisor must be a finite non-zero number")
		}
		op.Mod = [2]float64{div, rem}
	case OpRegex:
		var pattern, opts string
		switch x := v.(type) {
		case string:
			pattern = x
		case ejson.Regex:
			pattern, opts = x.Pattern, x.Options
		default:
			return nil, errorf("$regex needs a string or a regular expression")
		}
		if options != nil && *options != "" {
			if opts != "" {
				return nil, errorf("options set in both $regex and $options") // MongoDB 51074/51075
			}
			opts = *options
		}
		re, err := compileRegex(pattern, opts)
		if err != nil {
			return nil, err
		}
		op.Regex = re
		op.Value = ejson.Regex{Pattern: pattern, Options: ejson.SortRegexOptions(opts)}
	case OpType:
		types, err := parseTypes(v)
		if err != nil {
			return nil, err
		}
		op.Values = types
	case OpNot:
		switch x := v.(type) {
		case ejson.Regex:
			eq, err := eqOp(x)
			if err != nil {
				return nil, err
			}
			op.Not = []*Op{eq}
		case ejson.D:
			if _, isOps := isOperatorDoc(x); !isOps {
				return nil, errorf("$not needs a regular expression or a document of operators")
			}
			sub, err := p.condition(x, depth+1)
			if err != nil {
				return nil, err
			}
			op.Not = sub
		default:
			return nil, errorf("$not needs a regular expression or a document of operators")
		}
	case OpElemMatch:
		d, ok := v.(ejson.D)
		if !ok {
			return nil, errorf("$elemMatch needs an object")
		}
		if _, isOps := isOperatorDoc(d); isOps && !isLogicalKey(d[0].Key) {
			sub, err := p.condition(d, depth+1)
			if err != nil {
				return nil, err
			}
			op.ElemOps = sub
		} else {
			sub, err := p.doc(d, depth+1)
			if err != nil {
				return nil, err
			}
			op.ElemMatch = sub
		}
	case OpGeoWithin, OpGeoIntersects, OpNearSphere:
		g, err := parseGeo(kind, v)
		if err != nil {
			return nil, err
		}
		op.Geo = g
	}
	return op, nil
}

// allOps parses the operands of $all: each is an equality (a regular expression as a
// pattern), or all of them are {$elemMatch: …} documents.
func (p *filterParser) allOps(arr []any, depth int) ([]*Op, error) {
	out := make([]*Op, 0, len(arr))
	elem := 0
	for _, item := range arr {
		if d, ok := item.(ejson.D); ok && len(d) > 0 && strings.HasPrefix(d[0].Key, "$") {
			if d[0].Key != "$elemMatch" || len(d) != 1 {
				return nil, errorf("$all takes values or {$elemMatch: …} documents, not %s", d[0].Key)
			}
			if err := p.count(); err != nil {
				return nil, err
			}
			em, err := p.operator("$elemMatch", d[0].Value, nil, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, em)
			elem++
			continue
		}
		eq, err := eqOp(item)
		if err != nil {
			return nil, err
		}
		out = append(out, eq)
	}
	if elem > 0 && elem != len(out) {
		return nil, errorf("$all cannot mix {$elemMatch: …} documents with values")
	}
	return out, nil
}

func isLogicalKey(k string) bool { return k == "$and" || k == "$or" || k == "$nor" }

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int64:
		return x != 0
	case float64:
		return x != 0 && !math.IsNaN(x)
	}
	return true
}

// integral returns v as an int64 when it is a number with an integral value.
func integral(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) && math.Abs(x) < 1<<62 {
			return int64(x), true
		}
	case ejson.Decimal:
		f := x.Float()
		if f == math.Trunc(f) && !math.IsInf(f, 0) && math.Abs(f) < 1<<62 {
			return int64(f), true
		}
	}
	return 0, false
}

// compileRegex translates a MongoDB (PCRE) pattern with options into Go's RE2.
// Options i, m, s are supported; x (extended) is supported by removing unescaped
// whitespace and # comments. Constructs RE2 lacks (lookaround, backreferences) fail
// with a clear error.
func compileRegex(pattern, options string) (*regexp.Regexp, error) {
	flags := ""
	for _, o := range options {
		switch o {
		case 'i', 'm', 's':
			if !strings.ContainsRune(flags, o) {
				flags += string(o)
			}
		case 'x':
			pattern = stripExtended(pattern)
		case 'u':
		default:
			return nil, errorf("unsupported regular expression option %q", o)
		}
	}
	src := pattern
	if !strings.ContainsRune(flags, 'm') {
		src = pcreDollar(src)
	}
	if flags != "" {
		src = "(?" + flags + ")" + src
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, errorf("invalid regular expression %q: %s", pattern, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	return re, nil
}

// pcreEndAnchor replaces $ for RE2: it matches at the very end of the subject or
// before a final newline, as PCRE's $ without the m option (RE2's $ only matches at
// the very end). It consumes that newline, which gives the same match or no match (all
// a filter asks) unless the pattern goes on matching the newline after the $.
const pcreEndAnchor = `(?:\n?\z)`

// pcreDollar rewrites each $ anchor of a pattern (unescaped, outside character classes
// and \Q…\E quotes) to pcreEndAnchor. A pattern that turns on multiline mode with an
// inline flag group such as (?m) is returned unchanged: there $ already matches before
// every newline in both dialects.
func pcreDollar(p string) string {
	if !strings.Contains(p, "$") {
		return p
	}
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p) && p[i+1] == 'Q':
			end := strings.Index(p[i+2:], `\E`)
			if end < 0 {
				b.WriteString(p[i:])
				return b.String()
			}
			b.WriteString(p[i : i+2+end+2])
			i += 2 + end + 1
		case c == '\\' && i+1 < len(p):
			b.WriteString(p[i : i+2])
			i++
		case inClass:
			if strings.HasPrefix(p[i:], "[:") {
				if end := strings.Index(p[i+2:], ":]"); end >= 0 { // [:alpha:]
					b.WriteString(p[i : i+2+end+2])
					i += 2 + end + 1
					continue
				}
			}
			inClass = c != ']'
			b.WriteByte(c)
		case c == '[':
			// a ] right after [ or [^ is a literal member of the class
			j := i + 1
			if j < len(p) && p[j] == '^' {
				j++
			}
			if j < len(p) && p[j] == ']' {
				j++
			}
			b.WriteString(p[i:j])
			i = j - 1
			inClass = true
		case c == '(' && strings.HasPrefix(p[i:], "(?"):
			flags := p[i+2:]
			if end := strings.IndexAny(flags, ":)"); end >= 0 {
				flags = flags[:end]
				if on, _, _ := strings.Cut(flags, "-"); strings.Trim(flags, "imsU-") == "" && strings.Contains(on, "m") {
					return p
				}
			}
			b.WriteByte(c)
		case c == '$':
			b.WriteString(pcreEndAnchor)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func stripExtended(p string) string {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			b.WriteByte(c)
			b.WriteByte(p[i+1])
			i++
		case c == '[':
			inClass = true
			b.WriteByte(c)
		case c == ']':
			inClass = false
			b.WriteByte(c)
		case !inClass && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
		case !inClass && c == '#':
			for i < len(p) && p[i] != '\n' {
				i++
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// typeNumber is the $type code standing for the "number" alias (any numeric type).
const typeNumber = -2

var typeAliases = map[string]int64{
	"double": 1, "string": 2, "object": 3, "array": 4, "binData": 5, "undefined": 6,
	"objectId": 7, "bool": 8, "date": 9, "null": 10, "regex": 11, "dbPointer": 12,
	"javascript": 13, "symbol": 14, "javascriptWithScope": 15, "int": 16,
	"timestamp": 17, "long": 18, "decimal": 19, "minKey": -1, "maxKey": 127, "number": typeNumber,
}

// validTypeCode reports whether n is a BSON type number $type accepts.
func validTypeCode(n int64) bool {
	return (n >= 1 && n <= 19) || n == -1 || n == 127
}

func parseTypes(v any) ([]any, error) {
	items := []any{v}
	if arr, ok := v.([]any); ok {
		items = arr
	}
	out := make([]any, 0, len(items))
	for _, it := range items {
		switch x := it.(type) {
		case string:
			n, ok := typeAliases[x]
			if !ok {
				return nil, errorf("unknown $type %q", x)
			}
			out = append(out, n)
		default:
			n, ok := integral(x)
			if !ok {
				return nil, errorf("$type needs a type name or number")
			}
			if !validTypeCode(n) {
				return nil, errorf("invalid $type code %d", n)
			}
			out = append(out, n)
		}
	}
	return out, nil
}

// bsonType returns the BSON type number of a stored value (1 double, 2 string …).
func bsonType(v any) int64 {
	switch x := v.(type) {
	case float64:
		return 1
	case string:
		return 2
	case ejson.D:
		return 3
	case []any:
		return 4
	case ejson.Binary:
		return 5
	case ejson.ObjectID:
		return 7
	case bool:
		return 8
	case ejson.Date:
		return 9
	case nil:
		return 10
	case ejson.Regex:
		return 11
	case int64:
		if x >= math.MinInt32 && x <= math.MaxInt32 {
			return 16
		}
		return 18
	case ejson.Timestamp:
		return 17
	case ejson.Decimal:
		return 19
	case ejson.MinKey:
		return -1
	case ejson.MaxKey:
		return 127
	}
	return 0
}
