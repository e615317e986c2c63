package mql

// The update engine: MongoDB update operators applied to ejson documents.
//
// Semantics follow MongoDB 5.0+ (https://www.mongodb.com/docs/manual/reference/operator/update/):
//
//   - All paths of an update are checked for conflicts up front (equal paths, or one a prefix
//     of the other, across every operator including both sides of $rename).
//   - Field updates are applied in path order (lexicographic, numeric field names in numeric
//     order), so fields an update creates are appended in that order, as MongoDB does.
//   - Operators that create paths ($set, $inc, $mul, $min, $max, $push, $addToSet,
//     $currentDate, $setOnInsert, the target of $rename) create missing intermediate objects,
//     index arrays with numeric segments (padding with nulls past the end), and fail when the
//     path runs through a scalar or null ("Cannot create field 'b' in element {a: 5}").
//     Operators that only remove ($unset, $pop, $pull, $pullAll, the source of $rename) are
//     no-ops when the path does not exist.
//   - Numbers: int64 op int64 stays int64 and overflow is an error (as MongoDB's NumberLong
//     arithmetic); any float64 makes the result float64. Decimal operands are converted with
//     Decimal.Float, so decimal arithmetic is approximate and yields a float64.
//   - The positional operators $, $[] and $[<identifier>] (and arrayFilters) are not supported.

import (
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/minicloud/minicloud/collections/ejson"
)

// updMaxPad bounds how far past the end of an array an update may write (MongoDB's limit).
const updMaxPad = 1500000

// updMaxDepth bounds the number of segments of an update path.
const updMaxDepth = 100

// Update is a parsed, validated update specification.
type Update struct {
	replace     bool
	replacement ejson.D
	actions     []*updAction // sorted by path; $setOnInsert excluded
	onInsert    []*updAction // $setOnInsert, sorted by path
}

// updAction is one field of one operator.
type updAction struct {
	op   string
	path string
	segs []string
	arg  any
	sd   bool // arg contains a ServerDate: resolve (and re-derive) per application

	// $rename: the action is keyed by its target (path/segs); from is the source.
	from     string
	fromSegs []string

	// $push / $addToSet
	each     []any
	position *int64
	slice    *int64
	hasSort  bool
	sortDir  int          // sort whole elements: 1 / -1
	sortKeys []updSortKey // sort by fields

	// $pull / $pullAll
	cond *updCond
	list []any

	// $pop
	first bool

	// $currentDate
	timestamp bool
}

type updSortKey struct {
	segs []string
	dir  int
}

// ParseUpdate validates an update document. If replace is true, spec is a whole replacement
// document (CloudBase doc.set / replaceMode): it must not contain $-operators or an `_id` different
// from the target's (an equal _id is allowed and ignored). If replace is false, spec may be either
// operator form ({$set:{…}, $inc:{…}}) or plain fields ({a:1, b:{c:2}}), which means $set of
// each top-level field (CloudBase's merge behaviour; note nested plain objects are set whole,
// not merged). Mixing operators and plain fields is an error. An empty spec in non-replace
// mode is an update that changes nothing.
func ParseUpdate(spec ejson.D, replace bool) (*Update, error) {
	spec, _ = ejson.Clone(spec).(ejson.D)
	if replace {
		for _, e := range spec {
			if strings.HasPrefix(e.Key, "$") {
				return nil, errorf("a replacement document must not contain update operators, found '%s'", e.Key)
			}
			if err := updCheckStorable(e.Value, e.Key); err != nil {
				return nil, err
			}
		}
		return &Update{replace: true, replacement: spec}, nil
	}

	ops := 0
	for _, e := range spec {
		if strings.HasPrefix(e.Key, "$") {
			ops++
		}
	}
	if ops > 0 && ops < len(spec) {
		var op, field string
		for _, e := range spec {
			if strings.HasPrefix(e.Key, "$") {
				if op == "" {
					op = e.Key
				}
			} else if field == "" {
				field = e.Key
			}
		}
		return nil, errorf("an update cannot mix update operators and plain fields (found '%s' and '%s')", op, field)
	}
	if ops == 0 {
		spec = ejson.D{{Key: "$set", Value: spec}}
	}

	p := &updParser{full: map[string]bool{}, prefixes: map[string]bool{}}
	u := &Update{}
	for _, e := range spec {
		if !updKnownOp(e.Key) {
			return nil, errorf("unknown update operator %s", e.Key)
		}
		fields, ok := e.Value.(ejson.D)
		if !ok {
			return nil, errorf("the argument of %s must be an object of fields, e.g. {%s: {<field>: ...}}, but it is of type %s",
				e.Key, e.Key, ejson.TypeName(e.Value))
		}
		for _, f := range fields {
			a, err := p.action(e.Key, f.Key, f.Value)
			if err != nil {
				return nil, err
			}
			if a.op == "$setOnInsert" {
				u.onInsert = append(u.onInsert, a)
			} else {
				u.actions = append(u.actions, a)
			}
		}
	}
	updSortActions(u.actions)
	updSortActions(u.onInsert)
	return u, nil
}

// IsReplacement reports whether the update replaces the whole document.
func (u *Update) IsReplacement() bool { return u.replace }

