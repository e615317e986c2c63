package mql

// Expression operators of the aggregation pipeline: arithmetic, comparison, boolean,
// conditional, string, array, set, object and type operators. Date operators are in
// aggregate_date.go.

import (
	"math"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/minicloud/minicloud/collections/ejson"
)

func init() {
	for name, op := range map[string]aggOpCompiler{
		// arithmetic
		"$add":      aggNary(0, -1, aggAdd),
		"$subtract": aggNary(2, 2, aggSubtract),
		"$multiply": aggNary(0, -1, aggMultiply),
		"$divide":   aggNary(2, 2, aggDivide),
		"$mod":      aggNary(2, 2, aggMod),
		"$abs":      aggNary(1, 1, aggUnaryMath),
		"$ceil":     aggNary(1, 1, aggUnaryMath),
		"$floor":    aggNary(1, 1, aggUnaryMath),
		"$sqrt":     aggNary(1, 1, aggUnaryMath),
		"$exp":      aggNary(1, 1, aggUnaryMath),
		"$ln":       aggNary(1, 1, aggUnaryMath),
		"$log10":    aggNary(1, 1, aggUnaryMath),
		"$log":      aggNary(2, 2, aggLog),
		"$pow":      aggNary(2, 2, aggPow),
		"$round":    aggNary(1, 2, aggRound),
		"$trunc":    aggNary(1, 2, aggRound),
		// comparison
		"$eq":  aggNary(2, 2, aggComparison),
		"$ne":  aggNary(2, 2, aggComparison),
		"$gt":  aggNary(2, 2, aggComparison),
		"$gte": aggNary(2, 2, aggComparison),
		"$lt":  aggNary(2, 2, aggComparison),
		"$lte": aggNary(2, 2, aggComparison),
		"$cmp": aggNary(2, 2, aggComparison),
		// boolean
		"$and": aggCompileAndOr,
		"$or":  aggCompileAndOr,
		"$not": aggNary(1, 1, func(_ *aggEnv, _ string, a []any) (any, error) { return !aggTruthy(a[0]), nil }),
		// conditional
		"$cond":   aggCompileCond,
		"$ifNull": aggCompileIfNull,
		"$switch": aggCompileSwitch,
		// variables
		"$let": aggCompileLet,
		// string
		"$concat":       aggNary(0, -1, aggConcat),
		"$substr":       aggNary(3, 3, aggSubstrBytes),
		"$substrBytes":  aggNary(3, 3, aggSubstrBytes),
		"$substrCP":     aggNary(3, 3, aggSubstrCP),
		"$toLower":      aggNary(1, 1, aggChangeCase),
		"$toUpper":      aggNary(1, 1, aggChangeCase),
		"$strLenCP":     aggNary(1, 1, aggStrLen),
		"$strLenBytes":  aggNary(1, 1, aggStrLen),
		"$split":        aggNary(2, 2, aggSplit),
		"$trim":         aggCompileTrim,
		"$ltrim":        aggCompileTrim,
		"$rtrim":        aggCompileTrim,
		"$indexOfCP":    aggNary(2, 4, aggIndexOfStr),
		"$indexOfBytes": aggNary(2, 4, aggIndexOfStr),
		"$strcasecmp":   aggNary(2, 2, aggStrcasecmp),
		"$regexMatch":   aggCompileRegex,
		"$replaceOne":   aggCompileReplace,
		"$replaceAll":   aggCompileReplace,
		// array
		"$size":          aggNary(1, 1, aggSize),
		"$arrayElemAt":   aggNary(2, 2, aggArrayElemAt),
		"$first":         aggNary(1, 1, aggFirstLast),
		"$last":          aggNary(1, 1, aggFirstLast),
		"$concatArrays":  aggNary(0, -1, aggConcatArrays),
		"$in":            aggNary(2, 2, aggIn),
		"$indexOfArray":  aggNary(2, 4, aggIndexOfArray),
		"$slice":         aggNary(2, 3, aggSlice),
		"$isArray":       aggNary(1, 1, func(_ *aggEnv, _ string, a []any) (any, error) { _, ok := a[0].([]any); return ok, nil }),
		"$reverseArray":  aggNary(1, 1, aggReverseArray),
		"$range":         aggNary(2, 3, aggRange),
		"$filter":        aggCompileFilter,
		"$map":           aggCompileMap,
		"$reduce":        aggCompileReduce,
		"$arrayToObject": aggNary(1, 1, aggArrayToObject),
		"$objectToArray": aggNary(1, 1, aggObjectToArray),
		// set
		"$setUnion":        aggNary(0, -1, aggSetUnion),
		"$setIntersection": aggNary(0, -1, aggSetIntersection),
		"$setDifference":   aggNary(2, 2, aggSetDifference),
		"$setEquals":       aggNary(2, -1, aggSetEquals),
		"$setIsSubset":     aggNary(2, 2, aggSetIsSubset),
		"$anyElementTrue":  aggNary(1, 1, aggElementsTrue),
		"$allElementsTrue": aggNary(1, 1, aggElementsTrue),
		// objects
		"$mergeObjects": aggNary(0, -1, aggMergeObjects),
		"$getField":     aggCompileGetField,
		// types
		"$type":       aggNary(1, 1, func(_ *aggEnv, _ string, a []any) (any, error) { return aggTypeName(a[0]), nil }),
		"$isNumber":   aggNary(1, 1, func(_ *aggEnv, _ string, a []any) (any, error) { return aggIsNumber(a[0]), nil }),
		"$toString":   aggNary(1, 1, aggToType),
		"$toInt":      aggNary(1, 1, aggToType),
		"$toLong":     aggNary(1, 1, aggToType),
		"$toDouble":   aggNary(1, 1, aggToType),
		"$toDecimal":  aggNary(1, 1, aggToType),
		"$toBool":     aggNary(1, 1, aggToType),
		"$toDate":     aggNary(1, 1, aggToType),
		"$toObjectId": aggNary(1, 1, aggToType),
		"$convert":    aggCompileConvert,
	} {
		aggOps[name] = op
	}
}

// ---- numbers ----

const (
	aggKindNone = iota
	aggKindInt
	aggKindDouble
	aggKindDecimal
)

func aggNumKind(v any) int {
	switch v.(type) {
	case int64, int, int32:
		return aggKindInt
	case float64:
		return aggKindDouble
	case ejson.Decimal:
		return aggKindDecimal
	}
	return aggKindNone
}

// aggDoubleToDecimalDigits is the number of significant digits a double keeps when it
// becomes a decimal operand (MongoDB's Decimal128::kRoundTo15Digits).
const aggDoubleToDecimalDigits = 15

// aggBig converts a finite number to a big.Float for decimal arithmetic.
func aggBig(v any) (*big.Float, bool) {
	f := new(big.Float).SetPrec(200)
	switch x := aggNum(v).(type) {
	case int64:
		return f.SetInt64(x), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false
		}
		// as MongoDB's Decimal128(double) (kRoundTo15Digits): the double's value
		// rounded to 15 significant digits, so 0.2 is 0.200000000000000
		_, ok := f.SetString(strconv.FormatFloat(x, 'e', aggDoubleToDecimalDigits-1, 64))
		return f, ok
	case ejson.Decimal:
		if _, ok := f.SetString(string(x)); ok {
			return f, true
		}
	}
	return nil, false
}

func aggDecimalOf(f *big.Float) ejson.Decimal {
	if f.IsInf() {
		if f.Signbit() {
			return "-Infinity"
		}
		return "Infinity"
	}
	return ejson.Decimal(f.Text('g', 34))
}

func aggDecimalFromFloat(f float64) ejson.Decimal {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return ejson.Decimal(strconv.FormatFloat(f, 'g', -1, 64))
}

// aggArith applies + - * to two numbers: int64 stays int64 unless it overflows (then
// double, as MongoDB does), any double makes a double, any decimal a decimal.
func aggArith(op byte, a, b any) any {
	a, b = aggNum(a), aggNum(b)
	ka, kb := aggNumKind(a), aggNumKind(b)
	if ka == aggKindDecimal || kb == aggKindDecimal {
		x, ok1 := aggBig(a)
		y, ok2 := aggBig(b)
		if !ok1 || !ok2 {
			return aggDecimalFromFloat(aggFloatArith(op, ejson.ToFloat(a), ejson.ToFloat(b)))
		}
		r := new(big.Float).SetPrec(200)
		switch op {
		case '+':
			r.Add(x, y)
		case '-':
			r.Sub(x, y)
		default:
			r.Mul(x, y)
		}
		return aggDecimalOf(r)
	}
	if ka == aggKindInt && kb == aggKindInt {
		x, y := a.(int64), b.(int64)
		switch op {
		case '+':
			if r := x + y; (x^r)&(y^r) >= 0 {
				return r
			}
		case '-':
			if r := x - y; (x^y)&(x^r) >= 0 {
				return r
			}
		default:
			if x == 0 || y == 0 {
				return int64(0)
			}
			r := x * y
			if r/y == x && !(x == -1 && y == math.MinInt64) && !(y == -1 && x == math.MinInt64) {
				return r
			}
		}
	}
	return aggFloatArith(op, ejson.ToFloat(a), ejson.ToFloat(b))
}

