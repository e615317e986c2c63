package wxsdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/minicloud/minicloud/cloudfns"
	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/minicloud/minicloud/internal/reqid"
)

func expectValue(t *testing.T, got outcome, want string) {
	t.Helper()
	if got.Error != "" || got.Value != want {
		t.Errorf("got %s\nwant value %s", got, want)
	}
}

func expectError(t *testing.T, got outcome, want string) {
	t.Helper()
	if got.Error != want {
		t.Errorf("got %s\nwant error %s", got, want)
	}
}

func TestGetWXContext(t *testing.T) {
	s := newSandbox(t, &fakeHost{env: "prod-123"})
	s.env.call = cloudfns.CallContext{OpenID: "o-abc", AppID: "wx123", UnionID: "u-1", ClientIP: "10.0.0.1", Source: "wx_client"}
	if got, want := s.eval(`cloud.getWXContext()`), `{"OPENID":"o-abc","APPID":"wx123","UNIONID":"u-1","CLIENTIP":"10.0.0.1","ENV":"prod-123","SOURCE":"wx_client"}`; got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	// fields the caller does not have are left out; numeric values become numbers (as
	// the real SDK reads them from environment variables)
	s.env.call = cloudfns.CallContext{AppID: "12345", Source: "timer"}
	if got, want := s.eval(`cloud.getWXContext()`), `{"APPID":12345,"ENV":"prod-123","SOURCE":"timer"}`; got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	s.env.call = cloudfns.CallContext{}
	if got, want := s.eval(`cloud.getWXContext()`), `{"ENV":"prod-123"}`; got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	// no init needed, as in the real SDK; DYNAMIC_CURRENT_ENV is node-sdk's symbol
	if got := s.eval(`[cloud.DYNAMIC_CURRENT_ENV === Symbol.for('SYMBOL_CURRENT_ENV'), tcb.SYMBOL_CURRENT_ENV === cloud.DYNAMIC_CURRENT_ENV]`); got != `[true,true]` {
		t.Errorf("symbols: %s", got)
	}
}

func TestInitRequired(t *testing.T) {
	env := newTestEnv(&fakeHost{env: "e"})
	wx, err := New(env, FlavorWX)
	if err != nil {
		t.Fatal(err)
	}
	_ = env.vm.Set("cloud", wx)
	v, err := env.vm.RunString(`(function () {
		var r = [];
		try { cloud.database(); } catch (e) { r.push(e.constructor.name, e.errCode, e.message.split('\n')[0]); }
		r.push(typeof cloud.logger, typeof cloud.getWXContext());
		cloud.init();
		r.push(typeof cloud.logger, typeof cloud.database().collection);
		return JSON.stringify(r);
	})()`)
	if err != nil {
		t.Fatal(err)
	}
	// logger exists before init (the real SDK adds it on init) but needs init too
	want := `["CloudSDKError",-1,"errCode: -1 unknown error | errMsg: Cloud API isn't enabled, please call init first","function","object","function","function"]`
	if v.String() != want {
		t.Errorf("got %s\nwant %s", v, want)
	}
}

