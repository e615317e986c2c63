package cloudfns

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

func cronUTC(t testing.TB, expr string) *Schedule {
	t.Helper()
	s, err := ParseCron(expr)
	if err != nil {
		t.Fatalf("ParseCron(%q): %v", expr, err)
	}
	return s.In(time.UTC)
}

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05.999", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestCronNext(t *testing.T) {
	cases := []struct {
		name, expr, after, want string // want "" means no next time
	}{
		{"every second", "* * * * * * *", "2024-01-01 00:00:00", "2024-01-01 00:00:01"},
		{"strictly after, fractional", "* * * * * * *", "2024-01-01 00:00:00.5", "2024-01-01 00:00:01"},
		{"cloudbase doc example", "0 0 2 1 * * *", "2024-01-15 10:00:00", "2024-02-01 02:00:00"},
		{"second step", "*/5 * * * * * *", "2024-01-01 00:00:03.5", "2024-01-01 00:00:05"},
		{"second step wraps minute", "*/5 * * * * * *", "2024-01-01 00:00:55", "2024-01-01 00:01:00"},
		{"end of year carry", "0 0 0 * * * *", "2024-12-31 12:00:00", "2025-01-01 00:00:00"},
		{"31st skips 30-day months", "0 0 0 31 * * *", "2024-04-01 00:00:00", "2024-05-31 00:00:00"},
		{"31st from 31st", "0 0 0 31 * * *", "2024-05-31 00:00:00", "2024-07-31 00:00:00"},
		{"leap day", "0 0 0 29 2 * *", "2023-03-01 00:00:00", "2024-02-29 00:00:00"},
		{"leap day skips 4 years", "0 0 0 29 2 * *", "2024-03-01 00:00:00", "2028-02-29 00:00:00"},
		{"leap day 2000 is leap", "0 0 0 29 2 * *", "1999-01-01 00:00:00", "2000-02-29 00:00:00"},
		{"leap day none after 2096", "0 0 0 29 2 * *", "2096-03-01 00:00:00", ""},
		{"february 31st never", "0 0 0 31 2 * *", "2024-01-01 00:00:00", ""},
		{"last day of feb non-leap", "0 0 0 28 FEB * *", "2023-01-01 00:00:00", "2023-02-28 00:00:00"},
		{"dom OR dow: friday first", "0 0 0 13 * FRI *", "2024-01-01 00:00:00", "2024-01-05 00:00:00"},
		{"dom OR dow: next friday", "0 0 0 13 * FRI *", "2024-01-05 00:00:00", "2024-01-12 00:00:00"},
		{"dom OR dow: the 13th", "0 0 0 13 * FRI *", "2024-01-12 00:00:00", "2024-01-13 00:00:00"},
		{"dom star: weekdays only", "0 0 9 * * MON-FRI *", "2024-01-06 10:00:00", "2024-01-08 09:00:00"},
		{"dow question mark", "0 0 9 15 * ? *", "2024-01-16 00:00:00", "2024-02-15 09:00:00"},
		{"dom question mark", "0 0 9 ? * SAT *", "2024-01-01 00:00:00", "2024-01-06 09:00:00"},
		{"both question marks", "0 0 9 ? * ? *", "2024-01-01 10:00:00", "2024-01-02 09:00:00"},
		{"7 is sunday", "0 0 0 * * 7 *", "2024-01-01 00:00:00", "2024-01-07 00:00:00"},
		{"0 is sunday", "0 0 0 * * 0 *", "2024-01-01 00:00:00", "2024-01-07 00:00:00"},
		{"range to 7", "0 0 0 * * 6-7 *", "2024-01-01 00:00:00", "2024-01-06 00:00:00"},
		{"dom step is restricted (OR)", "0 0 0 */10 * MON *", "2024-01-02 00:00:00", "2024-01-08 00:00:00"},
		{"lists", "0 0,30 8,20 * * * *", "2024-01-01 08:30:00", "2024-01-01 20:00:00"},
		{"range step", "0 10-40/15 * * * * *", "2024-01-01 00:40:00", "2024-01-01 01:10:00"},
		{"range step middle", "0 10-40/15 * * * * *", "2024-01-01 00:11:00", "2024-01-01 00:25:00"},
		{"start step", "0 0 3/8 * * * *", "2024-01-01 12:00:00", "2024-01-01 19:00:00"},
		{"month names and case", "0 0 12 1 JAN,jul * *", "2024-02-01 00:00:00", "2024-07-01 12:00:00"},
		{"month range names", "0 0 0 1 MAR-MAY * *", "2024-05-02 00:00:00", "2025-03-01 00:00:00"},
		{"weekday names", "0 0 0 * * sun,Sat *", "2024-01-01 00:00:00", "2024-01-06 00:00:00"},
		{"fixed year", "0 0 0 1 1 * 2030", "2024-06-01 00:00:00", "2030-01-01 00:00:00"},
		{"fixed year exhausted", "0 0 0 1 1 * 2030", "2030-01-01 00:00:00", ""},
		{"year range end", "0 0 0 1 1 * 2098-2099", "2098-06-01 00:00:00", "2099-01-01 00:00:00"},
		{"year range exhausted", "0 0 0 1 1 * 2098-2099", "2099-01-01 00:00:00", ""},
		{"year step", "0 0 0 1 1 * */10", "2024-01-01 00:00:00", "2030-01-01 00:00:00"},
		{"last second of 2099", "59 59 23 31 12 * *", "2099-12-31 23:59:58", "2099-12-31 23:59:59"},
		{"after the last second", "59 59 23 31 12 * *", "2099-12-31 23:59:59", ""},
		{"after 2099", "* * * * * * *", "2100-01-01 00:00:00", ""},
		{"before 1970", "0 0 0 1 1 * *", "1960-05-05 00:00:00", "1970-01-01 00:00:00"},
		{"zero time", "0 0 0 1 1 * *", "0001-01-01 00:00:00", "1970-01-01 00:00:00"},
		{"tabs and extra spaces", " 0\t0  12 * * * * ", "2024-01-01 00:00:00", "2024-01-01 12:00:00"},
		{"one second a year", "7 6 5 4 3 * *", "2024-03-04 05:06:07", "2025-03-04 05:06:07"},
		{"huge step", "0 0 0 1 1/100000 * *", "2024-01-01 00:00:00", "2025-01-01 00:00:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := cronUTC(t, c.expr)
			after := utc(c.after)
			got := s.Next(after)
			if c.want == "" {
				if !got.IsZero() {
					t.Fatalf("Next(%s) = %s, want none", after, got)
				}
				return
			}
			want := utc(c.want)
			if !got.Equal(want) {
				t.Fatalf("%q: Next(%s) = %s, want %s", c.expr, after, got, want)
			}
			if !s.Matches(got) {
				t.Fatalf("Matches(%s) = false", got)
			}
			if prev := got.Add(-time.Second); prev.After(after) && s.Matches(prev) {
				t.Fatalf("%s also matches and is earlier", prev)
			}
		})
	}
}

