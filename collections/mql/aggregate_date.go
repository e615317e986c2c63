package mql

// Date expression operators: date parts and $dateToString, with time zones given as
// fixed offsets ("+08:00", "+0800", "+08") or IANA names ("Asia/Shanghai"). The Go
// time zone database is embedded so names resolve on hosts without /usr/share/zoneinfo.

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata"

	"github.com/minicloud/minicloud/collections/ejson"
)

func init() {
	for _, n := range []string{"$year", "$month", "$dayOfMonth", "$dayOfWeek", "$dayOfYear", "$hour",
		"$minute", "$second", "$millisecond", "$week", "$isoWeek", "$isoWeekYear", "$isoDayOfWeek"} {
		aggOps[n] = aggCompileDatePart
	}
	aggOps["$dateToString"] = aggCompileDateToString
}

var aggZones sync.Map // string → *time.Location

// aggLocation resolves a MongoDB timezone argument.
func aggLocation(tz string) (*time.Location, error) {
	if l, ok := aggZones.Load(tz); ok {
		return l.(*time.Location), nil
	}
	loc, err := aggParseZone(tz)
	if err != nil {
		return nil, err
	}
	aggZones.Store(tz, loc)
	return loc, nil
}

func aggParseZone(tz string) (*time.Location, error) {
	bad := errorf("unrecognized time zone identifier: \"%s\"", tz)
	if tz == "" || len(tz) > 64 {
		return nil, bad
	}
	if tz[0] == '+' || tz[0] == '-' {
		digits := strings.Replace(tz[1:], ":", "", 1)
		if (len(digits) != 2 && len(digits) != 4) || (strings.Contains(tz, ":") && len(tz) != 6) {
			return nil, bad
		}
		for _, c := range digits {
			if c < '0' || c > '9' {
				return nil, bad
			}
		}
		h, _ := strconv.Atoi(digits[:2])
		m := 0
		if len(digits) == 4 {
			m, _ = strconv.Atoi(digits[2:])
		}
		if h > 99 || m > 59 {
			return nil, bad
		}
		secs := (h*60 + m) * 60
		if tz[0] == '-' {
			secs = -secs
		}
		return time.FixedZone(tz, secs), nil
	}
	if tz == "Local" || strings.HasPrefix(tz, "/") || strings.Contains(tz, "..") {
		return nil, bad
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, bad
	}
	return loc, nil
}

// aggDateValue converts a date, ObjectId or timestamp to a time in UTC.
func aggDateValue(name string, v any) (time.Time, error) {
	switch x := v.(type) {
	case ejson.Date:
		return x.Time(), nil
	case ejson.ObjectID:
		if d, ok := aggObjectIDTime(x); ok {
			return d.Time(), nil
		}
	case ejson.Timestamp:
		return time.Unix(int64(x.T), 0).UTC(), nil
	}
	return time.Time{}, errorf("%s: can't convert from BSON type %s to Date", name, aggTypeName(v))
}

// aggObjectIDTime returns the creation time an ObjectId embeds.
func aggObjectIDTime(id ejson.ObjectID) (ejson.Date, bool) {
	if len(id) != 24 {
		return 0, false
	}
	secs, err := strconv.ParseUint(string(id[:8]), 16, 32)
	if err != nil {
		return 0, false
	}
	return ejson.Date(int64(secs) * 1000), true
}

// aggDateArgs parses the argument of a date operator: an expression, a one-element
// array, or {date, timezone} (plus extra named arguments).
func aggDateArgs(c *aggCompiler, name string, arg any, extra ...string) (map[string]aggExpr, error) {
	raw := map[string]any{}
	if d, ok := arg.(ejson.D); ok && len(d) > 0 && !strings.HasPrefix(d[0].Key, "$") {
		allowed := append([]string{"date", "timezone"}, extra...)
		m, err := aggNamedArgs(name, d, allowed, []string{"date"})
		if err != nil {
			return nil, err
		}
		raw = m
	} else {
		if len(extra) > 0 {
			return nil, errorf("%s only supports an object as its argument", name)
		}
		list := aggArgList(arg)
		if err := aggCheckArgs(name, len(list), 1, 1); err != nil {
			return nil, err
		}
		raw["date"] = list[0]
	}
	out := make(map[string]aggExpr, len(raw))
	for k, v := range raw {
		e, err := c.expr(v)
		if err != nil {
			return nil, err
		}
		out[k] = e
	}
	return out, nil
}

