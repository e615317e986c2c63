package wxsdk_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/minicloud/minicloud/apis"
	"github.com/minicloud/minicloud/cloudfns"
	"github.com/minicloud/minicloud/cloudfns/wxsdk"
	"github.com/minicloud/minicloud/collections"
	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/minicloud/minicloud/internal/testapp"
)

// adminHost is a cloudfns.Host over the real /admin action code, as the server's
// Host will be: database actions run through apis.Server.AdminAction, and its errors
// carry their CloudBase code.
type adminHost struct {
	srv *apis.Server
}

type hostError struct{ code, msg string }

func (e *hostError) Error() string            { return e.code + ": " + e.msg }
func (e *hostError) CloudBaseCode() string    { return e.code }
func (e *hostError) CloudBaseMessage() string { return e.msg }

func (h *adminHost) EnvID() string { return "itest-env" }

func (h *adminHost) Database(ctx context.Context, action string, params json.RawMessage) (json.RawMessage, error) {
	out, err := h.srv.AdminAction(ctx, action, params)
	if err != nil {
		code, msg := apis.ErrorCode(err)
		return nil, &hostError{code, msg}
	}
	return out, nil
}

// finderHost is adminHost that also answers get() with the documents themselves, as
// the server's Host does (cloudfns.DocumentFinder over apis.Server.AdminFind).
type finderHost struct{ *adminHost }

func (h finderHost) FindDocuments(ctx context.Context, params json.RawMessage) ([]ejson.D, error) {
	docs, err := h.srv.AdminFind(ctx, params)
	if err != nil {
		code, msg := apis.ErrorCode(err)
		return nil, &hostError{code, msg}
	}
	return docs, nil
}

func (h *adminHost) CallFunction(context.Context, string, json.RawMessage, cloudfns.CallContext) (cloudfns.Result, error) {
	return cloudfns.Result{}, errors.New("no functions here")
}

type vmEnv struct {
	vm   *goja.Runtime
	host cloudfns.Host
	call cloudfns.CallContext
	logs []string
}

func (e *vmEnv) VM() *goja.Runtime          { return e.vm }
func (e *vmEnv) Call() cloudfns.CallContext { return e.call }
func (e *vmEnv) Context() context.Context   { return context.Background() }
func (e *vmEnv) Host() cloudfns.Host        { return e.host }
func (e *vmEnv) Log(level, text string)     { e.logs = append(e.logs, level+": "+text) }

