package mql

// Aggregation expressions: compilation of MongoDB expression documents into evaluable
// trees, and the value helpers the operators share.
//
// An expression is one of:
//
//   - "$a.b": a field path of $$CURRENT. Through arrays it yields the array of what each
//     element that is a document yields (missing branches dropped, scalars skipped), as
//     MongoDB's ExpressionFieldPath does; numeric segments are field names, not indexes.
//   - "$$ROOT", "$$CURRENT", "$$NOW", "$$REMOVE" and user variables ("$$this.x") bound by
//     $let, $map, $filter, $reduce and $lookup's let.
//   - an operator document {$op: args}; args is an array of argument expressions or a
//     single argument (named-argument operators take a document).
//   - an object {a: expr, …}: a document whose fields that evaluate to missing are
//     omitted; an array [expr, …]: missing elements become null.
//   - anything else is a literal; {$literal: v} yields v unevaluated.
//
// Evaluation distinguishes missing (aggMissing) from null: missing compares below null,
// is dropped from objects and accumulators, and is what $$REMOVE yields.

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/minicloud/minicloud/collections/ejson"
)

// aggMaxExprDepth bounds the nesting of expressions (documents are bounded by
// ejson.MaxDepth already; this protects Go-built stages too).
const aggMaxExprDepth = 150

type aggMissingType struct{}

// aggMissing is the value of a path that reaches nothing.
var aggMissing = aggMissingType{}

func aggIsMissing(v any) bool { _, ok := v.(aggMissingType); return ok }

// aggNullish reports whether v is null or missing.
func aggNullish(v any) bool {
	if v == nil {
		return true
	}
	_, ok := v.(aggMissingType)
	return ok
}

// aggExpr is a compiled expression.
type aggExpr interface {
	eval(e *aggEnv) (any, error)
}

// aggConst is a constant expression.
type aggConst struct{ v any }

func (c aggConst) eval(*aggEnv) (any, error) { return c.v, nil }

// aggFn is an expression implemented by a closure.
type aggFn func(e *aggEnv) (any, error)

func (f aggFn) eval(e *aggEnv) (any, error) { return f(e) }

// aggVar is one bound variable in a chain of scopes.
type aggVar struct {
	name  string
	value any
	next  *aggVar
}

// aggEnv is what an expression is evaluated against: one document and the variables.
type aggEnv struct {
	root    ejson.D
	current any
	vars    *aggVar
	run     *aggRun
}

func (e *aggEnv) lookupVar(name string) any {
	for v := e.vars; v != nil; v = v.next {
		if v.name == name {
			return v.value
		}
	}
	return aggMissing
}

// with returns a copy of the environment with one more variable bound.
func (e *aggEnv) with(name string, value any) *aggEnv {
	c := *e
	c.vars = &aggVar{name: name, value: value, next: e.vars}
	return &c
}

// aggCompiler compiles expressions, tracking the user variables in scope.
type aggCompiler struct {
	vars  []string
	depth int
	stats *aggCompileStats
}

type aggCompileStats struct {
	stages int
}

func (c *aggCompiler) hasVar(name string) bool {
	for i := len(c.vars) - 1; i >= 0; i-- {
		if c.vars[i] == name {
			return true
		}
	}
	return false
}

// scoped compiles fn with extra variables in scope.
func (c *aggCompiler) scoped(names []string, fn func() (aggExpr, error)) (aggExpr, error) {
	n := len(c.vars)
	c.vars = append(c.vars, names...)
	defer func() { c.vars = c.vars[:n] }()
	return fn()
}

// aggValidVarName checks a user variable name: a lowercase letter or non-ASCII first,
// then letters, digits and underscores.
func aggValidVarName(name string) error {
	if name == "" {
		return errorf("empty variable names are not allowed")
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r > 127:
		case i > 0 && (r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_'):
		default:
			if i == 0 {
				return errorf("'%s' starts with an invalid character for a user variable name", name)
			}
			return errorf("'%s' contains an invalid character for a variable name: '%c'", name, r)
		}
	}
	return nil
}

// aggFieldSegs validates the segments of a field path (without its '$').
func aggFieldSegs(path string) ([]string, error) {
	if path == "" {
		return nil, errorf("'$' by itself is not a valid FieldPath")
	}
	segs := strings.Split(path, ".")
	if len(segs) > MaxPathDepth {
		return nil, errorf("FieldPath is too long: %q", path)
	}
	for _, s := range segs {
		if s == "" {
			return nil, errorf("FieldPath field names may not be empty strings: %q", path)
		}
		if s[0] == '$' {
			return nil, errorf("FieldPath field names may not start with '$': %q", path)
		}
	}
	return segs, nil
}

