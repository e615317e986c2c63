package cloudfns

import (
	"context"
	"fmt"
	"log/slog"
	"math/bits"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Timer triggers: CloudBase's 7-field cron expressions and a second-granular scheduler.
//
// Expression syntax ("second minute hour day month weekday year"):
//
//	field    values                     notes
//	second   0-59
//	minute   0-59
//	hour     0-23
//	day      1-31                       '?' allowed (same as '*')
//	month    1-12 or JAN-DEC
//	weekday  0-6 or SUN-SAT, 7 = SUN    '?' allowed (same as '*')
//	year     1970-2099
//
// Each field is a comma-separated list of items; an item is '*', a value, a range
// 'a-b', or one of those followed by '/step' ('a/step' runs from a to the field's
// maximum). Names are case-insensitive. Ranges do not wrap ('FRI-MON' is an error).
// Quartz's L, W and # are not supported (CloudBase documents only ", - * /").
//
// Day and weekday: when both are restricted (neither is exactly '*' or '?') a day
// matches if EITHER matches, as CloudBase and Vixie cron document; when one of them is
// '*' or '?', only the other one restricts. ("*/2" counts as restricted, as in
// robfig/cron; Vixie cron would treat it as a star.)
//
// Times are evaluated on the wall clock of the schedule's location (CloudBase runs in
// Asia/Shanghai, UTC+8). Wall-clock times that do not exist (a DST gap) are skipped; a
// repeated wall-clock hour (DST end) fires once.

// TriggerTypeTimer is the only trigger type CloudBase functions support.
const TriggerTypeTimer = "timer"

const (
	cronMinYear = 1970
	cronMaxYear = 2099
	// cronMaxExprLen bounds an expression's length (a sane config is < 100 bytes).
	cronMaxExprLen = 1024
	// cronMaxTriggerName is CloudBase's limit on a trigger name.
	cronMaxTriggerName = 60
)

var (
	timerLocOnce sync.Once
	timerLoc     *time.Location
)

// DefaultTimerLocation is the time zone CloudBase evaluates timer triggers in:
// Asia/Shanghai, or a fixed UTC+8 zone when the system has no tz database (the two
// agree for every date since 1992).
func DefaultTimerLocation() *time.Location {
	timerLocOnce.Do(func() {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			loc = time.FixedZone("CST", 8*3600)
		}
		timerLoc = loc
	})
	return timerLoc
}

// CronError is a syntax error in a cron expression, with the field and the column
// (1-based, in bytes) where it was found.
type CronError struct {
	Expr   string
	Field  string // "second" … "year"; empty for errors about the whole expression
	Column int    // 0 when not tied to one place
	Msg    string
}

func (e *CronError) Error() string {
	var b strings.Builder
	b.WriteString("invalid timer expression ")
	b.WriteString(strconv.Quote(e.Expr))
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(" field: ")
	}
	b.WriteString(e.Msg)
	if e.Column > 0 {
		b.WriteString(" (column ")
		b.WriteString(strconv.Itoa(e.Column))
		b.WriteString(")")
	}
	return b.String()
}

// cronBits is a set of small integers (bit i stands for value i, or for year 1970+i).
type cronBits [3]uint64

func (b *cronBits) set(i int) { b[i>>6] |= 1 << uint(i&63) }

func (b *cronBits) has(i int) bool {
	return i >= 0 && i < 192 && b[i>>6]&(1<<uint(i&63)) != 0
}

// next returns the smallest member >= i, or -1.
func (b *cronBits) next(i int) int {
	if i < 0 {
		i = 0
	}
	for i < 192 {
		if w := b[i>>6] >> uint(i&63); w != 0 {
			return i + bits.TrailingZeros64(w)
		}
		i = (i | 63) + 1
	}
	return -1
}

type cronFieldSpec struct {
	name     string
	min, max int // the range '*' and 'a/step' cover
	valueMax int // largest explicit value (weekday accepts 7 for Sunday)
	offset   int // value - offset is the bit index (years)
	names    []string
	question bool // '?' allowed
}

