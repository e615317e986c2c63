package apis

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minicloud/minicloud/collections"
	"github.com/minicloud/minicloud/collections/ejson"
)

// Two WeChat users against every permission preset and every rule shape, through both
// client dialects (gateway /v1 as js-sdk 3.x sends it by default, and the /web action
// dialect of its CLOUD_API mode). Every step states what must happen: n documents
// returned / counted / written, or permission denied; admin reads afterwards check that
// writes changed exactly what they reported, and no answer may hold a document the
// caller cannot read under the collection's preset or rules.

// seedDoc is one of the four documents every collection starts with.
type seedDoc struct {
	id, owner, title, team string
	public, secret         bool
	editors                []string
	expired                bool
	level                  int
}

// marker is a string only this document's answers contain.
func (d seedDoc) marker() string { return "MARK-" + strings.ToUpper(d.id) }

var secSeed = []seedDoc{
	{id: "a1", owner: "o-alice", title: "A1", team: "red", public: true, editors: []string{"o-alice"}, level: 5},
	{id: "a2", owner: "o-alice", title: "A2", team: "green", secret: true, editors: []string{"o-alice"}, expired: true, level: 1},
	{id: "b1", owner: "o-bob", title: "B1", team: "blue", public: true, editors: []string{"o-bob", "o-alice"}, level: 3},
	{id: "b2", owner: "o-bob", title: "B2", team: "green", secret: true, editors: []string{"o-bob"}, expired: true, level: 2},
}

func seedByID(id string) seedDoc {
	for _, d := range secSeed {
		if d.id == id {
			return d
		}
	}
	panic("no seed document " + id)
}