func aggFloatArith(op byte, x, y float64) float64 {
	switch op {
	case '+':
		return x + y
	case '-':
		return x - y
	}
	return x * y
}

// aggRoundMillis converts a number of milliseconds to an int64, rounding.
func aggRoundMillis(v any) (int64, error) {
	switch x := aggNum(v).(type) {
	case int64:
		return x, nil
	default:
		f := ejson.ToFloat(x)
		if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) >= 1<<63 {
			return 0, errorf("can't add a non-finite or out of range number of milliseconds to a date")
		}
		return int64(math.Round(f)), nil
	}
}

func aggAdd(_ *aggEnv, name string, args []any) (any, error) {
	var sum any = int64(0)
	var date *int64
	for _, a := range args {
		switch x := a.(type) {
		case nil, aggMissingType:
			return nil, nil
		case ejson.Date:
			if date != nil {
				return nil, errorf("only one date allowed in an $add expression")
			}
			ms := int64(x)
			date = &ms
		default:
			if !aggIsNumber(a) {
				return nil, errorf("$add only supports numeric or date types, not %s", aggTypeName(a))
			}
			sum = aggArith('+', sum, a)
		}
	}
	if date != nil {
		ms, err := aggRoundMillis(sum)
		if err != nil {
			return nil, err
		}
		return ejson.Date(*date + ms), nil
	}
	return sum, nil
}

func aggSubtract(_ *aggEnv, _ string, args []any) (any, error) {
	a, b := args[0], args[1]
	if aggNullish(a) || aggNullish(b) {
		return nil, nil
	}
	da, aDate := a.(ejson.Date)
	db, bDate := b.(ejson.Date)
	switch {
	case aggIsNumber(a) && aggIsNumber(b):
		return aggArith('-', a, b), nil
	case aDate && bDate:
		return int64(da) - int64(db), nil
	case aDate && aggIsNumber(b):
		ms, err := aggRoundMillis(b)
		if err != nil {
			return nil, err
		}
		return ejson.Date(int64(da) - ms), nil
	}
	return nil, errorf("can't $subtract %s from %s", aggTypeName(b), aggTypeName(a))
}

func aggMultiply(_ *aggEnv, _ string, args []any) (any, error) {
	var prod any = int64(1)
	for _, a := range args {
		if aggNullish(a) {
			return nil, nil
		}
		if !aggIsNumber(a) {
			return nil, errorf("$multiply only supports numeric types, not %s", aggTypeName(a))
		}
		prod = aggArith('*', prod, a)
	}
	return prod, nil
}

func aggIsZero(v any) bool {
	switch x := aggNum(v).(type) {
	case int64:
		return x == 0
	case float64:
		return x == 0
	case ejson.Decimal:
		return x.Float() == 0
	}
	return false
}

func aggDivide(_ *aggEnv, _ string, args []any) (any, error) {
	a, b := args[0], args[1]
	if aggNullish(a) || aggNullish(b) {
		return nil, nil
	}
	if !aggIsNumber(a) || !aggIsNumber(b) {
		return nil, errorf("$divide only supports numeric types, not %s and %s", aggTypeName(a), aggTypeName(b))
	}
	if aggIsZero(b) {
		return nil, errorf("can't $divide by zero")
	}
	if aggNumKind(a) == aggKindDecimal || aggNumKind(b) == aggKindDecimal {
		x, ok1 := aggBig(a)
		y, ok2 := aggBig(b)
		if ok1 && ok2 {
			return aggDecimalOf(new(big.Float).SetPrec(200).Quo(x, y)), nil
		}
		return aggDecimalFromFloat(ejson.ToFloat(a) / ejson.ToFloat(b)), nil
	}
	return ejson.ToFloat(a) / ejson.ToFloat(b), nil
}

func aggMod(_ *aggEnv, _ string, args []any) (any, error) {
	a, b := aggNum(args[0]), aggNum(args[1])
	if aggNullish(a) || aggNullish(b) {
		return nil, nil
	}
	if !aggIsNumber(a) || !aggIsNumber(b) {
		return nil, errorf("$mod only supports numeric types, not %s and %s", aggTypeName(a), aggTypeName(b))
	}
	if aggIsZero(b) {
		return nil, errorf("can't $mod by zero")
	}
	x, xi := a.(int64)
	y, yi := b.(int64)
	if xi && yi {
		if y == -1 {
			return int64(0), nil
		}
		return x % y, nil
	}
	r := math.Mod(ejson.ToFloat(a), ejson.ToFloat(b))
	if aggNumKind(a) == aggKindDecimal || aggNumKind(b) == aggKindDecimal {
		return aggDecimalFromFloat(r), nil
	}
	return r, nil
}

func aggUnaryMath(_ *aggEnv, name string, args []any) (any, error) {
	v := aggNum(args[0])
	if aggNullish(v) {
		return nil, nil
	}
	if !aggIsNumber(v) {
		return nil, errorf("%s only supports numeric types, not %s", name, aggTypeName(v))
	}
	dec := aggNumKind(v) == aggKindDecimal
	f := ejson.ToFloat(v)
	wrap := func(r float64) any {
		if dec {
			return aggDecimalFromFloat(r)
		}
		return r
	}
	switch name {
	case "$abs":
		switch x := v.(type) {
		case int64:
			if x == math.MinInt64 {
				return nil, errorf("can't take $abs of long long min")
			}
			if x < 0 {
				return -x, nil
			}
			return x, nil
		case ejson.Decimal:
			return ejson.Decimal(strings.TrimPrefix(string(x), "-")), nil
		}
		return math.Abs(f), nil
	case "$ceil", "$floor":
		if _, ok := v.(int64); ok {
			return v, nil
		}
		if name == "$ceil" {
			return wrap(math.Ceil(f)), nil
		}
		return wrap(math.Floor(f)), nil
	case "$sqrt":
		if f < 0 {
			return nil, errorf("$sqrt's argument must be greater than or equal to 0")
		}
		return wrap(math.Sqrt(f)), nil
	case "$exp":
		return wrap(math.Exp(f)), nil
	case "$ln":
		if !(f > 0) && !math.IsNaN(f) {
			return nil, errorf("$ln's argument must be a positive number, but is %s", aggShow(v))
		}
		return wrap(math.Log(f)), nil
	case "$log10":
		if !(f > 0) && !math.IsNaN(f) {
			return nil, errorf("$log10's argument must be a positive number, but is %s", aggShow(v))
		}
		return wrap(math.Log10(f)), nil
	}
	return nil, errorf("unknown operator %s", name)
}

func aggLog(_ *aggEnv, _ string, args []any) (any, error) {
	a, b := aggNum(args[0]), aggNum(args[1])
	if aggNullish(a) || aggNullish(b) {
		return nil, nil
	}
	if !aggIsNumber(a) {
		return nil, errorf("$log's argument must be numeric, not %s", aggTypeName(a))
	}
	if !aggIsNumber(b) {
		return nil, errorf("$log's base must be numeric, not %s", aggTypeName(b))
	}
	x, base := ejson.ToFloat(a), ejson.ToFloat(b)
	if !(x > 0) && !math.IsNaN(x) {
		return nil, errorf("$log's argument must be a positive number, but is %s", aggShow(a))
	}
	if !(base > 0 && base != 1) && !math.IsNaN(base) {
		return nil, errorf("$log's base must be a positive number not equal to 1, but is %s", aggShow(b))
	}
	r := math.Log(x) / math.Log(base)
	if aggNumKind(a) == aggKindDecimal || aggNumKind(b) == aggKindDecimal {
		return aggDecimalFromFloat(r), nil
	}
	return r, nil
}

func aggPow(_ *aggEnv, _ string, args []any) (any, error) {
	a, b := aggNum(args[0]), aggNum(args[1])
	if aggNullish(a) || aggNullish(b) {
		return nil, nil
	}
	if !aggIsNumber(a) {
		return nil, errorf("$pow's base must be numeric, not %s", aggTypeName(a))
	}
	if !aggIsNumber(b) {
		return nil, errorf("$pow's exponent must be numeric, not %s", aggTypeName(b))
	}
	if aggIsZero(a) && ejson.ToFloat(b) < 0 {
		return nil, errorf("$pow cannot take a base of 0 and a negative exponent")
	}
	if aggNumKind(a) == aggKindDecimal || aggNumKind(b) == aggKindDecimal {
		return aggDecimalFromFloat(math.Pow(ejson.ToFloat(a), ejson.ToFloat(b))), nil
	}
	base, bi := a.(int64)
	exp, ei := b.(int64)
	if bi && ei {
		if exp < 0 {
			switch base {
			case 1:
				return int64(1), nil
			case -1:
				if exp%2 == 0 {
					return int64(1), nil
				}
				return int64(-1), nil
			}
			return math.Pow(float64(base), float64(exp)), nil
		}
		if r, ok := aggIntPow(base, exp); ok {
			return r, nil
		}
	}
	return math.Pow(ejson.ToFloat(a), ejson.ToFloat(b)), nil
}

