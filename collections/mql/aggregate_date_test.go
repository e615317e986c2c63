package mql

import (
	"testing"
	"time"
)

// Tests of aggregate_date.go: date part operators, time zones and $dateToString.

func TestAggDatePartsCalendarEdges(t *testing.T) {
	doc := `{"moon":{"$date":-14182940000},"neg":{"$date":-1},"leap":{"$date":"2024-02-29T12:00:00Z"},` +
		`"eoy":{"$date":"2024-12-31T23:59:59.999Z"},"n":null}`
	runAggExprCases(t, doc, []aggExprCase{
		// before the epoch: 1969-07-20T20:17:40Z, a Sunday
		{`{"$year":"$moon"}`, `1969`},
		{`{"$month":"$moon"}`, `7`},
		{`{"$dayOfMonth":"$moon"}`, `20`},
		{`{"$hour":"$moon"}`, `20`},
		{`{"$minute":"$moon"}`, `17`},
		{`{"$second":"$moon"}`, `40`},
		{`{"$dayOfWeek":"$moon"}`, `1`},
		{`{"$isoDayOfWeek":"$moon"}`, `7`},
		// one millisecond before the epoch
		{`{"$year":"$neg"}`, `1969`},
		{`{"$millisecond":"$neg"}`, `999`},
		{`{"$second":"$neg"}`, `59`},
		{`{"$dayOfYear":"$neg"}`, `365`},
		// leap years
		{`{"$dayOfYear":"$leap"}`, `60`},
		{`{"$dayOfYear":"$eoy"}`, `366`},
		{`{"$millisecond":"$eoy"}`, `999`},
		{`{"$dayOfWeek":"$leap"}`, `5`},
		{`{"$isoDayOfWeek":"$leap"}`, `4`},
		// week numbers at year boundaries: $week counts Sundays (%U, week 0 before the
		// first Sunday), $isoWeek follows ISO 8601 (the week with the year's Thursday)
		{`{"$week":{"$date":"2027-01-01T00:00:00Z"}}`, `0`},
		{`{"$week":{"$date":"2027-01-03T00:00:00Z"}}`, `1`},
		{`{"$week":{"$date":"2024-12-30T00:00:00Z"}}`, `52`},
		{`{"$week":{"$date":"2023-01-01T00:00:00Z"}}`, `1`},
		{`{"$isoWeek":{"$date":"2026-01-01T00:00:00Z"}}`, `1`},
		{`{"$isoWeekYear":{"$date":"2026-01-01T00:00:00Z"}}`, `2026`},
		{`{"$isoWeek":{"$date":"2027-01-01T00:00:00Z"}}`, `53`},
		{`{"$isoWeekYear":{"$date":"2027-01-03T00:00:00Z"}}`, `2026`},
		{`{"$isoWeek":{"$date":"2024-12-30T00:00:00Z"}}`, `1`},
		{`{"$isoWeekYear":{"$date":"2024-12-30T00:00:00Z"}}`, `2025`},
		{`{"$isoWeek":{"$date":"2021-01-01T00:00:00Z"}}`, `53`},
		{`{"$isoWeekYear":{"$date":"2021-01-01T00:00:00Z"}}`, `2020`},
		// null and missing dates give null, other types fail
		{`{"$month":"$n"}`, `null`},
		{`{"$isoWeek":"$missing"}`, `null`},
		{`{"$month":{"date":"$missing","timezone":"UTC"}}`, `null`},
		{`{"$month":1000}`, `!$month: can't convert from BSON type int to Date`},
		{`{"$month":"2024-01-01"}`, `!$month: can't convert from BSON type string to Date`},
		{`{"$month":[]}`, `!Expression $month takes exactly 1 arguments. 0 were passed in.`},
		{`{"$month":{"timezone":"UTC"}}`, `!Missing 'date' parameter to $month`},
	})
}

func TestAggDatePartsOtherInputs(t *testing.T) {
	// a Timestamp's seconds and an ObjectId's creation time are dates too
	runAggExprCases(t, `{"ts":{"$timestamp":{"t":1700000000,"i":5}},"oid":{"$oid":"5ab9cbfa31c2ab715d42129e"}}`, []aggExprCase{
		{`{"$year":"$ts"}`, `2023`},
		{`{"$hour":"$ts"}`, `22`},
		{`{"$millisecond":"$ts"}`, `0`},
		{`{"$dateToString":{"date":"$ts"}}`, `"2023-11-14T22:13:20.000Z"`},
		{`{"$year":"$oid"}`, `2018`},
		{`{"$dateToString":{"date":"$oid","format":"%Y-%m-%d %H:%M:%S"}}`, `"2018-03-27 04:43:38"`},
	})
}