func TestCronDefaultLocationShanghai(t *testing.T) {
	s, err := ParseCron("0 0 8 * * * *")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Location().String(); got != "Asia/Shanghai" && got != "CST" {
		t.Fatalf("location %q", got)
	}
	// 08:00 in Shanghai is 00:00 UTC.
	got := s.Next(utc("2024-01-01 00:00:00"))
	if want := utc("2024-01-02 00:00:00"); !got.Equal(want) {
		t.Fatalf("Next = %s, want %s", got.UTC(), want)
	}
	if _, off := got.Zone(); off != 8*3600 {
		t.Fatalf("result not in UTC+8: %s", got)
	}
	got = s.Next(utc("2023-12-31 23:59:59"))
	if want := utc("2024-01-01 00:00:00"); !got.Equal(want) {
		t.Fatalf("Next = %s, want %s", got.UTC(), want)
	}
}

func TestCronDST(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	// 2024-03-10 02:30 does not exist in New York: that day is skipped.
	s := cronUTC(t, "0 30 2 * * * *").In(ny)
	got := s.Next(time.Date(2024, 3, 9, 12, 0, 0, 0, ny))
	if want := time.Date(2024, 3, 11, 2, 30, 0, 0, ny); !got.Equal(want) {
		t.Fatalf("spring forward: Next = %s, want %s", got, want)
	}
	// 2024-11-03 01:30 happens twice: it fires once.
	s = cronUTC(t, "0 30 1 * * * *").In(ny)
	first := s.Next(time.Date(2024, 11, 3, 0, 0, 0, 0, ny))
	if first.Day() != 3 || first.Hour() != 1 || first.Minute() != 30 {
		t.Fatalf("fall back: first = %s", first)
	}
	second := s.Next(first)
	if second.Day() != 4 || second.Hour() != 1 {
		t.Fatalf("fall back: second = %s (want the next day)", second)
	}
	// Every 20 minutes across the repeated hour never goes backwards.
	s = cronUTC(t, "0 */20 * * * * *").In(ny)
	at := time.Date(2024, 11, 3, 0, 0, 0, 0, ny)
	for i := 0; i < 12; i++ {
		n := s.Next(at)
		if !n.After(at) {
			t.Fatalf("Next(%s) = %s", at, n)
		}
		at = n
	}
}