// Apply returns the updated copy of doc (doc itself is not modified) and whether anything
// changed. now resolves ejson.ServerDate values (now + offset ms) inside operator arguments.
// The `_id` field can never be modified.
func (u *Update) Apply(doc ejson.D, now time.Time) (ejson.D, bool, error) {
	id, hasID := doc.Get("_id")
	if u.replace {
		out := make(ejson.D, 0, len(u.replacement)+1)
		if hasID {
			out = append(out, ejson.E{Key: "_id", Value: ejson.Clone(id)})
		}
		for _, e := range u.replacement {
			if e.Key == "_id" {
				if hasID {
					if !ejson.Equal(e.Value, id) {
						return nil, false, errorf("the replacement document changes the immutable field '_id'")
					}
					continue
				}
				out = append(ejson.D{{Key: "_id", Value: updResolve(e.Value, now)}}, out...)
				continue
			}
			out = append(out, ejson.E{Key: e.Key, Value: updResolve(e.Value, now)})
		}
		return out, !updIdentical(doc, out), nil
	}

	out, _ := ejson.Clone(doc).(ejson.D)
	if out == nil {
		out = ejson.D{}
	}
	ap := &updApplier{now: now, id: id, hasID: hasID}
	out, err := ap.run(out, u.actions)
	if err != nil {
		return nil, false, err
	}
	if err := updCheckID(doc, out); err != nil {
		return nil, false, err
	}
	return out, !updIdentical(doc, out), nil
}

// UpsertDoc builds the document to insert when an upsert matches nothing: the equality
// fields of the filter (seed, extracted by the caller) with the update applied, $setOnInsert
// included. For a replacement, it is the replacement itself with nothing from seed except
// _id. _id, when present, is moved to the front.
func (u *Update) UpsertDoc(seed ejson.D, now time.Time) (ejson.D, error) {
	seedID, seedHasID := seed.Get("_id")
	if u.replace {
		out := make(ejson.D, 0, len(u.replacement)+1)
		for _, e := range u.replacement {
			if e.Key == "_id" && seedHasID && !ejson.Equal(e.Value, seedID) {
				return nil, errorf("the replacement document's _id differs from the _id of the query")
			}
			out = append(out, ejson.E{Key: e.Key, Value: updResolve(e.Value, now)})
		}
		if out.Index("_id") < 0 && seedHasID {
			out = append(out, ejson.E{Key: "_id", Value: ejson.Clone(seedID)})
		}
		return updIDFirst(out), nil
	}

	out, _ := ejson.Clone(seed).(ejson.D)
	if out == nil {
		out = ejson.D{}
	}
	actions := u.actions
	if len(u.onInsert) > 0 {
		actions = append(append([]*updAction(nil), u.actions...), u.onInsert...)
		updSortActions(actions)
	}
	ap := &updApplier{now: now, id: seedID, hasID: seedHasID}
	out, err := ap.run(out, actions)
	if err != nil {
		return nil, err
	}
	if seedHasID {
		if err := updCheckID(seed, out); err != nil {
			return nil, err
		}
	}
	return updIDFirst(out), nil
}

func updIDFirst(d ejson.D) ejson.D {
	i := d.Index("_id")
	if i <= 0 {
		return d
	}
	e := d[i]
	copy(d[1:i+1], d[:i])
	d[0] = e
	return d
}

func updCheckID(before, after ejson.D) error {
	a, okA := before.Get("_id")
	b, okB := after.Get("_id")
	if okA != okB || (okA && !updIdentical(a, b)) {
		return errorf("Performing an update on the path '_id' would modify the immutable field '_id'")
	}
	return nil
}

// ---------------------------------------------------------------------------------------
// Parsing

var updOps = map[string]bool{
	"$set": true, "$unset": true, "$inc": true, "$mul": true, "$min": true, "$max": true,
	"$rename": true, "$push": true, "$pop": true, "$pull": true, "$pullAll": true,
	"$addToSet": true, "$currentDate": true, "$setOnInsert": true, "$bit": true,
}

func updKnownOp(op string) bool { return updOps[op] }

type updParser struct {
	full     map[string]bool // every registered path
	prefixes map[string]bool // every proper prefix of a registered path
}

// register records a path and reports conflicts with paths already registered.
func (p *updParser) register(path string, segs []string) error {
	prefix := ""
	for i, s := range segs {
		if i > 0 {
			prefix += "."
		}
		prefix += s
		if p.full[prefix] {
			return errorf("Updating the path '%s' would create a conflict at '%s'", path, prefix)
		}
	}
	if p.prefixes[path] {
		return errorf("Updating the path '%s' would create a conflict at '%s'", path, path)
	}
	p.full[path] = true
	prefix = ""
	for i := 0; i < len(segs)-1; i++ {
		if i > 0 {
			prefix += "."
		}
		prefix += segs[i]
		p.prefixes[prefix] = true
	}
	return nil
}

func updParsePath(path string) ([]string, error) {
	if path == "" {
		return nil, errorf("An empty update path is not valid.")
	}
	segs := strings.Split(path, ".")
	if len(segs) > updMaxDepth {
		return nil, errorf("The update path '%s' is nested too deeply (more than %d levels)", updTrunc(path), updMaxDepth)
	}
	for _, s := range segs {
		switch {
		case s == "":
			return nil, errorf("The update path '%s' contains an empty field name, which is not allowed.", path)
		case s == "$" || strings.HasPrefix(s, "$["):
			return nil, errorf("the positional update operators ($, $[] and $[<identifier>]) are not supported: '%s'", path)
		case strings.HasPrefix(s, "$"):
			return nil, errorf("The dollar ($) prefixed field '%s' in '%s' is not valid for storage.", s, path)
		}
	}
	return segs, nil
}