// aggIntPow computes base^exp exactly, reporting false on overflow.
func aggIntPow(base, exp int64) (int64, bool) {
	result := int64(1)
	for exp > 0 {
		if exp&1 == 1 {
			r := aggArith('*', result, base)
			ri, ok := r.(int64)
			if !ok {
				return 0, false
			}
			result = ri
		}
		exp >>= 1
		if exp > 0 {
			sq, ok := aggArith('*', base, base).(int64)
			if !ok {
				return 0, false
			}
			base = sq
		}
	}
	return result, true
}

func aggRound(_ *aggEnv, name string, args []any) (any, error) {
	// MongoDB (evaluateRoundOrTrunc) checks the number before the place
	v := aggNum(args[0])
	if aggNullish(v) {
		return nil, nil
	}
	if !aggIsNumber(v) {
		return nil, errorf("%s only supports numeric types, not %s", name, aggTypeName(v))
	}
	place := int64(0)
	if len(args) > 1 {
		p := args[1]
		if aggNullish(p) {
			return nil, nil
		}
		n, ok := aggInt(p)
		if !ok {
			return nil, errorf("%s requires \"place\" argument to be an integer, found %s", name, aggShow(p))
		}
		if n < -20 || n > 100 {
			return nil, errorf("cannot apply %s with precision value %d value must be in [-20, 100]", name, n)
		}
		place = n
	}
	trunc := name == "$trunc"
	switch x := v.(type) {
	case int64:
		if place >= 0 {
			return x, nil
		}
		// 10^-place may exceed int64 (place down to -20): work in big.Int
		p := new(big.Int).Exp(big.NewInt(10), big.NewInt(-place), nil)
		q, r := new(big.Int).QuoRem(big.NewInt(x), p, new(big.Int))
		if !trunc {
			// half to even: compare 2|r| with p
			twice := new(big.Int).Abs(r)
			twice.Lsh(twice, 1)
			if c := twice.Cmp(p); c > 0 || (c == 0 && q.Bit(0) != 0) {
				q.Add(q, big.NewInt(int64(r.Sign())))
			}
		}
		q.Mul(q, p)
		if !q.IsInt64() {
			// MongoDB's error 51080: the rounded Decimal128 does not convert back to a long
			return nil, errorf("invalid conversion from Decimal128 result in %s resulting from arguments: [%d, %d]", name, x, place)
		}
		return q.Int64(), nil
	case float64:
		return aggRoundFloat(x, int(place), trunc, aggDecimalDigits), nil
	case ejson.Decimal:
		// a decimal (computed as a double) rounds on its shortest digits, which are
		// the decimal's own digits when it has at most 15
		return aggDecimalFromFloat(aggRoundFloat(x.Float(), int(place), trunc, -1)), nil
	}
	return nil, nil
}

// aggDecimalDigits is the precision of a decimal128 coefficient.
const aggDecimalDigits = 34

// aggRoundFloat rounds (half to even) or truncates x at a decimal place, working on
// its decimal digits: with sig = aggDecimalDigits, its exact binary value rounded
// to 34 significant digits, as MongoDB rounds a double through
// Decimal128(x, kRoundTo34Digits) (2.675 is 2.67499999999999982236431605997495353…
// and rounds to 2.67); with sig = -1, its shortest representation ("2.675"). x is
// left unchanged when the place is beyond those digits.
func aggRoundFloat(x float64, place int, trunc bool, sig int) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	neg := x < 0
	prec := -1
	if sig > 0 {
		prec = sig - 1
	}
	s := strconv.FormatFloat(math.Abs(x), 'e', prec, 64)
	i := strings.IndexByte(s, 'e')
	digits := strings.Replace(s[:i], ".", "", 1)
	exp, _ := strconv.Atoi(s[i+1:])
	keep := exp + 1 + place // significant digits left of the cut
	if keep >= len(digits) {
		return x
	}
	var kept, dropped string
	if keep > 0 {
		kept, dropped = digits[:keep], digits[keep:]
	} else {
		dropped = strings.Repeat("0", -keep) + digits
	}
	up := false
	if !trunc {
		d := dropped[0]
		rest := strings.TrimRight(dropped[1:], "0")
		switch {
		case d > '5', d == '5' && rest != "":
			up = true
		case d == '5':
			up = kept != "" && (kept[len(kept)-1]-'0')%2 == 1
		}
	}
	n := new(big.Int)
	if kept != "" {
		n.SetString(kept, 10)
	}
	if up {
		n.Add(n, big.NewInt(1))
	}
	r, err := strconv.ParseFloat(n.String()+"e"+strconv.Itoa(-place), 64)
	if err != nil {
		return x
	}
	if neg {
		r = -r
	}
	return r
}

// ---- comparison and boolean ----

func aggComparison(_ *aggEnv, name string, args []any) (any, error) {
	c := aggCompare(args[0], args[1])
	switch name {
	case "$eq":
		return c == 0, nil
	case "$ne":
		return c != 0, nil
	case "$gt":
		return c > 0, nil
	case "$gte":
		return c >= 0, nil
	case "$lt":
		return c < 0, nil
	case "$lte":
		return c <= 0, nil
	}
	return int64(c), nil
}

func aggCompileAndOr(c *aggCompiler, name string, arg any) (aggExpr, error) {
	args, err := c.exprs(aggArgList(arg))
	if err != nil {
		return nil, err
	}
	isAnd := name == "$and"
	return aggFn(func(e *aggEnv) (any, error) {
		for _, a := range args {
			v, err := a.eval(e)
			if err != nil {
				return nil, err
			}
			if aggTruthy(v) != isAnd {
				return !isAnd, nil
			}
		}
		return isAnd, nil
	}), nil
}

// ---- conditionals and variables ----

func aggCompileCond(c *aggCompiler, name string, arg any) (aggExpr, error) {
	var parts []any
	if d, ok := arg.(ejson.D); ok && (len(d) == 0 || !strings.HasPrefix(d[0].Key, "$")) {
		m, err := aggNamedArgs(name, d, []string{"if", "then", "else"}, []string{"if", "then", "else"})
		if err != nil {
			return nil, err
		}
		parts = []any{m["if"], m["then"], m["else"]}
	} else {
		parts = aggArgList(arg)
		if err := aggCheckArgs(name, len(parts), 3, 3); err != nil {
			return nil, err
		}
	}
	args, err := c.exprs(parts)
	if err != nil {
		return nil, err
	}
	return aggFn(func(e *aggEnv) (any, error) {
		v, err := args[0].eval(e)
		if err != nil {
			return nil, err
		}
		if aggTruthy(v) {
			return args[1].eval(e)
		}
		return args[2].eval(e)
	}), nil
}

func aggCompileIfNull(c *aggCompiler, name string, arg any) (aggExpr, error) {
	list := aggArgList(arg)
	if err := aggCheckArgs(name, len(list), 2, -1); err != nil {
		return nil, err
	}
	args, err := c.exprs(list)
	if err != nil {
		return nil, err
	}
	return aggFn(func(e *aggEnv) (any, error) {
		for _, a := range args[:len(args)-1] {
			v, err := a.eval(e)
			if err != nil {
				return nil, err
			}
			if !aggNullish(v) {
				return v, nil
			}
		}
		return args[len(args)-1].eval(e)
	}), nil
}

func aggCompileSwitch(c *aggCompiler, name string, arg any) (aggExpr, error) {
	m, err := aggNamedArgs(name, arg, []string{"branches", "default"}, nil)
	if err != nil {
		return nil, err
	}
	branches, ok := m["branches"].([]any)
	if !ok {
		if _, present := m["branches"]; !present {
			return nil, errorf("$switch requires at least one branch")
		}
		return nil, errorf("$switch expected an array for 'branches', found: %s", aggTypeName(m["branches"]))
	}
	if len(branches) == 0 {
		return nil, errorf("$switch requires at least one branch")
	}
	type branch struct{ when, then aggExpr }
	bs := make([]branch, len(branches))
	for i, b := range branches {
		d, ok := b.(ejson.D)
		if !ok {
			return nil, errorf("$switch expected each branch to be an object, found: %s", aggTypeName(b))
		}
		var caseV, thenV any
		var hasCase, hasThen bool
		for _, f := range d {
			switch f.Key {
			case "case":
				caseV, hasCase = f.Value, true
			case "then":
				thenV, hasThen = f.Value, true
			default:
				return nil, errorf("$switch found an unknown argument to a branch: %s", f.Key)
			}
		}
		if !hasCase {
			return nil, errorf("$switch requires each branch have a 'case' expression")
		}
		if !hasThen {
			return nil, errorf("$switch requires each branch have a 'then' expression")
		}
		if bs[i].when, err = c.expr(caseV); err != nil {
			return nil, err
		}
		if bs[i].then, err = c.expr(thenV); err != nil {
			return nil, err
		}
	}
	var def aggExpr
	if d, ok := m["default"]; ok {
		if def, err = c.expr(d); err != nil {
			return nil, err
		}
	}
	return aggFn(func(e *aggEnv) (any, error) {
		for _, b := range bs {
			v, err := b.when.eval(e)
			if err != nil {
				return nil, err
			}
			if aggTruthy(v) {
				return b.then.eval(e)
			}
		}
		if def == nil {
			return nil, errorf("$switch could not find a matching branch for an input, and no default was specified.")
		}
		return def.eval(e)
	}), nil
}

