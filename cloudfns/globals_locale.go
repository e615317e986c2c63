package cloudfns

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // functions name IANA zones (Asia/Shanghai) on hosts without zoneinfo

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// zoneCache keeps the time zones functions have named: loading one parses tzdata.
// Only real zones are kept (there are a few hundred), so that names a function makes
// up cannot grow it.
var zoneCache sync.Map // name → *time.Location

// zoneOffsetMinutes returns the UTC offset in minutes of the IANA zone name at the
// instant ms (Unix milliseconds), for Date.prototype.toLocaleString's timeZone
// option. ok is false for a zone that does not exist.
func zoneOffsetMinutes(name string, ms float64) (offset int, ok bool) {
	var loc *time.Location
	if v, cached := zoneCache.Load(name); cached {
		loc = v.(*time.Location)
	} else {
		l, err := time.LoadLocation(name)
		if err != nil || name == "" || name == "Local" {
			return 0, false
		}
		v, _ = zoneCache.LoadOrStore(name, l)
		loc = v.(*time.Location)
	}
	_, secs := time.UnixMilli(int64(ms)).In(loc).Zone()
	return secs / 60, true
}

// collators keeps one collator per locale and option set: building one loads its
// tables. collate.Collator is not safe for concurrent use, so each entry has a lock.
// Past maxCollators (functions can name any number of locales) collators are built
// per call instead.
var (
	collators     sync.Map // key → *lockedCollator
	collatorCount atomic.Int32
)

const maxCollators = 64

type lockedCollator struct {
	mu sync.Mutex
	c  *collate.Collator
}

// collatorOptions are Intl.Collator's options that change the order.
type collatorOptions struct {
	numeric          bool
	ignoreCase       bool // sensitivity 'base' or 'accent'
	ignoreDiacritics bool // sensitivity 'base' or 'case'
}

// collatorOptionsFor maps Intl.Collator's numeric and sensitivity options.
func collatorOptionsFor(numeric bool, sensitivity string) collatorOptions {
	return collatorOptions{
		numeric:          numeric,
		ignoreCase:       sensitivity == "base" || sensitivity == "accent",
		ignoreDiacritics: sensitivity == "base" || sensitivity == "case",
	}
}

// compareStrings orders a and b as String.prototype.localeCompare(b, locale) and
// Intl.Collator do: by the locale's collation (pinyin for zh), the root order for
// an empty or unknown locale.
func compareStrings(a, b, locale string, opts collatorOptions) int {
	key := fmt.Sprintf("%s|%t%t%t", locale, opts.numeric, opts.ignoreCase, opts.ignoreDiacritics)
	v, ok := collators.Load(key)
	if !ok {
		tag, err := language.Parse(locale)
		if err != nil || locale == "" {
			tag = language.Und
		}
		var co []collate.Option
		if opts.numeric {
			co = append(co, collate.Numeric)
		}
		if opts.ignoreCase {
			co = append(co, collate.IgnoreCase)
		}
		if opts.ignoreDiacritics {
			co = append(co, collate.IgnoreDiacritics)
		}
		c := collate.New(tag, co...)
		if collatorCount.Load() >= maxCollators {
			return c.CompareString(a, b)
		}
		var loaded bool
		if v, loaded = collators.LoadOrStore(key, &lockedCollator{c: c}); !loaded {
			collatorCount.Add(1)
		}
	}
	lc := v.(*lockedCollator)
	lc.mu.Lock()
	defer lc.mu.Unlock()
	return lc.c.CompareString(a, b)
}