func TestCallFunctionContext(t *testing.T) {
	restore := sequentialRequestIDs()
	defer restore()
	host := &fakeHost{fn: func(name string, event json.RawMessage, cc cloudfns.CallContext) (cloudfns.Result, error) {
		return cloudfns.Result{Value: json.RawMessage(`{"got":` + string(event) + `}`), Outcome: cloudfns.OutcomeSuccess}, nil
	}}
	s := newSandbox(t, host)
	s.env.call = cloudfns.CallContext{RequestID: "outer", OpenID: "o-1", AppID: "wx-1", UnionID: "u-1", ClientIP: "1.2.3.4",
		Source: "wx_client", Depth: 1, UserInfo: map[string]any{"openId": "o-1"}}
	expectValue(t, s.run(`async ({ cloud }) => cloud.callFunction({ name: 'echo', data: { a: [1, 'x'], d: new Date(0) } })`),
		`{"result":{"got":{"a":[1,"x"],"d":"1970-01-01T00:00:00.000Z"}},"errMsg":"callFunction:ok","requestID":"req-1"}`)
	c := host.calls[0]
	if c.Name != "echo" || c.CC.RequestID != "req-1" || c.CC.OpenID != "o-1" || c.CC.AppID != "wx-1" || c.CC.UnionID != "u-1" ||
		c.CC.Source != "wx_client,scf" || c.CC.Depth != 2 || c.CC.UserInfo["openId"] != "o-1" || c.CC.ClientIP != "1.2.3.4" {
		t.Errorf("callee context: %+v", c.CC)
	}
	if ChainSource("") != "scf" || ChainSource("wx_client,scf") != "wx_client,scf,scf" {
		t.Error("ChainSource")
	}

	// node-sdk flavour, and failures: an InvokeError in the result, or an error
	host.fn = func(name string, event json.RawMessage, cc cloudfns.CallContext) (cloudfns.Result, error) {
		switch name {
		case "throws":
			return cloudfns.Result{Outcome: cloudfns.OutcomeError, Err: &cloudfns.InvokeError{Code: cloudfns.CodeExecuteFail, Message: "Error: boom"}}, nil
		case "missing":
			return cloudfns.Result{}, &cloudfns.InvokeError{Code: cloudfns.CodeNotFound, Message: "function missing does not exist"}
		case "undefined":
			return cloudfns.Result{Value: json.RawMessage("null"), Outcome: cloudfns.OutcomeSuccess}, nil
		}
		return cloudfns.Result{Value: json.RawMessage(`"\"{\\\"twice\\\":1}\""`), Outcome: cloudfns.OutcomeSuccess}, nil
	}
	expectValue(t, s.run(`async ({ app }) => app.callFunction({ name: 'x', data: { a: 1 } })`), `{"result":"\"{\\\"twice\\\":1}\"","requestId":"req-2"}`)
	expectValue(t, s.run(`async ({ cloud }) => cloud.callFunction({ name: 'x' })`), `{"result":"{\"twice\":1}","errMsg":"callFunction:ok","requestID":"req-3"}`)
	expectValue(t, s.run(`async ({ cloud }) => cloud.callFunction({ name: 'undefined' })`), `{"result":null,"errMsg":"callFunction:ok","requestID":"req-4"}`)
	expectError(t, s.run(`async ({ cloud }) => cloud.callFunction({ name: 'throws' })`),
		`{"$error":"TcbError","message":"callFunction:fail Error: boom",".code":"FUNCTIONS_EXECUTE_FAIL",".requestId":"req-5",".errCode":-1,".errMsg":"callFunction:fail Error: boom",".requestID":{"$undefined":true}}`)
	expectError(t, s.run(`async ({ app }) => app.callFunction({ name: 'missing' })`),
		`{"$error":"TcbError","message":"function missing does not exist",".code":"FUNCTION_NOT_FOUND",".requestId":"req-6"}`)
}

func TestLogger(t *testing.T) {
	s := newSandbox(t, nil)
	expectValue(t, s.run(`async ({ cloud, app }) => {
		const log = cloud.logger();
		log.info({ name: 'a', n: 1 });
		log.error({ err: 'x' });
		app.logger().warn({ w: true });
		try { log.log('text'); } catch (e) { return [e.constructor.name, e.code, e.message]; }
	}`), `["TcbError","INVALID_PARAM","log msg must be an object"]`)
	if got, want := s.env.logText(), "info: {\"name\":\"a\",\"n\":1}\nerror: {\"err\":\"x\"}\nwarn: {\"w\":true}"; got != want {
		t.Errorf("logs:\n%s\nwant:\n%s", got, want)
	}
}

func TestNotAvailableYet(t *testing.T) {
	s := newSandbox(t, nil)
	for api, script := range map[string]string{
		"uploadFile":       `cloud.uploadFile({ cloudPath: 'a.txt', fileContent: 'hi' })`,
		"downloadFile":     `cloud.downloadFile({ fileID: 'cloud://x/a.txt' })`,
		"getTempFileURL":   `cloud.getTempFileURL({ fileList: ['cloud://x/a.txt'] })`,
		"deleteFile":       `cloud.deleteFile({ fileList: ['cloud://x/a.txt'] })`,
		"callOpenAPI":      `cloud.callOpenAPI({ api: 'x' })`,
		"getOpenData":      `cloud.getOpenData({ list: [] })`,
		"getVoIPSign":      `cloud.getVoIPSign({})`,
		"getCloudCallSign": `cloud.getCloudCallSign({})`,
	} {
		want := fmt.Sprintf(`{"$error":"Error","message":"%[1]s:fail not available yet in Minicloud",".errCode":-1,".errMsg":"%[1]s:fail not available yet in Minicloud"}`, api)
		expectError(t, s.run(`async ({ cloud }) => `+script), want)
	}
	for api, script := range map[string]string{
		"openapi.subscribeMessage.send":       `cloud.openapi.subscribeMessage.send({ touser: 'o' })`,
		"openapi.wxacode.getUnlimited":        `cloud.openapi({ appid: 'wx1' }).wxacode.getUnlimited({ scene: 'a' })`,
		"cloudPay.unifiedOrder":               `cloud.cloudPay.unifiedOrder({ body: 'x' })`,
		"openapi.customerServiceMessage.send": `cloud.openapi.customerServiceMessage.send({})`,
	} {
		msg := api + ":fail not available yet in Minicloud"
		want := fmt.Sprintf(`{"$error":"CloudSDKError","message":"errCode: -1 unknown error | errMsg: %[1]s",".errCode":-1,".errMsg":"%[1]s"}`, msg)
		expectError(t, s.run(`async ({ cloud }) => `+script), want)
	}
	expectError(t, s.run(`async ({ app }) => app.uploadFile({ cloudPath: 'a', fileContent: 'x' })`),
		`{"$error":"TcbError","message":"uploadFile is not available yet in Minicloud",".code":"STORAGE_REQUEST_FAIL",".requestId":""}`)
	// argument checks still come first, as in the real SDK
	expectError(t, s.run(`async ({ cloud }) => cloud.deleteFile({ fileList: [1] })`),
		`{"$error":"Error","message":"deleteFile:fail Type of fileList[0] must be string instead of number",".errCode":-1,".errMsg":"deleteFile:fail Type of fileList[0] must be string instead of number"}`)
	if got := s.eval(`String(JSON.stringify(cloud.openapi)) + typeof cloud.openapi.a.b.c + Object.keys(cloud.openapi).length`); got != `"undefinedfunction0"` {
		t.Errorf("openapi proxy: %s", got)
	}
}