// aggEvalZone evaluates an optional timezone argument; ok is false when it is null.
func aggEvalZone(e *aggEnv, name string, tz aggExpr) (*time.Location, bool, error) {
	if tz == nil {
		return time.UTC, true, nil
	}
	v, err := tz.eval(e)
	if err != nil {
		return nil, false, err
	}
	if aggNullish(v) {
		return nil, false, nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, false, errorf("%s: timezone must evaluate to a string, found %s", name, aggTypeName(v))
	}
	loc, err := aggLocation(s)
	return loc, err == nil, err
}

func aggCompileDatePart(c *aggCompiler, name string, arg any) (aggExpr, error) {
	args, err := aggDateArgs(c, name, arg)
	if err != nil {
		return nil, err
	}
	date, tz := args["date"], args["timezone"]
	return aggFn(func(e *aggEnv) (any, error) {
		v, err := date.eval(e)
		if err != nil {
			return nil, err
		}
		loc, ok, err := aggEvalZone(e, name, tz)
		if err != nil || !ok {
			return nil, err
		}
		if aggNullish(v) {
			return nil, nil
		}
		t, err := aggDateValue(name, v)
		if err != nil {
			return nil, err
		}
		return int64(aggDatePart(name, t.In(loc))), nil
	}), nil
}

func aggDatePart(name string, t time.Time) int {
	switch name {
	case "$year":
		return t.Year()
	case "$month":
		return int(t.Month())
	case "$dayOfMonth":
		return t.Day()
	case "$dayOfWeek":
		return int(t.Weekday()) + 1
	case "$dayOfYear":
		return t.YearDay()
	case "$hour":
		return t.Hour()
	case "$minute":
		return t.Minute()
	case "$second":
		return t.Second()
	case "$millisecond":
		return t.Nanosecond() / 1e6
	case "$week":
		return (t.YearDay() - 1 + 7 - int(t.Weekday())) / 7
	case "$isoWeek":
		_, w := t.ISOWeek()
		return w
	case "$isoWeekYear":
		y, _ := t.ISOWeek()
		return y
	case "$isoDayOfWeek":
		if t.Weekday() == time.Sunday {
			return 7
		}
		return int(t.Weekday())
	}
	return 0
}

const (
	aggISOFormatZ    = "%Y-%m-%dT%H:%M:%S.%LZ"
	aggISOFormatNonZ = "%Y-%m-%dT%H:%M:%S.%L"
)

func aggCompileDateToString(c *aggCompiler, name string, arg any) (aggExpr, error) {
	args, err := aggDateArgs(c, name, arg, "format", "onNull")
	if err != nil {
		return nil, err
	}
	date, format, tz, onNull := args["date"], args["format"], args["timezone"], args["onNull"]
	if fc, ok := format.(aggConst); ok {
		s, ok := fc.v.(string)
		if !ok && !aggNullish(fc.v) {
			return nil, errorf("$dateToString requires that 'format' be a string, found: %s with value %s", aggTypeName(fc.v), aggShow(fc.v))
		}
		if ok {
			if _, err := aggFormatDateSpec(time.Unix(0, 0).UTC(), s); err != nil {
				return nil, err
			}
		}
	}
	return aggFn(func(e *aggEnv) (any, error) {
		v, err := date.eval(e)
		if err != nil {
			return nil, err
		}
		spec := aggISOFormatZ
		if tz != nil {
			spec = aggISOFormatNonZ
		}
		// As MongoDB's ExpressionDateToString::evaluate: a format and a timezone are
		// validated first, then a null date yields onNull, and only then a null format
		// or timezone yields null.
		formatNull := false
		if format != nil {
			fv, err := format.eval(e)
			if err != nil {
				return nil, err
			}
			if aggNullish(fv) {
				formatNull = true
			} else {
				s, ok := fv.(string)
				if !ok {
					return nil, errorf("$dateToString requires that 'format' be a string, found: %s with value %s", aggTypeName(fv), aggShow(fv))
				}
				if _, isConst := format.(aggConst); !isConst {
					if _, err := aggFormatDateSpec(time.Unix(0, 0).UTC(), s); err != nil {
						return nil, err
					}
				}
				spec = s
			}
		}
		loc, tzOK, err := aggEvalZone(e, name, tz)
		if err != nil {
			return nil, err
		}
		if aggNullish(v) {
			if onNull != nil {
				return onNull.eval(e)
			}
			return nil, nil
		}
		if !tzOK || formatNull {
			return nil, nil
		}
		t, err := aggDateValue(name, v)
		if err != nil {
			return nil, err
		}
		return aggFormatDateSpec(t.In(loc), spec)
	}), nil
}