// json is the document as the admin inserts it, with extra fields appended.
func (d seedDoc) json(id string, now time.Time, extra string) string {
	exp := now.Add(24 * time.Hour)
	if d.expired {
		exp = now.Add(-24 * time.Hour)
	}
	editors, _ := json.Marshal(d.editors)
	s := fmt.Sprintf(`{"_id":%q,"_openid":%q,"title":%q,"team":%q,"public":%t,"secret":%t,"editors":%s,"expiresAt":{"$date":%d},"stats":{"level":%d},"note":%q`,
		id, d.owner, d.title, d.team, d.public, d.secret, editors, exp.UnixMilli(), d.level, d.marker())
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

const deny = -1

// step is one client operation and its expected outcome.
type step struct {
	bob    bool   // run as bob (else alice)
	kind   string // get, query, count, agg, add, update, updateWhere, remove, removeWhere
	id     string // get / update: the document; remove / removeWhere: the seed document copied first
	filter string // query, count, agg ($match; "" for none), updateWhere, removeWhere
	doc    string // add: the new document's fields (without braces)
	want   int    // documents returned / counted / written, or deny
}

func sGet(id string, want int) step       { return step{kind: "get", id: id, want: want} }
func sQuery(filter string, want int) step { return step{kind: "query", filter: filter, want: want} }
func sCount(filter string, want int) step { return step{kind: "count", filter: filter, want: want} }
func sAgg(match string, want int) step    { return step{kind: "agg", filter: match, want: want} }
func sAdd(fields string, want int) step   { return step{kind: "add", doc: fields, want: want} }
func sUpdate(id string, want int) step    { return step{kind: "update", id: id, want: want} }
func sUpdateWhere(filter string, want int) step {
	return step{kind: "updateWhere", filter: filter, want: want}
}
func sRemove(copyOf string, want int) step { return step{kind: "remove", id: copyOf, want: want} }
func sRemoveWhere(copyOf, filter string, want int) step {
	return step{kind: "removeWhere", id: copyOf, filter: filter, want: want}
}
func asBob(s step) step { s.bob = true; return s }

// secMode is a collection's permission setting and what each user may read under it.
type secMode struct {
	name     string
	preset   collections.Preset // used when rules is ""
	rules    string
	readable func(user string, d seedDoc) bool
	steps    []step
}

func readAll(string, seedDoc) bool                  { return true }
func readNone(string, seedDoc) bool                 { return false }
func readOwner(user string, d seedDoc) bool         { return d.owner == user }
func readPublicOrOwner(user string, d seedDoc) bool { return d.public || d.owner == user }

// ownQ is where({_openid: "{openid}"}): the caller's own documents, through the placeholder.
const ownQ = `{"_openid":"{openid}"}`

var secModes = []secMode{
	{name: "readonly", preset: collections.PresetReadOnly, readable: readAll, steps: []step{
		sGet("a1", 1), sGet("b2", 1), sQuery(`{}`, 4), sQuery(ownQ, 2), sQuery(`{"_openid":"o-bob"}`, 2), sCount(`{}`, 4), sAgg(ownQ, 2),
		asBob(sGet("a2", 1)), asBob(sQuery(ownQ, 2)),
		sUpdate("a1", 1), sUpdate("b2", 0), sUpdateWhere(ownQ, 2), sUpdateWhere(`{"_openid":"o-bob"}`, 0),
		sUpdateWhere(`{}`, 2), // a client's where().update() touches its own documents only
		asBob(sUpdate("a2", 0)),
		sAdd(`"title":"new","_openid":"o-bob"`, 1), // the forged owner is replaced by the caller
		sRemove("a1", 1), sRemove("b1", 0), sRemoveWhere("b1", `{}`, 0), sRemoveWhere("a1", ownQ, 1),
	}},
	{name: "private", preset: collections.PresetPrivate, readable: readOwner, steps: []step{
		sGet("a1", 1), sGet("a2", 1), sGet("b1", 0), sGet("b2", 0),
		sQuery(`{}`, 2), sQuery(ownQ, 2), sQuery(`{"_openid":"o-bob"}`, 0), sQuery(`{"public":true}`, 1), sCount(`{}`, 2), sAgg(ownQ, 2), sAgg("", 2),
		asBob(sQuery(`{}`, 2)), asBob(sGet("a1", 0)), asBob(sCount(`{"_openid":"o-alice"}`, 0)),
		sUpdate("a1", 1), sUpdate("b2", 0), sUpdateWhere(ownQ, 2), sUpdateWhere(`{"_openid":"o-bob"}`, 0), sUpdateWhere(`{}`, 2),
		sAdd(`"title":"new","_openid":"o-bob"`, 1),
		sRemove("a1", 1), sRemove("b1", 0), sRemoveWhere("b1", `{}`, 0), sRemoveWhere("a1", `{}`, 1),
	}},
	{name: "adminwrite", preset: collections.PresetAdminWrite, readable: readAll, steps: []step{
		sGet("b2", 1), sQuery(`{}`, 4), sQuery(ownQ, 2), sCount(`{}`, 4), sAgg("", 4),
		sUpdate("a1", deny), sUpdateWhere(ownQ, deny), asBob(sUpdate("b1", deny)),
		sAdd(`"title":"new"`, deny),
		sRemove("a1", deny), sRemoveWhere("a1", ownQ, deny),
	}},
	{name: "adminonly", preset: collections.PresetAdminOnly, readable: readNone, steps: []step{
		sGet("a1", deny), sGet("b1", deny), sQuery(`{}`, deny), sQuery(ownQ, deny), sCount(ownQ, deny), sAgg(ownQ, deny),
		asBob(sQuery(ownQ, deny)),
		sUpdate("a1", deny), sUpdateWhere(ownQ, deny), sAdd(`"title":"new"`, deny), sRemove("a1", deny), sRemoveWhere("a1", ownQ, deny),
	}},
	{name: "rule_owner", rules: `{"read":"auth.openid == doc._openid","write":"auth.openid == doc._openid"}`, readable: readOwner, steps: []step{
		sGet("a1", 1), sGet("b2", deny), sGet("gone", 0),
		sQuery(`{}`, deny), sQuery(ownQ, 2), sQuery(`{"_openid":"o-alice"}`, 2), sQuery(`{"_openid":"o-bob"}`, deny),
		sQuery(`{"_openid":{"$in":["o-alice","o-bob"]}}`, deny), sQuery(`{"_openid":{"$in":["{openid}"]}}`, 2),
		sQuery(`{"_openid":"{openid}","public":true}`, 1), // narrower than the rule: allowed
		sQuery(`{"$and":[{"_openid":"{openid}"},{"team":"green"}]}`, 1),
		sQuery(`{"$or":[{"_openid":"{openid}"},{"public":true}]}`, deny),
		sQuery(`{"public":true}`, deny), sCount(`{}`, deny), sCount(ownQ, 2), sAgg(ownQ, 2), sAgg("", deny),
		asBob(sQuery(ownQ, 2)), asBob(sGet("a1", deny)), asBob(sQuery(`{"_openid":"o-alice"}`, deny)),
		sUpdate("a1", 1), sUpdate("b2", deny), sUpdateWhere(ownQ, 2), sUpdateWhere(`{"_openid":"o-bob"}`, deny), sUpdateWhere(`{}`, deny),
		sAdd(`"title":"new","_openid":"o-bob"`, 1),
		sRemove("a1", 1), sRemove("b1", deny), sRemoveWhere("a1", ownQ, 1), sRemoveWhere("b1", `{"_openid":"o-bob"}`, deny),
	}},
	{name: "rule_or_split", rules: `{"read":"doc.public == true || doc._openid == auth.openid","create":"doc._openid == auth.openid && doc.title != null","update":"doc._openid == auth.openid","delete":false}`,
		readable: readPublicOrOwner, steps: []step{
			sGet("a2", 1), sGet("b1", 1), sGet("b2", deny),
			sQuery(`{}`, deny), sQuery(`{"public":true}`, 2), sQuery(`{"$or":[{"public":true},{"_openid":"{openid}"}]}`, 3),
			sQuery(`{"public":false}`, deny), sQuery(`{"title":"B2"}`, deny), sQuery(`{"$or":[{"public":true},{"title":"B2"}]}`, deny),
			sCount(`{"public":true}`, 2), sAgg(`{"public":true}`, 2),
			asBob(sQuery(`{"$or":[{"public":true},{"_openid":"{openid}"}]}`, 3)), asBob(sGet("a2", deny)),
			sUpdate("a1", 1), sUpdate("b1", deny), sUpdateWhere(`{"public":true}`, deny), sUpdateWhere(ownQ, 2),
			sAdd(`"title":"T"`, 1), sAdd(`"note2":"no title"`, deny),
			sRemove("a1", deny), sRemoveWhere("a1", ownQ, deny),
		}},
	{name: "rule_and", rules: `{"read":"doc._openid == auth.openid && doc.public == true","write":false}`,
		readable: func(u string, d seedDoc) bool { return d.owner == u && d.public }, steps: []step{
			sGet("a1", 1), sGet("a2", deny), sQuery(`{"_openid":"{openid}","public":true}`, 1),
			sQuery(ownQ, deny), sQuery(`{"public":true}`, deny), asBob(sQuery(`{"_openid":"{openid}","public":true}`, 1)),
			sUpdate("a1", deny), sAdd(`"title":"T"`, deny), sRemove("a1", deny),
		}},
	{name: "rule_in", rules: `{"read":"doc.team in ['red', 'blue']","write":"auth.openid in doc.editors"}`,
		readable: func(_ string, d seedDoc) bool { return d.team == "red" || d.team == "blue" }, steps: []step{
			sGet("a1", 1), sGet("b1", 1), sGet("a2", deny),
			sQuery(`{"team":"red"}`, 1), sQuery(`{"team":{"$in":["red","blue"]}}`, 2), sQuery(`{"team":{"$in":["red","green"]}}`, deny),
			sQuery(ownQ, deny), sQuery(`{}`, deny),
			sUpdate("b1", 1), sUpdate("b2", deny), sUpdateWhere(`{"editors":"{openid}"}`, 3), sUpdateWhere(`{"team":"blue"}`, deny),
			asBob(sUpdate("a1", deny)), asBob(sUpdateWhere(`{"editors":"{openid}"}`, 2)),
			sAdd(`"editors":["o-alice"],"team":"red"`, 1), sAdd(`"editors":["o-bob"],"team":"red"`, deny),
			sRemove("b1", 1), sRemove("b2", deny), sRemoveWhere("b1", `{"editors":"{openid}"}`, 1),
		}},
	{name: "rule_not", rules: `{"read":"!(doc.secret == true)","write":false}`,
		readable: func(_ string, d seedDoc) bool { return !d.secret }, steps: []step{
			sGet("a1", 1), sGet("a2", deny), sQuery(`{"secret":false}`, 2), sCount(`{"secret":false}`, 2),
			sQuery(`{"secret":true}`, deny), sQuery(`{}`, deny), sQuery(`{"secret":{"$ne":true}}`, deny),
			sUpdate("a1", deny), sAdd(`"title":"T"`, deny), sRemove("a1", deny),
		}},
	{name: "rule_now", rules: `{"read":"doc.expiresAt > now","write":"doc._openid == auth.openid"}`,
		readable: func(_ string, d seedDoc) bool { return !d.expired }, steps: []step{
			sGet("a1", 1), sGet("a2", deny), sGet("b1", 1),
			sQuery(`{"expiresAt":{"$gt":{"$date":%NOW+1h%}}}`, 2), sQuery(`{"expiresAt":{"$gte":{"$date":%NOW+1h%}}}`, 2),
			sQuery(`{"expiresAt":{"$gt":{"$date":%NOW-48h%}}}`, deny), sQuery(`{}`, deny), sQuery(ownQ, deny),
			sUpdate("a1", 1), sUpdate("b1", deny),
		}},
	{name: "rule_get", rules: `{"read":"get('database.roles.' + auth.openid).admin == true","write":"get('database.roles.' + auth.openid).admin == true"}`,
		readable: func(u string, _ seedDoc) bool { return u == "o-alice" }, steps: []step{
			sGet("b2", 1), sQuery(`{}`, 4), sCount(`{}`, 4),
			asBob(sGet("a1", deny)), asBob(sGet("b1", deny)), asBob(sQuery(`{}`, deny)), asBob(sQuery(ownQ, deny)),
			sUpdate("b2", 1), asBob(sUpdate("b1", deny)), asBob(sAdd(`"title":"T"`, deny)),
			sRemove("b2", 1), asBob(sRemove("b1", deny)),
		}},
	{name: "rule_path", rules: `{"read":"doc.stats.level >= 3","write":false}`,
		readable: func(_ string, d seedDoc) bool { return d.level >= 3 }, steps: []step{
			sGet("a1", 1), sGet("b1", 1), sGet("b2", deny),
			sQuery(`{"stats.level":{"$gte":3}}`, 2), sQuery(`{"stats.level":{"$gt":4}}`, 1), sQuery(`{"stats.level":3}`, 1),
			sQuery(`{"stats.level":{"$gte":2}}`, deny), sQuery(`{"stats.level":{"$lt":10}}`, deny), sQuery(`{"stats":{"level":5}}`, deny),
			sQuery(`{"stats.level":{"$gte":"3"}}`, deny),
			sUpdate("a1", deny), sAdd(`"stats":{"level":9}`, deny),
		}},
	{name: "rule_const", rules: `{"read":true,"write":false}`, readable: readAll, steps: []step{
		sGet("b2", 1), sQuery(`{}`, 4), asBob(sQuery(`{}`, 4)), sUpdate("a1", deny), sAdd(`"title":"T"`, deny), sRemove("a1", deny),
	}},
}

// dialects are the two ways a client SDK reaches the database.
var secDialects = []string{"gateway", "web"}

func TestSecurityPresetsAndRules(t *testing.T) {
	env := newSecEnv(t, secOptions{})
	ctx := context.Background()
	now := time.Now()
	adminKey := map[string]string{"Authorization": "Bearer " + env.admin.AccessKey}
	// the roles collection rule_get reads; clients cannot reach it
	env.createCollection("roles", collections.PresetAdminOnly)
	env.adminInsert(t, "roles", `{"_id":"o-alice","admin":true}`, `{"_id":"o-bob","admin":false}`)
	var markers []string
	for _, d := range secSeed {
		markers = append(markers, d.marker())
	}
	for _, mode := range secModes {
		for _, dialect := range secDialects {
			coll := "sec_" + mode.name + "_" + dialect
			if err := env.store.CreateCollection(ctx, coll); err != nil {
				t.Fatal(err)
			}
			// presets and rules are set the way an operator does: through /admin
			var st int
			var body string
			if mode.rules != "" {
				st, body = env.call(t, http.MethodPost, "/admin?env="+testEnv,
					`{"action":"database.modifySafeRule","collectionName":"`+coll+`","rule":`+jsonString(mode.rules)+`}`, adminKey)
			} else {
				st, body = env.call(t, http.MethodPost, "/admin?env="+testEnv,
					`{"action":"database.modifyDatabaseACL","collectionName":"`+coll+`","aclTag":"`+string(mode.preset)+`"}`, adminKey)
			}
			if st != 200 || strings.Contains(body, `"code"`) {
				t.Fatalf("%s: setting permissions: %s", coll, body)
			}
			var seed []string
			for _, d := range secSeed {
				seed = append(seed, d.json(d.id, now, ""))
			}
			env.adminInsert(t, coll, seed...)
			for i, s := range mode.steps {
				user := env.alice
				if s.bob {
					user = env.bob
				}
				name := fmt.Sprintf("%s/%s/%02d_%s_%s", mode.name, dialect, i, user.name, s.kind)
				t.Run(name, func(t *testing.T) {
					env.runStep(t, dialect, coll, mode, user, s, fmt.Sprintf("t%s%s%d", mode.name, dialect, i), now)
				})
			}
		}
	}
	// nothing of anyone's documents reaches the logs
	env.checkLogs(t, markers...)
}

func (env *secEnv) adminInsert(t *testing.T, coll string, docs ...string) {
	t.Helper()
	var ds []ejson.D
	for _, s := range docs {
		d, err := ejson.UnmarshalDoc([]byte(s))
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		ds = append(ds, d)
	}
	if _, err := env.store.Insert(context.Background(), collections.AdminCaller, coll, ds, collections.InsertOptions{}); err != nil {
		t.Fatal(err)
	}
}

// adminDocs returns the documents matching filter, read as the admin.
func (env *secEnv) adminDocs(t *testing.T, coll, filter string) []ejson.D {
	t.Helper()
	f, err := ejson.UnmarshalDoc([]byte(filter))
	if err != nil {
		t.Fatal(err)
	}
	docs, err := env.store.Find(context.Background(), collections.AdminCaller, coll, collections.Query{Filter: f})
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

// withField adds "key":"value" to a JSON object filter.
func withField(filter, key, value string) string {
	inner := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(filter), "{"), "}"))
	kv := strconv.Quote(key) + ":" + strconv.Quote(value)
	if inner == "" {
		return "{" + kv + "}"
	}
	return "{" + kv + "," + inner + "}"
}