func TestTransactionsAndWatch(t *testing.T) {
	s := newSandbox(t, nil)
	want := `{"$error":"Error","message":"runTransaction:fail -501007 invalid parameters. transactions are not supported yet in Minicloud",".errCode":-501007,".errMsg":"runTransaction:fail -501007 invalid parameters. transactions are not supported yet in Minicloud"}`
	expectError(t, s.run(`async ({ cloud }) => cloud.database().runTransaction(async () => 1)`), want)
	expectError(t, s.run(`async ({ cloud }) => cloud.database().startTransaction()`), strings.ReplaceAll(want, "runTransaction", "startTransaction"))
	expectError(t, s.run(`async ({ app }) => app.database().runTransaction(async () => 1)`),
		`{"$error":"TcbError","message":"transactions are not supported yet in Minicloud",".code":"INVALID_PARAM",".requestId":""}`)
	for _, script := range []string{
		`async ({ cloud }) => cloud.database().collection('a').where({}).watch({ onChange() {}, onError() {} })`,
		`async ({ cloud }) => cloud.database().collection('a').doc('x').watch({ onChange() {}, onError() {} })`,
		`async ({ app }) => app.database().collection('a').watch({ onChange() {}, onError() {} })`,
	} {
		expectError(t, s.run(script), `{"$error":"Error","message":"watch:fail realtime database watch is not available yet in Minicloud",".errCode":-1,".errMsg":"watch:fail realtime database watch is not available yet in Minicloud"}`)
	}
	if len(s.host.calls) != 0 {
		t.Errorf("unexpected host calls: %+v", s.host.calls)
	}
}

