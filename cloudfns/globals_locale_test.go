package cloudfns

import (
	"fmt"
	"testing"
)

func TestZoneOffsetMinutes(t *testing.T) {
	const jan, jul = 1704441600000, 1719792000000 // 2024-01-05, 2024-07-01 UTC
	cases := []struct {
		zone   string
		ms     float64
		offset int
		ok     bool
	}{
		{"Asia/Shanghai", jan, 480, true},
		{"UTC", jan, 0, true},
		{"America/New_York", jan, -300, true},
		{"America/New_York", jul, -240, true},
		{"Asia/Kolkata", jan, 330, true},
		{"Mars/Base", jan, 0, false},
		{"", jan, 0, false},
		{"Local", jan, 0, false},
	}
	for _, c := range cases {
		offset, ok := zoneOffsetMinutes(c.zone, c.ms)
		if offset != c.offset || ok != c.ok {
			t.Errorf("%q: %d %v, want %d %v", c.zone, offset, ok, c.offset, c.ok)
		}
	}
}

// TestDateToLocaleString compares with Node 20 (full ICU) for the same calls.
func TestDateToLocaleString(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	v := testVersion("dates", map[string]string{"index.js": "exports.main = async (event) => {\n" + localeDateCases + "\n}"})
	jsonEq(t, mustSucceed(t, call(r, v, `{}`)), `["1/5/2024, 8:09:07 AM","12/25/2024, 3:04:05 PM","7/1/2024, 12:30:00 AM",
		"2024/1/5 08:09:07","2024/1/5 16:09:07","2024/12/25 23:04:05","1/5/2024, 4:09:07 PM","1/5/2024","2024/1/5","2024/12/25",
		"8:09:07 AM","12:30:00 AM","08:09:07","16:09:07","下午3:04:05","15:04:05","24:30:00","2024/01/05","01/05/2024",
		"January 5, 2024","2024年1月5日","Friday, January 5, 2024","2024年1月5日星期五","Jan 5","16:09","08:09 AM",
		"2024/01/05 16:09:07","1/5/2024, 3:09:07 AM","周五","Fri","2024/1/5 08:09:07","Invalid Date","2024/1/5 8:09:07",
		"2024/1/5 下午4:09:07",["RangeError","Invalid time zone specified: Mars/Base"]]`)
}

const localeDateCases = `const d = new Date(Date.UTC(2024, 0, 5, 8, 9, 7)), pm = new Date(Date.UTC(2024, 11, 25, 15, 4, 5)), mid = new Date(Date.UTC(2024, 6, 1, 0, 30, 0));
const sh = { timeZone: 'Asia/Shanghai' };
const cases = [
  [d, 'toLocaleString'], [pm, 'toLocaleString'], [mid, 'toLocaleString'], [d, 'toLocaleString', 'zh-CN'], [d, 'toLocaleString', 'zh-CN', sh], [pm, 'toLocaleString', 'zh-CN', sh],
  [d, 'toLocaleString', 'en-US', sh], [d, 'toLocaleDateString'], [d, 'toLocaleDateString', 'zh-CN'], [pm, 'toLocaleDateString', 'zh-CN', sh],
  [d, 'toLocaleTimeString'], [mid, 'toLocaleTimeString'], [d, 'toLocaleTimeString', 'zh-CN'], [d, 'toLocaleTimeString', 'zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }],
  [pm, 'toLocaleTimeString', 'zh-CN', { hour12: true }], [pm, 'toLocaleTimeString', 'en-US', { hour12: false }], [mid, 'toLocaleTimeString', 'en-US', { hour12: false }],
  [d, 'toLocaleDateString', 'zh-CN', { year: 'numeric', month: '2-digit', day: '2-digit' }], [d, 'toLocaleDateString', 'en-US', { year: 'numeric', month: '2-digit', day: '2-digit' }],
  [d, 'toLocaleDateString', 'en-US', { year: 'numeric', month: 'long', day: 'numeric' }], [d, 'toLocaleDateString', 'zh-CN', { year: 'numeric', month: 'long', day: 'numeric' }],
  [d, 'toLocaleDateString', 'en-US', { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }], [d, 'toLocaleDateString', 'zh-CN', { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }],
  [d, 'toLocaleDateString', 'en-US', { month: 'short', day: 'numeric' }], [d, 'toLocaleString', 'zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit' }],
  [d, 'toLocaleString', 'en-US', { hour: '2-digit', minute: '2-digit' }], [d, 'toLocaleString', 'zh-CN', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZone: 'Asia/Shanghai' }],
  [d, 'toLocaleString', 'en-US', { timeZone: 'America/New_York' }], [d, 'toLocaleDateString', 'zh-CN', { weekday: 'short' }], [d, 'toLocaleDateString', 'en-US', { weekday: 'short' }],
  [d, 'toLocaleString', 'zh-CN', { timeZone: 'UTC' }], [new Date(NaN), 'toLocaleString'], [d, 'toLocaleString', 'ja-JP'], [d, 'toLocaleString', 'zh-TW', sh],
];
const out = cases.map(([date, m, l, o]) => date[m](l, o));
let bad; try { d.toLocaleString('en-US', { timeZone: 'Mars/Base' }); } catch (e) { bad = [e.name, e.message]; }
out.push(bad);
return out;
`