// expandTimes replaces %NOW±<duration>% with epoch milliseconds.
func expandTimes(t *testing.T, s string, now time.Time) string {
	for {
		i := strings.Index(s, "%NOW")
		if i < 0 {
			return s
		}
		j := strings.Index(s[i+4:], "%")
		d, err := time.ParseDuration(s[i+4 : i+4+j])
		if err != nil {
			t.Fatal(err)
		}
		s = s[:i] + strconv.FormatInt(now.Add(d).UnixMilli(), 10) + s[i+4+j+1:]
	}
}

func (env *secEnv) runStep(t *testing.T, dialect, coll string, mode secMode, user *wxUser, s step, tag string, now time.Time) {
	var op clientOp
	switch s.kind {
	case "get":
		op = clientOp{kind: "get", id: s.id}
	case "query", "count", "agg":
		op = clientOp{kind: s.kind, filter: expandTimes(t, s.filter, now)}
	case "add":
		op = clientOp{kind: "add", doc: `{"addtag":"` + tag + `",` + s.doc + `}`}
	case "update":
		op = clientOp{kind: "update", id: s.id, set: `{"touched":"` + tag + `"}`}
	case "updateWhere":
		op = clientOp{kind: "update", filter: expandTimes(t, s.filter, now), set: `{"touched":"` + tag + `"}`, multi: true}
	case "remove":
		// a fresh copy of a seed document, so that the seed stays for later steps
		env.adminInsert(t, coll, seedByID(s.id).json("rm"+tag, now, ""))
		op = clientOp{kind: "remove", id: "rm" + tag}
	case "removeWhere":
		env.adminInsert(t, coll, seedByID(s.id).json("rm"+tag, now, `"rmtag":"`+tag+`"`))
		op = clientOp{kind: "remove", filter: withField(s.filter, "rmtag", tag), multi: true}
	default:
		t.Fatalf("unknown step %q", s.kind)
	}
	res := env.clientCall(t, dialect, user, coll, op)
	// no answer holds a document this user may not read
	for _, d := range secSeed {
		if !mode.readable(user.openid, d) && strings.Contains(res.body, d.marker()) {
			t.Errorf("%s's answer holds document %s, which %s may not read: %s", user.name, d.id, mode.name, res.body)
		}
	}
	switch {
	case s.want == deny && !res.denied:
		t.Fatalf("want permission denied, got n=%d: %s", res.n, res.body)
	case s.want != deny && res.denied:
		t.Fatalf("want %d, got permission denied: %s", s.want, res.body)
	case s.want != deny && res.n != s.want:
		t.Fatalf("want %d, got %d: %s", s.want, res.n, res.body)
	}
	// the admin's view: writes did exactly what they reported, denied ones nothing
	written := max(s.want, 0)
	switch s.kind {
	case "add":
		docs := env.adminDocs(t, coll, `{"addtag":"`+tag+`"}`)
		if len(docs) != written {
			t.Fatalf("the store holds %d added documents, want %d", len(docs), written)
		}
		for _, d := range docs {
			if o, _ := d.Get("_openid"); o != user.openid {
				t.Fatalf("a client's new document is owned by %v, want the caller %s", o, user.openid)
			}
		}
	case "update", "updateWhere":
		if n := len(env.adminDocs(t, coll, `{"touched":"`+tag+`"}`)); n != written {
			t.Fatalf("the store holds %d updated documents, want %d", n, written)
		}
	case "remove", "removeWhere":
		if n := len(env.adminDocs(t, coll, `{"_id":"rm`+tag+`"}`)); n != 1-written {
			t.Fatalf("after the remove the store holds %d copies, want %d", n, 1-written)
		}
		if s.want != 1 { // clean up so that later steps see the seed only
			if _, err := env.store.Remove(context.Background(), collections.AdminCaller, coll, ejson.D{{Key: "_id", Value: "rm" + tag}}, false); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// clientOp is one database call in dialect-neutral terms.
type clientOp struct {
	kind   string // get, query, count, agg, add, update, remove
	id     string // by id (get, update, remove)
	filter string // a where() query (query, count, agg's $match, update, remove)
	doc    string // add
	set    string // update: the $set document
	multi  bool
}

// clientResult is what a client SDK would make of the answer.
type clientResult struct {
	denied bool
	n      int // documents returned, counted, added, updated or removed
	body   string
}

// clientCall runs op as user through a client dialect, checks the error shape of a
// refusal, and counts what came back.
func (env *secEnv) clientCall(t *testing.T, dialect string, user *wxUser, coll string, op clientOp) clientResult {
	t.Helper()
	byID := op.id != ""
	if byID {
		op.filter = `{"_id":` + strconv.Quote(op.id) + `}`
	}
	var st int
	var body string
	if dialect == "gateway" {
		base := gwDocs + coll + "/documents"
		hdr := bearerHeader(user.access)
		switch op.kind {
		case "get":
			st, body = env.call(t, http.MethodGet, base+"/"+url.PathEscape(op.id), "", hdr)
		case "query":
			st, body = env.call(t, http.MethodGet, base+"?limit=100&query="+url.QueryEscape(op.filter), "", hdr)
		case "count":
			st, body = env.call(t, http.MethodGet, base+"?count=true&query="+url.QueryEscape(op.filter), "", hdr)
		case "agg":
			pipeline := `[{"$count":"n"}]`
			if op.filter != "" {
				pipeline = `[{"$match":` + op.filter + `},{"$count":"n"}]`
			}
			st, body = env.call(t, http.MethodPost, base+"/aggregations", `{"pipeline":`+pipeline+`}`, hdr)
		case "add":
			st, body = env.call(t, http.MethodPost, base, `{"data":[`+op.doc+`]}`, hdr)
		case "update":
			st, body = env.call(t, http.MethodPatch, base, `{"query":`+op.filter+`,"data":{"$set":`+op.set+`},"multi":`+strconv.FormatBool(op.multi)+`}`, hdr)
		case "remove":
			st, body = env.call(t, http.MethodPost, base+"/remove", `{"query":`+op.filter+`,"multi":`+strconv.FormatBool(op.multi)+`}`, hdr)
		}
		switch {
		case st == http.StatusForbidden:
			wantAPIError(t, st, body, http.StatusForbidden, string(collections.CodePermissionDenied))
			return clientResult{denied: true, body: body}
		case st == http.StatusNotFound && op.kind == "get":
			wantAPIError(t, st, body, http.StatusNotFound, CodeDocNotExist)
			return clientResult{body: body}
		case st != http.StatusOK:
			t.Fatalf("gateway %s: status %d: %s", op.kind, st, body)
		}
		return clientResult{n: countResult(t, op.kind, body, false), body: body}
	}
	queryType := "WHERE"
	if byID {
		queryType = "DOC"
	}
	params := map[string]json.RawMessage{
		"env":            json.RawMessage(strconv.Quote(testEnv)),
		"access_token":   json.RawMessage(strconv.Quote(user.access)),
		"collectionName": json.RawMessage(strconv.Quote(coll)),
	}
	action := ""
	switch op.kind {
	case "get", "query":
		action = "database.queryDocument"
		params["queryType"], params["query"], params["limit"] = json.RawMessage(strconv.Quote(queryType)), json.RawMessage(op.filter), json.RawMessage("100")
	case "count":
		action = "database.countDocument"
		params["query"] = json.RawMessage(op.filter)
	case "agg":
		action = "database.aggregate"
		stages := `[{"stageKey":"$count","stageValue":"\"n\""}]`
		if op.filter != "" {
			stages = `[{"stageKey":"$match","stageValue":` + strconv.Quote(op.filter) + `},{"stageKey":"$count","stageValue":"\"n\""}]`
		}
		params["stages"] = json.RawMessage(stages)
	case "add":
		action = "database.addDocument"
		params["data"] = json.RawMessage(op.doc)
	case "update":
		action = "database.updateDocument"
		params["queryType"], params["query"] = json.RawMessage(strconv.Quote(queryType)), json.RawMessage(op.filter)
		params["data"], params["multi"], params["merge"] = json.RawMessage(`{"$set":`+op.set+`}`), json.RawMessage(strconv.FormatBool(op.multi)), json.RawMessage("true")
	case "remove":
		action = "database.deleteDocument"
		params["queryType"], params["query"], params["multi"] = json.RawMessage(strconv.Quote(queryType)), json.RawMessage(op.filter), json.RawMessage(strconv.FormatBool(op.multi))
	}
	params["action"] = json.RawMessage(strconv.Quote(action))
	raw, err := json.Marshal(params)
	if err != nil {
		t.Fatal(err)
	}
	st, body = env.call(t, http.MethodPost, "/web?env="+testEnv, string(raw), nil)
	if st != http.StatusOK {
		t.Fatalf("/web must answer HTTP 200, got %d: %s", st, body)
	}
	if strings.HasPrefix(body, `{"code"`) {
		wantAPIError(t, st, body, http.StatusOK, string(collections.CodePermissionDenied))
		return clientResult{denied: true, body: body}
	}
	return clientResult{n: countResult(t, op.kind, body, true), body: body}
}

// countResult reads n from a successful answer (web answers are wrapped in data).
func countResult(t *testing.T, kind, body string, web bool) int {
	t.Helper()
	var res struct {
		List        json.RawMessage `json:"list"`
		Total       *int            `json:"total"`
		InsertedIDs []string        `json:"insertedIds"`
		Updated     *int            `json:"updated"`
		Deleted     *int            `json:"deleted"`
	}
	raw := []byte(body)
	if web {
		var env struct {
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(raw, &env); err != nil || env.Data == nil {
			t.Fatalf("not a /web answer: %s", body)
		}
		raw = env.Data
	}
	if kind == "get" && !web {
		return 1 // the gateway answers the document itself
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatalf("cannot read %s answer %s: %v", kind, body, err)
	}
	switch kind {
	case "get", "query":
		var list []json.RawMessage
		if err := json.Unmarshal(res.List, &list); err != nil {
			t.Fatalf("list: %s", body)
		}
		return len(list)
	case "count":
		if res.Total == nil {
			t.Fatalf("no total: %s", body)
		}
		return *res.Total
	case "agg":
		// gateway: {"list":[{"n":2}]}; web: list is a JSON string of EJSON strings
		var counts []struct {
			N json.RawMessage `json:"n"`
		}
		if web {
			var s string
			var items []string
			if err := json.Unmarshal(res.List, &s); err != nil || json.Unmarshal([]byte(s), &items) != nil {
				t.Fatalf("web aggregate list: %s", body)
			}
			for _, it := range items {
				var c struct {
					N json.RawMessage `json:"n"`
				}
				_ = json.Unmarshal([]byte(it), &c)
				counts = append(counts, c)
			}
		} else if err := json.Unmarshal(res.List, &counts); err != nil {
			t.Fatalf("aggregate list: %s", body)
		}
		if len(counts) == 0 {
			return 0 // $count of nothing yields no document
		}
		v, err := ejson.Unmarshal(counts[0].N)
		if err != nil || !ejson.IsNumber(v) {
			t.Fatalf("aggregate count: %s", body)
		}
		return int(ejson.ToFloat(v))
	case "add":
		return len(res.InsertedIDs)
	case "update":
		if res.Updated == nil {
			t.Fatalf("no updated: %s", body)
		}
		return *res.Updated
	case "remove":
		if res.Deleted == nil {
			t.Fatalf("no deleted: %s", body)
		}
		return *res.Deleted
	}
	t.Fatalf("unknown kind %s", kind)
	return 0
}