var cronSpecs = [7]cronFieldSpec{
	{name: "second", min: 0, max: 59, valueMax: 59},
	{name: "minute", min: 0, max: 59, valueMax: 59},
	{name: "hour", min: 0, max: 23, valueMax: 23},
	{name: "day", min: 1, max: 31, valueMax: 31, question: true},
	{name: "month", min: 1, max: 12, valueMax: 12,
		names: []string{"", "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	{name: "weekday", min: 0, max: 6, valueMax: 7, question: true,
		names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
	{name: "year", min: cronMinYear, max: cronMaxYear, valueMax: cronMaxYear, offset: cronMinYear},
}

// Schedule is a parsed timer expression.
type Schedule struct {
	expr                          string
	sec, min, hour, dom, mon, dow cronBits
	year                          cronBits // bit i is year 1970+i
	domStar, dowStar              bool
	loc                           *time.Location
}

// ParseCron parses a CloudBase 7-field timer expression. The schedule evaluates times
// in DefaultTimerLocation; use In for another zone.
func ParseCron(expr string) (*Schedule, error) {
	if len(expr) > cronMaxExprLen {
		return nil, &CronError{Expr: expr[:32] + "…", Msg: fmt.Sprintf("expression longer than %d bytes", cronMaxExprLen)}
	}
	type tok struct {
		text string
		col  int
	}
	var toks []tok
	for i := 0; i < len(expr); {
		if isCronSpace(expr[i]) {
			i++
			continue
		}
		j := i
		for j < len(expr) && !isCronSpace(expr[j]) {
			j++
		}
		toks = append(toks, tok{expr[i:j], i + 1})
		i = j
	}
	if len(toks) != 7 {
		msg := fmt.Sprintf("want 7 fields (second minute hour day month weekday year), got %d", len(toks))
		switch len(toks) {
		case 5:
			msg += "; a 5-field crontab line needs a leading second and a trailing year, e.g. \"0 " + strings.TrimSpace(expr) + " *\""
		case 6:
			msg += "; add the year field (\"*\" for every year)"
		}
		return nil, &CronError{Expr: expr, Msg: msg}
	}
	s := &Schedule{expr: expr, loc: DefaultTimerLocation()}
	dst := [7]*cronBits{&s.sec, &s.min, &s.hour, &s.dom, &s.mon, &s.dow, &s.year}
	for i, t := range toks {
		star, err := parseCronField(&cronSpecs[i], t.text, t.col, expr, dst[i])
		if err != nil {
			return nil, err
		}
		switch i {
		case 3:
			s.domStar = star
		case 5:
			s.dowStar = star
			if s.dow.has(7) { // 7 is Sunday too
				s.dow[0] &^= 1 << 7
				s.dow.set(0)
			}
		}
	}
	return s, nil
}

func isCronSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// parseCronField fills dst from one field's text; star reports a bare '*' or '?'.
func parseCronField(f *cronFieldSpec, text string, col int, expr string, dst *cronBits) (star bool, err error) {
	fail := func(at int, format string, args ...any) (bool, error) {
		return false, &CronError{Expr: expr, Field: f.name, Column: col + at, Msg: fmt.Sprintf(format, args...)}
	}
	if text == "*" || (text == "?" && f.question) {
		for v := f.min; v <= f.max; v++ {
			dst.set(v - f.offset)
		}
		return true, nil
	}
	pos := 0
	for _, item := range strings.Split(text, ",") {
		at := pos
		pos += len(item) + 1
		if item == "" {
			return fail(at, "empty list item in %q", text)
		}
		rng, stepText, hasStep := strings.Cut(item, "/")
		lo, hi := f.min, f.max
		switch {
		case rng == "*":
		case rng == "?":
			if !f.question {
				return fail(at, "'?' is only allowed in the day and weekday fields")
			}
			if hasStep {
				return fail(at, "'?' cannot take a step")
			}
		case rng == "":
			return fail(at, "missing value before '/'")
		default:
			a, b, isRange := strings.Cut(rng, "-")
			v, err := f.value(a)
			if err != nil {
				return fail(at, "%v", err)
			}
			lo = v
			if isRange {
				w, err := f.value(b)
				if err != nil {
					return fail(at+len(a)+1, "%v", err)
				}
				if w < v {
					return fail(at, "range %s-%s runs backwards (ranges do not wrap around)", a, b)
				}
				hi = w
			} else if !hasStep || v > hi {
				hi = v // a single value ('7/2' on weekdays is just Sunday)
			}
			// 'a/step' runs to the field's maximum (6 for weekdays, never the alias 7).
		}
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepText)
			if err != nil || n <= 0 || stepText[0] == '+' {
				return fail(at+len(rng)+1, "step %q is not a positive number", stepText)
			}
			step = n
		}
		for v := lo; v <= hi; v += step {
			dst.set(v - f.offset)
			if hi-v < step { // avoid overflow with huge steps
				break
			}
		}
	}
	return false, nil
}