// TestIntl compares Intl and localeCompare with Node 20 (full ICU) for the same calls.
func TestIntl(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	v := testVersion("intl", map[string]string{"index.js": "exports.main = async (event) => {\n" + intlCases + "\n}"})
	jsonEq(t, mustSucceed(t, call(r, v, `{}`)), `[[{"type":"month","value":"01"},{"type":"literal","value":"/"},{"type":"day","value":"05"},
		{"type":"literal","value":"/"},{"type":"year","value":"2024"},{"type":"literal","value":", "},{"type":"hour","value":"16"},
		{"type":"literal","value":":"},{"type":"minute","value":"09"},{"type":"literal","value":":"},{"type":"second","value":"07"},
		{"type":"literal","value":" "},{"type":"timeZoneName","value":"GMT+8"}],"2024/1/5 GMT+8","1 PM GMT+5:30","1/5/2024, UTC",
		{"locale":"en-US","calendar":"gregory","numberingSystem":"latn","timeZone":"UTC","year":"numeric","month":"numeric","day":"numeric"},
		{"locale":"zh-CN","calendar":"gregory","numberingSystem":"latn","timeZone":"Asia/Shanghai","year":"numeric","month":"numeric","day":"numeric"},
		"2024/1/5",["Item1","item2","item10"],["a","b","c"],["other","one","other","other","other","other","other"],
		["one","two","few","other","other","other","other","one","two","few","one"],"other",["1,234.5","99"],"¥99.90",["en-US","zh-CN"],
		"function","[object Intl]","RangeError",["阿明","李四","王五","张三","赵六"],["阿明","李四","王五","张三"],["a","A","b","C"],
		["File1.txt","file2.txt","file10.txt"],0,0,"4 PM"]`)
}

const intlCases = `const d = new Date(Date.UTC(2024, 0, 5, 8, 9, 7));
return [
  new Intl.DateTimeFormat('en-US', { hour12: false, timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' }).formatToParts(d),
  new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', timeZoneName: 'short' }).format(d),
  new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Kolkata', timeZoneName: 'short', hour: 'numeric' }).format(d),
  new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', timeZoneName: 'short' }).format(d),
  new Intl.DateTimeFormat().resolvedOptions(),
  new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai' }).resolvedOptions(),
  Intl.DateTimeFormat('zh-CN').format(d),
  ['item10', 'item2', 'Item1'].sort(new Intl.Collator(undefined, { numeric: true }).compare),
  ['b', 'a', 'c'].sort(new Intl.Collator('en').compare),
  [0, 1, 2, 3, 11, 21, 1.5].map((n) => new Intl.PluralRules('en-US').select(n)),
  [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101].map((n) => new Intl.PluralRules('en-US', { type: 'ordinal' }).select(n)),
  new Intl.PluralRules('zh-CN').select(1),
  [1234.5, 99].map(new Intl.NumberFormat('en-US').format),
  new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY' }).format(99.9),
  Intl.getCanonicalLocales(['EN-us', 'zh-cn']),
  typeof Intl.DateTimeFormat.prototype.formatToParts,
  Object.prototype.toString.call(Intl),
  (() => { try { new Intl.DateTimeFormat('en', { timeZone: 'Nowhere/City' }); } catch (e) { return e.name; } })(),
  ['张三', '李四', '王五', '阿明', '赵六'].sort((a, b) => a.localeCompare(b, 'zh-CN')),
  ['张三', '李四', '王五', '阿明'].sort(new Intl.Collator('zh').compare),
  ['b', 'a', 'C', 'A'].sort((a, b) => a.localeCompare(b)),
  ['file10.txt', 'file2.txt', 'File1.txt'].sort((a, b) => a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' })),
  'a'.localeCompare('A', 'en', { sensitivity: 'base' }), 'résumé'.localeCompare('resume', 'en', { sensitivity: 'base' }),
  new Intl.DateTimeFormat('en', { hour: 'numeric', timeZone: 'Asia/Shanghai' }).format(d),
];
`

func TestCompareStrings(t *testing.T) {
	cases := []struct {
		a, b, locale string
		opts         collatorOptions
		want         int
	}{
		{"李", "张", "zh-CN", collatorOptions{}, -1}, // pinyin: li < zhang
		{"李", "张", "", collatorOptions{}, 1},       // root order: by code point here
		{"a", "B", "en", collatorOptions{}, -1},
		{"item10", "item2", "en", collatorOptions{}, -1},
		{"item10", "item2", "en", collatorOptionsFor(true, "variant"), 1},
		{"a", "A", "en", collatorOptionsFor(false, "base"), 0},
		{"a", "A", "en", collatorOptionsFor(false, "variant"), -1},
		{"résumé", "resume", "en", collatorOptionsFor(false, "base"), 0},
		{"résumé", "resume", "en", collatorOptionsFor(false, "accent"), 1},
		{"x", "y", "not a locale!", collatorOptions{}, -1},
	}
	for _, c := range cases {
		if got := compareStrings(c.a, c.b, c.locale, c.opts); got != c.want {
			t.Errorf("compare(%q, %q, %q, %+v) = %d, want %d", c.a, c.b, c.locale, c.opts, got, c.want)
		}
	}
	// Locales past the cache's bound still compare (uncached).
	for i := 0; i < maxCollators+5; i++ {
		if got := compareStrings("a", "b", fmt.Sprintf("en-x-t%d", i), collatorOptions{}); got != -1 {
			t.Fatalf("locale %d: %d", i, got)
		}
	}
	if n := collatorCount.Load(); n > maxCollators {
		t.Errorf("%d collators cached", n)
	}
}