func aggCompileLet(c *aggCompiler, name string, arg any) (aggExpr, error) {
	m, err := aggNamedArgs(name, arg, []string{"vars", "in"}, []string{"vars", "in"})
	if err != nil {
		return nil, err
	}
	vars, ok := m["vars"].(ejson.D)
	if !ok {
		return nil, errorf("invalid parameter: expected an object (vars)")
	}
	names := make([]string, len(vars))
	vals := make([]aggExpr, len(vars))
	for i, f := range vars {
		if err := aggValidVarName(f.Key); err != nil {
			return nil, err
		}
		names[i] = f.Key
		if vals[i], err = c.expr(f.Value); err != nil {
			return nil, err
		}
	}
	in, err := c.scoped(names, func() (aggExpr, error) { return c.expr(m["in"]) })
	if err != nil {
		return nil, err
	}
	return aggFn(func(e *aggEnv) (any, error) {
		inner := e
		for i, v := range vals {
			val, err := v.eval(e)
			if err != nil {
				return nil, err
			}
			inner = inner.with(names[i], val)
		}
		return in.eval(inner)
	}), nil
}

// ---- strings ----

func aggConcat(e *aggEnv, _ string, args []any) (any, error) {
	n := 0
	for _, a := range args {
		switch x := a.(type) {
		case nil, aggMissingType:
			return nil, nil
		case string:
			n += len(x)
		default:
			return nil, errorf("$concat only supports strings, not %s", aggTypeName(a))
		}
	}
	if err := e.run.chargeBytes(n); err != nil {
		return nil, err
	}
	var b strings.Builder
	b.Grow(n)
	for _, a := range args {
		b.WriteString(a.(string))
	}
	return b.String(), nil
}

func aggSubstrBytes(_ *aggEnv, name string, args []any) (any, error) {
	s, err := aggCoerceString(name, args[0])
	if err != nil {
		return nil, err
	}
	if !aggIsNumber(args[1]) {
		return nil, errorf("%s:  starting index must be a numeric type (is BSON type %s)", name, aggTypeName(args[1]))
	}
	if !aggIsNumber(args[2]) {
		return nil, errorf("%s:  length must be a numeric type (is BSON type %s)", name, aggTypeName(args[2]))
	}
	start, length := aggTruncInt(args[1]), aggTruncInt(args[2])
	if start < 0 || start >= int64(len(s)) {
		// a negative start wraps around to a huge index in MongoDB: empty result
		return "", nil
	}
	end := int64(len(s))
	if length >= 0 && start+length < end {
		end = start + length
	}
	if !utf8.RuneStart(s[start]) {
		return nil, errorf("%s:  Invalid range, starting index is a UTF-8 continuation byte.", name)
	}
	if end < int64(len(s)) && !utf8.RuneStart(s[end]) {
		return nil, errorf("%s:  Invalid range, ending index is in the middle of a UTF-8 character.", name)
	}
	return s[start:end], nil
}

// aggTruncInt converts a number to an int64, truncating and saturating.
func aggTruncInt(v any) int64 {
	switch x := aggNum(v).(type) {
	case int64:
		return x
	default:
		f := math.Trunc(ejson.ToFloat(x))
		switch {
		case math.IsNaN(f):
			return 0
		case f >= math.MaxInt64:
			return math.MaxInt64
		case f <= math.MinInt64:
			return math.MinInt64
		}
		return int64(f)
	}
}

func aggSubstrCP(_ *aggEnv, name string, args []any) (any, error) {
	s, err := aggCoerceString(name, args[0])
	if err != nil {
		return nil, err
	}
	if !aggIsNumber(args[1]) {
		return nil, errorf("%s: starting index must be a numeric type (is BSON type %s)", name, aggTypeName(args[1]))
	}
	if !aggIsNumber(args[2]) {
		return nil, errorf("%s: length must be a numeric type (is BSON type %s)", name, aggTypeName(args[2]))
	}
	start, ok := aggInt32(args[1])
	if !ok {
		return nil, errorf("%s: starting index cannot be represented as a 32-bit integral value: %s", name, aggShow(args[1]))
	}
	length, ok := aggInt32(args[2])
	if !ok {
		return nil, errorf("%s: length cannot be represented as a 32-bit integral value: %s", name, aggShow(args[2]))
	}
	if start < 0 {
		return nil, errorf("%s: starting index must be non-negative (got: %d)", name, start)
	}
	if length < 0 {
		return nil, errorf("%s: length must be a nonnegative integer.", name)
	}
	i := 0
	for start > 0 && i < len(s) {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		start--
	}
	j := i
	for length > 0 && j < len(s) {
		_, size := utf8.DecodeRuneInString(s[j:])
		j += size
		length--
	}
	return s[i:j], nil
}

func aggChangeCase(_ *aggEnv, name string, args []any) (any, error) {
	s, err := aggCoerceString(name, args[0])
	if err != nil {
		return nil, err
	}
	b := []byte(s)
	for i, c := range b {
		if name == "$toLower" && c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		} else if name == "$toUpper" && c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b), nil
}

func aggStrLen(_ *aggEnv, name string, args []any) (any, error) {
	s, ok := args[0].(string)
	if !ok {
		return nil, errorf("%s requires a string argument, found: %s", name, aggTypeName(args[0]))
	}
	if name == "$strLenBytes" {
		return int64(len(s)), nil
	}
	return int64(utf8.RuneCountInString(s)), nil
}