// value parses one number or name of the field.
func (f *cronFieldSpec) value(s string) (int, error) {
	if s == "" {
		return 0, fmt.Errorf("missing value")
	}
	if s[0] >= '0' && s[0] <= '9' {
		if strings.ContainsAny(s, "#LWlw") {
			return 0, fmt.Errorf("%q: Quartz's L, W and # are not supported (CloudBase allows only , - * /)", s)
		}
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, fmt.Errorf("%q is not a number", s)
			}
		}
		if len(s) > 6 {
			return 0, fmt.Errorf("value %s out of range %d-%d", s, f.min, f.valueMax)
		}
		n, _ := strconv.Atoi(s)
		if n < f.min || n > f.valueMax {
			return 0, fmt.Errorf("value %d out of range %d-%d", n, f.min, f.valueMax)
		}
		return n, nil
	}
	if f.names != nil {
		for i, name := range f.names {
			if name != "" && strings.EqualFold(s, name) {
				return i, nil
			}
		}
		return 0, fmt.Errorf("%q is not a number or a name (%s-%s)", s, f.names[f.min], f.names[len(f.names)-1])
	}
	switch strings.ToUpper(s) {
	case "L", "W", "LW":
		return 0, fmt.Errorf("Quartz's %q is not supported (CloudBase allows only , - * /)", s)
	}
	if strings.ContainsAny(s, "#LW") {
		return 0, fmt.Errorf("%q: Quartz's L, W and # are not supported (CloudBase allows only , - * /)", s)
	}
	return 0, fmt.Errorf("%q is not a number", s)
}

// String returns the expression the schedule was parsed from.
func (s *Schedule) String() string { return s.expr }

// Location returns the time zone the schedule is evaluated in.
func (s *Schedule) Location() *time.Location {
	if s.loc == nil {
		return DefaultTimerLocation()
	}
	return s.loc
}

// In returns a copy of the schedule evaluated in loc (nil: DefaultTimerLocation).
func (s *Schedule) In(loc *time.Location) *Schedule {
	c := *s
	if loc == nil {
		loc = DefaultTimerLocation()
	}
	c.loc = loc
	return &c
}

// cronWall is a wall-clock time, field by field.
type cronWall struct{ year, month, day, hour, min, sec int }

func cronDaysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// norm carries overflowing fields upward (only overflow, never underflow).
func (w cronWall) norm() cronWall {
	if w.sec > 59 {
		w.min += w.sec / 60
		w.sec %= 60
	}
	if w.min > 59 {
		w.hour += w.min / 60
		w.min %= 60
	}
	if w.hour > 23 {
		w.day += w.hour / 24
		w.hour %= 24
	}
	for w.day > cronDaysIn(w.year, w.month) {
		w.day -= cronDaysIn(w.year, w.month)
		w.month++
		if w.month > 12 {
			w.month = 1
			w.year++
		}
	}
	if w.month > 12 {
		w.year += (w.month - 1) / 12
		w.month = (w.month-1)%12 + 1
	}
	return w
}

func (s *Schedule) dayMatches(y, m, d int) bool {
	dom := s.dom.has(d)
	dow := s.dow.has(int(time.Date(y, time.Month(m), d, 12, 0, 0, 0, time.UTC).Weekday()))
	if s.domStar || s.dowStar {
		return dom && dow
	}
	return dom || dow
}