func (p *updParser) action(op, path string, v any) (*updAction, error) {
	segs, err := updParsePath(path)
	if err != nil {
		return nil, err
	}
	a := &updAction{op: op, path: path, segs: segs, arg: v, sd: updHasServerDate(v)}
	switch op {
	case "$set", "$setOnInsert", "$min", "$max":
		if err := updCheckStorable(v, path); err != nil {
			return nil, err
		}
	case "$unset":
		if segs[0] == "_id" {
			return nil, errorf("Performing an update on the path '%s' would modify the immutable field '_id'", path)
		}
	case "$inc", "$mul":
		if !ejson.IsNumber(v) {
			verb := "increment"
			if op == "$mul" {
				verb = "multiply"
			}
			return nil, errorf("Cannot %s with non-numeric argument: {%s: %s}", verb, path, updShow(v))
		}
	case "$bit":
		d, ok := v.(ejson.D)
		if !ok || len(d) == 0 {
			return nil, errorf("$bit needs {and|or|xor: <integer>} for '%s'", path)
		}
		for _, b := range d {
			if b.Key != "and" && b.Key != "or" && b.Key != "xor" {
				return nil, errorf("The $bit modifier only supports 'and', 'or', and 'xor', not '%s'", b.Key)
			}
			if _, isInt := b.Value.(int64); !isInt {
				return nil, errorf("The $bit modifier field must be an Integer(32/64 bit); a '%s' is not supported here", ejson.TypeName(b.Value))
			}
		}
	case "$currentDate":
		switch x := v.(type) {
		case bool:
		case ejson.D:
			t, _ := x.Get("$type")
			if len(x) != 1 || (t != "date" && t != "timestamp") {
				return nil, errorf("The '$type' string field is required to be 'date' or 'timestamp': {$currentDate: {field : {$type: 'date'}}}")
			}
			a.timestamp = t == "timestamp"
		default:
			return nil, errorf("%s is not valid type for $currentDate. Please use a boolean ('true') or a $type expression ({$type: 'timestamp/date'}).", ejson.TypeName(v))
		}
	case "$rename":
		to, ok := v.(string)
		if !ok {
			return nil, errorf("The 'to' field for $rename must be a string: %s: %s", path, updShow(v))
		}
		toSegs, err := updParsePath(to)
		if err != nil {
			return nil, err
		}
		if to == path {
			return nil, errorf("The source and target field for $rename must differ: %s: %s", path, updShow(v))
		}
		if updIsPrefix(segs, toSegs) || updIsPrefix(toSegs, segs) {
			return nil, errorf("The source and target field for $rename must not be on the same path: %s: %s", path, updShow(v))
		}
		if segs[0] == "_id" || toSegs[0] == "_id" {
			return nil, errorf("Performing an update on the path '_id' would modify the immutable field '_id'")
		}
		if err := p.register(path, segs); err != nil {
			return nil, err
		}
		a.from, a.fromSegs = path, segs
		a.path, a.segs = to, toSegs
		if err := p.register(to, toSegs); err != nil {
			return nil, err
		}
		return a, nil
	case "$push":
		if err := a.parsePush(v); err != nil {
			return nil, err
		}
	case "$addToSet":
		a.each = []any{v}
		if d, ok := v.(ejson.D); ok && len(d) > 0 && d[0].Key == "$each" {
			if len(d) > 1 {
				return nil, errorf("Found unexpected fields after $each in $addToSet: %s", updShow(v))
			}
			arr, ok := d[0].Value.([]any)
			if !ok {
				return nil, errorf("The argument to $each in $addToSet must be an array but it was of type %s", ejson.TypeName(d[0].Value))
			}
			a.each = arr
		}
		for _, e := range a.each {
			if err := updCheckStorable(e, path); err != nil {
				return nil, err
			}
		}
	case "$pop":
		if !ejson.IsNumber(v) {
			return nil, errorf("Expected a number in: %s: %s", path, updShow(v))
		}
		switch ejson.ToFloat(v) {
		case 1:
		case -1:
			a.first = true
		default:
			return nil, errorf("$pop expects 1 or -1, found: %s", updShow(v))
		}
	case "$pull":
		c, err := updParseCond(v)
		if err != nil {
			return nil, err
		}
		a.cond = c
	case "$pullAll":
		arr, ok := v.([]any)
		if !ok {
			return nil, errorf("$pullAll requires an array argument but was given a %s", ejson.TypeName(v))
		}
		a.list = arr
	}
	if err := p.register(path, segs); err != nil {
		return nil, err
	}
	return a, nil
}

func (a *updAction) parsePush(v any) error {
	a.each = []any{v}
	if d, ok := v.(ejson.D); ok && d.Index("$each") >= 0 {
		for _, e := range d {
			switch e.Key {
			case "$each":
				arr, ok := e.Value.([]any)
				if !ok {
					return errorf("The argument to $each in $push must be an array but it was of type: %s", ejson.TypeName(e.Value))
				}
				a.each = arr
			case "$slice":
				n, ok := updInt(e.Value)
				if !ok {
					return errorf("The value for $slice must be an integral value but was given type: %s", ejson.TypeName(e.Value))
				}
				a.slice = &n
			case "$position":
				n, ok := updInt(e.Value)
				if !ok {
					return errorf("The value for $position must be an integer value, not of type: %s", ejson.TypeName(e.Value))
				}
				a.position = &n
			case "$sort":
				if err := a.parseSort(e.Value); err != nil {
					return err
				}
			default:
				return errorf("Unrecognized clause in $push: %s", e.Key)
			}
		}
	}
	for _, e := range a.each {
		if err := updCheckStorable(e, a.path); err != nil {
			return err
		}
	}
	return nil
}