func TestCronParseErrors(t *testing.T) {
	cases := []struct {
		expr, field string
		col         int
		msg         string
	}{
		{"", "", 0, "want 7 fields"},
		{"* * * * *", "", 0, "5-field crontab"},
		{"* * * * * *", "", 0, "add the year field"},
		{"* * * * * * * *", "", 0, "got 8"},
		{"60 * * * * * *", "second", 1, "value 60 out of range 0-59"},
		{"* 60 * * * * *", "minute", 3, "out of range 0-59"},
		{"* * 24 * * * *", "hour", 5, "value 24 out of range 0-23"},
		{"* * * 0 * * *", "day", 7, "value 0 out of range 1-31"},
		{"* * * 32 * * *", "day", 7, "out of range 1-31"},
		{"* * * * 13 * *", "month", 9, "out of range 1-12"},
		{"* * * * FOO * *", "month", 9, "not a number or a name (JAN-DEC)"},
		{"* * * * * 8 *", "weekday", 11, "out of range 0-7"},
		{"* * * * * MONDAY *", "weekday", 11, "not a number or a name (SUN-SAT)"},
		{"* * * * * * 1969", "year", 13, "out of range 1970-2099"},
		{"* * * * * * 2100", "year", 13, "out of range 1970-2099"},
		{"*/0 * * * * * *", "second", 3, "step \"0\" is not a positive number"},
		{"*/ * * * * * *", "second", 3, "step \"\""},
		{"*/-1 * * * * * *", "second", 3, "not a positive number"},
		{"*/+1 * * * * * *", "second", 3, "not a positive number"},
		{"5-1 * * * * * *", "second", 1, "runs backwards"},
		{"* * * * * FRI-MON *", "weekday", 11, "runs backwards"},
		{"1,,2 * * * * * *", "second", 3, "empty list item"},
		{"1, * * * * * *", "second", 3, "empty list item"},
		{"? * * * * * *", "second", 1, "'?' is only allowed"},
		{"* * * ?/2 * * *", "day", 7, "'?' cannot take a step"},
		{"* * * L * * *", "day", 7, "Quartz"},
		{"* * * 15W * * *", "day", 7, "Quartz"},
		{"* * * * * 5L *", "weekday", 11, "Quartz"},
		{"* * * * * 5#3 *", "weekday", 11, "Quartz"},
		{"a * * * * * *", "second", 1, "\"a\" is not a number"},
		{"-5 * * * * * *", "second", 1, "missing value"},
		{"1-x * * * * * *", "second", 3, "\"x\" is not a number"},
		{"/5 * * * * * *", "second", 1, "missing value before '/'"},
		{"9999999 * * * * * *", "second", 1, "out of range"},
		{"0 0 0 1 1 * 2024,1-2", "year", 18, "out of range"},
	}
	for _, c := range cases {
		_, err := ParseCron(c.expr)
		var ce *CronError
		if !errors.As(err, &ce) {
			t.Errorf("%q: err = %v, want a *CronError", c.expr, err)
			continue
		}
		if ce.Field != c.field || ce.Column != c.col || !strings.Contains(ce.Error(), c.msg) {
			t.Errorf("%q: got field %q column %d %q; want field %q column %d containing %q",
				c.expr, ce.Field, ce.Column, ce.Error(), c.field, c.col, c.msg)
		}
	}
	long := strings.Repeat("1,", 600) + "1 * * * * * *"
	if _, err := ParseCron(long); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Errorf("long expression: %v", err)
	}
}