// expr compiles an expression.
func (c *aggCompiler) expr(v any) (aggExpr, error) {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > aggMaxExprDepth {
		return nil, errorf("aggregation expression is nested too deeply")
	}
	switch x := v.(type) {
	case string:
		if strings.HasPrefix(x, "$$") {
			return c.variable(x[2:])
		}
		if strings.HasPrefix(x, "$") {
			segs, err := aggFieldSegs(x[1:])
			if err != nil {
				return nil, err
			}
			return aggFn(func(e *aggEnv) (any, error) { return aggGetPath(e.current, segs), nil }), nil
		}
		return aggConst{x}, nil
	case []any:
		elems := make([]aggExpr, len(x))
		allConst := true
		for i, el := range x {
			ce, err := c.expr(el)
			if err != nil {
				return nil, err
			}
			elems[i] = ce
			if _, ok := ce.(aggConst); !ok {
				allConst = false
			}
		}
		if allConst {
			out := make([]any, len(elems))
			for i, el := range elems {
				out[i] = aggNoMissing(el.(aggConst).v)
			}
			return aggConst{out}, nil
		}
		return aggFn(func(e *aggEnv) (any, error) {
			out := make([]any, len(elems))
			for i, el := range elems {
				v, err := el.eval(e)
				if err != nil {
					return nil, err
				}
				out[i] = aggNoMissing(v)
			}
			return out, nil
		}), nil
	case ejson.D:
		if len(x) == 0 {
			return aggConst{ejson.D{}}, nil
		}
		if strings.HasPrefix(x[0].Key, "$") {
			if len(x) != 1 {
				return nil, errorf("an expression specification must contain exactly one field, the name of the expression; found %d fields", len(x))
			}
			return c.operator(x[0].Key, x[0].Value)
		}
		return c.object(x)
	case int:
		return aggConst{int64(x)}, nil
	case int32:
		return aggConst{int64(x)}, nil
	}
	return aggConst{v}, nil
}