func TestAggDateTimeZones(t *testing.T) {
	// 2024-01-01T00:00:00Z
	doc := `{"d":{"$date":1704067200000},"dstBefore":{"$date":1710052200000},"dstAfter":{"$date":1710055800000}}`
	runAggExprCases(t, doc, []aggExprCase{
		// fixed offsets: ±HH, ±HHMM, ±HH:MM
		{`{"$hour":{"date":"$d","timezone":"+08"}}`, `8`},
		{`{"$hour":{"date":"$d","timezone":"-0130"}}`, `22`},
		{`{"$minute":{"date":"$d","timezone":"-01:30"}}`, `30`},
		{`{"$dayOfMonth":{"date":"$d","timezone":"-01:30"}}`, `31`},
		{`{"$year":{"date":"$d","timezone":"-00:01"}}`, `2023`},
		{`{"$hour":{"date":"$d","timezone":"+00"}}`, `0`},
		// names, including half- and quarter-hour zones
		{`{"$hour":{"date":"$d","timezone":"Asia/Shanghai"}}`, `8`},
		{`{"$minute":{"date":"$d","timezone":"Asia/Kolkata"}}`, `30`},
		{`{"$minute":{"date":"$d","timezone":"Asia/Kathmandu"}}`, `45`},
		{`{"$hour":{"date":"$d","timezone":"UTC"}}`, `0`},
		{`{"$hour":{"date":"$d","timezone":"GMT"}}`, `0`},
		{`{"$dayOfWeek":{"date":"$d","timezone":"Pacific/Honolulu"}}`, `1`},
		// daylight saving time: New York switches at 2024-03-10T07:00Z
		{`{"$hour":{"date":"$dstBefore","timezone":"America/New_York"}}`, `1`},
		{`{"$hour":{"date":"$dstAfter","timezone":"America/New_York"}}`, `3`},
		// an expression may compute the zone; null gives null
		{`{"$hour":{"date":"$d","timezone":{"$concat":["+","09"]}}}`, `9`},
		{`{"$hour":{"date":"$d","timezone":null}}`, `null`},
		{`{"$hour":{"date":"$d","timezone":"$missing"}}`, `null`},
		// invalid zones
		{`{"$hour":{"date":"$d","timezone":"+8"}}`, `!unrecognized time zone identifier: "+8"`},
		{`{"$hour":{"date":"$d","timezone":"08:00"}}`, `!unrecognized time zone identifier`},
		{`{"$hour":{"date":"$d","timezone":"+08:00:00"}}`, `!unrecognized time zone identifier`},
		{`{"$hour":{"date":"$d","timezone":"+ab"}}`, `!unrecognized time zone identifier`},
		{`{"$hour":{"date":"$d","timezone":""}}`, `!unrecognized time zone identifier`},
		{`{"$hour":{"date":"$d","timezone":"Local"}}`, `!unrecognized time zone identifier`},
		{`{"$hour":{"date":"$d","timezone":"/etc/localtime"}}`, `!unrecognized time zone identifier`},
		{`{"$hour":{"date":"$d","timezone":"../../etc/passwd"}}`, `!unrecognized time zone identifier`},
		{`{"$hour":{"date":"$d","timezone":"Asia/Nowhere"}}`, `!unrecognized time zone identifier: "Asia/Nowhere"`},
		{`{"$hour":{"date":"$d","timezone":8}}`, `!$hour: timezone must evaluate to a string, found int`},
	})
}

func TestAggDateLocationCache(t *testing.T) {
	a, err := aggLocation("+05:30")
	if err != nil {
		t.Fatal(err)
	}
	b, err := aggLocation("+05:30")
	if err != nil || a != b {
		t.Fatalf("a zone is parsed once and cached: %p %p %v", a, b, err)
	}
	if _, off := time.Date(2024, 1, 1, 0, 0, 0, 0, a).Zone(); off != 5*3600+30*60 {
		t.Fatalf("+05:30 offset = %d", off)
	}
	if _, err := aggLocation("+99"); err != nil {
		t.Fatalf("+99 is a valid two-digit offset: %v", err)
	}
	if _, err := aggLocation(string(make([]byte, 65))); err == nil {
		t.Fatal("an overlong zone name must fail")
	}
}