func TestCronMatchesAndString(t *testing.T) {
	s := cronUTC(t, "0 15 10 * * MON-FRI *")
	if s.String() != "0 15 10 * * MON-FRI *" {
		t.Fatal(s.String())
	}
	if !s.Matches(utc("2024-01-08 10:15:00")) { // Monday
		t.Fatal("monday 10:15 should match")
	}
	if s.Matches(utc("2024-01-07 10:15:00")) { // Sunday
		t.Fatal("sunday should not match")
	}
	if s.Matches(utc("2024-01-08 10:15:01")) {
		t.Fatal("second 1 should not match")
	}
}

func TestCronValidateTriggers(t *testing.T) {
	ok := Trigger{Name: "myTrigger", Type: "timer", Config: "0 0 2 1 * * *"}
	if s, err := ValidateTriggers([]Trigger{ok}); err != nil || s == nil {
		t.Fatalf("valid trigger: %v", err)
	}
	if s, err := ValidateTriggers(nil); err != nil || s != nil {
		t.Fatalf("no triggers: %v %v", s, err)
	}
	name60 := "a" + strings.Repeat("b", 59)
	if _, err := ValidateTriggers([]Trigger{{Name: name60, Type: "timer", Config: ok.Config}}); err != nil {
		t.Fatalf("60-char name: %v", err)
	}
	bad := []struct {
		tr  []Trigger
		msg string
	}{
		{[]Trigger{ok, ok}, "at most one trigger"},
		{[]Trigger{{Name: "t", Type: "cos", Config: ok.Config}}, "type must be \"timer\""},
		{[]Trigger{{Name: "", Type: "timer", Config: ok.Config}}, "name is empty"},
		{[]Trigger{{Name: "1abc", Type: "timer", Config: ok.Config}}, "must start with a letter"},
		{[]Trigger{{Name: "_abc", Type: "timer", Config: ok.Config}}, "must start with a letter"},
		{[]Trigger{{Name: "a b", Type: "timer", Config: ok.Config}}, "only letters, digits"},
		{[]Trigger{{Name: "a.b", Type: "timer", Config: ok.Config}}, "only letters, digits"},
		{[]Trigger{{Name: name60 + "c", Type: "timer", Config: ok.Config}}, "longer than 60"},
		{[]Trigger{{Name: "t", Type: "timer", Config: "0 0 2 1 * *"}}, "want 7 fields"},
	}
	for _, b := range bad {
		if _, err := ValidateTriggers(b.tr); err == nil || !strings.Contains(err.Error(), b.msg) {
			t.Errorf("%+v: err %v, want %q", b.tr, err, b.msg)
		}
	}
}