func aggSplit(e *aggEnv, _ string, args []any) (any, error) {
	if aggNullish(args[0]) || aggNullish(args[1]) {
		return nil, nil
	}
	s, ok := args[0].(string)
	if !ok {
		return nil, errorf("$split requires an expression that evaluates to a string as a first argument, found: %s", aggTypeName(args[0]))
	}
	sep, ok := args[1].(string)
	if !ok {
		return nil, errorf("$split requires an expression that evaluates to a string as a second argument, found: %s", aggTypeName(args[1]))
	}
	if sep == "" {
		return nil, errorf("$split requires a non-empty separator")
	}
	parts := strings.Split(s, sep)
	if err := e.run.chargeArray(len(parts)); err != nil {
		return nil, err
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

// aggTrimDefault holds the code points $trim removes by default: MongoDB's
// kDefaultTrimWhitespaceChars, which stops at U+200A (U+2028, U+2029, U+202F, U+205F
// and U+3000 are kept).
const aggTrimDefault = "\x00 \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"

func aggCompileTrim(c *aggCompiler, name string, arg any) (aggExpr, error) {
	m, err := aggNamedArgs(name, arg, []string{"input", "chars"}, []string{"input"})
	if err != nil {
		return nil, err
	}
	input, err := c.expr(m["input"])
	if err != nil {
		return nil, err
	}
	var chars aggExpr
	if ch, ok := m["chars"]; ok {
		if chars, err = c.expr(ch); err != nil {
			return nil, err
		}
	}
	return aggFn(func(e *aggEnv) (any, error) {
		v, err := input.eval(e)
		if err != nil {
			return nil, err
		}
		if aggNullish(v) {
			return nil, nil
		}
		s, ok := v.(string)
		if !ok {
			return nil, errorf("%s requires its input to be a string, got %s (of type %s) instead.", name, aggShow(v), aggTypeName(v))
		}
		set := aggTrimDefault
		if chars != nil {
			cv, err := chars.eval(e)
			if err != nil {
				return nil, err
			}
			if aggNullish(cv) {
				return nil, nil
			}
			cs, ok := cv.(string)
			if !ok {
				return nil, errorf("%s requires 'chars' to be a string, got %s (of type %s) instead.", name, aggShow(cv), aggTypeName(cv))
			}
			set = cs
		}
		in := func(r rune) bool { return strings.ContainsRune(set, r) }
		switch name {
		case "$ltrim":
			return strings.TrimLeftFunc(s, in), nil
		case "$rtrim":
			return strings.TrimRightFunc(s, in), nil
		}
		return strings.TrimFunc(s, in), nil
	}), nil
}

func aggIndexOfStr(_ *aggEnv, name string, args []any) (any, error) {
	if aggNullish(args[0]) {
		return nil, nil
	}
	s, ok := args[0].(string)
	if !ok {
		return nil, errorf("%s requires a string as the first argument, found: %s", name, aggTypeName(args[0]))
	}
	sub, ok := args[1].(string)
	if !ok {
		return nil, errorf("%s requires a string as the second argument, found: %s", name, aggTypeName(args[1]))
	}
	bytes := name == "$indexOfBytes"
	var units []rune
	n := len(s)
	if !bytes {
		units = []rune(s)
		n = len(units)
	}
	start, end, err := aggIndexBounds(name, args[2:], n)
	if err != nil {
		return nil, err
	}
	if bytes {
		for i := start; i+len(sub) <= end; i++ {
			if s[i:i+len(sub)] == sub {
				return int64(i), nil
			}
		}
		return int64(-1), nil
	}
	subr := []rune(sub)
	for i := start; i+len(subr) <= end; i++ {
		match := true
		for j := range subr {
			if units[i+j] != subr[j] {
				match = false
				break
			}
		}
		if match {
			return int64(i), nil
		}
	}
	return int64(-1), nil
}

// aggIndexBounds parses the optional start and end arguments of the $indexOf
// operators. The end is clamped to n; a start past n is clamped to n+1, so that it
// finds nothing, not even an empty substring at the end (MongoDB: "If <start> is a
// number greater than the length of the string, returns -1").
func aggIndexBounds(name string, args []any, n int) (int, int, error) {
	start, end := 0, n
	for i, a := range args {
		what := "starting"
		if i == 1 {
			what = "ending"
		}
		v, ok := aggInt(a)
		if !ok {
			return 0, 0, errorf("%s requires an integral %s index, found a value of type: %s, with value: %s", name, what, aggTypeName(a), aggShow(a))
		}
		if v < 0 {
			return 0, 0, errorf("%s requires a nonnegative %s index, found: %d", name, what, v)
		}
		if i == 0 {
			start = int(min(v, int64(n)+1))
		} else {
			end = int(min(v, int64(n)))
		}
	}
	return start, end, nil
}

func aggStrcasecmp(_ *aggEnv, name string, args []any) (any, error) {
	a, err := aggCoerceString(name, args[0])
	if err != nil {
		return nil, err
	}
	b, err := aggCoerceString(name, args[1])
	if err != nil {
		return nil, err
	}
	return int64(strings.Compare(aggASCIILower(a), aggASCIILower(b))), nil
}

func aggASCIILower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// aggCompileRegexArg compiles a regular expression value with options.
func aggRegexp(name string, re any, opts any) (*regexp.Regexp, error) {
	pattern, options := "", ""
	switch x := re.(type) {
	case string:
		pattern = x
	case ejson.Regex:
		pattern, options = x.Pattern, x.Options
	default:
		return nil, errorf("%s needs 'regex' to be of type string or regex", name)
	}
	if o, ok := opts.(string); ok {
		if options != "" && o != "" {
			return nil, errorf("%s: 'regex' options cannot be specified in both BSON regex and 'options' field", name)
		}
		options += o
	} else if !aggNullish(opts) {
		return nil, errorf("%s needs 'options' to be of type string", name)
	}
	r, err := compileRegex(pattern, options)
	if err != nil {
		return nil, errorf("%s: %s", name, err.Error())
	}
	return r, nil
}

func aggCompileRegex(c *aggCompiler, name string, arg any) (aggExpr, error) {
	m, err := aggNamedArgs(name, arg, []string{"input", "regex", "options"}, []string{"input", "regex"})
	if err != nil {
		return nil, err
	}
	input, err := c.expr(m["input"])
	if err != nil {
		return nil, err
	}
	reE, err := c.expr(m["regex"])
	if err != nil {
		return nil, err
	}
	var optE aggExpr = aggConst{nil}
	if o, ok := m["options"]; ok {
		if optE, err = c.expr(o); err != nil {
			return nil, err
		}
	}
	return aggFn(func(e *aggEnv) (any, error) {
		v, err := input.eval(e)
		if err != nil {
			return nil, err
		}
		rv, err := reE.eval(e)
		if err != nil {
			return nil, err
		}
		ov, err := optE.eval(e)
		if err != nil {
			return nil, err
		}
		if aggNullish(rv) {
			return false, nil
		}
		re, err := aggRegexp(name, rv, ov)
		if err != nil {
			return nil, err
		}
		if aggNullish(v) {
			return false, nil
		}
		s, ok := v.(string)
		if !ok {
			return nil, errorf("%s needs 'input' to be of type string", name)
		}
		return re.MatchString(s), nil
	}), nil
}

func aggCompileReplace(c *aggCompiler, name string, arg any) (aggExpr, error) {
	m, err := aggNamedArgs(name, arg, []string{"input", "find", "replacement"}, []string{"input", "find", "replacement"})
	if err != nil {
		return nil, err
	}
	args, err := c.exprs([]any{m["input"], m["find"], m["replacement"]})
	if err != nil {
		return nil, err
	}
	return aggFn(func(e *aggEnv) (any, error) {
		vals := make([]string, 3)
		null := false
		for i, what := range []string{"input", "find", "replacement"} {
			v, err := args[i].eval(e)
			if err != nil {
				return nil, err
			}
			if aggNullish(v) {
				null = true
				continue
			}
			s, ok := v.(string)
			if !ok {
				return nil, errorf("%s requires that '%s' be a string, found: %s", name, what, aggShow(v))
			}
			vals[i] = s
		}
		if null {
			return nil, nil
		}
		if name == "$replaceOne" {
			return strings.Replace(vals[0], vals[1], vals[2], 1), nil
		}
		if n := strings.Count(vals[0], vals[1]); n > 0 && len(vals[2]) > len(vals[1]) {
			if err := e.run.chargeBytes(len(vals[0]) + n*(len(vals[2])-len(vals[1]))); err != nil {
				return nil, err
			}
		}
		return strings.ReplaceAll(vals[0], vals[1], vals[2]), nil
	}), nil
}

// ---- arrays ----

func aggSize(_ *aggEnv, _ string, args []any) (any, error) {
	arr, ok := args[0].([]any)
	if !ok {
		return nil, errorf("The argument to $size must be an array. Type of argument: %s", aggTypeName(args[0]))
	}
	return int64(len(arr)), nil
}

func aggArrayElemAt(_ *aggEnv, _ string, args []any) (any, error) {
	if aggNullish(args[0]) || aggNullish(args[1]) {
		return nil, nil
	}
	arr, ok := args[0].([]any)
	if !ok {
		return nil, errorf("$arrayElemAt's first argument must be an array, but is %s", aggTypeName(args[0]))
	}
	if !aggIsNumber(args[1]) {
		return nil, errorf("$arrayElemAt's second argument must be a numeric value, but is %s", aggTypeName(args[1]))
	}
	i, ok := aggInt32(args[1])
	if !ok {
		return nil, errorf("$arrayElemAt's second argument must be representable as a 32-bit integer: %s", aggShow(args[1]))
	}
	if i < 0 {
		i += len(arr)
	}
	if i < 0 || i >= len(arr) {
		return aggMissing, nil
	}
	return arr[i], nil
}

func aggFirstLast(_ *aggEnv, name string, args []any) (any, error) {
	if aggNullish(args[0]) {
		return nil, nil
	}
	arr, ok := args[0].([]any)
	if !ok {
		return nil, errorf("%s's argument must be an array, but is %s", name, aggTypeName(args[0]))
	}
	if len(arr) == 0 {
		return aggMissing, nil
	}
	if name == "$first" {
		return arr[0], nil
	}
	return arr[len(arr)-1], nil
}

func aggConcatArrays(e *aggEnv, _ string, args []any) (any, error) {
	n := 0
	for _, a := range args {
		if aggNullish(a) {
			return nil, nil
		}
		arr, ok := a.([]any)
		if !ok {
			return nil, errorf("$concatArrays only supports arrays, not %s", aggTypeName(a))
		}
		n += len(arr)
	}
	if err := e.run.chargeArray(n); err != nil {
		return nil, err
	}
	out := make([]any, 0, n)
	for _, a := range args {
		out = append(out, a.([]any)...)
	}
	return out, nil
}

func aggIn(e *aggEnv, _ string, args []any) (any, error) {
	arr, ok := args[1].([]any)
	if !ok {
		return nil, errorf("$in requires an array as a second argument, found: %s", aggTypeName(args[1]))
	}
	if err := e.run.charge(len(arr)); err != nil {
		return nil, err
	}
	for _, x := range arr {
		if aggCompare(args[0], x) == 0 {
			return true, nil
		}
	}
	return false, nil
}

func aggIndexOfArray(e *aggEnv, name string, args []any) (any, error) {
	if aggNullish(args[0]) {
		return nil, nil
	}
	arr, ok := args[0].([]any)
	if !ok {
		return nil, errorf("$indexOfArray requires an array as a first argument, found: %s", aggTypeName(args[0]))
	}
	start, end, err := aggIndexBounds(name, args[2:], len(arr))
	if err != nil {
		return nil, err
	}
	if err := e.run.charge(len(arr)); err != nil {
		return nil, err
	}
	for i := start; i < end; i++ {
		if aggCompare(arr[i], args[1]) == 0 {
			return int64(i), nil
		}
	}
	return int64(-1), nil
}

func aggSlice(_ *aggEnv, _ string, args []any) (any, error) {
	for _, a := range args {
		if aggNullish(a) {
			return nil, nil
		}
	}
	arr, ok := args[0].([]any)
	if !ok {
		return nil, errorf("First argument to $slice must be an array, but is of type: %s", aggTypeName(args[0]))
	}
	pos, ok := aggInt32(args[1])
	if !ok {
		return nil, errorf("Second argument to $slice must be a numeric value representable as a 32-bit integer, but is: %s", aggShow(args[1]))
	}
	n := len(arr)
	if len(args) == 2 {
		if pos >= 0 {
			return arr[:min(pos, n)], nil
		}
		return arr[max(n+pos, 0):], nil
	}
	count, ok := aggInt32(args[2])
	if !ok {
		return nil, errorf("Third argument to $slice must be a numeric value representable as a 32-bit integer, but is: %s", aggShow(args[2]))
	}
	if count <= 0 {
		return nil, errorf("Third argument to $slice must be positive: %s", aggShow(args[2]))
	}
	start := pos
	if start < 0 {
		start = max(n+start, 0)
	}
	if start >= n {
		return []any{}, nil
	}
	return arr[start:min(start+count, n)], nil
}

func aggReverseArray(_ *aggEnv, _ string, args []any) (any, error) {
	if aggNullish(args[0]) {
		return nil, nil
	}
	arr, ok := args[0].([]any)
	if !ok {
		return nil, errorf("The argument to $reverseArray must be an array, but was of type: %s", aggTypeName(args[0]))
	}
	out := make([]any, len(arr))
	for i, v := range arr {
		out[len(arr)-1-i] = v
	}
	return out, nil
}

func aggRange(e *aggEnv, _ string, args []any) (any, error) {
	what := []string{"starting value", "ending value", "step value"}
	vals := [3]int64{0, 0, 1}
	for i, a := range args {
		if !aggIsNumber(a) {
			return nil, errorf("$range requires a numeric %s, found value of type: %s", what[i], aggTypeName(a))
		}
		n, ok := aggInt32(a)
		if !ok {
			return nil, errorf("$range requires a %s that can be represented as a 32-bit integer, found value: %s", what[i], aggShow(a))
		}
		vals[i] = int64(n)
	}
	start, end, step := vals[0], vals[1], vals[2]
	if step == 0 {
		return nil, errorf("$range requires a non-zero step value")
	}
	var n int64
	if (step > 0 && end > start) || (step < 0 && end < start) {
		n = (end-start)/step + 1
		if (end-start)%step == 0 {
			n--
		}
	}
	if n > MaxAggregateArray {
		return nil, errorf("$range would produce %d elements, more than the maximum of %d", n, MaxAggregateArray)
	}
	if err := e.run.chargeArray(int(n)); err != nil {
		return nil, err
	}
	out := make([]any, n)
	for i := range out {
		out[i] = start + int64(i)*step
	}
	return out, nil
}

// aggIterator parses the {input, as, …} arguments shared by $map and $filter.
func aggIterator(c *aggCompiler, name string, arg any, allowed, required []string, body string) (input aggExpr, as string, bodies map[string]aggExpr, err error) {
	m, err := aggNamedArgs(name, arg, allowed, required)
	if err != nil {
		return nil, "", nil, err
	}
	if input, err = c.expr(m["input"]); err != nil {
		return nil, "", nil, err
	}
	as = "this"
	if a, ok := m["as"]; ok {
		s, ok := a.(string)
		if !ok {
			return nil, "", nil, errorf("%s: 'as' must be a string, found %s", name, aggTypeName(a))
		}
		if err := aggValidVarName(s); err != nil {
			return nil, "", nil, err
		}
		as = s
	}
	bodies = map[string]aggExpr{}
	for _, k := range []string{body, "limit"} {
		v, ok := m[k]
		if !ok {
			continue
		}
		scope := []string{as}
		if k == "limit" {
			scope = nil
		}
		ex, err := c.scoped(scope, func() (aggExpr, error) { return c.expr(v) })
		if err != nil {
			return nil, "", nil, err
		}
		bodies[k] = ex
	}
	return input, as, bodies, nil
}

func aggCompileMap(c *aggCompiler, name string, arg any) (aggExpr, error) {
	input, as, bodies, err := aggIterator(c, name, arg, []string{"input", "as", "in"}, []string{"input", "in"}, "in")
	if err != nil {
		return nil, err
	}
	in := bodies["in"]
	return aggFn(func(e *aggEnv) (any, error) {
		v, err := input.eval(e)
		if err != nil {
			return nil, err
		}
		if aggNullish(v) {
			return nil, nil
		}
		arr, ok := v.([]any)
		if !ok {
			return nil, errorf("input to $map must be an array not %s", aggTypeName(v))
		}
		if err := e.run.charge(len(arr)); err != nil {
			return nil, err
		}
		out := make([]any, len(arr))
		for i, x := range arr {
			r, err := in.eval(e.with(as, x))
			if err != nil {
				return nil, err
			}
			out[i] = aggNoMissing(r)
		}
		return out, nil
	}), nil
}

func aggCompileFilter(c *aggCompiler, name string, arg any) (aggExpr, error) {
	input, as, bodies, err := aggIterator(c, name, arg, []string{"input", "as", "cond", "limit"}, []string{"input", "cond"}, "cond")
	if err != nil {
		return nil, err
	}
	cond, limitE := bodies["cond"], bodies["limit"]
	return aggFn(func(e *aggEnv) (any, error) {
		v, err := input.eval(e)
		if err != nil {
			return nil, err
		}
		limit := -1
		if limitE != nil {
			lv, err := limitE.eval(e)
			if err != nil {
				return nil, err
			}
			if !aggNullish(lv) {
				n, ok := aggInt32(lv)
				if !ok {
					return nil, errorf("$filter: limit must be represented as a 32-bit integral value: %s", aggShow(lv))
				}
				if n < 1 {
					return nil, errorf("$filter: limit must be greater than 0: %d", n)
				}
				limit = n
			}
		}
		if aggNullish(v) {
			return nil, nil
		}
		arr, ok := v.([]any)
		if !ok {
			return nil, errorf("input to $filter must be an array not %s", aggTypeName(v))
		}
		if err := e.run.charge(len(arr)); err != nil {
			return nil, err
		}
		out := []any{}
		for _, x := range arr {
			if limit >= 0 && len(out) >= limit {
				break
			}
			r, err := cond.eval(e.with(as, x))
			if err != nil {
				return nil, err
			}
			if aggTruthy(r) {
				out = append(out, x)
			}
		}
		return out, nil
	}), nil
}

func aggCompileReduce(c *aggCompiler, name string, arg any) (aggExpr, error) {
	m, err := aggNamedArgs(name, arg, []string{"input", "initialValue", "in"}, []string{"input", "initialValue", "in"})
	if err != nil {
		return nil, err
	}
	input, err := c.expr(m["input"])
	if err != nil {
		return nil, err
	}
	initial, err := c.expr(m["initialValue"])
	if err != nil {
		return nil, err
	}
	in, err := c.scoped([]string{"this", "value"}, func() (aggExpr, error) { return c.expr(m["in"]) })
	if err != nil {
		return nil, err
	}
	return aggFn(func(e *aggEnv) (any, error) {
		v, err := input.eval(e)
		if err != nil {
			return nil, err
		}
		if aggNullish(v) {
			return nil, nil
		}
		arr, ok := v.([]any)
		if !ok {
			return nil, errorf("$reduce requires input to be an array, not %s", aggTypeName(v))
		}
		acc, err := initial.eval(e)
		if err != nil {
			return nil, err
		}
		if err := e.run.charge(len(arr)); err != nil {
			return nil, err
		}
		for _, x := range arr {
			if acc, err = in.eval(e.with("value", acc).with("this", x)); err != nil {
				return nil, err
			}
			if err := e.run.chargeValue(acc); err != nil {
				return nil, err
			}
		}
		return acc, nil
	}), nil
}

func aggArrayToObject(_ *aggEnv, _ string, args []any) (any, error) {
	if aggNullish(args[0]) {
		return nil, nil
	}
	arr, ok := args[0].([]any)
	if !ok {
		return nil, errorf("$arrayToObject requires an array input, found: %s", aggTypeName(args[0]))
	}
	out := ejson.D{}
	pairs := -1 // 1: [k, v] arrays, 0: {k, v} documents
	set := func(k string, v any) error {
		if strings.IndexByte(k, 0) >= 0 {
			return errorf("Key field cannot contain an embedded null byte")
		}
		if i := out.Index(k); i >= 0 {
			out[i].Value = v
		} else {
			out = append(out, ejson.E{Key: k, Value: v})
		}
		return nil
	}
	for _, el := range arr {
		switch x := el.(type) {
		case []any:
			if pairs == 0 {
				return nil, errorf("$arrayToObject requires a consistent input format. Elements must all be arrays or all be objects. Object was detected, now found: array")
			}
			pairs = 1
			if len(x) != 2 {
				return nil, errorf("$arrayToObject requires an array of size 2 arrays,found array of size: %d", len(x))
			}
			k, ok := x[0].(string)
			if !ok {
				return nil, errorf("$arrayToObject requires an array of key-value pairs, where the key must be of type string. Found key type: %s", aggTypeName(x[0]))
			}
			if err := set(k, x[1]); err != nil {
				return nil, err
			}
		case ejson.D:
			if pairs == 1 {
				return nil, errorf("$arrayToObject requires a consistent input format. Elements must all be arrays or all be objects. Array was detected, now found: object")
			}
			pairs = 0
			if len(x) != 2 {
				return nil, errorf("$arrayToObject requires an object keys of 'k' and 'v'. Found incorrect number of keys:%d", len(x))
			}
			k, hasK := x.Get("k")
			v, hasV := x.Get("v")
			if !hasK || !hasV {
				return nil, errorf("$arrayToObject requires an object with keys 'k' and 'v'. Missing either or both keys from: %s", aggShow(x))
			}
			ks, ok := k.(string)
			if !ok {
				return nil, errorf("$arrayToObject requires an object with keys 'k' and 'v', where the value of 'k' must be of type string. Found type: %s", aggTypeName(k))
			}
			if err := set(ks, v); err != nil {
				return nil, err
			}
		default:
			return nil, errorf("$arrayToObject requires an array of size 2 arrays or an array of objects with keys 'k' and 'v', found: %s", aggTypeName(el))
		}
	}
	return out, nil
}

func aggObjectToArray(_ *aggEnv, _ string, args []any) (any, error) {
	if aggNullish(args[0]) {
		return nil, nil
	}
	d, ok := args[0].(ejson.D)
	if !ok {
		return nil, errorf("$objectToArray requires a document input, found: %s", aggTypeName(args[0]))
	}
	out := make([]any, len(d))
	for i, f := range d {
		out[i] = ejson.D{{Key: "k", Value: f.Key}, {Key: "v", Value: f.Value}}
	}
	return out, nil
}

// ---- sets ----

// aggSetOf returns the distinct values of an array, sorted.
func aggSetOf(arr []any) []any {
	out := append([]any(nil), arr...)
	sort.SliceStable(out, func(i, j int) bool { return ejson.Compare(out[i], out[j]) < 0 })
	w := 0
	for i, v := range out {
		if i > 0 && ejson.Compare(out[w-1], v) == 0 {
			continue
		}
		out[w] = v
		w++
	}
	return out[:w]
}

func aggKeySet(arr []any) map[string]bool {
	m := make(map[string]bool, len(arr))
	for _, v := range arr {
		m[string(ejson.Key(v))] = true
	}
	return m
}

func aggSetArgs(e *aggEnv, name string, args []any, nullOK bool) ([][]any, bool, error) {
	out := make([][]any, len(args))
	n := 0
	for i, a := range args {
		if aggNullish(a) && nullOK {
			return nil, true, nil
		}
		arr, ok := a.([]any)
		if !ok {
			return nil, false, errorf("All operands of %s must be arrays. One argument is of type: %s", name, aggTypeName(a))
		}
		out[i] = arr
		n += len(arr)
	}
	return out, false, e.run.charge(n)
}

func aggSetUnion(e *aggEnv, name string, args []any) (any, error) {
	sets, null, err := aggSetArgs(e, name, args, true)
	if err != nil || null {
		return nil, err
	}
	var all []any
	for _, s := range sets {
		all = append(all, s...)
	}
	return aggSetOf(all), nil
}

func aggSetIntersection(e *aggEnv, name string, args []any) (any, error) {
	sets, null, err := aggSetArgs(e, name, args, true)
	if err != nil || null {
		return nil, err
	}
	if len(sets) == 0 {
		return []any{}, nil
	}
	cur := aggSetOf(sets[0])
	for _, s := range sets[1:] {
		keys := aggKeySet(s)
		next := cur[:0:0]
		for _, v := range cur {
			if keys[string(ejson.Key(v))] {
				next = append(next, v)
			}
		}
		cur = next
	}
	return cur, nil
}

// aggTwoArrays checks the two array operands of $setDifference and $setIsSubset and
// charges their size to the run's budget.
func aggTwoArrays(e *aggEnv, op string, args []any) (a, b []any, err error) {
	a, ok := args[0].([]any)
	if !ok {
		return nil, nil, errorf("both operands of %s must be arrays. First argument is of type: %s", op, aggTypeName(args[0]))
	}
	b, ok = args[1].([]any)
	if !ok {
		return nil, nil, errorf("both operands of %s must be arrays. Second argument is of type: %s", op, aggTypeName(args[1]))
	}
	if err := e.run.charge(len(a) + len(b)); err != nil {
		return nil, nil, err
	}
	return a, b, nil
}

func aggSetDifference(e *aggEnv, name string, args []any) (any, error) {
	if aggNullish(args[0]) || aggNullish(args[1]) {
		return nil, nil
	}
	a, b, err := aggTwoArrays(e, "$setDifference", args)
	if err != nil {
		return nil, err
	}
	exclude := aggKeySet(b)
	out := []any{}
	for _, v := range a {
		k := string(ejson.Key(v))
		if !exclude[k] {
			exclude[k] = true
			out = append(out, v)
		}
	}
	return out, nil
}

func aggSetEquals(e *aggEnv, name string, args []any) (any, error) {
	sets, _, err := aggSetArgs(e, name, args, false)
	if err != nil {
		return nil, err
	}
	first := aggKeySet(sets[0])
	for _, s := range sets[1:] {
		other := aggKeySet(s)
		if len(other) != len(first) {
			return false, nil
		}
		for k := range other {
			if !first[k] {
				return false, nil
			}
		}
	}
	return true, nil
}

func aggSetIsSubset(e *aggEnv, _ string, args []any) (any, error) {
	a, b, err := aggTwoArrays(e, "$setIsSubset", args)
	if err != nil {
		return nil, err
	}
	super := aggKeySet(b)
	for _, v := range a {
		if !super[string(ejson.Key(v))] {
			return false, nil
		}
	}
	return true, nil
}

func aggElementsTrue(_ *aggEnv, name string, args []any) (any, error) {
	arr, ok := args[0].([]any)
	if !ok {
		return nil, errorf("%s's argument must be an array, but is %s", name, aggTypeName(args[0]))
	}
	wantAny := name == "$anyElementTrue"
	for _, v := range arr {
		if aggTruthy(v) == wantAny {
			return wantAny, nil
		}
	}
	return !wantAny, nil
}

// ---- objects ----

// aggMergeInto sets the fields of src into dst (a fresh document), keeping positions.
func aggMergeInto(dst, src ejson.D) ejson.D {
	for _, f := range src {
		if i := dst.Index(f.Key); i >= 0 {
			dst[i].Value = f.Value
		} else {
			dst = append(dst, f)
		}
	}
	return dst
}

func aggMergeObjects(_ *aggEnv, _ string, args []any) (any, error) {
	out := ejson.D{}
	for i, a := range args {
		if aggNullish(a) {
			continue
		}
		d, ok := a.(ejson.D)
		if !ok {
			return nil, errorf("$mergeObjects requires object inputs, but input %s (argument %d) is of type %s", aggShow(a), i, aggTypeName(a))
		}
		out = aggMergeInto(out, d)
	}
	return out, nil
}

func aggCompileGetField(c *aggCompiler, name string, arg any) (aggExpr, error) {
	var fieldV, inputV any = arg, "$$CURRENT"
	if d, ok := arg.(ejson.D); ok && (len(d) == 0 || !strings.HasPrefix(d[0].Key, "$")) {
		m, err := aggNamedArgs(name, d, []string{"field", "input"}, []string{"field"})
		if err != nil {
			return nil, err
		}
		fieldV = m["field"]
		if in, ok := m["input"]; ok {
			inputV = in
		}
	}
	if d, ok := fieldV.(ejson.D); ok && len(d) == 1 && d[0].Key == "$literal" {
		// the documented way to name a field starting with '$': {$literal: "$name"}
		fieldV = d[0].Value
	}
	field, ok := fieldV.(string)
	if !ok {
		return nil, errorf("$getField requires 'field' to evaluate to a constant string, found %s", aggTypeName(fieldV))
	}
	input, err := c.expr(inputV)
	if err != nil {
		return nil, err
	}
	return aggFn(func(e *aggEnv) (any, error) {
		v, err := input.eval(e)
		if err != nil {
			return nil, err
		}
		if aggNullish(v) {
			return nil, nil
		}
		d, ok := v.(ejson.D)
		if !ok {
			return nil, errorf("$getField requires 'input' to evaluate to type Object, but got %s", aggTypeName(v))
		}
		if fv, ok := d.Get(field); ok {
			return fv, nil
		}
		return aggMissing, nil
	}), nil
}

// ---- type conversion ----

var aggTypeCodes = map[int64]string{1: "double", 2: "string", 7: "objectId", 8: "bool", 9: "date", 16: "int", 18: "long", 19: "decimal"}

func aggToType(_ *aggEnv, name string, args []any) (any, error) {
	if aggNullish(args[0]) {
		return nil, nil
	}
	target := strings.TrimPrefix(name, "$to")
	target = strings.ToLower(target[:1]) + target[1:]
	return aggConvert(args[0], target)
}

func aggCompileConvert(c *aggCompiler, name string, arg any) (aggExpr, error) {
	m, err := aggNamedArgs(name, arg, []string{"input", "to", "onError", "onNull"}, nil)
	if err != nil {
		return nil, err
	}
	if _, ok := m["input"]; !ok {
		return nil, errorf("Missing 'input' parameter to $convert")
	}
	if _, ok := m["to"]; !ok {
		return nil, errorf("Missing 'to' parameter to $convert")
	}
	exprs := map[string]aggExpr{}
	for k, v := range m {
		if exprs[k], err = c.expr(v); err != nil {
			return nil, err
		}
	}
	return aggFn(func(e *aggEnv) (any, error) {
		in, err := exprs["input"].eval(e)
		if err != nil {
			return nil, err
		}
		to, err := exprs["to"].eval(e)
		if err != nil {
			return nil, err
		}
		if aggNullish(to) {
			return nil, nil
		}
		var target string
		switch t := to.(type) {
		case string:
			target = t
			known := false
			for _, n := range aggTypeCodes {
				known = known || n == t
			}
			if !known {
				return nil, errorf("Unknown type name: %s", t)
			}
		default:
			n, ok := aggInt(t)
			if !ok || aggTypeCodes[n] == "" {
				return nil, errorf("In $convert, numeric 'to' argument is not an integer or not a supported type: %s", aggShow(to))
			}
			target = aggTypeCodes[n]
		}
		if aggNullish(in) {
			if on, ok := exprs["onNull"]; ok {
				return on.eval(e)
			}
			return nil, nil
		}
		out, err := aggConvert(in, target)
		if err != nil {
			if on, ok := exprs["onError"]; ok {
				return on.eval(e)
			}
			return nil, err
		}
		return out, nil
	}), nil
}

func aggConvertError(v any, target string) error {
	return errorf("Unsupported conversion from %s to %s in $convert with no onError value", aggTypeName(v), target)
}

// aggConvert converts a non-null value to a target type, as $convert.
func aggConvert(v any, target string) (any, error) {
	v = aggNum(v)
	switch target {
	case "bool":
		return aggTruthy(v), nil
	case "double":
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		case ejson.Decimal:
			f := x.Float()
			if math.IsInf(f, 0) && !strings.Contains(strings.ToLower(string(x)), "inf") {
				return nil, errorf("Conversion would overflow target type in $convert with no onError value")
			}
			return f, nil
		case bool:
			if x {
				return 1.0, nil
			}
			return 0.0, nil
		case string:
			f, ok := aggParseFloat(x)
			if !ok {
				return nil, errorf("Failed to parse number '%s' in $convert with no onError value", x)
			}
			return f, nil
		case ejson.Date:
			return float64(x), nil
		}
	case "int", "long":
		lo, hi := float64(math.MinInt64), float64(math.MaxInt64)
		if target == "int" {
			lo, hi = math.MinInt32, math.MaxInt32
		}
		check := func(f float64) (any, error) {
			switch {
			case math.IsNaN(f):
				return nil, errorf("Attempt to convert NaN value to integer type in $convert with no onError value")
			case math.IsInf(f, 0):
				return nil, errorf("Attempt to convert infinity value to integer type in $convert with no onError value")
			}
			t := math.Trunc(f)
			if t < lo || t > hi || (target == "long" && t >= hi) {
				return nil, errorf("Conversion would overflow target type in $convert with no onError value")
			}
			return int64(t), nil
		}
		switch x := v.(type) {
		case int64:
			if target == "int" && (x < math.MinInt32 || x > math.MaxInt32) {
				return nil, errorf("Conversion would overflow target type in $convert with no onError value")
			}
			return x, nil
		case float64:
			return check(x)
		case ejson.Decimal:
			return check(x.Float())
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		case string:
			bits := 64
			if target == "int" {
				bits = 32
			}
			n, err := strconv.ParseInt(x, 10, bits)
			if err != nil || strings.HasPrefix(x, "+") {
				if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
					return nil, errorf("Failed to parse number '%s' in $convert with no onError value: Overflow", x)
				}
				return nil, errorf("Failed to parse number '%s' in $convert with no onError value: Did not consume whole string.", x)
			}
			return n, nil
		case ejson.Date:
			if target == "long" {
				return int64(x), nil
			}
		}
	case "decimal":
		switch x := v.(type) {
		case ejson.Decimal:
			return x, nil
		case int64:
			return ejson.Decimal(strconv.FormatInt(x, 10)), nil
		case float64:
			return aggDecimalFromFloat(x), nil
		case bool:
			if x {
				return ejson.Decimal("1"), nil
			}
			return ejson.Decimal("0"), nil
		case string:
			d, ok := aggParseDecimal(x)
			if !ok {
				return nil, errorf("Failed to parse number '%s' in $convert with no onError value", x)
			}
			return d, nil
		case ejson.Date:
			return ejson.Decimal(strconv.FormatInt(int64(x), 10)), nil
		}
	case "string":
		switch x := v.(type) {
		case string:
			return x, nil
		case bool:
			return strconv.FormatBool(x), nil
		case ejson.ObjectID:
			return string(x), nil
		case int64, float64, ejson.Decimal, ejson.Date:
			return aggCoerceString("$convert", x)
		}
	case "date":
		switch x := v.(type) {
		case ejson.Date:
			return x, nil
		case int64:
			return ejson.Date(x), nil
		case float64, ejson.Decimal:
			f := ejson.ToFloat(x)
			if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) >= 1<<63 {
				return nil, errorf("Conversion would overflow target type in $convert with no onError value")
			}
			return ejson.Date(int64(f)), nil
		case string:
			d, ok := aggParseDate(x)
			if !ok {
				return nil, errorf("Error parsing date string '%s' in $convert with no onError value", x)
			}
			return d, nil
		case ejson.ObjectID:
			if t, ok := aggObjectIDTime(x); ok {
				return t, nil
			}
		case ejson.Timestamp:
			return ejson.Date(int64(x.T) * 1000), nil
		}
	case "objectId":
		switch x := v.(type) {
		case ejson.ObjectID:
			return x, nil
		case string:
			if len(x) != 24 {
				return nil, errorf("Failed to parse objectId '%s' in $convert with no onError value: Invalid string length for parsing to OID, expected 24 but found %d", x, len(x))
			}
			for _, c := range x {
				if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
					return nil, errorf("Failed to parse objectId '%s' in $convert with no onError value: Invalid character found in hex string", x)
				}
			}
			return ejson.ObjectID(strings.ToLower(x)), nil
		}
	default:
		return nil, errorf("Unknown type name: %s", target)
	}
	return nil, aggConvertError(v, target)
}