// aggFormatDateSpec formats a time with MongoDB's $dateToString specifiers.
func aggFormatDateSpec(t time.Time, format string) (string, error) {
	var b strings.Builder
	pad := func(n, width int) {
		s := strconv.Itoa(n)
		for i := len(s); i < width; i++ {
			b.WriteByte('0')
		}
		b.WriteString(s)
	}
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(format) {
			return "", errorf("Unmatched '%%' at end of format string")
		}
		i++
		switch format[i] {
		case 'Y':
			if t.Year() < 0 || t.Year() > 9999 {
				return "", errorf("$dateToString is only defined on year 0 to 9999")
			}
			pad(t.Year(), 4)
		case 'G':
			y, _ := t.ISOWeek()
			if y < 0 || y > 9999 {
				return "", errorf("$dateToString is only defined on year 0 to 9999")
			}
			pad(y, 4)
		case 'm':
			pad(int(t.Month()), 2)
		case 'd':
			pad(t.Day(), 2)
		case 'H':
			pad(t.Hour(), 2)
		case 'M':
			pad(t.Minute(), 2)
		case 'S':
			pad(t.Second(), 2)
		case 'L':
			pad(t.Nanosecond()/1e6, 3)
		case 'j':
			pad(t.YearDay(), 3)
		case 'w':
			pad(aggDatePart("$dayOfWeek", t), 1)
		case 'u':
			pad(aggDatePart("$isoDayOfWeek", t), 1)
		case 'U':
			pad(aggDatePart("$week", t), 2)
		case 'V':
			pad(aggDatePart("$isoWeek", t), 2)
		case 'z':
			_, off := t.Zone()
			sign := '+'
			if off < 0 {
				sign, off = '-', -off
			}
			b.WriteRune(sign)
			pad(off/3600, 2)
			pad(off%3600/60, 2)
		case 'Z':
			_, off := t.Zone()
			fmt.Fprintf(&b, "%+d", off/60)
		case 'b':
			b.WriteString(t.Month().String()[:3])
		case 'B':
			b.WriteString(t.Month().String())
		case '%':
			b.WriteByte('%')
		default:
			return "", errorf("Invalid format character '%%%c' in format string", format[i])
		}
	}
	return b.String(), nil
}

// aggParseDate parses the date strings $toDate and $convert accept: ISO 8601 dates
// with optional time, fractional seconds and offset (UTC when none is given), the
// offset possibly after a space ("2018-03-20 11:00:06 +0500", as in MongoDB's manual).
func aggParseDate(s string) (ejson.Date, bool) {
	layouts := []string{
		"2006-01-02T15:04:05Z07:00",
		"2006-01-02T15:04:05Z0700",
		"2006-01-02T15:04:05 Z07:00",
		"2006-01-02T15:04:05 Z0700",
		"2006-01-02T15:04:05",
		"2006-01-02 15:04:05Z07:00",
		"2006-01-02 15:04:05Z0700",
		"2006-01-02 15:04:05 Z07:00",
		"2006-01-02 15:04:05 Z0700",
		"2006-01-02 15:04:05",
		"2006-01-02T15:04Z07:00",
		"2006-01-02T15:04",
		"2006-01-02",
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return ejson.DateOf(t), true
		}
	}
	return 0, false
}