// FuzzParseCron: parsing never panics, and Next is strictly after its argument, matches
// the schedule, stays within the year range, and is the first such time.
func FuzzParseCron(f *testing.F) {
	seeds := []string{
		"* * * * * * *", "0 0 2 1 * * *", "*/5 * * * * * *", "0 0 0 29 2 * *",
		"0 0 0 31 2 * *", "0 0 0 13 * FRI *", "0 0 9 ? * MON-FRI *", "0 0 0 * * 7 *",
		"0 10-40/15 * * * * 2024-2026", "59 59 23 31 12 * 2099", "1,2,3 4-5 6/7 8 JAN-dec SUN,sat */3",
		"* * * L * * *", "*/0 * * * * * *", "", "? ? ? ? ? ? ?", "0 0 0 1 1 * 1970",
		"0 0 0 * * 1/2 *", "0 0 0 1-31/2 * 2-5/2 *", "60 * * * * * *",
	}
	for i, s := range seeds {
		f.Add(s, int64(i)*86400*397+12345)
	}
	f.Fuzz(func(t *testing.T, expr string, sec int64) {
		s, err := ParseCron(expr)
		if err != nil {
			var ce *CronError
			if !errors.As(err, &ce) {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		s = s.In(time.UTC)
		// Between 1900 and 2200.
		const span = 300 * 365 * 86400
		sec %= span
		if sec < 0 {
			sec += span
		}
		after := time.Unix(sec-70*365*86400, sec%1000*1e6).UTC()
		n := s.Next(after)
		if n.IsZero() {
			return
		}
		if !n.After(after) {
			t.Fatalf("%q: Next(%s) = %s, not after", expr, after, n)
		}
		if !s.Matches(n) {
			t.Fatalf("%q: Next(%s) = %s does not match", expr, after, n)
		}
		if n.Year() > cronMaxYear || n.Year() < cronMinYear {
			t.Fatalf("%q: Next = %s out of the year range", expr, n)
		}
		if n2 := s.Next(n.Add(-time.Nanosecond)); !n2.Equal(n) {
			t.Fatalf("%q: Next(%s) = %s but Next(%s) = %s", expr, after, n, n.Add(-time.Nanosecond), n2)
		}
		if n.Sub(after) < 2*time.Hour { // brute-force the first match over short gaps
			for at := after.Truncate(time.Second).Add(time.Second); at.Before(n); at = at.Add(time.Second) {
				if s.Matches(at) {
					t.Fatalf("%q: Next(%s) = %s but %s matches", expr, after, n, at)
				}
			}
		}
	})
}

// ---------------------------------------------------------------------------------
// Scheduler with a fake clock

type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
	armed  chan time.Time // the deadline of each timer made
}

type fakeTimer struct {
	c       *fakeClock
	when    time.Time
	ch      chan time.Time
	stopped bool
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, armed: make(chan time.Time, 1000)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) ClockTimer {
	c.mu.Lock()
	t := &fakeTimer{c: c, when: c.now.Add(d), ch: make(chan time.Time, 1)}
	if d <= 0 {
		t.ch <- c.now
	} else {
		c.timers = append(c.timers, t)
	}
	c.mu.Unlock()
	c.armed <- t.when
	return t
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }
func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.stopped
	t.stopped = true
	return was
}

// set moves the clock to now and fires the timers due.
func (c *fakeClock) set(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = now
	keep := c.timers[:0]
	for _, t := range c.timers {
		if t.stopped {
			continue
		}
		if !t.when.After(now) {
			t.ch <- now
			t.stopped = true
			continue
		}
		keep = append(keep, t)
	}
	c.timers = keep
}

// waitArmed returns the deadline of the next timer the scheduler arms (it arms one
// each time it goes to sleep).
func (c *fakeClock) waitArmed(t *testing.T) time.Time {
	t.Helper()
	select {
	case w := <-c.armed:
		return w
	case <-time.After(5 * time.Second):
		t.Fatal("the scheduler did not go back to sleep")
		return time.Time{}
	}
}

