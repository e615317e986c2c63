package cloudfns

import "testing"

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