func (a *updAction) parseSort(v any) error {
	a.hasSort = true
	switch x := v.(type) {
	case ejson.D:
		if len(x) == 0 {
			return errorf("The $sort pattern is empty when it should be a set of fields.")
		}
		for _, e := range x {
			segs := strings.Split(e.Key, ".")
			for _, s := range segs {
				if s == "" || strings.HasPrefix(s, "$") {
					return errorf("The $sort field '%s' is not valid: it must be a non-empty field path without '$'", e.Key)
				}
			}
			dir, ok := updDir(e.Value)
			if !ok {
				return errorf("The $sort element value must be either 1 or -1")
			}
			a.sortKeys = append(a.sortKeys, updSortKey{segs: segs, dir: dir})
		}
		return nil
	default:
		if ejson.IsNumber(v) {
			dir, ok := updDir(v)
			if !ok {
				return errorf("The $sort element value must be either 1 or -1")
			}
			a.sortDir = dir
			return nil
		}
	}
	return errorf("The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort embedded fields")
}

func updDir(v any) (int, bool) {
	if !ejson.IsNumber(v) {
		return 0, false
	}
	switch ejson.ToFloat(v) {
	case 1:
		return 1, true
	case -1:
		return -1, true
	}
	return 0, false
}

// updInt converts an integral number (of any numeric type) to int64.
func updInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case float64, ejson.Decimal:
		f := ejson.ToFloat(x)
		if f != math.Trunc(f) || math.IsInf(f, 0) || math.IsNaN(f) || f < -(1<<62) || f > 1<<62 {
			return 0, false
		}
		return int64(f), true
	}
	return 0, false
}