type fire struct {
	function string
	trigger  Trigger
	at       time.Time
}

func waitFire(t *testing.T, ch <-chan fire) fire {
	t.Helper()
	select {
	case f := <-ch:
		return f
	case <-time.After(5 * time.Second):
		t.Fatal("no fire")
		return fire{}
	}
}

func noFire(t *testing.T, ch <-chan fire) {
	t.Helper()
	select {
	case f := <-ch:
		t.Fatalf("unexpected fire %+v", f)
	default:
	}
}

func TestSchedulerFiresOnSchedule(t *testing.T) {
	clk := newFakeClock(utc("2024-01-01 00:00:00.5"))
	fires := make(chan fire, 10)
	s := NewScheduler(time.UTC, func(ctx context.Context, fn string, tr Trigger) {
		fires <- fire{fn, tr, clk.Now()}
	}, WithClock(clk))
	tr := Trigger{Name: "every10", Type: "timer", Config: "*/10 * * * * * *"}
	if err := s.Set("report", []Trigger{tr}); err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background())
	defer s.Stop()
	for i, want := range []string{"2024-01-01 00:00:10", "2024-01-01 00:00:20", "2024-01-01 00:00:30"} {
		when := clk.waitArmed(t)
		if !when.Equal(utc(want)) {
			t.Fatalf("fire %d: armed for %s, want %s", i, when, want)
		}
		noFire(t, fires)
		clk.set(when)
		f := waitFire(t, fires)
		if f.function != "report" || f.trigger != tr || !f.at.Equal(utc(want)) {
			t.Fatalf("fire %d: %+v", i, f)
		}
	}
	clk.waitArmed(t)
	jobs := s.Jobs()
	if len(jobs) != 1 || jobs[0].Fired != 3 || jobs[0].Skipped != 0 || !jobs[0].Next.Equal(utc("2024-01-01 00:00:40")) ||
		!jobs[0].LastFire.Equal(utc("2024-01-01 00:00:30")) {
		t.Fatalf("jobs %+v", jobs)
	}
}

func TestSchedulerSkipsOverlappingRun(t *testing.T) {
	clk := newFakeClock(utc("2024-01-01 00:00:00"))
	fires := make(chan fire, 10)
	release := make(chan struct{})
	var logBuf bytes.Buffer
	s := NewScheduler(time.UTC, func(ctx context.Context, fn string, tr Trigger) {
		fires <- fire{function: fn}
		<-release
	}, WithClock(clk), WithSchedulerLogger(slog.New(slog.NewTextHandler(&logBuf, nil))))
	var releaseOnce sync.Once
	if err := s.Set("slow", []Trigger{{Name: "t", Type: "timer", Config: "* * * * * * *"}}); err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background())
	defer s.Stop()
	defer releaseOnce.Do(func() { close(release) }) // runs before the deferred Stop

	clk.set(clk.waitArmed(t)) // 00:00:01: runs
	waitFire(t, fires)
	clk.set(clk.waitArmed(t)) // 00:00:02: still running, skipped
	clk.waitArmed(t)
	j := s.Jobs()[0]
	if j.Fired != 1 || j.Skipped != 1 || !j.Running {
		t.Fatalf("job %+v", j)
	}
	if !strings.Contains(logBuf.String(), "skipped") || !strings.Contains(logBuf.String(), "function=slow") {
		t.Fatalf("log %q", logBuf.String())
	}
	noFire(t, fires)
	releaseOnce.Do(func() { close(release) })
	// Wait until the run is over, then the next fire runs again.
	deadline := time.Now().Add(5 * time.Second)
	for s.Jobs()[0].Running {
		if time.Now().After(deadline) {
			t.Fatal("run did not finish")
		}
		time.Sleep(time.Millisecond)
	}
	clk.set(utc("2024-01-01 00:00:03"))
	waitFire(t, fires)
	clk.waitArmed(t)
	if j := s.Jobs()[0]; j.Fired != 2 || j.Skipped != 1 {
		t.Fatalf("job %+v", j)
	}
}

