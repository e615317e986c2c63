package cloudfns

import (
	"sync"
	"time"
	_ "time/tzdata" // functions name IANA zones (Asia/Shanghai) on hosts without zoneinfo
)

// zoneCache keeps the time zones functions have named: loading one parses tzdata.
var zoneCache sync.Map // name → *time.Location, or nil for an unknown zone

// zoneOffsetMinutes returns the UTC offset in minutes of the IANA zone name at the
// instant ms (Unix milliseconds), for Date.prototype.toLocaleString's timeZone
// option. ok is false for a zone that does not exist.
func zoneOffsetMinutes(name string, ms float64) (offset int, ok bool) {
	v, cached := zoneCache.Load(name)
	if !cached {
		loc, err := time.LoadLocation(name)
		if err != nil || name == "" || name == "Local" {
			loc = nil
		}
		v, _ = zoneCache.LoadOrStore(name, loc)
	}
	loc, _ := v.(*time.Location)
	if loc == nil {
		return 0, false
	}
	_, secs := time.UnixMilli(int64(ms)).In(loc).Zone()
	return secs / 60, true
}