// exprs compiles a list of argument expressions.
func (c *aggCompiler) exprs(args []any) ([]aggExpr, error) {
	out := make([]aggExpr, len(args))
	for i, a := range args {
		e, err := c.expr(a)
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

func (c *aggCompiler) variable(s string) (aggExpr, error) {
	name, rest := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		name, rest = s[:i], s[i+1:]
	}
	var segs []string
	if rest != "" || strings.HasSuffix(s, ".") {
		var err error
		if segs, err = aggFieldSegs(rest); err != nil {
			return nil, err
		}
	}
	var get func(e *aggEnv) any
	switch name {
	case "ROOT":
		get = func(e *aggEnv) any { return e.root }
	case "CURRENT":
		get = func(e *aggEnv) any { return e.current }
	case "NOW":
		get = func(e *aggEnv) any { return ejson.DateOf(e.run.now) }
	case "REMOVE":
		return aggConst{aggMissing}, nil
	case "":
		return nil, errorf("empty variable names are not allowed")
	default:
		if !c.hasVar(name) {
			if err := aggValidVarName(name); err != nil {
				return nil, err
			}
			return nil, errorf("Use of undefined variable: %s", name)
		}
		get = func(e *aggEnv) any { return e.lookupVar(name) }
	}
	if len(segs) == 0 {
		return aggFn(func(e *aggEnv) (any, error) { return get(e), nil }), nil
	}
	return aggFn(func(e *aggEnv) (any, error) { return aggGetPath(get(e), segs), nil }), nil
}

func (c *aggCompiler) object(d ejson.D) (aggExpr, error) {
	keys := make([]string, len(d))
	vals := make([]aggExpr, len(d))
	seen := make(map[string]bool, len(d))
	for i, f := range d {
		switch {
		case f.Key == "":
			return nil, errorf("field names in an expression object must not be empty")
		case f.Key[0] == '$':
			return nil, errorf("field name %q in an expression object must not start with '$' (an operator must be the only field)", f.Key)
		case strings.Contains(f.Key, "."):
			return nil, errorf("field name %q in an expression object must not contain '.'", f.Key)
		case seen[f.Key]:
			return nil, errorf("field %q appears twice in an expression object", f.Key)
		}
		seen[f.Key] = true
		e, err := c.expr(f.Value)
		if err != nil {
			return nil, err
		}
		keys[i], vals[i] = f.Key, e
	}
	return aggFn(func(e *aggEnv) (any, error) {
		out := make(ejson.D, 0, len(keys))
		for i, k := range keys {
			v, err := vals[i].eval(e)
			if err != nil {
				return nil, err
			}
			if !aggIsMissing(v) {
				out = append(out, ejson.E{Key: k, Value: v})
			}
		}
		return out, nil
	}), nil
}

// aggOpCompiler compiles the argument of one operator.
type aggOpCompiler func(c *aggCompiler, name string, arg any) (aggExpr, error)

// aggOps is the expression operator table, filled by init functions.
var aggOps = map[string]aggOpCompiler{}

func (c *aggCompiler) operator(name string, arg any) (aggExpr, error) {
	if name == "$literal" {
		return aggConst{arg}, nil
	}
	op, ok := aggOps[name]
	if !ok {
		if _, acc := aggAccumulators[name]; acc {
			return nil, errorf("%s is an accumulator: it is only valid in $group (or with an array argument in expressions)", name)
		}
		return nil, errorf("Unrecognized expression '%s'", name)
	}
	return op(c, name, arg)
}

// aggArgList returns the arguments of an operator: the elements of an array operand,
// or the operand itself.
func aggArgList(arg any) []any {
	if a, ok := arg.([]any); ok {
		return a
	}
	return []any{arg}
}

// aggCheckArgs checks an operator's argument count: min..max (max < 0: unbounded).
func aggCheckArgs(name string, n, min, max int) error {
	switch {
	case min == max && n != min:
		return errorf("Expression %s takes exactly %d arguments. %d were passed in.", name, min, n)
	case max < 0 && n < min:
		return errorf("Expression %s takes at least %d arguments, but %d were passed in.", name, min, n)
	case max >= 0 && (n < min || n > max):
		return errorf("Expression %s takes at least %d arguments, and at most %d, but %d were passed in.", name, min, max, n)
	}
	return nil
}

// aggNary makes a compiler for an operator whose arguments are all evaluated before
// it runs.
func aggNary(min, max int, fn func(e *aggEnv, name string, args []any) (any, error)) aggOpCompiler {
	return func(c *aggCompiler, name string, arg any) (aggExpr, error) {
		list := aggArgList(arg)
		if err := aggCheckArgs(name, len(list), min, max); err != nil {
			return nil, err
		}
		args, err := c.exprs(list)
		if err != nil {
			return nil, err
		}
		return aggFn(func(e *aggEnv) (any, error) {
			vals := make([]any, len(args))
			for i, a := range args {
				v, err := a.eval(e)
				if err != nil {
					return nil, err
				}
				vals[i] = v
			}
			return fn(e, name, vals)
		}), nil
	}
}

// aggNamedArgs parses a document of named arguments, checking names.
func aggNamedArgs(name string, arg any, allowed []string, required []string) (map[string]any, error) {
	d, ok := arg.(ejson.D)
	if !ok {
		return nil, errorf("%s expects an object of named arguments, found %s", name, aggTypeName(arg))
	}
	out := make(map[string]any, len(d))
	for _, f := range d {
		known := false
		for _, a := range allowed {
			if f.Key == a {
				known = true
				break
			}
		}
		if !known {
			return nil, errorf("Unrecognized parameter to %s: %s", name, f.Key)
		}
		out[f.Key] = f.Value
	}
	for _, r := range required {
		if _, ok := out[r]; !ok {
			return nil, errorf("Missing '%s' parameter to %s", r, name)
		}
	}
	return out, nil
}

// aggGetPath evaluates a field path on a value as MongoDB's ExpressionFieldPath does.
func aggGetPath(v any, segs []string) any {
	for i, s := range segs {
		switch x := v.(type) {
		case ejson.D:
			val, ok := x.Get(s)
			if !ok {
				return aggMissing
			}
			v = val
		case []any:
			return aggPathArray(x, segs[i:])
		default:
			return aggMissing
		}
	}
	return v
}

func aggPathArray(arr []any, segs []string) any {
	out := make([]any, 0, len(arr))
	for _, e := range arr {
		d, ok := e.(ejson.D)
		if !ok {
			continue
		}
		if r := aggGetPath(d, segs); !aggIsMissing(r) {
			out = append(out, r)
		}
	}
	return out
}

// aggNoMissing turns missing into null, for values stored in arrays.
func aggNoMissing(v any) any {
	if aggIsMissing(v) {
		return nil
	}
	return v
}

// aggTruthy is MongoDB's coercion to bool: false, null, missing and zero are false.
func aggTruthy(v any) bool {
	switch x := v.(type) {
	case nil, aggMissingType:
		return false
	case bool:
		return x
	case int64:
		return x != 0
	case int:
		return x != 0
	case int32:
		return x != 0
	case float64:
		return x != 0
	case ejson.Decimal:
		return x.Float() != 0
	}
	return true
}

// aggCompare orders values as MongoDB's expressions do: missing sorts below null.
func aggCompare(a, b any) int {
	am, bm := aggIsMissing(a), aggIsMissing(b)
	switch {
	case am && bm:
		return 0
	case am:
		if _, ok := b.(ejson.MinKey); ok {
			return 1
		}
		return -1
	case bm:
		if _, ok := a.(ejson.MinKey); ok {
			return -1
		}
		return 1
	}
	return ejson.Compare(a, b)
}

// aggTypeName is the $type name of a value.
func aggTypeName(v any) string {
	switch x := v.(type) {
	case aggMissingType:
		return "missing"
	case nil:
		return "null"
	case bool:
		return "bool"
	case int64:
		if x >= math.MinInt32 && x <= math.MaxInt32 {
			return "int"
		}
		return "long"
	case int, int32:
		return "int"
	case float64:
		return "double"
	case string:
		return "string"
	case ejson.D:
		return "object"
	case []any:
		return "array"
	case ejson.Date, ejson.ServerDate:
		return "date"
	case ejson.Regex:
		return "regex"
	case ejson.ObjectID:
		return "objectId"
	case ejson.Decimal:
		return "decimal"
	case ejson.Binary:
		return "binData"
	case ejson.Timestamp:
		return "timestamp"
	case ejson.MinKey:
		return "minKey"
	case ejson.MaxKey:
		return "maxKey"
	}
	return ejson.TypeName(v)
}

// aggShow renders a value for an error message, shortened.
func aggShow(v any) string {
	if aggIsMissing(v) {
		return "missing"
	}
	s, err := ejson.MarshalString(v, ejson.Relaxed)
	if err != nil {
		return aggTypeName(v)
	}
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// aggInt returns v as an int64 when it is a number with an integral value.
func aggInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) && math.Abs(x) < 1<<63 {
			return int64(x), true
		}
	case ejson.Decimal:
		f := x.Float()
		if f == math.Trunc(f) && !math.IsInf(f, 0) && math.Abs(f) < 1<<63 {
			return int64(f), true
		}
	}
	return 0, false
}