func TestSchedulerLateWakeFiresOnce(t *testing.T) {
	clk := newFakeClock(utc("2024-01-01 00:00:00"))
	fires := make(chan fire, 100)
	s := NewScheduler(time.UTC, func(ctx context.Context, fn string, tr Trigger) {
		fires <- fire{function: fn, at: clk.Now()}
	}, WithClock(clk))
	_ = s.Set("f", []Trigger{{Name: "t", Type: "timer", Config: "*/10 * * * * * *"}})
	s.Start(context.Background())
	defer s.Stop()
	clk.waitArmed(t)
	clk.set(utc("2024-01-01 00:05:03")) // slept through 30 fire times
	waitFire(t, fires)
	if when := clk.waitArmed(t); !when.Equal(utc("2024-01-01 00:05:10")) {
		t.Fatalf("next armed for %s", when)
	}
	noFire(t, fires)
}

func TestSchedulerSetRemoveWhileRunning(t *testing.T) {
	clk := newFakeClock(utc("2024-01-01 00:00:00"))
	fires := make(chan fire, 10)
	s := NewScheduler(time.UTC, func(ctx context.Context, fn string, tr Trigger) {
		fires <- fire{function: fn, trigger: tr, at: clk.Now()}
	}, WithClock(clk))
	s.Start(context.Background())
	defer s.Stop()
	// Idle: sleeps at most a minute.
	if when := clk.waitArmed(t); !when.Equal(utc("2024-01-01 00:01:00")) {
		t.Fatalf("idle wait until %s", when)
	}
	// Invalid triggers leave nothing scheduled.
	if err := s.Set("a", []Trigger{{Name: "t", Type: "timer", Config: "bad"}}); err == nil {
		t.Fatal("bad expression accepted")
	}
	if err := s.Set("", []Trigger{{Name: "t", Type: "timer", Config: "* * * * * * *"}}); err == nil {
		t.Fatal("empty function accepted")
	}
	if len(s.Jobs()) != 0 {
		t.Fatal("invalid Set scheduled something")
	}
	_ = s.Set("a", []Trigger{{Name: "t", Type: "timer", Config: "0 0 * * * * *"}}) // hourly
	if when := clk.waitArmed(t); !when.Equal(utc("2024-01-01 00:01:00")) {
		t.Fatalf("armed %s", when) // capped at a minute
	}
	_ = s.Set("b", []Trigger{{Name: "t2", Type: "timer", Config: "30 * * * * * *"}})
	if when := clk.waitArmed(t); !when.Equal(utc("2024-01-01 00:00:30")) {
		t.Fatalf("armed %s", when)
	}
	// Setting the same trigger again does not disturb the loop.
	_ = s.Set("b", []Trigger{{Name: "t2", Type: "timer", Config: "30 * * * * * *"}})
	select {
	case w := <-clk.armed:
		t.Fatalf("re-armed %s for an unchanged trigger", w)
	default:
	}
	// Replacing b's trigger.
	_ = s.Set("b", []Trigger{{Name: "t3", Type: "timer", Config: "15 * * * * * *"}})
	if when := clk.waitArmed(t); !when.Equal(utc("2024-01-01 00:00:15")) {
		t.Fatalf("armed %s", when)
	}
	clk.set(utc("2024-01-01 00:00:15"))
	if f := waitFire(t, fires); f.function != "b" || f.trigger.Name != "t3" {
		t.Fatalf("fire %+v", f)
	}
	clk.waitArmed(t)
	s.Remove("b")
	_ = s.Set("a", nil) // no triggers: removed
	if when := clk.waitArmed(t); !when.Equal(utc("2024-01-01 00:01:15")) {
		t.Fatalf("armed %s after removing everything", when)
	}
	if len(s.Jobs()) != 0 {
		t.Fatalf("jobs %+v", s.Jobs())
	}
	noFire(t, fires)
}