func newStoreHost(t testing.TB) (*adminHost, *collections.Store) {
	t.Helper()
	app := testapp.New(t)
	store, err := collections.New(app, collections.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv := apis.NewServer(app, apis.Config{EnvID: "itest-env"}, apis.Services{Store: store})
	return &adminHost{srv: srv}, store
}

// runAsync evaluates an async function expression with `cloud` (wx-server-sdk) and
// `tcb` (node-sdk) in scope and returns the JSON of what it resolves to.
func runAsync(t testing.TB, env *vmEnv, script string) string {
	t.Helper()
	v, err := env.vm.RunString(`(function () {
		var out = {};
		(` + script + `)().then(function (v) { out.value = JSON.stringify(v); }, function (e) { out.error = String(e && e.stack || e); });
		return out;
	})()`)
	if err != nil {
		t.Fatal(err)
	}
	o := v.ToObject(env.vm)
	if e := o.Get("error"); e != nil && !goja.IsUndefined(e) {
		t.Fatalf("script failed: %s", e)
	}
	res := o.Get("value")
	if res == nil || goja.IsUndefined(res) {
		t.Fatal("script did not settle")
	}
	return res.String()
}

// TestAgainstRealDatabase runs a cloud function's typical database work through the
// module and the real document database.
func TestAgainstRealDatabase(t *testing.T) {
	for _, finder := range []bool{false, true} {
		t.Run(fmt.Sprintf("documents=%v", finder), func(t *testing.T) {
			host, _ := newStoreHost(t)
			var h cloudfns.Host = host
			if finder {
				h = finderHost{host}
			}
			againstRealDatabase(t, h)
		})
	}
}

func againstRealDatabase(t *testing.T, host cloudfns.Host) {
	env := &vmEnv{vm: goja.New(), host: host, call: cloudfns.CallContext{OpenID: "o-user", AppID: "wx-app", Source: "wx_client"}}
	wx, err := wxsdk.New(env, wxsdk.FlavorWX)
	if err != nil {
		t.Fatal(err)
	}
	_ = env.vm.Set("cloud", wx)
	out := runAsync(t, env, `async function () {
		cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
		const db = cloud.database();
		const _ = db.command;
		const $ = _.aggregate;
		const todos = db.collection('todos');
		const problems = [];
		const check = (ok, what, v) => { if (!ok) problems.push(what + ': ' + JSON.stringify(v)); };

		const added = await todos.add({ data: { _id: 't1', title: 'a', n: 1, tags: ['x'], done: false, due: new Date(1704164645000),
			loc: db.Geo.Point(113.3, 23.1), createdAt: db.serverDate(), nested: { deep: { v: 1.5 } } } });
		check(added._id === 't1' && added.errMsg === 'collection.add:ok', 'add', added);
		const batch = await todos.add({ data: [{ _id: 't2', title: 'b', n: 2, done: false, tags: [] }, { title: 'c', n: 3, done: true, tags: ['x', 'y'] }] });
		check(batch._ids.length === 2 && batch._ids[0] === 't2' && typeof batch._ids[1] === 'string', 'batch add', batch);

		const page = await todos.where({ done: false, n: _.gte(1) }).orderBy('n', 'desc').field({ title: true, n: true }).get();
		check(page.errMsg === 'collection.get:ok' && page.data.length === 2 && page.data[0]._id === 't2' && page.data[1].n === 1
			&& page.data[0].tags === undefined, 'where/orderBy/field', page);

		const doc = (await todos.doc('t1').get()).data;
		check(doc.due instanceof Date && doc.due.getTime() === 1704164645000, 'Date round trip', doc.due);
		check(doc.loc.constructor.name === 'Point' && doc.loc.longitude === 113.3 && doc.loc.latitude === 23.1, 'Geo round trip', doc.loc);
		check(doc.createdAt instanceof Date && Math.abs(doc.createdAt.getTime() - Date.now()) < 60000, 'serverDate', doc.createdAt);
		check(doc.nested.deep.v === 1.5 && doc.tags[0] === 'x', 'nested values', doc);

		const upd = await todos.doc('t1').update({ data: { n: _.inc(10), tags: _.push('z'), nested: { deep: { w: 2 } }, gone: _.remove() } });
		check(upd.stats.updated === 1 && upd.errMsg === 'document.update:ok', 'doc update', upd);
		const after = (await todos.doc('t1').get()).data;
		check(after.n === 11 && after.tags.join() === 'x,z' && after.nested.deep.v === 1.5 && after.nested.deep.w === 2, 'update applied', after);

		const multi = await todos.where({ done: false }).update({ data: { done: true } });
		check(multi.stats.updated === 2 && multi.errMsg === 'collection.update:ok', 'where update', multi);
		const cnt = await todos.where({ done: true }).count();
		check(cnt.total === 3 && cnt.errMsg === 'collection.count:ok', 'count', cnt);

		const set = await todos.doc('t9').set({ data: { title: 'new', n: 9 } });
		check(set._id === 't9' && set.stats.created === 1 && set.errMsg === 'document.set:ok', 'set creates', set);
		const set2 = await todos.doc('t9').set({ data: { title: 'NEW', n: 9 } });
		check(set2.stats.updated === 1 && set2.stats.created === 0, 'set replaces', set2);

		const agg = await todos.aggregate().match({ n: _.gt(1) }).group({ _id: null, total: $.sum('$n'), count: $.sum(1) }).end();
		check(agg.errMsg === 'collection.aggregate:ok' && agg.list.length === 1 && agg.list[0].total === 25 && agg.list[0].count === 4, 'aggregate', agg);

		const re = await todos.where({ title: db.RegExp({ regexp: '^ne', options: 'i' }) }).get();
		check(re.data.length === 1 && re.data[0]._id === 't9', 'regexp query', re);
		const or = await todos.where(_.or([{ n: 2 }, { n: _.in([9, 11]) }])).orderBy('n', 'asc').get();
		check(or.data.map(d => d.n).join() === '2,9,11', 'or/in query', or);
		const nested = await todos.where({ nested: { deep: { v: _.gt(1) } } }).get();
		check(nested.data.length === 1 && nested.data[0]._id === 't1', 'nested command query', nested);

		const removed = await todos.where({ n: _.lt(3) }).remove();
		check(removed.stats.removed === 1 && removed.errMsg === 'collection.remove:ok', 'remove', removed);
		const left = await todos.count();
		check(left.total === 3, 'count after remove', left);
		const rm = await todos.doc('t9').remove();
		check(rm.stats.removed === 1, 'doc remove', rm);

		try { await db.collection('nope').get(); problems.push('missing collection did not fail'); }
		catch (e) { check(e.errCode === -502005 && e.errMsg.indexOf('collection.get:fail -502005 database collection not exists.') === 0, 'missing collection error', e.errMsg); }
		try { await todos.doc('zzz').get(); problems.push('missing doc did not fail'); }
		catch (e) { check(e.errMsg === 'document.get:fail document with _id zzz does not exist' && e.errCode === -1, 'missing doc error', e.errMsg); }
		try { await todos.doc('t1').update({ data: { n: _.inc('x') } }); problems.push('bad $inc accepted'); }
		catch (e) { check(e.errCode < -500000 && e.errMsg.indexOf('document.update:fail') === 0, 'bad update error', e.errMsg); }

		return problems;
	}`)
	if out != "[]" {
		t.Fatalf("problems: %s", out)
	}
}

// TestNodeSDKAgainstRealDatabase does the same through @cloudbase/node-sdk.
func TestNodeSDKAgainstRealDatabase(t *testing.T) {
	host, _ := newStoreHost(t)
	env := &vmEnv{vm: goja.New(), host: host}
	tcb, err := wxsdk.New(env, wxsdk.FlavorNode)
	if err != nil {
		t.Fatal(err)
	}
	_ = env.vm.Set("tcb", tcb)
	out := runAsync(t, env, `async function () {
		const app = tcb.init({ env: tcb.SYMBOL_CURRENT_ENV });
		const db = app.database();
		const _ = db.command;
		const c = db.collection('items');
		const problems = [];
		const check = (ok, what, v) => { if (!ok) problems.push(what + ': ' + JSON.stringify(v)); };
		const a = await c.add({ _id: 'i1', n: 1 });
		check(a.id === 'i1' && typeof a.requestId === 'string', 'add', a);
		const b = await c.add([{ n: 2 }, { n: 3 }]);
		check(b.ids.length === 2, 'batch', b);
		const g = await c.where({ n: _.gte(2) }).get();
		check(g.data.length === 2 && typeof g.requestId === 'string', 'get', g);
		const d = await c.doc('i1').get();
		check(Array.isArray(d.data) && d.data[0].n === 1, 'doc get', d);
		const u = await c.doc('i1').update({ n: _.inc(1) });
		check(u.updated === 1, 'update', u);
		const s = await c.doc('i9').set({ n: 9 });
		check(s.upsertedId === 'i9' && s.updated === 0, 'set', s);
		const r = await c.where({ n: _.gt(2) }).remove();
		check(r.deleted === 2, 'remove', r);
		const n = await c.count();
		check(n.total === 2, 'count', n);
		try { await db.collection('missing').get(); problems.push('no error'); }
		catch (e) { check(e.code === 'DATABASE_COLLECTION_NOT_EXIST' && e.constructor.name === 'TcbError', 'error', { code: e.code, m: e.message }); }
		return problems;
	}`)
	if out != "[]" {
		t.Fatalf("problems: %s", out)
	}
}

// benchStore fills a collection with 1000 documents and an index on n.
func benchStore(b *testing.B) *adminHost {
	b.Helper()
	host, store := newStoreHost(b)
	ctx := context.Background()
	var docs []string
	for i := 0; i < 1000; i++ {
		docs = append(docs, fmt.Sprintf(`"{\"_id\":\"d%d\",\"n\":{\"$numberInt\":\"%d\"},\"title\":\"item %d\",\"done\":false,\"tags\":[\"a\",\"b\"]}"`, i, i, i))
	}
	if _, err := host.Database(ctx, "database.insertDocument", json.RawMessage(`{"collectionName":"todos","data":[`+strings.Join(docs, ",")+`]}`)); err != nil {
		b.Fatal(err)
	}
	if err := store.CreateIndex(ctx, "todos", collections.IndexInfo{Name: "by_n", Fields: []collections.IndexField{{Path: "n"}}}); err != nil {
		b.Fatal(err)
	}
	return host
}

// BenchmarkIndexedQuery compares one indexed query made by a function through
// wx-server-sdk with the same /admin action run directly (what the HTTP endpoint runs,
// minus HTTP): the difference is the module's cost.
func BenchmarkIndexedQuery(b *testing.B) {
	host := benchStore(b)
	params := json.RawMessage(`{"collectionName":"todos","queryType":"WHERE","query":"{\"n\":{\"$numberInt\":\"500\"}}","limit":100}`)
	b.Run("direct-admin-action", func(b *testing.B) {
		ctx := context.Background()
		wxsdk.BenchLoop(b, func() {
			out, err := host.Database(ctx, "database.getDocument", params)
			if err != nil || !strings.Contains(string(out), `d500`) {
				b.Fatalf("%s %v", out, err)
			}
		})
	})
	for _, flavor := range []wxsdk.Flavor{wxsdk.FlavorWX, wxsdk.FlavorNode} {
		b.Run("via-"+string(flavor), func(b *testing.B) {
			env := &vmEnv{vm: goja.New(), host: host}
			mod, err := wxsdk.New(env, flavor)
			if err != nil {
				b.Fatal(err)
			}
			_ = env.vm.Set("mod", mod)
			src := `(function () { mod.init({ env: mod.DYNAMIC_CURRENT_ENV }); const db = mod.database(); const _ = db.command;
				return async function () { const r = await db.collection('todos').where({ n: 500 }).get(); if (r.data[0]._id !== 'd500') throw new Error('wrong'); return r; }; })()`
			if flavor == wxsdk.FlavorNode {
				src = `(function () { const db = mod.init({ env: mod.SYMBOL_CURRENT_ENV }).database();
				return async function () { const r = await db.collection('todos').where({ n: 500 }).get(); if (r.data[0]._id !== 'd500') throw new Error('wrong'); return r; }; })()`
			}
			v, err := env.vm.RunString(src)
			if err != nil {
				b.Fatal(err)
			}
			fn, _ := goja.AssertFunction(v)
			wxsdk.BenchLoop(b, func() {
				r, err := fn(goja.Undefined())
				if err != nil {
					b.Fatal(err)
				}
				if p := r.Export().(*goja.Promise); p.State() != goja.PromiseStateFulfilled {
					b.Fatalf("%v", p.Result())
				}
			})
		})
	}
}

// The documents get() returns are the same whichever way they come: through the
// action's EJSON text or as the documents themselves (finderHost), for every kind of
// value a document holds.
func TestGetDocumentsSameBothWays(t *testing.T) {
	host, _ := newStoreHost(t)
	script := `async function () {
		cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
		const db = cloud.database();
		const c = db.collection('kinds');
		try { await c.where({}).remove(); } catch (e) {} // the second run starts afresh
		await c.add({ data: { _id: 'a', s: 'text 中文', i: 42, big: 9007199254740991, neg: -3, f: 1.25, t: true, nul: null,
			arr: [1, 'two', { three: [3] }, null], obj: { deep: { deeper: { v: 0.5 } } }, when: new Date(1704164645123),
			pt: db.Geo.Point(113.3, 23.1), line: db.Geo.LineString([db.Geo.Point(1, 2), db.Geo.Point(3, 4)]),
			empty: {}, emptyArr: [], zero: 0, created: db.serverDate() } });
		await c.add({ data: { _id: 'b', only: 'b' } });
		const got = await c.where({}).orderBy('_id', 'asc').limit(10).get();
		const a = got.data[0];
		const one = await c.doc('a').field({ s: true, when: true, pt: true }).get();
		let missing;
		try { await c.doc('zzz').get(); } catch (e) { missing = e.errMsg; }
		return { one: [one.data.s, one.data.when instanceof Date, one.data.pt.constructor.name, Object.keys(one.data).join(',')], missing,
			json: JSON.stringify(got.data, (k, v) => k === 'created' ? typeof v : v),
			types: [a.when instanceof Date, a.pt.constructor.name, a.line.constructor.name, typeof a.big, a.created instanceof Date,
				Array.isArray(a.arr), Object.keys(a).join(',')] };
	}`
	var outs []string
	for _, h := range []cloudfns.Host{host, finderHost{host}} {
		env := &vmEnv{vm: goja.New(), host: h}
		wx, err := wxsdk.New(env, wxsdk.FlavorWX)
		if err != nil {
			t.Fatal(err)
		}
		_ = env.vm.Set("cloud", wx)
		outs = append(outs, runAsync(t, env, script))
	}
	if outs[0] != outs[1] {
		t.Fatalf("through the action:\n%s\nas documents:\n%s", outs[0], outs[1])
	}
	if !strings.Contains(outs[0], `"types":[true,"Point","LineString","number",true,true,`) ||
		!strings.Contains(outs[0], `"one":["text 中文",true,"Point","_id,s,when,pt"]`) || !strings.Contains(outs[0], `"missing":"document.get:fail document with _id zzz does not exist"`) {
		t.Fatalf("unexpected types: %s", outs[0])
	}
}