// nextMatch returns the smallest wall time >= w (in field order) that the schedule
// matches, ignoring time zones.
func (s *Schedule) nextMatch(w cronWall) (cronWall, bool) {
	if w.year < cronMinYear {
		w = cronWall{year: cronMinYear, month: 1, day: 1}
	}
	for {
		if w.year > cronMaxYear {
			return w, false
		}
		y := s.year.next(w.year - cronMinYear)
		if y < 0 {
			return w, false
		}
		if y += cronMinYear; y != w.year {
			w = cronWall{year: y, month: 1, day: 1}
		}
		m := s.mon.next(w.month)
		if m < 0 {
			w = cronWall{year: w.year + 1, month: 1, day: 1}
			continue
		}
		if m != w.month {
			w = cronWall{year: w.year, month: m, day: 1}
		}
		dim := cronDaysIn(w.year, w.month)
		d := w.day
		for d <= dim && !s.dayMatches(w.year, w.month, d) {
			d++
		}
		if d > dim {
			w = cronWall{year: w.year, month: w.month + 1, day: 1}.norm()
			continue
		}
		if d != w.day {
			w = cronWall{year: w.year, month: w.month, day: d}
		}
		h := s.hour.next(w.hour)
		if h < 0 {
			w = cronWall{year: w.year, month: w.month, day: w.day + 1}.norm()
			continue
		}
		if h != w.hour {
			w.hour, w.min, w.sec = h, 0, 0
		}
		mi := s.min.next(w.min)
		if mi < 0 {
			w = cronWall{year: w.year, month: w.month, day: w.day, hour: w.hour + 1}.norm()
			continue
		}
		if mi != w.min {
			w.min, w.sec = mi, 0
		}
		sec := s.sec.next(w.sec)
		if sec < 0 {
			w = cronWall{year: w.year, month: w.month, day: w.day, hour: w.hour, min: w.min + 1}.norm()
			continue
		}
		w.sec = sec
		return w, true
	}
}

// Next returns the first time strictly after `after` that the schedule matches, in
// the schedule's location, or the zero time when there is none (the year range is
// exhausted, or the expression can never match, like the 31st of February).
func (s *Schedule) Next(after time.Time) time.Time {
	loc := s.Location()
	a := after.In(loc)
	if a.Year() > cronMaxYear {
		return time.Time{}
	}
	w := cronWall{a.Year(), int(a.Month()), a.Day(), a.Hour(), a.Minute(), a.Second() + 1}
	if w.year >= cronMinYear {
		w = w.norm()
	}
	// Each pass either returns or moves w forward; only DST gaps and repeated hours
	// need more than one pass, so the bound is generous.
	for range 200000 {
		var ok bool
		w, ok = s.nextMatch(w)
		if !ok {
			return time.Time{}
		}
		t := time.Date(w.year, time.Month(w.month), w.day, w.hour, w.min, w.sec, 0, loc)
		if t.After(after) && cronWallOf(t) == w {
			return t
		}
		w.sec++
		w = w.norm()
	}
	return time.Time{}
}

func cronWallOf(t time.Time) cronWall {
	y, m, d := t.Date()
	h, mi, s := t.Clock()
	return cronWall{y, int(m), d, h, mi, s}
}

// Matches reports whether t (to the second, on the schedule's wall clock) is a time
// the schedule fires at.
func (s *Schedule) Matches(t time.Time) bool {
	w := cronWallOf(t.In(s.Location()))
	return s.year.has(w.year-cronMinYear) && s.mon.has(w.month) &&
		s.dayMatches(w.year, w.month, w.day) && s.hour.has(w.hour) &&
		s.min.has(w.min) && s.sec.has(w.sec)
}

// ValidateTriggers checks config.json triggers the way CloudBase does: at most one,
// of type "timer", a name of at most 60 characters from [A-Za-z0-9_-] starting with a
// letter, and a valid 7-field expression. It returns the parsed schedule of the
// trigger, or nil when there is none.
func ValidateTriggers(triggers []Trigger) (*Schedule, error) {
	if len(triggers) == 0 {
		return nil, nil
	}
	if len(triggers) > 1 {
		return nil, fmt.Errorf("triggers: a function may have at most one trigger, got %d", len(triggers))
	}
	t := triggers[0]
	if t.Type != TriggerTypeTimer {
		return nil, fmt.Errorf("trigger %q: type must be %q, got %q", t.Name, TriggerTypeTimer, t.Type)
	}
	if err := validateTriggerName(t.Name); err != nil {
		return nil, err
	}
	s, err := ParseCron(t.Config)
	if err != nil {
		return nil, fmt.Errorf("trigger %q: %w", t.Name, err)
	}
	return s, nil
}