// aggParseDecimal parses a string as a decimal128 the way MongoDB's Decimal128 string
// constructor accepts it (validateInputString), case-insensitively: an optional sign,
// then digits with at most one '.' and at least one digit, then an optional exponent
// 'e' with an optional sign and digits; or an optional sign and "inf", "infinity" or
// "nan". Go's number syntax (0x/0b/0o prefixes, '_' separators) is refused. A finite
// value is kept as written; infinities and NaN take their canonical spellings.
func aggParseDecimal(s string) (ejson.Decimal, bool) {
	lower := strings.ToLower(s)
	unsigned := strings.TrimLeft(lower, "+-")
	if len(lower)-len(unsigned) > 1 {
		return "", false
	}
	switch unsigned {
	case "inf", "infinity":
		if lower[0] == '-' {
			return "-Infinity", true
		}
		return "Infinity", true
	case "nan":
		return "NaN", true
	}
	digits, dots, i := 0, 0, 0
	for ; i < len(unsigned); i++ {
		c := unsigned[i]
		if c == '.' {
			dots++
		} else if c >= '0' && c <= '9' {
			digits++
		} else {
			break
		}
	}
	if digits == 0 || dots > 1 {
		return "", false
	}
	if exp := unsigned[i:]; exp != "" {
		exp = strings.TrimPrefix(exp, "e")
		if len(exp) == len(unsigned)-i {
			return "", false // not an exponent
		}
		if exp != "" && (exp[0] == '+' || exp[0] == '-') {
			exp = exp[1:]
		}
		if exp == "" || strings.Trim(exp, "0123456789") != "" {
			return "", false
		}
	}
	return ejson.Decimal(s), true
}

// aggParseFloat parses a decimal number string as $convert accepts it.
func aggParseFloat(s string) (float64, bool) {
	switch s {
	case "Infinity", "inf", "+Infinity":
		return math.Inf(1), true
	case "-Infinity", "-inf":
		return math.Inf(-1), true
	case "NaN", "nan":
		return math.NaN(), true
	}
	if s == "" || strings.ContainsAny(s, "xX_pP \t\n") {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false // "inf" spellings other than the ones above
	}
	return f, true
}