// aggInt32 returns v as an int when it is an integral number that fits 32 bits.
func aggInt32(v any) (int, bool) {
	n, ok := aggInt(v)
	if !ok || n < math.MinInt32 || n > math.MaxInt32 {
		return 0, false
	}
	return int(n), true
}

// aggIsNumber reports whether v is a number.
func aggIsNumber(v any) bool {
	switch v.(type) {
	case int64, float64, ejson.Decimal, int, int32:
		return true
	}
	return false
}

// aggNum normalises a number to int64, float64 or Decimal.
func aggNum(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int32:
		return int64(x)
	}
	return v
}

// Bounds of the decimal exponent for which aggFormatDouble uses plain notation, as
// fmt::format("{}", d) has them (exp_lower, exp_upper), which MongoDB's $toString uses.
const (
	aggDoubleExpLower = -4
	aggDoubleExpUpper = 16
)

// aggFormatDouble formats a double as MongoDB's $toString does: the shortest digits
// that read back as the same double, in plain decimal notation when the decimal
// exponent is in [-4, 16) and in exponent notation outside (1e-05, 1e+16).
func aggFormatDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0"
		}
		return "0"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp >= aggDoubleExpLower && exp < aggDoubleExpUpper {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return e
}

// aggFormatDate formats a date as ISO 8601 with milliseconds, in UTC.
func aggFormatDate(d ejson.Date) string {
	return d.Time().Format("2006-01-02T15:04:05.000Z")
}

// aggCoerceString converts a value to a string as $substr, $toLower and $strcasecmp
// do: null and missing become "", numbers and dates their text.
func aggCoerceString(name string, v any) (string, error) {
	switch x := v.(type) {
	case nil, aggMissingType:
		return "", nil
	case string:
		return x, nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case int:
		return strconv.Itoa(x), nil
	case int32:
		return strconv.Itoa(int(x)), nil
	case float64:
		return aggFormatDouble(x), nil
	case ejson.Decimal:
		return string(x), nil
	case ejson.Date:
		return aggFormatDate(x), nil
	case ejson.Timestamp:
		return time.Unix(int64(x.T), 0).UTC().Format("Jan 02 15:04:05") + ":" + strconv.Itoa(int(x.I)), nil
	}
	return "", errorf("%s: can't convert from BSON type %s to String", name, aggTypeName(v))
}