func validateTriggerName(name string) error {
	if name == "" {
		return fmt.Errorf("trigger name is empty")
	}
	if len(name) > cronMaxTriggerName {
		return fmt.Errorf("trigger name %q is longer than %d characters", name, cronMaxTriggerName)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if i == 0 && !letter {
			return fmt.Errorf("trigger name %q must start with a letter", name)
		}
		if !letter && !(c >= '0' && c <= '9') && c != '_' && c != '-' {
			return fmt.Errorf("trigger name %q may contain only letters, digits, '_' and '-'", name)
		}
	}
	return nil
}

// ---------------------------------------------------------------------------------
// Scheduler

// Clock is the scheduler's time source; tests replace it.
type Clock interface {
	Now() time.Time
	NewTimer(d time.Duration) ClockTimer
}

// ClockTimer is a one-shot timer made by a Clock.
type ClockTimer interface {
	C() <-chan time.Time
	Stop() bool
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }
func (systemClock) NewTimer(d time.Duration) ClockTimer {
	return systemTimer{time.NewTimer(d)}
}

type systemTimer struct{ t *time.Timer }

func (t systemTimer) C() <-chan time.Time { return t.t.C }
func (t systemTimer) Stop() bool          { return t.t.Stop() }

// SchedulerOption configures a Scheduler.
type SchedulerOption func(*Scheduler)

// WithClock sets the scheduler's time source (default: the system clock).
func WithClock(c Clock) SchedulerOption { return func(s *Scheduler) { s.clock = c } }

// WithSchedulerLogger sets where the scheduler reports skipped runs and panics
// (default: slog.Default()).
func WithSchedulerLogger(l *slog.Logger) SchedulerOption { return func(s *Scheduler) { s.log = l } }

// schedulerMaxWait bounds one sleep, so a wall-clock change (NTP step, manual set) is
// noticed within a minute. It is not polling: an idle scheduler wakes once a minute.
const schedulerMaxWait = time.Minute

// Scheduler fires functions' timer triggers. One goroutine sleeps until the earliest
// next fire time; each fire runs `run` on its own goroutine. A fire that comes while
// the previous run of the same function is still executing is skipped (and logged). A
// fire the scheduler could not make in time (the process was suspended) happens once,
// late; missed fires are not replayed.
type Scheduler struct {
	loc   *time.Location
	run   func(ctx context.Context, function string, trigger Trigger)
	clock Clock
	log   *slog.Logger

	mu       sync.Mutex
	jobs     map[string]*timerJob
	running  map[string]bool
	started  bool
	cancel   context.CancelFunc
	wake     chan struct{}
	loopDone chan struct{}
	runs     sync.WaitGroup
}

type timerJob struct {
	function string
	trigger  Trigger
	sched    *Schedule
	next     time.Time
	last     time.Time
	fired    int64
	skipped  int64
}

// TimerJob describes one scheduled trigger (Scheduler.Jobs).
type TimerJob struct {
	Function string    `json:"function"`
	Trigger  Trigger   `json:"trigger"`
	Next     time.Time `json:"next"`               // zero when it will never fire again
	LastFire time.Time `json:"lastFire,omitempty"` // zero before the first fire
	Running  bool      `json:"running"`
	Fired    int64     `json:"fired"`
	Skipped  int64     `json:"skipped"` // fires skipped because a run was still executing
}