func TestAggregateOperatorNamespace(t *testing.T) {
	s := newSandbox(t, nil)
	got := s.eval(`(function () {
		const $ = cloud.database().command.aggregate;
		return [$.sum('$a'), $.neq(['$a', 1]), $.dateTrunc({ date: '$d', unit: 'day' }), $.someFutureOperator(1),
			typeof $.then, typeof $.toJSON, typeof $.constructor, Object.keys($).length >= 120, $.pipeline().constructor.name];
	})()`)
	want := `[{"$class":"AggregationOperator","$sum":"$a"},{"$class":"AggregationOperator","$ne":["$a",1]},{"$class":"AggregationOperator","$dateTrunc":{"date":"$d","unit":"day"}},{"$class":"AggregationOperator","$someFutureOperator":1},"undefined","undefined","function",true,"Aggregation"]`
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	// the pipeline helper serializes like the real one (done() parses the EJSON back)
	got = s.eval(`cloud.database().command.aggregate.pipeline().match({ a: cloud.database().command.gt(1) }).limit(2).done()`)
	if want := `[{"$match":{"a":{"$gt":{"$numberInt":"1"}}}},{"$limit":2}]`; got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

func TestErrorCodeMapping(t *testing.T) {
	for _, c := range []struct {
		err        error
		code, text string
	}{
		{&codedErr{"DATABASE_PERMISSION_DENIED", "nope"}, "DATABASE_PERMISSION_DENIED", "nope"},
		{fmt.Errorf("wrapped: %w", &codedErr{"INVALID_PARAM", "bad"}), "INVALID_PARAM", "bad"},
		{&cloudfns.InvokeError{Code: "FUNCTIONS_EXECUTE_FAIL", Message: "boom"}, "FUNCTIONS_EXECUTE_FAIL", "boom"},
		{codeMethodErr{"DATABASE_COLLECTION_NOT_EXIST"}, "DATABASE_COLLECTION_NOT_EXIST", "code method error"},
		{context.DeadlineExceeded, "SERVER_TIMEOUT", "the function's time limit was reached during the call"},
		{errors.New("disk on fire"), "SYS_ERR", "disk on fire"},
	} {
		code, text := DefaultErrorCode(c.err)
		if code != c.code || text != c.text {
			t.Errorf("%v: got %s %q, want %s %q", c.err, code, text, c.code, c.text)
		}
	}

	// how each maps into wx-server-sdk's errCode/errMsg
	host := &fakeHost{db: func(action string, params json.RawMessage) (json.RawMessage, error) {
		var p struct{ CollectionName string }
		_ = json.Unmarshal(params, &p)
		switch p.CollectionName {
		case "denied":
			return nil, &codedErr{"DATABASE_PERMISSION_DENIED", "permission denied"}
		case "timeout":
			return nil, fmt.Errorf("query: %w", context.DeadlineExceeded)
		case "broken":
			return json.RawMessage(`{"list":["{not json"]}`), nil
		}
		return nil, errors.New("disk on fire")
	}}
	s := newSandbox(t, host)
	for coll, want := range map[string]string{
		"denied":  "collection.get:fail -502003 database permission denied. permission denied|-502003",
		"timeout": "collection.get:fail -501002 resource server timeout. the function's time limit was reached during the call|-501002",
		"other":   "collection.get:fail -501001 resource system error. disk on fire|-501001",
	} {
		got := s.run(`async ({ cloud }) => { try { await cloud.database().collection('` + coll + `').get() } catch (e) { return e.errMsg + '|' + e.errCode } }`)
		expectValue(t, got, `"`+want+`"`)
	}
	got := s.run(`async ({ cloud }) => { try { await cloud.database().collection('broken').get() } catch (e) { return e.errMsg.startsWith('collection.get:fail -501001 resource system error. cannot read the database answer') + '|' + e.errCode } }`)
	expectValue(t, got, `"true|-501001"`)
}

type codeMethodErr struct{ code string }

func (e codeMethodErr) Error() string { return "code method error" }
func (e codeMethodErr) Code() string  { return e.code }

func TestDecodeValues(t *testing.T) {
	docs := []string{
		`{"_id":"x","oid":{"$oid":"5f1d7a2b9c8e4a0012345678"},"dec":{"$numberDecimal":"1.50"},"bin":{"$binary":{"base64":"AQI=","subType":"00"}},` +
			`"ts":{"$timestamp":{"t":1,"i":2}},"min":{"$minKey":1},"max":{"$maxKey":1},"big":{"$numberLong":"9007199254740993"},` +
			`"neg":{"$numberLong":"-5"},"re":{"$regularExpression":{"pattern":"a","options":"im"}},"__proto__":{"polluted":true},` +
			`"far":{"type":"Point","coordinates":[{"$numberInt":"500"},{"$numberInt":"0"}]},"open":{"type":"Polygon","coordinates":[[[0,0],[1,1]]]},` +
			`"pt":{"type":"Point","coordinates":[1,2]},"arr":[{"type":"Point","coordinates":[3,4]}]}`,
	}
	list, _ := json.Marshal(docs)
	host := &fakeHost{db: func(action string, params json.RawMessage) (json.RawMessage, error) {
		switch action {
		case "database.getDocument", "database.aggregateDocuments":
			return json.RawMessage(`{"list":` + string(list) + `}`), nil
		case "database.modifyAndReturnDoc":
			return json.RawMessage(`{"updated":1,"doc":` + string(list[1:len(list)-1]) + `}`), nil
		}
		return nil, errors.New("unexpected")
	}}
	s := newSandbox(t, host)
	want := `{"_id":"x","oid":{"$oid":"5f1d7a2b9c8e4a0012345678"},"dec":{"$numberDecimal":"1.50"},"bin":{"$binary":{"base64":"AQI=","subType":"00"}},` +
		`"ts":{"$timestamp":{"t":1,"i":2}},"min":{"$minKey":1},"max":{"$maxKey":1},"big":9007199254740992,"neg":-5,"re":{"pattern":"a","options":"im"},` +
		`"far":{"type":"Point","coordinates":[500,0]},"open":{"type":"Polygon","coordinates":[[[0,0],[1,1]]]},`
	expectValue(t, s.run(`async ({ cloud }) => (await cloud.database().collection('c').get()).data[0]`),
		want+`"pt":{"$class":"Point","longitude":1,"latitude":2},"arr":[{"$class":"Point","longitude":3,"latitude":4}]}`)
	// aggregate results and updateAndReturn's doc are not Geo-formatted (as in the SDK)
	expectValue(t, s.run(`async ({ cloud }) => (await cloud.database().collection('c').aggregate().end()).list[0]`),
		want+`"pt":{"type":"Point","coordinates":[1,2]},"arr":[{"type":"Point","coordinates":[3,4]}]}`)
	expectValue(t, s.run(`async ({ app }) => (await app.database().collection('c').where({}).updateAndReturn({ a: 1 })).doc.pt`),
		`{"type":"Point","coordinates":[1,2]}`)
	// a "__proto__" field stays an own field: no prototype change
	expectValue(t, s.run(`async ({ cloud }) => { const d = (await cloud.database().collection('c').get()).data[0];
		return [Object.keys(d).indexOf('__proto__') > 0, d.polluted, ({}).polluted, Object.getPrototypeOf(d) === Object.prototype]; }`),
		`[true,{"$undefined":true},{"$undefined":true},true]`)
	// wrapper values written back encode as the same BSON values
	s.host.db = func(action string, params json.RawMessage) (json.RawMessage, error) {
		return json.RawMessage(`{"insertedIds":["y"]}`), nil
	}
	s.run(`async ({ cloud }) => cloud.database().collection('c').add({ data: { oid: { $oid: '5f1d7a2b9c8e4a0012345678' }, d: { $numberDecimal: '1.5' } } })`)
	last := s.host.calls[len(s.host.calls)-1]
	if !strings.Contains(string(last.Params), `{\"oid\":{\"$oid\":\"5f1d7a2b9c8e4a0012345678\"},\"d\":{\"$numberDecimal\":\"1.5\"}}`) {
		t.Errorf("wrappers: %s", last.Params)
	}
}

func TestEncodeEdgeCases(t *testing.T) {
	s := newSandbox(t, &fakeHost{db: func(string, json.RawMessage) (json.RawMessage, error) {
		return json.RawMessage(`{"insertedIds":["y"]}`), nil
	}})
	got := s.eval(`(function () {
		const db = cloud.database();
		const out = {};
		const a = { x: 1 };
		a.self = a;
		try { db.collection('c').where({ a: a }); } catch (e) { out.whereCycle = e.message; }
		return out;
	})()`)
	if got != `{"whereCycle":"Cannot convert circular structure to JSON"}` {
		t.Errorf("cycle: %s", got)
	}
	expectError(t, s.run(`async ({ cloud }) => { const a = { x: [] }; a.x.push(a); return cloud.database().collection('c').add({ data: a }); }`),
		`{"$error":"Error","message":"collection.add:fail Cannot convert circular structure to JSON",".errCode":-1,".errMsg":"collection.add:fail Cannot convert circular structure to JSON"}`)
	// the same object twice is not a cycle
	expectValue(t, s.run(`async ({ cloud }) => { const t = { k: 1 }; return cloud.database().collection('c').add({ data: { a: t, b: [t, t] } }); }`),
		`{"_id":"y","errMsg":"collection.add:ok"}`)
	last := s.host.calls[len(s.host.calls)-1]
	if !strings.Contains(string(last.Params), `{\"a\":{\"k\":{\"$numberInt\":\"1\"}},\"b\":[{\"k\":{\"$numberInt\":\"1\"}},{\"k\":{\"$numberInt\":\"1\"}}]}`) {
		t.Errorf("shared object: %s", last.Params)
	}
	expectValue(t, s.run(`async ({ cloud }) => cloud.database().collection('c').add({ data: { big: 2 ** 62, sym: Symbol('x'), arr: [Symbol('y'), function () {}], m: new Map([[1, 2]]), s: 'a\u0000b\u007f' } })`),
		`{"_id":"y","errMsg":"collection.add:ok"}`)
	last = s.host.calls[len(s.host.calls)-1]
	if !strings.Contains(string(last.Params), `{\"big\":{\"$numberLong\":\"4611686018427388000\"},\"arr\":[null,null],\"m\":{},\"s\":\"a\\u0000b`+"\x7f"+`\"}`) {
		t.Errorf("edge values: %s", last.Params)
	}
}

// fakeStorage adds StorageHost to fakeHost.
type fakeStorage struct {
	fakeHost
	files map[string][]byte
}

func (f *fakeStorage) UploadFile(ctx context.Context, cloudPath string, content []byte) (string, error) {
	id := "cloud://" + f.env + ".bucket/" + cloudPath
	f.files[id] = append([]byte(nil), content...)
	return id, nil
}

func (f *fakeStorage) DownloadFile(ctx context.Context, fileID string) ([]byte, error) {
	b, ok := f.files[fileID]
	if !ok {
		return nil, &codedErr{"STORAGE_FILE_NONEXIST", "storage file not exist"}
	}
	return b, nil
}

func (f *fakeStorage) TempFileURLs(ctx context.Context, files []TempFileRequest) ([]FileResult, error) {
	var out []FileResult
	for _, r := range files {
		if _, ok := f.files[r.FileID]; !ok {
			out = append(out, FileResult{FileID: r.FileID, Code: "STORAGE_FILE_NONEXIST"})
			continue
		}
		out = append(out, FileResult{FileID: r.FileID, TempFileURL: "https://files.example/" + r.FileID[8:], MaxAge: r.MaxAge, Code: "SUCCESS"})
	}
	return out, nil
}

func (f *fakeStorage) DeleteFiles(ctx context.Context, ids []string) ([]FileResult, error) {
	var out []FileResult
	for _, id := range ids {
		out = append(out, FileResult{FileID: id})
		delete(f.files, id)
	}
	return out, nil
}

func TestStorageWhenTheHostHasIt(t *testing.T) {
	restore := sequentialRequestIDs()
	defer restore()
	host := &fakeStorage{fakeHost: fakeHost{env: "e1"}, files: map[string][]byte{}}
	env := newTestEnv(host)
	wx, err := New(env, FlavorWX)
	if err != nil {
		t.Fatal(err)
	}
	desc, _ := env.vm.RunString(describeSource)
	_ = env.vm.Set("cloud", wx)
	_ = env.vm.Set("__describe", desc)
	v, err := env.vm.RunString(`(function () {
		cloud.init();
		var out = {};
		(async function () {
			out.up = await cloud.uploadFile({ cloudPath: 'dir/a.txt', fileContent: new Uint8Array([104, 105]) });
			const down = await cloud.downloadFile({ fileID: out.up.fileID });
			out.down = [down.statusCode, down.errMsg, String.fromCharCode.apply(null, Array.from(down.fileContent))];
			out.urls = await cloud.getTempFileURL({ fileList: [out.up.fileID, { fileID: 'cloud://e1.bucket/none', maxAge: 5 }] });
			out.del = await cloud.deleteFile({ fileList: [out.up.fileID] });
			try { await cloud.downloadFile({ fileID: out.up.fileID }); } catch (e) { out.gone = e.errMsg; }
		})().catch(function (e) { out.failed = String(e); });
		return out;
	})()`)
	if err != nil {
		t.Fatal(err)
	}
	describe, _ := goja.AssertFunction(desc)
	dv, err := describe(goja.Undefined(), v)
	if err != nil {
		t.Fatal(err)
	}
	d := dv.String()
	want := `{"up":{"fileID":"cloud://e1.bucket/dir/a.txt","statusCode":200,"errMsg":"uploadFile:ok"},"down":[200,"downloadFile:ok","hi"],` +
		`"urls":{"fileList":[{"fileID":"cloud://e1.bucket/dir/a.txt","status":0,"errMsg":"ok","maxAge":0,"tempFileURL":"https://files.example/e1.bucket/dir/a.txt"},` +
		`{"fileID":"cloud://e1.bucket/none","status":-503003,"errMsg":"storage file not exists","maxAge":0,"tempFileURL":""}],"errMsg":"getTempFileURL:ok"},` +
		`"del":{"fileList":[{"fileID":"cloud://e1.bucket/dir/a.txt","status":0,"errMsg":"ok"}],"errMsg":"deleteFile:ok"},` +
		`"gone":"downloadFile:fail -503003 storage file not exists. storage file not exist"}`
	if d != want {
		t.Errorf("got %s\nwant %s", d, want)
	}
}

// TestDirectDecoder checks the fast EJSON→JS decoder against the ejson package path.
func TestDirectDecoder(t *testing.T) {
	s := newSandbox(t, nil)
	m, _, err := build(s.env, FlavorWX)
	if err != nil {
		t.Fatal(err)
	}
	describe, _ := goja.AssertFunction(must(s.env.vm.RunString(`__describe`)))
	docs := []string{
		`{}`, `[]`, `{"a":[]}`, `{"a":{}}`, `"s"`, `1`, `-2.5e3`, `true`, `null`,
		`{"_id":"x","n":{"$numberInt":"-7"},"l":{"$numberLong":"9007199254740993"},"d":{"$numberDouble":"-0.0"},"inf":{"$numberDouble":"-Infinity"},"nan":{"$numberDouble":"NaN"}}`,
		`{"d":{"$date":{"$numberLong":"1704164645000"}},"d2":{"$date":"2024-01-02T03:04:05Z"},"d3":{"$date":123}}`,
		`{"s":"esc \" \\ \/ \b\f\n\r\t \u00e9 \u2028 \ud83d\ude00 \ud800 x","k\u0041":1}`,
		`{"o":{"$oid":"5f1d7a2b9c8e4a0012345678"},"r":{"$regularExpression":{"pattern":"a","options":"mi"}},"b":{"$binary":{"base64":"AQI=","subType":"80"}},"t":{"$timestamp":{"t":1,"i":2}},"mk":{"$minKey":1},"dec":{"$numberDecimal":"12.50"}}`,
		`{"notwrapper":{"$numberInt":"5","x":1},"dollar":{"$other":1},"nested":{"$numberInt":{"a":1}}}`,
		`{"p":{"type":"Point","coordinates":[{"$numberDouble":"1.5"},{"$numberInt":"2"}]},"q":{"coordinates":[1,2],"type":"Point"},"bad":{"type":"Point","coordinates":[500,0]},"t":{"type":"Other"},"x":{"type":1}}`,
		`{"pg":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"mp":{"type":"MultiPoint","coordinates":[[0,0]]},"ml":{"type":"MultiLineString","coordinates":[[[0,0],[1,1]]]},"mpg":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]},"ls":{"type":"LineString","coordinates":[[0,0]]}}`,
		`{"2":"b","1":"a","z":1,"__proto__":{"x":1},"arr":[{"$numberInt":"1"},[{"$date":{"$numberLong":"0"}}],{"k":null}]}`,
		` { "spaced" : [ 1 , 2 ] , "x" : { "$numberInt" : "3" } } `,
	}
	for _, doc := range docs {
		for _, geo := range []bool{false, true} {
			fast, err1 := m.decodeJSONDoc(doc, geo)
			slow, err2 := m.decodeDocumentSlow(doc, geo)
			if (err1 == nil) != (err2 == nil) {
				t.Errorf("%s geo=%v: errors differ: %v / %v", doc, geo, err1, err2)
				continue
			}
			if err1 != nil {
				continue
			}
			a, _ := describe(goja.Undefined(), fast)
			b, _ := describe(goja.Undefined(), slow)
			if a.String() != b.String() {
				t.Errorf("%s geo=%v:\nfast %s\nslow %s", doc, geo, a, b)
			}
		}
	}
	for _, bad := range []string{`{`, `{"a":}`, `[1,]`, `{"a":1,}`, `"x`, `{"$numberInt":"x"}`, `{"a":1}x`, `tru`, `{"a":"\x01"}`} {
		if _, err := m.decodeJSONDoc(bad, true); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func must(v goja.Value, err error) goja.Value {
	if err != nil {
		panic(err)
	}
	return v
}

func TestNodeSDKExtras(t *testing.T) {
	s := newSandbox(t, nil)
	s.env.call = cloudfns.CallContext{OpenID: "o-9", AppID: "wx-9", ClientIP: "9.9.9.9", Source: "wx_client"}
	expectValue(t, s.run(`async ({ app, tcb }) => {
		const auth = app.auth();
		return [auth.getUserInfo(), await auth.getEndUserInfo(), auth.getClientIP(), tcb.version, typeof tcb.init, app.config.env];
	}`), `[{"openId":"o-9","appId":"wx-9","uid":"","customUserId":"","isAnonymous":false},{"userInfo":{"openId":"o-9","appId":"wx-9","uid":"","customUserId":"","isAnonymous":false}},"9.9.9.9","3.18.3","function","envid-mock"]`)
	expectError(t, s.run(`async ({ app }) => app.auth().getEndUserInfo('u1')`),
		`{"$error":"TcbError","message":"auth.getEndUserInfo(uid) is not available yet in Minicloud",".code":"INVALID_PARAM",".requestId":""}`)
	expectError(t, s.run(`async ({ app }) => app.callWxOpenApi({ apiName: 'x' })`),
		`{"$error":"TcbError","message":"callWxOpenApi is not available yet in Minicloud",".code":"SYS_ERR",".requestId":""}`)
	// the same query object can be reused and extended
	s.host.db = func(action string, params json.RawMessage) (json.RawMessage, error) {
		return json.RawMessage(`{"list":[]}`), nil
	}
	expectValue(t, s.run(`async ({ cloud }) => {
		const db = cloud.database();
		const base = db.collection('t').where({ a: 1 });
		await base.orderBy('x', 'asc').get();
		await base.limit(3).get();
		return [base.collectionName, base.database === undefined];
	}`), `["t",false]`)
	last := string(s.host.calls[len(s.host.calls)-1].Params)
	first := string(s.host.calls[len(s.host.calls)-2].Params)
	if strings.Contains(last, "order") || !strings.Contains(first, "order") || !strings.Contains(last, `"limit":3`) {
		t.Errorf("query reuse leaked state:\n%s\n%s", first, last)
	}
}

func TestRequestIDs(t *testing.T) {
	a, b := NewRequestID(), NewRequestID()
	if a == b || len(a) != 36 || a[:24] != b[:24] || a[8] != '-' || a[14] != '4' {
		t.Errorf("request ids %q %q", a, b)
	}
}

// The Geo constructors refuse bad arguments with the SDK's own messages.
func TestGeoArgumentErrors(t *testing.T) {
	s := newSandbox(t, &fakeHost{})
	const closed = `new G.LineString([new G.Point(0, 0), new G.Point(1, 1), new G.Point(0, 0)])`
	for _, c := range []struct{ js, want string }{
		{`new G.LineString('x')`, `TypeError: "points" must be of type Point[]. Received type string`},
		{`new G.LineString([new G.Point(0, 0)])`, `Error: "points" must contain 2 points at least`},
		{`new G.LineString([new G.Point(0, 0), 1])`, `TypeError: "points" must be of type Point[]. Received type number[]`},
		{`new G.Polygon([])`, `Error: Polygon must contain 1 linestring at least`},
		{`new G.Polygon([1])`, `TypeError: "lines" must be of type LineString[]. Received type number[]`},
		{`new G.Polygon([new G.LineString([new G.Point(0, 0), new G.Point(1, 1)]), 1])`, `Error: LineString [0,0],[1,1] is not a closed cycle`},
		{`new G.Polygon([` + closed + `])`, `ok`},
		{`new G.MultiPoint([])`, `Error: "points" must contain 1 point at least`},
		{`new G.MultiPoint([{}])`, `TypeError: "points" must be of type Point[]. Received type object[]`},
		{`new G.MultiLineString('x')`, `TypeError: "lines" must be of type LineString[]. Received type string`},
		{`new G.MultiLineString([])`, `Error: Polygon must contain 1 linestring at least`},
		{`new G.MultiPolygon({})`, `TypeError: "polygons" must be of type Polygon[]. Received type object`},
		{`new G.MultiPolygon([])`, `Error: MultiPolygon must contain 1 polygon at least`},
		{`new G.MultiPolygon([1])`, `TypeError: "polygon" must be of type Polygon[]. Received type number[]`},
		{`new G.MultiPolygon([new G.Polygon([` + closed + `])])`, `ok`},
	} {
		got := s.eval(`(function () { var G = cloud.database().Geo; try { ` + c.js + `; return 'ok'; } catch (e) { return e.name + ': ' + e.message; } })()`)
		want, _ := json.Marshal(c.want)
		if got != string(want) {
			t.Errorf("%s:\n got  %s\n want %s", c.js, got, want)
		}
	}
}

// The callee of cloud.callFunction is logged under an id that carries its time, so the
// log finds it near that time rather than by searching everything.
func TestCallFunctionRequestIDCarriesTime(t *testing.T) {
	requestIDMu.Lock() // no test's sequential ids meanwhile
	defer requestIDMu.Unlock()
	host := &fakeHost{fn: func(string, json.RawMessage, cloudfns.CallContext) (cloudfns.Result, error) {
		return cloudfns.Result{Value: json.RawMessage(`1`), Outcome: cloudfns.OutcomeSuccess}, nil
	}}
	s := newSandbox(t, host)
	before := time.Now()
	v := s.run(`async ({ cloud }) => (await cloud.callFunction({ name: 'x' })).requestID`)
	if len(host.calls) != 1 {
		t.Fatalf("calls %d", len(host.calls))
	}
	id := host.calls[0].CC.RequestID
	at, ok := reqid.Time(id)
	if !ok || at.Before(before.Truncate(time.Millisecond)) || at.After(time.Now()) {
		t.Fatalf("callee request id %s carries %v %v", id, at, ok)
	}
	if !strings.Contains(fmt.Sprint(v), id) {
		t.Fatalf("the caller got %v, the callee ran as %s", v, id)
	}
}

// finderStub is a Host that also implements cloudfns.DocumentFinder with find.
type finderStub struct {
	*fakeHost
	find func(params json.RawMessage) ([]ejson.D, error)
}

func (h finderStub) FindDocuments(_ context.Context, params json.RawMessage) ([]ejson.D, error) {
	return h.find(params)
}

// get() takes the documents from a connected finder, falls back to the action when the
// finder answers cloudfns.ErrNoDocuments, and rejects with the finder's error otherwise.
func TestGetThroughDocumentFinder(t *testing.T) {
	restore := sequentialRequestIDs()
	defer restore()
	host := &fakeHost{db: func(string, json.RawMessage) (json.RawMessage, error) { return cannedList(1), nil }}
	s := newSandbox(t, host)
	var asked []string
	s.env.host = finderStub{host, func(params json.RawMessage) ([]ejson.D, error) {
		asked = append(asked, string(params))
		return []ejson.D{{{Key: "_id", Value: "from-finder"}, {Key: "at", Value: ejson.Date(0)}}}, nil
	}}
	expectValue(t, s.run(`async ({ cloud }) => { const r = await cloud.database().collection('c').where({ a: 1 }).get();
		return [r.data[0]._id, r.data[0].at instanceof Date] }`), `["from-finder",true]`)
	if len(asked) != 1 || !strings.Contains(asked[0], `"collectionName":"c"`) || len(host.calls) != 0 {
		t.Fatalf("finder asked %v, actions %v", asked, host.calls)
	}

	s.env.host = finderStub{host, func(json.RawMessage) ([]ejson.D, error) { return nil, cloudfns.ErrNoDocuments }}
	expectValue(t, s.run(`async ({ cloud }) => (await cloud.database().collection('c').doc('doc-0').get()).data._id`), `"doc-0"`)
	if len(host.calls) != 1 || host.calls[0].Action != "database.getDocument" {
		t.Fatalf("no fallback to the action: %v", host.calls)
	}

	s.env.host = finderStub{host, func(json.RawMessage) ([]ejson.D, error) {
		return nil, &cloudfns.InvokeError{Code: "DATABASE_COLLECTION_NOT_EXIST", Message: "collection c does not exist"}
	}}
	if got := s.run(`async ({ cloud }) => cloud.database().collection('c').get()`); !strings.Contains(got.Error,
		`"collection.get:fail -502005 database collection not exists. collection c does not exist"`) {
		t.Fatalf("finder error not passed on: %v", got)
	}
}
