package rules

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/minicloud/minicloud/collections/mql"
)

// readRules parses {"read": <rule>} where rule is an expression string.
func readRules(t testing.TB, expr string) *RuleSet {
	t.Helper()
	rs, err := Parse([]byte(`{"read":` + string(ejson.AppendString(nil, expr)) + `}`))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return rs
}

// matcher compiles a filter the way the store does before matching: server dates
// resolved at now, then mql.ParseFilter.
func matcher(t testing.TB, filter ejson.D, now time.Time) *mql.Filter {
	t.Helper()
	resolved := ejson.ResolveServerDates(ejson.Clone(filter), now).(ejson.D)
	f, err := mql.ParseFilter(resolved)
	if err != nil {
		t.Fatalf("filter %v: %v", filter, err)
	}
	return f
}

func TestAllowQueryTable(t *testing.T) {
	cases := []struct {
		name, rule, query string
		want              bool
	}{
		// the creator-only preset
		{"own openid", `doc._openid == auth.openid`, `{"_openid":"alice"}`, true},
		{"flipped operands", `auth.openid == doc._openid`, `{"_openid":"alice"}`, true},
		{"own openid with $eq", `doc._openid == auth.openid`, `{"_openid":{"$eq":"alice"}}`, true},
		{"own openid plus other fields", `doc._openid == auth.openid`, `{"_openid":"alice","n":{"$gt":1},"tags":"x"}`, true},
		{"another user", `doc._openid == auth.openid`, `{"_openid":"bob"}`, false},
		{"case differs", `doc._openid == auth.openid`, `{"_openid":"Alice"}`, false},
		{"number is not a string", `doc._openid == auth.openid`, `{"_openid":1}`, false},
		{"null openid", `doc._openid == auth.openid`, `{"_openid":null}`, false},
		{"no condition", `doc._openid == auth.openid`, `{}`, false},
		{"nil filter", `doc._openid == auth.openid`, ``, false},
		{"other field only", `doc._openid == auth.openid`, `{"owner":"alice"}`, false},
		{"array element path", `doc._openid == auth.openid`, `{"_openid.0":"alice"}`, false},
		{"nested path", `doc._openid == auth.openid`, `{"_openid.x":"alice"}`, false},
		{"whole array operand", `doc._openid == auth.openid`, `{"_openid":["alice"]}`, false},
		{"object operand", `doc._openid == auth.openid`, `{"_openid":{"x":"alice"}}`, false},

		// $in lists: every member must satisfy the rule
		{"$in of own", `doc._openid == auth.openid`, `{"_openid":{"$in":["alice"]}}`, true},
		{"$in with another", `doc._openid == auth.openid`, `{"_openid":{"$in":["alice","bob"]}}`, false},
		{"$in with null", `doc._openid == auth.openid`, `{"_openid":{"$in":["alice",null]}}`, false},
		{"$in with a regex", `doc._openid == auth.openid`, `{"_openid":{"$in":["alice",{"$regex":"."}]}}`, false},
		{"$in not an array", `doc._openid == auth.openid`, `{"_openid":{"$in":"alice"}}`, false},

		// negative operators never prove equality
		{"$ne another", `doc._openid == auth.openid`, `{"_openid":{"$ne":"bob"}}`, false},
		{"$nin others", `doc._openid == auth.openid`, `{"_openid":{"$nin":["bob","carol"]}}`, false},
		{"$not $ne", `doc._openid == auth.openid`, `{"_openid":{"$not":{"$ne":"alice"}}}`, false},
		{"$exists false", `doc._openid == auth.openid`, `{"_openid":{"$exists":false}}`, false},
		{"$exists true", `doc._openid == auth.openid`, `{"_openid":{"$exists":true}}`, false},
		{"$nor", `doc._openid == auth.openid`, `{"$nor":[{"_openid":{"$ne":"alice"}}]}`, false},
		{"regex", `doc._openid == auth.openid`, `{"_openid":{"$regex":"^alice$"}}`, false},
		{"regex literal", `doc._openid == auth.openid`, `{"_openid":{"$regularExpression":{"pattern":"^alice$","options":""}}}`, false},
		{"$eq regex", `doc._openid == auth.openid`, `{"_openid":{"$eq":{"$regularExpression":{"pattern":"alice","options":""}}}}`, false},
		{"$elemMatch", `doc._openid == auth.openid`, `{"_openid":{"$elemMatch":{"$eq":"alice"}}}`, false},
		{"$all", `doc._openid == auth.openid`, `{"_openid":{"$all":["alice"]}}`, false},
		{"range around", `doc._openid == auth.openid`, `{"_openid":{"$gte":"alice","$lte":"alice"}}`, false},
		{"$expr", `doc._openid == auth.openid`, `{"$expr":{"$eq":["$_openid","alice"]}}`, false},

		// $or: each branch (with the common conditions) must prove the rule
		{"$or all own", `doc._openid == auth.openid`, `{"$or":[{"_openid":"alice"},{"_openid":"alice","n":1}]}`, true},
		{"$or one foreign branch", `doc._openid == auth.openid`, `{"$or":[{"_openid":"alice"},{"_openid":"bob"}]}`, false},
		{"$or empty branch", `doc._openid == auth.openid`, `{"$or":[{"_openid":"alice"},{}]}`, false},
		{"$or common part proves", `doc._openid == auth.openid`, `{"_openid":"alice","$or":[{"n":1},{"n":2}]}`, true},
		{"$or nested in $and", `doc._openid == auth.openid`, `{"$and":[{"$or":[{"_openid":"alice"},{"_openid":"alice"}]}]}`, false},
		{"$or nested in $or", `doc._openid == auth.openid`, `{"$or":[{"$or":[{"_openid":"alice"}]}]}`, false},
		{"$or not an array", `doc._openid == auth.openid`, `{"$or":{"_openid":"alice"}}`, false},
		{"$and of own", `doc._openid == auth.openid`, `{"$and":[{"n":1},{"$and":[{"_openid":"alice"}]}]}`, true},

		// rules with ||: one disjunct per branch is enough
		{"or rule, public", `doc.public == true || doc._openid == auth.openid`, `{"public":true}`, true},
		{"or rule, own", `doc.public == true || doc._openid == auth.openid`, `{"_openid":"alice"}`, true},
		{"or rule, $or of both", `doc.public == true || doc._openid == auth.openid`, `{"$or":[{"public":true},{"_openid":"alice"}]}`, true},
		{"or rule, public false", `doc.public == true || doc._openid == auth.openid`, `{"public":false}`, false},
		{"or rule, public truthy number", `doc.public == true || doc._openid == auth.openid`, `{"public":1}`, false},
		{"or rule, $in of public values", `doc.public == true || doc._openid == auth.openid`, `{"public":{"$in":[true,false]}}`, false},
		{"and rule needs both", `doc.public == true && doc._openid == auth.openid`, `{"public":true}`, false},
		{"and rule, both", `doc.public == true && doc._openid == auth.openid`, `{"public":true,"_openid":"alice"}`, true},

		// negation
		{"not equal", `doc.status != 'deleted'`, `{"status":"open"}`, true},
		{"not equal, same value", `doc.status != 'deleted'`, `{"status":"deleted"}`, false},
		{"not equal, $ne is not read", `doc.status != 'deleted'`, `{"status":{"$ne":"deleted"}}`, false},
		{"not (a or b)", `!(doc.status == 'deleted' || doc.status == 'hidden')`, `{"status":"open"}`, true},
		{"not (a or b), one fails", `!(doc.status == 'deleted' || doc.status == 'hidden')`, `{"status":"hidden"}`, false},
		{"not (a and b), one side", `!(doc.status == 'deleted' && doc.n > 1)`, `{"status":"open"}`, true},
		{"double negation", `!!(doc._openid == auth.openid)`, `{"_openid":"alice"}`, true},
		{"bare flag", `doc.public`, `{"public":true}`, true},
		{"bare flag false", `doc.public`, `{"public":false}`, false},
		{"negated flag", `!doc.locked`, `{"locked":false}`, true},
		{"negated flag true", `!doc.locked`, `{"locked":true}`, false},
		{"negated flag, no condition", `!doc.locked`, `{}`, false},

		// ranges
		{"gt from gt", `doc.n > 3`, `{"n":{"$gt":3}}`, true},
		{"gt from gte same bound", `doc.n > 3`, `{"n":{"$gte":3}}`, false},
		{"gt from gte higher", `doc.n > 3`, `{"n":{"$gte":3.5}}`, true},
		{"gte from gt", `doc.n >= 3`, `{"n":{"$gt":3}}`, true},
		{"gte from gt lower", `doc.n >= 3`, `{"n":{"$gt":2.5}}`, false},
		{"lt from lt", `doc.n < 10`, `{"n":{"$lt":10}}`, true},
		{"lt from lte same bound", `doc.n < 10`, `{"n":{"$lte":10}}`, false},
		{"lte from lt", `doc.n <= 10`, `{"n":{"$lt":10.5}}`, false},
		{"lte from lte", `doc.n <= 10`, `{"n":{"$lte":10}}`, true},
		{"between", `doc.n >= 0 && doc.n <= 10`, `{"n":{"$gte":1,"$lte":9}}`, true},
		{"between, one bound", `doc.n >= 0 && doc.n <= 10`, `{"n":{"$gte":1}}`, false},
		{"wrong direction", `doc.n > 3`, `{"n":{"$lt":100}}`, false},
		{"string bound for a number", `doc.n > 3`, `{"n":{"$gt":"5"}}`, false},
		{"null bound", `doc.n > 3`, `{"n":{"$gt":null}}`, false},
		{"equality within range", `doc.n > 3`, `{"n":5}`, true},
		{"equality outside range", `doc.n > 3`, `{"n":3}`, false},
		{"$in within range", `doc.n > 3`, `{"n":{"$in":[4,5.5]}}`, true},
		{"flipped range", `3 < doc.n`, `{"n":{"$gt":3}}`, true},
		{"flipped range, wrong", `3 > doc.n`, `{"n":{"$gt":3}}`, false},
		{"negated lt", `!(doc.n < 3)`, `{"n":{"$gte":3}}`, true},
		{"negated lt, $gt lower", `!(doc.n < 3)`, `{"n":{"$gt":2}}`, false},
		{"date before now", `doc.at < now`, `{"at":{"$lt":{"$date":1600000000000}}}`, true},
		{"date after now", `doc.at < now`, `{"at":{"$lt":{"$date":1800000000000}}}`, false},

		// in
		{"in list", `doc.status in ['open', 'draft']`, `{"status":"open"}`, true},
		{"in list, $in subset", `doc.status in ['open', 'draft']`, `{"status":{"$in":["draft","open"]}}`, true},
		{"in list, outside", `doc.status in ['open', 'draft']`, `{"status":"gone"}`, false},
		{"in list, range", `doc.status in ['open', 'draft']`, `{"status":{"$gte":"draft","$lte":"open"}}`, false},
		{"in empty list", `doc.status in []`, `{"status":"open"}`, false},
		{"member of", `auth.openid in doc.members`, `{"members":"alice"}`, true},
		{"member of, $in of one", `auth.openid in doc.members`, `{"members":{"$in":["alice"]}}`, true},
		{"member of, $in of two", `auth.openid in doc.members`, `{"members":{"$in":["alice","bob"]}}`, false},
		{"member of, $all", `auth.openid in doc.members`, `{"members":{"$all":["alice"]}}`, false},
		{"member of, $elemMatch", `auth.openid in doc.members`, `{"members":{"$elemMatch":{"$eq":"alice"}}}`, false},
		{"member of, contradiction", `auth.openid in doc.members`, `{"members":"alice","$and":[{"members":"bob"}]}`, false},

		// paths
		{"nested path", `doc.owner.id == auth.openid`, `{"owner.id":"alice"}`, true},
		{"nested path, parent object", `doc.owner.id == auth.openid`, `{"owner":{"id":"alice"}}`, false},
		{"bracket path", `doc['owner']['id'] == auth.openid`, `{"owner.id":"alice"}`, true},
		{"index path", `doc.list[0] == 'x'`, `{"list.0":"x"}`, true},

		// rules that do not read doc are evaluated
		{"auth only", `auth != null`, `{}`, true},
		{"auth only, false", `auth.openid == 'bob'`, `{"_openid":"alice"}`, false},
		{"constant true expr", `true`, `{}`, true},
		{"literal arithmetic", `1 + 1 == 2`, `{}`, true},
		{"doc in arithmetic is not proved", `doc.n + 1 == 2`, `{"n":1}`, false},
		{"doc against doc is not proved", `doc.a == doc.b`, `{"a":1,"b":1}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs := readRules(t, c.rule)
			var filter ejson.D
			if c.query != "" {
				filter = doc(t, c.query)
			}
			got, err := rs.AllowQuery(Read, alice, filter)
			if err != nil || got != c.want {
				t.Errorf("rule %s, query %s: %v (%v), want %v", c.rule, c.query, got, err, c.want)
			}
		})
	}
}

func TestAllowQueryOps(t *testing.T) {
	rs, err := Parse([]byte(`{"read":"doc.public == true","update":"doc._openid == auth.openid","delete":false,"create":true}`))
	if err != nil {
		t.Fatal(err)
	}
	own := doc(t, `{"_openid":"alice"}`)
	cases := []struct {
		op   Op
		env  Env
		q    ejson.D
		want bool
	}{
		{Read, alice, doc(t, `{"public":true}`), true},
		{Read, alice, own, false},
		{Update, alice, own, true},
		{Update, Env{Auth: Auth{OpenID: "bob"}}, own, false},
		{Delete, alice, own, false},
		{Create, alice, own, true},
		{Op("list"), alice, own, false},
	}
	for _, c := range cases {
		if got, err := rs.AllowQuery(c.op, c.env, c.q); err != nil || got != c.want {
			t.Errorf("%s as %q: %v %v, want %v", c.op, c.env.Auth.OpenID, got, err, c.want)
		}
	}
	// rules without a read entry: only admins read
	only, err := Parse([]byte(`{"write":true}`))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := only.AllowQuery(Read, alice, nil); ok || err != nil {
		t.Errorf("no read rule: %v %v", ok, err)
	}
	if ok, err := only.AllowQuery(Update, alice, nil); !ok || err != nil {
		t.Errorf("write true covers update: %v %v", ok, err)
	}
}

// A signed-out caller proves nothing about its own openid.
func TestAllowQuerySignedOut(t *testing.T) {
	nobody := Env{Now: alice.Now}
	cases := []struct {
		rule, query string
		want        bool
	}{
		{`doc._openid == auth.openid`, `{"_openid":"alice"}`, false},
		{`doc._openid == auth.openid`, `{"_openid":""}`, false},
		{`auth != null && doc._openid == auth.openid`, `{"_openid":null}`, false},
		{`auth == null`, `{}`, true},
		{`doc.public == true || auth != null`, `{"public":true}`, true},
		{`doc.public == true || auth != null`, `{}`, false},
	}
	for _, c := range cases {
		got, err := readRules(t, c.rule).AllowQuery(Read, nobody, doc(t, c.query))
		if err != nil || got != c.want {
			t.Errorf("rule %s, query %s: %v (%v), want %v", c.rule, c.query, got, err, c.want)
		}
	}
}

// get() in a rule that AllowQuery evaluates: found, missing, failing.
func TestAllowQueryWithGet(t *testing.T) {
	env := alice
	calls := 0
	env.Get = func(coll, id string) (ejson.D, bool, error) {
		calls++
		switch {
		case coll == "users" && id == "alice":
			return ejson.D{{Key: "admin", Value: true}}, true, nil
		case id == "broken":
			return nil, false, fmt.Errorf("disk on fire")
		}
		return nil, false, nil
	}
	cases := []struct {
		rule    string
		want    bool
		wantErr string
	}{
		{`get('database.users.' + auth.openid).admin == true`, true, ""},
		{`get('database.users.nobody').admin == true`, false, ""},
		{`get('database.users.broken').admin == true`, false, "disk on fire"},
		{`get('users.alice').admin == true`, false, "database.<collection>.<id>"},
		{`get('database.users').admin == true`, false, "database.<collection>.<id>"},
		{`get('database.users.').admin == true`, false, "database.<collection>.<id>"},
		{`get(1).admin == true`, false, "database.<collection>.<id>"},
		{`get('database.users.' + auth.openid).admin == true && doc._openid == auth.openid`, false, ""},
	}
	for _, c := range cases {
		got, err := readRules(t, c.rule).AllowQuery(Read, env, doc(t, `{"n":1}`))
		if got != c.want || (c.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.wantErr)) {
			t.Errorf("%s: %v %v, want %v %q", c.rule, got, err, c.want, c.wantErr)
		}
	}
	if calls == 0 {
		t.Fatal("the getter was never called")
	}
	// without a getter, get() is an error rather than a silent pass
	if ok, err := readRules(t, `get('database.users.alice').admin == true`).AllowQuery(Read, alice, nil); ok || err == nil {
		t.Errorf("get without a getter: %v %v", ok, err)
	}
}

// soundGen generates small documents and filters over a handful of fields, for the
// soundness property of AllowQuery: a filter it accepts matches only documents the
// rule allows.
type soundGen struct {
	r           *rand.Rand
	now         time.Time
	arrays      bool     // documents and operands may hold arrays
	serverDates bool     // operands may be db.serverDate({offset})
	paths       []string // filter paths (nil: soundPaths)
}

func (g *soundGen) n(k int) int           { return g.r.IntN(k) }
func (g *soundGen) chance(p float64) bool { return g.r.Float64() < p }

func (g *soundGen) scalar() any {
	ms := g.now.UnixMilli()
	vals := []any{
		"alice", "bob", "Alice", "", nil, true, false,
		int64(0), int64(1), int64(2), int64(3), int64(5), float64(1), 2.5,
		ejson.Date(ms - 86_400_000), ejson.Date(ms + 86_400_000), "open", "hidden",
		ejson.Decimal("2"), math.NaN(), ejson.D{{Key: "x", Value: "alice"}},
	}
	return vals[g.n(len(vals))]
}

func (g *soundGen) value() any {
	if g.arrays && g.chance(0.25) {
		arr := make([]any, g.n(3))
		for i := range arr {
			arr[i] = g.scalar()
		}
		return arr
	}
	return g.scalar()
}

func (g *soundGen) doc() ejson.D {
	var d ejson.D
	for _, k := range []string{"owner", "n", "flag", "status", "at", "members"} {
		if g.chance(0.75) {
			d = append(d, ejson.E{Key: k, Value: g.value()})
		}
	}
	if g.chance(0.7) {
		var a any
		switch g.n(3) {
		case 0:
			a = g.value()
		default:
			a = ejson.D{{Key: "b", Value: g.value()}}
		}
		if g.arrays && g.chance(0.3) {
			a = []any{ejson.D{{Key: "b", Value: g.scalar()}}, ejson.D{{Key: "b", Value: g.scalar()}}}
		}
		d = append(d, ejson.E{Key: "a", Value: a})
	}
	return d
}

var soundPaths = []string{"owner", "n", "flag", "status", "at", "members", "a.b", "a"}

func (g *soundGen) operand() any {
	if g.serverDates && g.chance(0.3) {
		return ejson.ServerDate{Offset: []int64{-86_400_000 * 2, 0, 86_400_000 * 2}[g.n(3)]}
	}
	return g.value()
}

func (g *soundGen) condition() any {
	switch g.n(12) {
	case 0, 1, 2:
		return g.operand()
	case 3:
		return ejson.D{{Key: "$eq", Value: g.operand()}}
	case 4, 5:
		list := make([]any, 1+g.n(3))
		for i := range list {
			list[i] = g.operand()
		}
		return ejson.D{{Key: "$in", Value: list}}
	case 6:
		op := []string{"$gt", "$gte", "$lt", "$lte"}[g.n(4)]
		return ejson.D{{Key: op, Value: g.operand()}}
	case 7:
		return ejson.D{{Key: []string{"$gt", "$gte"}[g.n(2)], Value: g.operand()}, {Key: []string{"$lt", "$lte"}[g.n(2)], Value: g.operand()}}
	case 8:
		if g.chance(0.5) {
			return ejson.D{{Key: "$ne", Value: g.operand()}}
		}
		return ejson.D{{Key: "$nin", Value: []any{g.operand(), g.operand()}}}
	case 9:
		return ejson.D{{Key: "$exists", Value: g.chance(0.5)}}
	case 10:
		return ejson.D{{Key: "$not", Value: ejson.D{{Key: "$eq", Value: g.operand()}}}}
	default:
		return ejson.D{{Key: "$eq", Value: g.operand()}, {Key: "$in", Value: []any{g.operand(), g.operand()}}}
	}
}

// fields returns 0-3 conditions on distinct paths.
func (g *soundGen) fields() ejson.D {
	var d ejson.D
	seen := map[string]bool{}
	paths := g.paths
	if paths == nil {
		paths = soundPaths
	}
	for range g.n(4) {
		p := paths[g.n(len(paths))]
		if seen[p] {
			continue
		}
		seen[p] = true
		d = append(d, ejson.E{Key: p, Value: g.condition()})
	}
	return d
}

func (g *soundGen) filter() ejson.D {
	f := g.fields()
	if g.chance(0.3) {
		f = append(f, ejson.E{Key: "$and", Value: []any{g.fields(), g.fields()}})
	}
	if g.chance(0.35) {
		branches := make([]any, 1+g.n(3))
		for i := range branches {
			branches[i] = g.fields()
		}
		f = append(f, ejson.E{Key: "$or", Value: branches})
	}
	return f
}

// soundRules are rules whose proofs the soundness property checks.
var soundRules = []string{
	`doc.owner == auth.openid`,
	`auth.openid == doc.owner`,
	`doc.owner != 'bob'`,
	`doc.owner == auth.unionid`,
	`doc.n > 1`,
	`doc.n >= 1 && doc.n <= 3`,
	`!(doc.n < 2)`,
	`!(doc.n >= 2) || doc.owner == 'alice'`,
	`doc.flag`,
	`!doc.flag`,
	`doc.flag == false`,
	`doc.owner in ['alice', 'bob']`,
	`!(doc.status == 'hidden')`,
	`doc.a.b == auth.openid`,
	`doc.a.b != null`,
	`doc.owner == auth.openid || doc.flag == true`,
	`!(doc.owner == 'bob' || doc.status == 'hidden')`,
	`doc.status == null`,
	`doc.owner == auth.openid && doc.n > 1`,
	`doc.at < now`,
	`doc.at >= now`,
	`auth != null && doc.owner == auth.openid`,
	`doc.n + 1 == 2`,
}

type counterexample struct {
	rule   string
	filter ejson.D
	doc    ejson.D
}

func (c counterexample) String() string {
	f, _ := ejson.MarshalString(c.filter, ejson.Canonical)
	d, _ := ejson.MarshalString(c.doc, ejson.Canonical)
	return fmt.Sprintf("rule %q accepts filter %s, which matches %s, which the rule denies", c.rule, f, d)
}

// checkSoundness runs the property for each rule over random filters and documents and
// returns the counterexamples found and how many filters were accepted per rule.
func checkSoundness(t *testing.T, g *soundGen, rules []string, env Env, filters, docs int) ([]counterexample, map[string]int) {
	t.Helper()
	pool := make([]ejson.D, docs)
	for i := range pool {
		pool[i] = g.doc()
	}
	var bad []counterexample
	accepted := map[string]int{}
	for _, src := range rules {
		rs := readRules(t, src)
		for range filters {
			f := g.filter()
			ok, err := rs.AllowQuery(Read, env, f)
			if err != nil {
				t.Fatalf("rule %s on %v: %v", src, f, err)
			}
			if !ok {
				continue
			}
			resolved := ejson.ResolveServerDates(ejson.Clone(f), env.Now).(ejson.D)
			m, err := mql.ParseFilter(resolved)
			if err != nil {
				continue // the store refuses the filter anyway
			}
			accepted[src]++
			for _, d := range pool {
				if !m.Match(d) {
					continue
				}
				if allow, err := rs.Allow(Read, env, d); err != nil || !allow {
					bad = append(bad, counterexample{src, f, d})
					break
				}
			}
		}
	}
	return bad, accepted
}

// Soundness of AllowQuery on documents of scalar and nested-object fields: for random
// filters it accepts, every random document the mql matcher matches satisfies the rule
// under Allow.
func TestAllowQuerySoundScalars(t *testing.T) {
	g := &soundGen{r: rand.New(rand.NewPCG(1, 2)), now: alice.Now}
	env := alice
	bad, accepted := checkSoundness(t, g, soundRules, env, 1500, 400)
	for i, c := range bad {
		if i == 10 {
			t.Errorf("… %d counterexamples in all", len(bad))
			break
		}
		t.Error(c)
	}
	// The property is not vacuous: most provable rules had filters accepted. The
	// generator rarely fixes two fields at once, so the conjunction is checked on a
	// filter made for it (it used to be accepted at random only through conditions
	// whose values do not intersect, which prove nothing).
	conj := `doc.owner == auth.openid && doc.n > 1`
	if ok, err := readRules(t, conj).AllowQuery(Read, env, doc(t, `{"owner":"alice","n":{"$gt":1}}`)); !ok || err != nil {
		t.Errorf("rule %q on a filter fixing both fields: %v %v", conj, ok, err)
	}
	for _, src := range soundRules {
		if accepted[src] == 0 && src != `doc.n + 1 == 2` && src != conj {
			t.Errorf("rule %q: no random filter was accepted; the generator no longer exercises it", src)
		}
	}
	if accepted[`doc.n + 1 == 2`] != 0 {
		t.Errorf("arithmetic over doc was proved %d times", accepted[`doc.n + 1 == 2`])
	}
}

// The same property for a caller who is signed out (auth null).
func TestAllowQuerySoundSignedOut(t *testing.T) {
	g := &soundGen{r: rand.New(rand.NewPCG(3, 4)), now: alice.Now}
	env := Env{Now: alice.Now}
	bad, _ := checkSoundness(t, g, soundRules, env, 600, 300)
	for i, c := range bad {
		if i == 10 {
			break
		}
		t.Error(c)
	}
}

// An unresolved db.serverDate() operand proves nothing (it was compared as 1970 while
// the store resolves it to now+offset, so a bound in the future "proved" a rule such as
// doc.publishAt <= now); the store resolves them before asking.
func TestAllowQueryServerDate(t *testing.T) {
	rs := readRules(t, `doc.publishAt <= now`)
	filter := doc(t, `{"publishAt":{"$lte":{"$date":{"offset":31536000000}}}}`)
	future := doc(t, `{"publishAt":{"$date":1720000000000}}`) // alice.Now is 1.7e12
	ok, err := rs.AllowQuery(Read, alice, filter)
	if err != nil || ok {
		t.Errorf("a filter bounded by an unresolved server date: %v %v", ok, err)
	}
	if ok && matcher(t, filter, alice.Now).Match(future) {
		if allow, _ := rs.Allow(Read, alice, future); !allow {
			t.Errorf("accepted a filter matching %v, which the rule denies", future)
		}
	}
}

// The same with server dates as operands of random filters.
func TestAllowQuerySoundServerDates(t *testing.T) {
	g := &soundGen{r: rand.New(rand.NewPCG(5, 6)), now: alice.Now, serverDates: true, paths: []string{"at"}}
	bad, _ := checkSoundness(t, g, []string{`doc.at < now`, `doc.at <= now`, `doc.at >= now`}, alice, 1500, 300)
	for i, c := range bad {
		if i == 10 {
			break
		}
		t.Error(c)
	}
}

// assertUnsound fails when AllowQuery accepts filter although it matches doc, which
// the rule denies.
func assertUnsound(t *testing.T, rule, filter, document string, env Env) {
	t.Helper()
	rs := readRules(t, rule)
	f := doc(t, filter)
	d := doc(t, document)
	ok, err := rs.AllowQuery(Read, env, f)
	if err != nil || !ok || !matcher(t, f, env.Now).Match(d) {
		return
	}
	if allow, _ := rs.Allow(Read, env, d); !allow {
		t.Errorf("rule %s accepts %s, which matches %s, which the rule denies", rule, filter, document)
	}
}

// doc['a.b'] reads a key holding a dot, which no filter path names: never proved (it
// was proved from the path a.b).
func TestAllowQueryDottedSegment(t *testing.T) {
	assertUnsound(t, `doc['a.b'] == 'x'`, `{"a.b":"x"}`, `{"a":{"b":"x"}}`, alice)
}

// `x in doc.f` with x null (a caller without that auth field) is not proved by
// {f: null}, which matches documents without f.
func TestAllowQueryNullMember(t *testing.T) {
	assertUnsound(t, `auth.unionid in doc.members`, `{"members":null}`, `{}`, alice)
}

// Gap: CloudBase documents !(x in [...]) as its "not in" and get() rules whose id comes
// from a field the query fixes; neither is ever proved here, so such queries are denied.
func TestAllowQueryNotInAndGetGap(t *testing.T) {
	t.Skip("bug: `!(doc.status in ['hidden'])` is never proved (not even by {status:'open'}), nor get() over a doc field fixed by the query")
	env := alice
	env.Get = func(coll, id string) (ejson.D, bool, error) {
		return ejson.D{{Key: "members", Value: []any{"alice"}}}, coll == "room" && id == "r1", nil
	}
	if ok, err := readRules(t, `!(doc.status in ['hidden'])`).AllowQuery(Read, env, doc(t, `{"status":"open"}`)); !ok || err != nil {
		t.Errorf("not in: %v %v", ok, err)
	}
	if ok, err := readRules(t, `auth.openid in get('database.room.' + doc.roomId).members`).AllowQuery(Read, env, doc(t, `{"roomId":"r1"}`)); !ok || err != nil {
		t.Errorf("get over a fixed field: %v %v", ok, err)
	}
}