// updCheckStorable rejects $-prefixed field names inside a value that will be stored.
func updCheckStorable(v any, path string) error {
	switch v.(type) {
	case ejson.D, []any:
		// a container at a path of n segments is level n+1 of the document
		if strings.Count(path, ".")+2 > ejson.MaxDepth {
			return errorf("the value of '%s' would nest the document deeper than %d levels", updTrunc(path), ejson.MaxDepth)
		}
	}
	switch x := v.(type) {
	case ejson.D:
		for _, e := range x {
			if strings.HasPrefix(e.Key, "$") {
				return errorf("The dollar ($) prefixed field '%s' in '%s' is not valid for storage.", e.Key, path+"."+e.Key)
			}
			if err := updCheckStorable(e.Value, path+"."+e.Key); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range x {
			if err := updCheckStorable(e, path+"."+strconv.Itoa(i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func updHasServerDate(v any) bool {
	switch x := v.(type) {
	case ejson.ServerDate:
		return true
	case ejson.D:
		for _, e := range x {
			if updHasServerDate(e.Value) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if updHasServerDate(e) {
				return true
			}
		}
	}
	return false
}

// updResolve returns a deep copy of v with server dates resolved.
func updResolve(v any, now time.Time) any {
	return ejson.ResolveServerDates(ejson.Clone(v), now)
}

func updIsPrefix(p, q []string) bool {
	if len(p) > len(q) {
		return false
	}
	for i := range p {
		if p[i] != q[i] {
			return false
		}
	}
	return true
}

// updSortActions orders actions as MongoDB applies them: by path, segment by segment,
// numeric field names of different lengths numerically, otherwise bytewise.
func updSortActions(as []*updAction) {
	sort.SliceStable(as, func(i, j int) bool { return updPathLess(as[i].segs, as[j].segs) })
}

func updPathLess(a, b []string) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] == b[i] {
			continue
		}
		_, na := updIndex(a[i])
		_, nb := updIndex(b[i])
		if na && nb && len(a[i]) != len(b[i]) {
			return len(a[i]) < len(b[i])
		}
		return a[i] < b[i]
	}
	return len(a) < len(b)
}

// updIndex parses an array index path segment: decimal digits without leading zeros.
func updIndex(s string) (int, bool) {
	if s == "" || len(s) > 9 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// ---------------------------------------------------------------------------------------
// $pull conditions

const (
	updCondEq     = iota // plain value: equality (a regex value matches strings)
	updCondOps           // {$gte: 6, ...}: operators applied to each element
	updCondFields        // {score: {$gt: 3}, name: 'x'}: a query on element documents
)

type updCond struct {
	kind   int
	op     updOpCond      // updCondEq
	ops    []updOpCond    // updCondOps
	fields []updFieldCond // updCondFields
}

type updFieldCond struct {
	segs []string
	ops  []updOpCond
}

type updOpCond struct {
	op   string // $eq $ne $gt $gte $lt $lte $in $nin
	val  any
	re   *regexp.Regexp   // $eq built from a plain regex value: match strings
	list []any            // $in / $nin
	res  []*regexp.Regexp // regexes of list, by position (nil for non-regex entries)
}

func updIsOpDoc(v any) (ejson.D, bool) {
	d, ok := v.(ejson.D)
	if ok && len(d) > 0 && strings.HasPrefix(d[0].Key, "$") {
		return d, true
	}
	return nil, false
}

func updParseCond(v any) (*updCond, error) {
	if d, ok := updIsOpDoc(v); ok {
		ops, err := updParseOps(d)
		if err != nil {
			return nil, err
		}
		return &updCond{kind: updCondOps, ops: ops}, nil
	}
	if d, ok := v.(ejson.D); ok {
		c := &updCond{kind: updCondFields}
		for _, e := range d {
			if strings.HasPrefix(e.Key, "$") {
				return nil, errorf("unsupported operator %s in a $pull condition", e.Key)
			}
			segs := strings.Split(e.Key, ".")
			for _, s := range segs {
				if s == "" {
					return nil, errorf("the $pull condition field '%s' contains an empty field name", e.Key)
				}
			}
			fc := updFieldCond{segs: segs}
			if od, ok := updIsOpDoc(e.Value); ok {
				ops, err := updParseOps(od)
				if err != nil {
					return nil, err
				}
				fc.ops = ops
			} else {
				op, err := updPlainEq(e.Value)
				if err != nil {
					return nil, err
				}
				fc.ops = []updOpCond{op}
			}
			c.fields = append(c.fields, fc)
		}
		return c, nil
	}
	op, err := updPlainEq(v)
	if err != nil {
		return nil, err
	}
	return &updCond{kind: updCondEq, op: op}, nil
}

func updPlainEq(v any) (updOpCond, error) {
	op := updOpCond{op: "$eq", val: v}
	if r, ok := v.(ejson.Regex); ok {
		re, err := updRegex(r)
		if err != nil {
			return op, err
		}
		op.re = re
	}
	return op, nil
}

func updRegex(r ejson.Regex) (*regexp.Regexp, error) {
	flags := ""
	for _, c := range r.Options {
		switch c {
		case 'i', 'm', 's':
			flags += string(c)
		}
	}
	pat := r.Pattern
	if flags != "" {
		pat = "(?" + flags + ")" + pat
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return nil, errorf("invalid regular expression /%s/: %v", r.Pattern, err)
	}
	return re, nil
}

func updParseOps(d ejson.D) ([]updOpCond, error) {
	var ops []updOpCond
	for _, e := range d {
		o := updOpCond{op: e.Key, val: e.Value}
		switch e.Key {
		case "$eq", "$ne", "$gt", "$gte", "$lt", "$lte":
		case "$in", "$nin":
			arr, ok := e.Value.([]any)
			if !ok {
				return nil, errorf("%s needs an array", e.Key)
			}
			o.list = arr
			o.res = make([]*regexp.Regexp, len(arr))
			for i, x := range arr {
				if r, ok := x.(ejson.Regex); ok {
					re, err := updRegex(r)
					if err != nil {
						return nil, err
					}
					o.res[i] = re
				}
			}
		default:
			if strings.HasPrefix(e.Key, "$") {
				return nil, errorf("unsupported operator %s in a $pull condition (supported: $eq $ne $gt $gte $lt $lte $in $nin)", e.Key)
			}
			return nil, errorf("unknown operator %s: a $pull condition cannot mix operators and fields", e.Key)
		}
		ops = append(ops, o)
	}
	return ops, nil
}

// match reports whether an array element matches the condition.
func (c *updCond) match(elem any) bool {
	switch c.kind {
	case updCondEq:
		if c.op.re != nil {
			return updEvalOp([]any{elem}, &c.op)
		}
		// a plain value is compared with the whole element, without looking into arrays
		return ejson.Equal(elem, c.op.val)
	case updCondOps:
		for i := range c.ops {
			if !updEvalOp([]any{elem}, &c.ops[i]) {
				return false
			}
		}
		return true
	}
	d, ok := elem.(ejson.D)
	if !ok {
		return false
	}
	for _, f := range c.fields {
		var cands []any
		updLookup(d, f.segs, &cands)
		if len(cands) == 0 {
			cands = []any{nil}
		}
		for i := range f.ops {
			if !updEvalOp(cands, &f.ops[i]) {
				return false
			}
		}
	}
	return true
}

// updLookup collects the values at segs, traversing arrays of documents; a missing field
// contributes null.
func updLookup(v any, segs []string, out *[]any) {
	if len(segs) == 0 {
		*out = append(*out, v)
		return
	}
	switch x := v.(type) {
	case ejson.D:
		child, ok := x.Get(segs[0])
		if !ok {
			*out = append(*out, nil)
			return
		}
		updLookup(child, segs[1:], out)
	case []any:
		if i, ok := updIndex(segs[0]); ok {
			if i < len(x) {
				updLookup(x[i], segs[1:], out)
			}
			return
		}
		for _, e := range x {
			if d, ok := e.(ejson.D); ok {
				updLookup(d, segs, out)
			}
		}
	}
}

// updEvalOp tests an operator against the candidate values of a field: positive operators
// need one matching candidate, $ne and $nin need none to match their positive form.
func updEvalOp(cands []any, o *updOpCond) bool {
	neg := o.op == "$ne" || o.op == "$nin"
	for _, c := range cands {
		if updTestOp(c, o) {
			return !neg
		}
	}
	return neg
}

// updTestOp tests the positive form of an operator against one value; arrays match when
// the whole array or one of its elements does.
func updTestOp(v any, o *updOpCond) bool {
	switch o.op {
	case "$eq", "$ne":
		return updEq(v, o.val, o.re)
	case "$in", "$nin":
		for i, x := range o.list {
			if updEq(v, x, o.res[i]) {
				return true
			}
		}
		return false
	}
	if updCmp(v, o) {
		return true
	}
	if arr, ok := v.([]any); ok {
		for _, e := range arr {
			if updCmp(e, o) {
				return true
			}
		}
	}
	return false
}

func updEq(v, want any, re *regexp.Regexp) bool {
	if re != nil {
		switch x := v.(type) {
		case string:
			return re.MatchString(x)
		case ejson.Regex:
			return x == want
		case []any:
			for _, e := range x {
				if updEq(e, want, re) {
					return true
				}
			}
		}
		return false
	}
	if ejson.Equal(v, want) {
		return true
	}
	if arr, ok := v.([]any); ok {
		for _, e := range arr {
			if ejson.Equal(e, want) {
				return true
			}
		}
	}
	return false
}

func updCmp(v any, o *updOpCond) bool {
	if ejson.Rank(v) != ejson.Rank(o.val) {
		return false
	}
	if ejson.IsNumber(v) && (math.IsNaN(ejson.ToFloat(v)) || math.IsNaN(ejson.ToFloat(o.val))) {
		// NaN only equals NaN; it is neither smaller nor greater than any number
		both := math.IsNaN(ejson.ToFloat(v)) && math.IsNaN(ejson.ToFloat(o.val))
		return both && (o.op == "$gte" || o.op == "$lte")
	}
	c := ejson.Compare(v, o.val)
	switch o.op {
	case "$gt":
		return c > 0
	case "$gte":
		return c >= 0
	case "$lt":
		return c < 0
	case "$lte":
		return c <= 0
	}
	return false
}

// ---------------------------------------------------------------------------------------
// Application

type updApplier struct {
	now   time.Time
	id    any
	hasID bool
}

const (
	updKeep = iota // leave the field as it is
	updPut         // set the field to the returned value
	updDel         // remove the field (null it inside an array)
)

// updLeaf decides what happens to the field at the end of a path.
type updLeaf func(old any, exists bool) (any, int, error)

func (ap *updApplier) run(doc ejson.D, actions []*updAction) (ejson.D, error) {
	for _, a := range actions {
		var err error
		doc, err = ap.apply(doc, a)
		if err != nil {
			return nil, err
		}
	}
	return doc, nil
}

func (ap *updApplier) value(a *updAction, v any) any {
	if a.sd {
		return updResolve(v, ap.now)
	}
	return ejson.Clone(v)
}

func (ap *updApplier) docID() string {
	if !ap.hasID {
		return "{}"
	}
	return "{_id: " + updShow(ap.id) + "}"
}

func (ap *updApplier) apply(doc ejson.D, a *updAction) (ejson.D, error) {
	var leaf updLeaf
	create := true
	switch a.op {
	case "$set", "$setOnInsert":
		leaf = func(any, bool) (any, int, error) { return ap.value(a, a.arg), updPut, nil }
	case "$unset":
		create = false
		leaf = func(_ any, exists bool) (any, int, error) {
			if !exists {
				return nil, updKeep, nil
			}
			return nil, updDel, nil
		}
	case "$inc", "$mul":
		leaf = func(old any, exists bool) (any, int, error) { return ap.arith(a, old, exists) }
	case "$min", "$max":
		leaf = func(old any, exists bool) (any, int, error) {
			v := ap.value(a, a.arg)
			if !exists {
				return v, updPut, nil
			}
			c := ejson.Compare(v, old)
			if (a.op == "$min" && c < 0) || (a.op == "$max" && c > 0) {
				return v, updPut, nil
			}
			return nil, updKeep, nil
		}
	case "$bit":
		leaf = func(old any, exists bool) (any, int, error) {
			cur := int64(0)
			if exists {
				n, isInt := old.(int64)
				if !isInt {
					return nil, 0, errorf("Cannot apply $bit to a value of non-integral type %s", ejson.TypeName(old))
				}
				cur = n
			}
			res := cur
			for _, b := range a.arg.(ejson.D) {
				x := b.Value.(int64)
				switch b.Key {
				case "and":
					res &= x
				case "or":
					res |= x
				case "xor":
					res ^= x
				}
			}
			if exists && res == cur {
				return nil, updKeep, nil
			}
			return res, updPut, nil
		}
	case "$currentDate":
		leaf = func(any, bool) (any, int, error) {
			if a.timestamp {
				return ejson.Timestamp{T: uint32(ap.now.Unix()), I: 1}, updPut, nil
			}
			return ejson.DateOf(ap.now), updPut, nil
		}
	case "$rename":
		return ap.rename(doc, a)
	case "$push":
		leaf = func(old any, exists bool) (any, int, error) { return ap.push(a, old, exists) }
	case "$addToSet":
		leaf = func(old any, exists bool) (any, int, error) {
			var arr []any
			if exists {
				cur, ok := old.([]any)
				if !ok {
					return nil, 0, errorf("Cannot apply $addToSet to non-array field. Field named '%s' has non-array type %s",
						a.segs[len(a.segs)-1], ejson.TypeName(old))
				}
				arr = cur
			} else {
				arr = []any{}
			}
			each := a.each
			if a.sd {
				each = updResolve(each, ap.now).([]any)
			}
		next:
			for _, e := range each {
				for _, x := range arr {
					if ejson.Equal(x, e) {
						continue next
					}
				}
				arr = append(arr, ejson.Clone(e))
			}
			return arr, updPut, nil
		}
	case "$pop":
		create = false
		leaf = func(old any, exists bool) (any, int, error) {
			if !exists {
				return nil, updKeep, nil
			}
			arr, ok := old.([]any)
			if !ok {
				return nil, 0, errorf("Path '%s' contains an element of non-array type '%s'", a.path, ejson.TypeName(old))
			}
			if len(arr) == 0 {
				return nil, updKeep, nil
			}
			if a.first {
				return append([]any(nil), arr[1:]...), updPut, nil
			}
			return arr[: len(arr)-1 : len(arr)-1], updPut, nil
		}
	case "$pull", "$pullAll":
		create = false
		cond := a.cond
		list := a.list
		if a.sd {
			r := updResolve(a.arg, ap.now)
			if a.op == "$pull" {
				c, err := updParseCond(r)
				if err != nil {
					return nil, err
				}
				cond = c
			} else {
				list = r.([]any)
			}
		}
		leaf = func(old any, exists bool) (any, int, error) {
			if !exists {
				return nil, updKeep, nil
			}
			arr, ok := old.([]any)
			if !ok {
				return nil, 0, errorf("Cannot apply %s to a non-array value", a.op)
			}
			out := make([]any, 0, len(arr))
			for _, e := range arr {
				var drop bool
				if cond != nil {
					drop = cond.match(e)
				} else {
					for _, x := range list {
						if ejson.Equal(e, x) {
							drop = true
							break
						}
					}
				}
				if !drop {
					out = append(out, e)
				}
			}
			if len(out) == len(arr) {
				return nil, updKeep, nil
			}
			return out, updPut, nil
		}
	default:
		return nil, errorf("unknown update operator %s", a.op)
	}
	c, err := updModify(doc, "", a.segs, create, leaf)
	if err != nil {
		return nil, err
	}
	return c.(ejson.D), nil
}

// updModify walks container (a document or an array) along segs and applies leaf at the
// end. With create, missing intermediate fields become empty documents (or null-padded
// array slots) and running into a scalar is an error; without, a missing path is a no-op.
// It returns the container, which may be a new slice.
func updModify(c any, parentKey string, segs []string, create bool, leaf updLeaf) (any, error) {
	key := segs[0]
	last := len(segs) == 1
	switch x := c.(type) {
	case ejson.D:
		i := x.Index(key)
		exists := i >= 0
		var old any
		if exists {
			old = x[i].Value
		}
		if last {
			nv, act, err := leaf(old, exists)
			if err != nil {
				return nil, err
			}
			switch act {
			case updPut:
				if exists {
					x[i].Value = nv
				} else {
					x = append(x, ejson.E{Key: key, Value: nv})
				}
			case updDel:
				if exists {
					x = append(x[:i:i], x[i+1:]...)
				}
			}
			return x, nil
		}
		child, err := updChild(old, exists, key, segs[1], create)
		if err != nil || child == nil {
			return x, err
		}
		nc, err := updModify(child, key, segs[1:], create, leaf)
		if err != nil {
			return nil, err
		}
		if exists {
			x[i].Value = nc
		} else {
			x = append(x, ejson.E{Key: key, Value: nc})
		}
		return x, nil
	case []any:
		idx, ok := updIndex(key)
		if !ok {
			if !create {
				return x, nil
			}
			return nil, errorf("Cannot create field '%s' in element {%s: %s}", key, parentKey, updShow(x))
		}
		exists := idx < len(x)
		var old any
		if exists {
			old = x[idx]
		}
		if last {
			nv, act, err := leaf(old, exists)
			if err != nil {
				return nil, err
			}
			switch act {
			case updPut:
				return updPutIndex(x, idx, nv)
			case updDel:
				if exists {
					x[idx] = nil
				}
			}
			return x, nil
		}
		child, err := updChild(old, exists, key, segs[1], create)
		if err != nil || child == nil {
			return x, err
		}
		nc, err := updModify(child, key, segs[1:], create, leaf)
		if err != nil {
			return nil, err
		}
		return updPutIndex(x, idx, nc)
	}
	return nil, errorf("internal error: cannot update inside %s", ejson.TypeName(c))
}

// updChild returns the container to descend into, or nil to stop (a missing or
// non-traversable path without create).
func updChild(old any, exists bool, key, next string, create bool) (any, error) {
	if !exists {
		if !create {
			return nil, nil
		}
		return ejson.D{}, nil
	}
	switch old.(type) {
	case ejson.D, []any:
		return old, nil
	}
	if !create {
		return nil, nil
	}
	return nil, errorf("Cannot create field '%s' in element {%s: %s}", next, key, updShow(old))
}

func updPutIndex(x []any, idx int, v any) ([]any, error) {
	if idx < len(x) {
		x[idx] = v
		return x, nil
	}
	if idx > updMaxPad {
		return nil, errorf("can't backfill array to larger than %d elements", updMaxPad)
	}
	for len(x) < idx {
		x = append(x, nil)
	}
	return append(x, v), nil
}

func (ap *updApplier) arith(a *updAction, old any, exists bool) (any, int, error) {
	arg := a.arg
	switch x := arg.(type) {
	case int:
		arg = int64(x)
	case int32:
		arg = int64(x)
	}
	if !exists {
		if a.op == "$inc" {
			return arg, updPut, nil
		}
		switch arg.(type) {
		case int64:
			return int64(0), updPut, nil
		case ejson.Decimal:
			return ejson.Decimal("0"), updPut, nil
		}
		return float64(0), updPut, nil
	}
	if !ejson.IsNumber(old) {
		return nil, 0, errorf("Cannot apply %s to a value of non-numeric type. %s has the field '%s' of non-numeric type %s",
			a.op, ap.docID(), a.segs[len(a.segs)-1], ejson.TypeName(old))
	}
	r, ok := updArith(a.op, old, arg)
	if !ok {
		return nil, 0, errorf("Failed to apply %s operations to current value (%s) for document %s", a.op, updShow(old), ap.docID())
	}
	return r, updPut, nil
}

// updArith adds or multiplies two numbers. int64 with int64 stays int64 and reports overflow
// (ok false); anything else is computed in float64 (Decimal approximately, via Float).
func updArith(op string, a, b any) (any, bool) {
	x, xi := updAsInt64(a)
	y, yi := updAsInt64(b)
	if xi && yi {
		if op == "$inc" {
			r := x + y
			if (x > 0 && y > 0 && r < 0) || (x < 0 && y < 0 && r >= 0) {
				return nil, false
			}
			return r, true
		}
		if x == 0 || y == 0 {
			return int64(0), true
		}
		r := x * y
		if r/y != x || (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64) {
			return nil, false
		}
		return r, true
	}
	fx, fy := ejson.ToFloat(a), ejson.ToFloat(b)
	if op == "$inc" {
		return fx + fy, true
	}
	return fx * fy, true
}

func updAsInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	}
	return 0, false
}

func (ap *updApplier) push(a *updAction, old any, exists bool) (any, int, error) {
	var arr []any
	if exists {
		cur, ok := old.([]any)
		if !ok {
			return nil, 0, errorf("The field '%s' must be an array but is of type %s in document %s",
				a.path, ejson.TypeName(old), ap.docID())
		}
		arr = cur
	}
	each := a.each
	if a.sd {
		each = updResolve(each, ap.now).([]any)
	} else {
		each = ejson.Clone(each).([]any)
	}
	pos := len(arr)
	if a.position != nil {
		p := *a.position
		if p < 0 {
			p += int64(len(arr))
			if p < 0 {
				p = 0
			}
		}
		if p < int64(len(arr)) {
			pos = int(p)
		}
	}
	out := make([]any, 0, len(arr)+len(each))
	out = append(out, arr[:pos]...)
	out = append(out, each...)
	out = append(out, arr[pos:]...)
	if a.hasSort {
		sort.SliceStable(out, func(i, j int) bool { return a.sortCmp(out[i], out[j]) < 0 })
	}
	if a.slice != nil {
		n := *a.slice
		if n >= 0 {
			if n < int64(len(out)) {
				out = out[:n]
			}
		} else if -n < int64(len(out)) {
			out = out[int64(len(out))+n:]
		}
	}
	return out, updPut, nil
}

func (a *updAction) sortCmp(x, y any) int {
	if a.sortKeys == nil {
		return a.sortDir * ejson.Compare(x, y)
	}
	for _, k := range a.sortKeys {
		c := ejson.Compare(updSortValue(x, k.segs), updSortValue(y, k.segs))
		if c != 0 {
			return k.dir * c
		}
	}
	return 0
}

// updSortValue extracts a $push $sort field from an element: missing (or not a document)
// is null, arrays are not traversed except by numeric segments.
func updSortValue(v any, segs []string) any {
	for _, s := range segs {
		switch x := v.(type) {
		case ejson.D:
			c, ok := x.Get(s)
			if !ok {
				return nil
			}
			v = c
		case []any:
			i, ok := updIndex(s)
			if !ok || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// rename moves the value at a.from to a.path (the target). A missing source is a no-op;
// neither the source nor the target may lie inside an array.
func (ap *updApplier) rename(doc ejson.D, a *updAction) (ejson.D, error) {
	var cur any = doc
	for i, s := range a.fromSegs {
		switch x := cur.(type) {
		case ejson.D:
			v, ok := x.Get(s)
			if !ok {
				return doc, nil
			}
			cur = v
		case []any:
			idx, ok := updIndex(s)
			if !ok || idx >= len(x) {
				return doc, nil
			}
			return nil, errorf("The source field cannot be an array element, '%s' in doc with %s: %s",
				a.from, strings.Join(a.fromSegs[:i], "."), updShow(x))
		default:
			return doc, nil
		}
	}
	value := cur
	cur = doc
	for i, s := range a.segs[:len(a.segs)-1] {
		d, ok := cur.(ejson.D)
		if !ok {
			break
		}
		v, ok := d.Get(s)
		if !ok {
			break
		}
		if arr, isArr := v.([]any); isArr {
			return nil, errorf("The destination field cannot be an array element, '%s' in doc with %s: %s",
				a.path, strings.Join(a.segs[:i+1], "."), updShow(arr))
		}
		cur = v
	}
	c, err := updModify(doc, "", a.segs, true, func(any, bool) (any, int, error) { return value, updPut, nil })
	if err != nil {
		return nil, err
	}
	c, err = updModify(c, "", a.fromSegs, false, func(_ any, exists bool) (any, int, error) {
		if !exists {
			return nil, updKeep, nil
		}
		return nil, updDel, nil
	})
	if err != nil {
		return nil, err
	}
	return c.(ejson.D), nil
}

// ---------------------------------------------------------------------------------------
// Helpers

// updIdentical reports whether two values are the same, types included (int64 1 and
// float64 1 differ), with documents compared field by field in order. It decides whether
// an update modified a document, as MongoDB compares values bytewise.
func updIdentical(a, b any) bool {
	switch x := a.(type) {
	case ejson.D:
		y, ok := b.(ejson.D)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i].Key != y[i].Key || !updIdentical(x[i].Value, y[i].Value) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !updIdentical(x[i], y[i]) {
				return false
			}
		}
		return true
	case float64:
		y, ok := b.(float64)
		if !ok {
			return false
		}
		return x == y && math.Signbit(x) == math.Signbit(y) || (math.IsNaN(x) && math.IsNaN(y))
	case ejson.Binary:
		y, ok := b.(ejson.Binary)
		return ok && x.Subtype == y.Subtype && string(x.Data) == string(y.Data)
	case nil:
		return b == nil
	}
	return a == b
}

// updShow renders a value for an error message.
func updShow(v any) string {
	s, err := ejson.MarshalString(v, ejson.Relaxed)
	if err != nil {
		return ejson.TypeName(v)
	}
	return updTrunc(s)
}

func updTrunc(s string) string {
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}