func TestSchedulerLocation(t *testing.T) {
	clk := newFakeClock(utc("2024-01-01 00:00:00")) // 08:00 in Shanghai
	fires := make(chan fire, 10)
	s := NewScheduler(nil, func(ctx context.Context, fn string, tr Trigger) {
		fires <- fire{function: fn}
	}, WithClock(clk))
	if s.Location() != DefaultTimerLocation() {
		t.Fatal("default location")
	}
	_ = s.Set("f", []Trigger{{Name: "t", Type: "timer", Config: "0 0 9 * * * *"}}) // 09:00 CST
	if next := s.Jobs()[0].Next; !next.Equal(utc("2024-01-01 01:00:00")) {
		t.Fatalf("next %s", next)
	}
}

func TestSchedulerStopCancelsRuns(t *testing.T) {
	clk := newFakeClock(utc("2024-01-01 00:00:00"))
	started := make(chan fire, 1)
	var ended sync.WaitGroup
	ended.Add(1)
	s := NewScheduler(time.UTC, func(ctx context.Context, fn string, tr Trigger) {
		defer ended.Done()
		started <- fire{function: fn}
		<-ctx.Done()
	}, WithClock(clk))
	_ = s.Set("f", []Trigger{{Name: "t", Type: "timer", Config: "* * * * * * *"}})
	s.Start(context.Background())
	s.Start(context.Background()) // no-op
	clk.set(clk.waitArmed(t))
	waitFire(t, started)
	done := make(chan struct{})
	go func() { s.Stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop did not return")
	}
	ended.Wait()
	s.Stop() // no-op
}

func TestSchedulerSurvivesPanic(t *testing.T) {
	clk := newFakeClock(utc("2024-01-01 00:00:00"))
	fires := make(chan fire, 10)
	n := 0
	s := NewScheduler(time.UTC, func(ctx context.Context, fn string, tr Trigger) {
		n++
		fires <- fire{function: fn}
		if n == 1 {
			panic("boom")
		}
	}, WithClock(clk), WithSchedulerLogger(slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))))
	_ = s.Set("f", []Trigger{{Name: "t", Type: "timer", Config: "* * * * * * *"}})
	s.Start(context.Background())
	defer s.Stop()
	clk.set(clk.waitArmed(t))
	waitFire(t, fires)
	deadline := time.Now().Add(5 * time.Second)
	for s.Jobs()[0].Running {
		if time.Now().After(deadline) {
			t.Fatal("panicked run still marked running")
		}
		time.Sleep(time.Millisecond)
	}
	clk.set(clk.waitArmed(t))
	waitFire(t, fires)
}

// TestSchedulerRealTime runs a 1-second schedule on the real clock.
func TestSchedulerRealTime(t *testing.T) {
	fires := make(chan fire, 10)
	s := NewScheduler(nil, func(ctx context.Context, fn string, tr Trigger) {
		select {
		case fires <- fire{function: fn, trigger: tr, at: time.Now()}:
		default:
		}
	})
	if err := s.Set("tick", []Trigger{{Name: "everySecond", Type: "timer", Config: "* * * * * * *"}}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s.Start(context.Background())
	defer s.Stop()
	deadline := time.After(5 * time.Second)
	for got := 0; got < 2; {
		select {
		case f := <-fires:
			if f.function != "tick" || f.trigger.Name != "everySecond" {
				t.Fatalf("fire %+v", f)
			}
			// Fires land on whole seconds (give the timer some slack).
			if ns := f.at.Nanosecond(); ns > 200e6 {
				t.Logf("fire at %s (late by %v)", f.at.Format(time.RFC3339Nano), time.Duration(ns))
			}
			got++
		case <-deadline:
			t.Fatalf("no fire within 5s of %s", start)
		}
	}
}