func TestAggDateToString(t *testing.T) {
	// 2024-03-05T01:02:03.004Z, a Tuesday
	doc := `{"d":{"$date":"2024-03-05T01:02:03.004Z"},"far":{"$date":253402300800000},"n":null,"f":"%H:%M"}`
	runAggExprCases(t, doc, []aggExprCase{
		{`{"$dateToString":{"date":"$d"}}`, `"2024-03-05T01:02:03.004Z"`},
		// with a time zone the default format drops the Z
		{`{"$dateToString":{"date":"$d","timezone":"UTC"}}`, `"2024-03-05T01:02:03.004"`},
		{`{"$dateToString":{"date":"$d","timezone":"-05:00"}}`, `"2024-03-04T20:02:03.004"`},
		{`{"$dateToString":{"date":"$d","format":"%Y%m%d"}}`, `"20240305"`},
		{`{"$dateToString":{"date":"$d","format":"%d/%m/%Y %% %j"}}`, `"05/03/2024 % 065"`},
		{`{"$dateToString":{"date":"$d","format":"%G-W%V-%u %U %w"}}`, `"2024-W10-2 09 3"`},
		{`{"$dateToString":{"date":"$d","format":"%b %B"}}`, `"Mar March"`},
		{`{"$dateToString":{"date":"$d","format":"%L"}}`, `"004"`},
		{`{"$dateToString":{"date":"$d","format":"no specifiers"}}`, `"no specifiers"`},
		{`{"$dateToString":{"date":"$d","format":""}}`, `""`},
		{`{"$dateToString":{"date":"$d","format":"$f"}}`, `"01:02"`},
		// %z is ±hhmm, %Z the offset in minutes
		{`{"$dateToString":{"date":"$d","format":"%z %Z"}}`, `"+0000 +0"`},
		{`{"$dateToString":{"date":"$d","format":"%z %Z","timezone":"-03:30"}}`, `"-0330 -210"`},
		{`{"$dateToString":{"date":"$d","format":"%z %Z","timezone":"Asia/Kathmandu"}}`, `"+0545 +345"`},
		{`{"$dateToString":{"date":{"$date":"2024-07-01T00:00:00Z"},"format":"%H %z","timezone":"Europe/London"}}`, `"01 +0100"`},
		{`{"$dateToString":{"date":{"$date":"2024-01-01T00:00:00Z"},"format":"%H %z","timezone":"Europe/London"}}`, `"00 +0000"`},
		// null and missing dates: onNull when given (even if it is missing), else null
		{`{"$dateToString":{"date":"$n"}}`, `null`},
		{`{"$dateToString":{"date":"$missing","onNull":"no date"}}`, `"no date"`},
		{`{"$dateToString":{"date":"$n","onNull":"$missing"}}`, `missing`},
		{`{"$dateToString":{"date":"$n","onNull":{"$divide":[1,0]}}}`, `!can't $divide by zero`},
		{`{"$dateToString":{"date":"$d","onNull":"x"}}`, `"2024-03-05T01:02:03.004Z"`},
		{`{"$dateToString":{"date":"$d","format":"$missing"}}`, `null`},
		// years beyond 9999 cannot be formatted but their parts can be read
		{`{"$dateToString":{"date":"$far"}}`, `!$dateToString is only defined on year 0 to 9999`},
		{`{"$dateToString":{"date":"$far","format":"%G"}}`, `"9999"`}, // 10000-01-01 is a Saturday of ISO year 9999
		{`{"$dateToString":{"date":"$far","format":"%m"}}`, `"01"`},
		{`{"$year":"$far"}`, `10000`},
		// format errors are found when compiling a constant format…
		{`{"$dateToString":{"date":"$missing","format":"%Q"}}`, `!Invalid format character '%Q' in format string`},
		{`{"$dateToString":{"date":"$missing","format":"%"}}`, `!Unmatched '%' at end of format string`},
		{`{"$dateToString":{"date":"$missing","format":true}}`, `!$dateToString requires that 'format' be a string, found: bool`},
		// …and when running a computed one
		{`{"$dateToString":{"date":"$d","format":{"$concat":["%","q"]}}}`, `!Invalid format character '%q' in format string`},
		{`{"$dateToString":{"date":"$d","format":{"$literal":1}}}`, `!$dateToString requires that 'format' be a string`},
		{`{"$dateToString":{"date":"$d","timezone":"Nowhere"}}`, `!unrecognized time zone identifier`},
		{`{"$dateToString":{"date":"$d","tz":"UTC"}}`, `!Unrecognized parameter to $dateToString: tz`},
		{`{"$dateToString":["$d"]}`, `!$dateToString only supports an object as its argument`},
		{`{"$dateToString":{"date":5}}`, `!$dateToString: can't convert from BSON type int to Date`},
	})
}