// NewScheduler returns a stopped scheduler evaluating expressions in loc (nil:
// DefaultTimerLocation, Asia/Shanghai) and calling run for every fire.
func NewScheduler(loc *time.Location, run func(ctx context.Context, function string, trigger Trigger), opts ...SchedulerOption) *Scheduler {
	if loc == nil {
		loc = DefaultTimerLocation()
	}
	s := &Scheduler{
		loc:     loc,
		run:     run,
		clock:   systemClock{},
		jobs:    map[string]*timerJob{},
		running: map[string]bool{},
		wake:    make(chan struct{}, 1),
	}
	for _, o := range opts {
		o(s)
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}

// Location returns the time zone the scheduler evaluates expressions in.
func (s *Scheduler) Location() *time.Location { return s.loc }

// Set installs function's triggers (from its config.json), replacing earlier ones; no
// triggers removes the function's schedule. Invalid triggers leave the schedule as it
// was and return the error. Setting the same trigger again keeps its next fire time.
func (s *Scheduler) Set(function string, triggers []Trigger) error {
	if function == "" {
		return fmt.Errorf("timer trigger: empty function name")
	}
	sched, err := ValidateTriggers(triggers)
	if err != nil {
		return err
	}
	if sched == nil {
		s.Remove(function)
		return nil
	}
	sched = sched.In(s.loc)
	s.mu.Lock()
	if old, ok := s.jobs[function]; ok && old.trigger == triggers[0] {
		s.mu.Unlock()
		return nil
	}
	j := &timerJob{function: function, trigger: triggers[0], sched: sched}
	j.next = sched.Next(s.clock.Now())
	if old, ok := s.jobs[function]; ok {
		j.last, j.fired, j.skipped = old.last, old.fired, old.skipped
	}
	s.jobs[function] = j
	s.mu.Unlock()
	s.poke()
	return nil
}

// Remove drops function's schedule. A run in progress is not interrupted.
func (s *Scheduler) Remove(function string) {
	s.mu.Lock()
	_, ok := s.jobs[function]
	delete(s.jobs, function)
	s.mu.Unlock()
	if ok {
		s.poke()
	}
}

// Jobs lists the scheduled triggers, by function name.
func (s *Scheduler) Jobs() []TimerJob {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]TimerJob, 0, len(s.jobs))
	for _, j := range s.jobs {
		out = append(out, TimerJob{
			Function: j.function, Trigger: j.trigger, Next: j.next, LastFire: j.last,
			Running: s.running[j.function], Fired: j.fired, Skipped: j.skipped,
		})
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Function < out[b].Function })
	return out
}

// Start begins firing triggers. ctx bounds the scheduler and is the parent of every
// run's context. Starting a started scheduler does nothing.
func (s *Scheduler) Start(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	s.started, s.cancel = true, cancel
	now := s.clock.Now()
	for _, j := range s.jobs {
		j.next = j.sched.Next(now)
	}
	select { // the loop computes everything afresh: drop pokes from before Start
	case <-s.wake:
	default:
	}
	s.loopDone = make(chan struct{})
	go s.loop(ctx, s.loopDone)
}

// Stop stops firing, cancels the context of runs in progress and waits for them to
// return. The scheduler may be started again.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	if !s.started {
		s.mu.Unlock()
		return
	}
	s.started = false
	cancel, done := s.cancel, s.loopDone
	s.mu.Unlock()
	cancel()
	<-done
	s.runs.Wait()
}

func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Scheduler) loop(ctx context.Context, done chan struct{}) {
	defer close(done)
	for {
		s.mu.Lock()
		now := s.clock.Now()
		var earliest time.Time
		for _, j := range s.jobs {
			if !j.next.IsZero() && !j.next.After(now) {
				s.fireLocked(ctx, j, now)
				// From now, not from j.next: a late wake-up fires once, not a burst.
				j.next = j.sched.Next(now)
			}
			if !j.next.IsZero() && (earliest.IsZero() || j.next.Before(earliest)) {
				earliest = j.next
			}
		}
		s.mu.Unlock()
		wait := schedulerMaxWait
		if !earliest.IsZero() {
			if d := earliest.Sub(now); d < wait {
				wait = d
			}
		}
		timer := s.clock.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-s.wake:
		case <-timer.C():
		}
		timer.Stop()
	}
}

// fireLocked starts one run of j, or skips it when the previous one is still running.
func (s *Scheduler) fireLocked(ctx context.Context, j *timerJob, now time.Time) {
	fn, trig := j.function, j.trigger
	if s.running[fn] {
		j.skipped++
		s.log.Warn("timer trigger skipped: the previous run is still executing",
			"function", fn, "trigger", trig.Name, "scheduled", j.next, "skipped", j.skipped)
		return
	}
	s.running[fn] = true
	j.fired++
	j.last = now
	s.runs.Add(1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("timer trigger run panicked", "function", fn, "trigger", trig.Name, "panic", r)
			}
			s.mu.Lock()
			delete(s.running, fn)
			s.mu.Unlock()
			s.runs.Done()
		}()
		s.run(ctx, fn, trig)
	}()
}