func TestAggDateFormatSpecDirect(t *testing.T) {
	// year 0 and single-digit years are zero-padded to four digits
	y5 := time.Date(5, 6, 7, 8, 9, 10, 11e6, time.UTC)
	got, err := aggFormatDateSpec(y5, aggISOFormatZ)
	if err != nil || got != "0005-06-07T08:09:10.011Z" {
		t.Fatalf("year 5: %q %v", got, err)
	}
	got, err = aggFormatDateSpec(y5, aggISOFormatNonZ)
	if err != nil || got != "0005-06-07T08:09:10.011" {
		t.Fatalf("year 5 without Z: %q %v", got, err)
	}
	if _, err := aggFormatDateSpec(time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), "%Y"); err == nil {
		t.Fatal("a negative year must not format")
	}
	// a zone with an offset in seconds (local mean time) shows whole minutes
	lmt := time.FixedZone("LMT", 8*3600+5*60+43)
	got, err = aggFormatDateSpec(time.Date(1900, 1, 1, 0, 0, 0, 0, lmt), "%z %Z")
	if err != nil || got != "+0805 +485" {
		t.Fatalf("LMT offset: %q %v", got, err)
	}
}

func TestAggParseDateLayouts(t *testing.T) {
	cases := []struct {
		s    string
		want int64
		ok   bool
	}{
		{"2018-03-20", 1521504000000, true},
		{"2018-03-20T12:00:00Z", 1521547200000, true},
		{"2018-03-20T12:00:00.123Z", 1521547200123, true},
		{"2018-03-20T12:00:00+05:00", 1521529200000, true},
		{"2018-03-20T12:00:00-0130", 1521552600000, true},
		{"2018-03-20T12:00:00", 1521547200000, true},
		{"2018-03-20 12:00:00", 1521547200000, true},
		{"2018-03-20 12:00:00Z", 1521547200000, true},
		{"2018-03-20T12:00", 1521547200000, true},
		{"2018-03-20T12:00+01:00", 1521543600000, true},
		{"2018-3-20", 0, false},
		{"2018-03-32", 0, false},
		{"20180320", 0, false},
		{"", 0, false},
		{"yesterday", 0, false},
	}
	for _, c := range cases {
		d, ok := aggParseDate(c.s)
		if ok != c.ok || (ok && int64(d) != c.want) {
			t.Errorf("aggParseDate(%q) = %d, %v; want %d, %v", c.s, d, ok, c.want, c.ok)
		}
	}
}

// ---- former known differences from MongoDB, now fixed (regression tests) ----

func TestAggDateToDateSpaceBeforeOffset(t *testing.T) {
	// MongoDB's $toDate page lists {$toDate: "2018-03-20 11:00:06 +0500"} →
	// ISODate("2018-03-20T06:00:06Z"). aggParseDate had no layout with a space before
	// the offset.
	runAggExprCases(t, `{}`, []aggExprCase{
		{`{"$toDate":"2018-03-20 11:00:06 +0500"}`, `{"$date":1521525606000}`},
	})
}

func TestAggDateDateToStringOnNullPrecedence(t *testing.T) {
	// MongoDB's ExpressionDateToString::evaluate: "Eagerly validate the format parameter,
	// ignoring if nullish since the input date nullish behavior takes precedence", and a
	// null timezone only yields null after the date's null check. So a null/missing date
	// with onNull returns onNull even when format or timezone is null. The implementation
	// returned null as soon as format or timezone was null.
	runAggExprCases(t, `{"n":null}`, []aggExprCase{
		{`{"$dateToString":{"date":"$missing","format":null,"onNull":"none"}}`, `"none"`},
		{`{"$dateToString":{"date":"$n","timezone":"$missing","onNull":"none"}}`, `"none"`},
		// a null format or timezone still makes a date's string null…
		{`{"$dateToString":{"date":{"$date":0},"format":null,"onNull":"none"}}`, `null`},
		{`{"$dateToString":{"date":{"$date":0},"timezone":null,"onNull":"none"}}`, `null`},
		// …and a bad computed format fails before a null date's onNull
		{`{"$dateToString":{"date":"$n","format":{"$concat":["%","q"]},"onNull":"none"}}`, `!Invalid format character '%q' in format string`},
	})
}
