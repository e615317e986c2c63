package apis

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/minicloud/minicloud/collections"
	"github.com/minicloud/minicloud/collections/ejson"
)

func TestWebActions(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createCollection("todos", collections.PresetReadOnly)
	alice, aliceID := h.signIn()
	bob, _ := h.signIn()
	call := func(token, params string) string {
		return `{"action":` + params[:strings.Index(params, ",")] + `,"env":"` + testEnv + `","access_token":"` + token + `",` + params[strings.Index(params, ",")+1:] + `}`
	}
	h.run([]scenario{
		{name: "add", method: http.MethodPost, url: "/web?env=" + testEnv, body: call(alice, `"database.addDocument","collectionName":"todos","data":{"_id":"d1","n":1,"due":{"$date":1704164645000}}`),
			expectStatus: 200, expectBody: []string{`"_id":"d1"`, `"insertedIds":["d1"]`, `"requestId"`}},
		{name: "query with order", method: http.MethodPost, url: "/web?env=" + testEnv, body: call(bob, `"database.queryDocument","collectionName":"todos","queryType":"WHERE","query":{"n":{"$gte":1}},"order":[{"field":"n","direction":"desc"}],"limit":10`),
			expectStatus: 200, expectBody: []string{`"list":[{"_id":"d1","n":1,"due":{"$date":1704164645000},"_openid":"` + aliceID + `"}]`}},
		{name: "bob cannot update alice's doc under READONLY", method: http.MethodPost, url: "/web?env=" + testEnv, body: call(bob, `"database.updateDocument","collectionName":"todos","queryType":"DOC","query":{"_id":"d1"},"data":{"$set":{"n":9}},"merge":true`),
			expectStatus: 200, expectBody: []string{`"updated":0`}},
		{name: "alice updates", method: http.MethodPost, url: "/web?env=" + testEnv, body: call(alice, `"database.updateDocument","collectionName":"todos","queryType":"DOC","query":{"_id":"d1"},"data":{"$inc":{"n":1}},"merge":true`),
			expectStatus: 200, expectBody: []string{`"updated":1`, `"doc":{"_id":"d1","n":2`}},
		{name: "count", method: http.MethodPost, url: "/web?env=" + testEnv, body: call(bob, `"database.countDocument","collectionName":"todos","query":{"n":2}`),
			expectStatus: 200, expectBody: []string{`"total":1`}},
		{name: "env mismatch", method: http.MethodPost, url: "/web?env=other", body: call(alice, `"database.countDocument","collectionName":"todos"`),
			expectStatus: 200, expectBody: []string{`"code":"INVALIID_ENV"`}},
		{name: "unknown action", method: http.MethodPost, url: "/web?env=" + testEnv, body: call(alice, `"database.dropEverything","collectionName":"todos"`),
			expectStatus: 200, expectBody: []string{`"code":"INVALID_ACTION"`}},
		{name: "no token", method: http.MethodPost, url: "/web?env=" + testEnv, body: call("", `"database.countDocument","collectionName":"todos"`),
			expectStatus: 200, expectBody: []string{`"code":"UNAUTHENTICATED"`}},
		{name: "malformed json", method: http.MethodPost, url: "/web?env=" + testEnv, body: `{"action":`,
			expectStatus: 200, expectBody: []string{`"code":"INVALID_PARAM"`}},
		{name: "clients cannot add collections", method: http.MethodPost, url: "/web?env=" + testEnv, body: call(alice, `"database.addCollection","collectionName":"x"`),
			expectStatus: 200, expectBody: []string{`"code":"DATABASE_PERMISSION_DENIED"`}},
	})
}

func TestAdminActions(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	bearerKey := map[string]string{"Authorization": "Bearer " + h.admin.AccessKey}
	h.run([]scenario{
		{name: "unsigned request", method: http.MethodPost, url: "/admin?env=" + testEnv, body: `{"action":"database.calculateDocument","collectionName":"x"}`,
			expectStatus: 200, expectBody: []string{`"code":"SIGN_PARAM_INVALID"`}},
		{name: "wrong access key", method: http.MethodPost, url: "/admin?env=" + testEnv, headers: map[string]string{"Authorization": "Bearer mc." + h.admin.SecretID + ".AAAA"},
			body: `{"action":"database.calculateDocument","collectionName":"x"}`, expectStatus: 200, expectBody: []string{`"code":"SIGN_PARAM_INVALID"`}},
		{name: "insert creates the collection", method: http.MethodPost, url: "/admin?env=" + testEnv, headers: bearerKey,
			body:         `{"action":"database.insertDocument","envName":"` + testEnv + `","collectionName":"auto","data":["{\"_id\":\"a\",\"n\":{\"$numberInt\":\"5\"},\"_openid\":\"u1\"}"]}`,
			expectStatus: 200, expectBody: []string{`"insertedIds":["a"]`}},
		{name: "query returns canonical EJSON strings", method: http.MethodPost, url: "/admin?env=" + testEnv, headers: bearerKey,
			body:         `{"action":"database.getDocument","collectionName":"auto","queryType":"WHERE","query":"{\"n\":{\"$gt\":{\"$numberInt\":\"1\"}}}","order":"{\"n\":{\"$numberInt\":\"-1\"}}"}`,
			expectStatus: 200, expectBody: []string{`"list":["{\"_id\":\"a\",\"n\":{\"$numberInt\":\"5\"},\"_openid\":\"u1\"}"]`}},
		{name: "modify", method: http.MethodPost, url: "/admin?env=" + testEnv, headers: bearerKey,
			body:         `{"action":"database.modifyDocument","collectionName":"auto","queryType":"DOC","query":"{\"_id\":\"a\"}","data":"{\"$set\":{\"at\":{\"$tcb_server_date\":{\"offset\":{\"$numberInt\":\"0\"}}}}}","merge":true}`,
			expectStatus: 200, expectBody: []string{`"updated":1`, `\"at\":{\"$date\":{\"$numberLong\":`}},
		{name: "env mismatch", method: http.MethodPost, url: "/admin?env=other", headers: bearerKey,
			body: `{"action":"database.calculateDocument","collectionName":"auto"}`, expectStatus: 200, expectBody: []string{`"code":"INVALIID_ENV"`}},
		{name: "malformed EJSON string", method: http.MethodPost, url: "/admin?env=" + testEnv, headers: bearerKey,
			body: `{"action":"database.getDocument","collectionName":"auto","query":"{\"n\":"}`, expectStatus: 200, expectBody: []string{`"code":"INVALID_PARAM"`}},
	})
	if err := h.keys.Revoke(h.admin.SecretID); err != nil {
		t.Fatal(err)
	}
	h.run([]scenario{{name: "revoked key", method: http.MethodPost, url: "/admin?env=" + testEnv, headers: bearerKey,
		body: `{"action":"database.calculateDocument","collectionName":"auto"}`, expectStatus: 200, expectBody: []string{`"code":"SIGN_PARAM_INVALID"`}}})
}

func TestActionAggregateEncodings(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createCollection("agg", collections.PresetReadOnly)
	tok, _ := h.signIn()
	bearerKey := map[string]string{"Authorization": "Bearer " + h.admin.AccessKey}
	h.do(t, scenario{method: http.MethodPost, url: gwDocs + "agg/documents", token: tok, body: `{"data":[{"n":1},{"n":2}]}`, expectStatus: 200})
	h.run([]scenario{
		{name: "web: list is a JSON string of EJSON strings", method: http.MethodPost, url: "/web?env=" + testEnv,
			body:         `{"action":"database.aggregate","env":"` + testEnv + `","access_token":"` + tok + `","collectionName":"agg","stages":[{"stageKey":"$group","stageValue":"{\"_id\":null,\"s\":{\"$sum\":\"$n\"}}"}]}`,
			expectStatus: 200, expectBody: []string{`"list":"[\"{\\\"_id\\\":null,\\\"s\\\":{\\\"$numberInt\\\":\\\"3\\\"}}\"]"`}},
		{name: "admin: list of EJSON strings", method: http.MethodPost, url: "/admin?env=" + testEnv, headers: bearerKey,
			body:         `{"action":"database.aggregateDocuments","collectionName":"agg","stages":[{"stageKey":"$match","stageValue":"{\"n\":{\"$gt\":{\"$numberInt\":\"1\"}}}"},{"stageKey":"$project","stageValue":"{\"_id\":0,\"n\":1}"}]}`,
			expectStatus: 200, expectBody: []string{`"list":["{\"n\":{\"$numberInt\":\"2\"}}"]`}},
		{name: "admin: bad stage value", method: http.MethodPost, url: "/admin?env=" + testEnv, headers: bearerKey,
			body:         `{"action":"database.aggregateDocuments","collectionName":"agg","stages":[{"stageKey":"$limit","stageValue":"{"}]}`,
			expectStatus: 200, expectBody: []string{`"code":"INVALID_PARAM"`}},
	})
}

func TestAdminKeyLastUsed(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.do(t, scenario{method: http.MethodPost, url: "/admin?env=" + testEnv, headers: map[string]string{"Authorization": "Bearer " + h.admin.AccessKey},
		body: `{"action":"database.addCollection","collectionName":"x"}`, expectStatus: 200})
	keys, err := h.keys.List()
	if err != nil || len(keys) != 1 || keys[0].LastUsed.IsZero() {
		t.Fatalf("lastUsed not recorded: %+v %v", keys, err)
	}
}

func TestAdminActionWithoutHTTP(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	srv := NewServer(h.app, Config{EnvID: testEnv}, Services{Store: h.store, Auth: h.auth, Keys: h.keys})
	ctx := t.Context()
	out, err := srv.AdminAction(ctx, "database.insertDocument", []byte(`{"collectionName":"fn","data":["{\"_id\":\"x\",\"n\":{\"$numberInt\":\"1\"}}"]}`))
	if err != nil || !strings.Contains(string(out), `"insertedIds":["x"]`) {
		t.Fatalf("insert: %s %v", out, err)
	}
	out, err = srv.AdminAction(ctx, "database.getDocument", []byte(`{"collectionName":"fn","query":"{\"_id\":\"x\"}"}`))
	if err != nil || !strings.Contains(string(out), `\"n\":{\"$numberInt\":\"1\"}`) {
		t.Fatalf("get: %s %v", out, err)
	}
	_, err = srv.AdminAction(ctx, "database.getDocument", []byte(`{"collectionName":"missing"}`))
	if code, _ := ErrorCode(err); code != "DATABASE_COLLECTION_NOT_EXIST" {
		t.Fatalf("missing collection: %v", err)
	}
	if _, err := srv.AdminAction(ctx, "nope", []byte(`{}`)); err == nil {
		t.Fatal("unknown action accepted")
	}
}

// AdminFind answers database.getDocument with the documents the action encodes:
// same filter, order, offset, limit and projection, same errors.
func TestAdminFindMatchesAdminAction(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	srv := NewServer(h.app, Config{EnvID: testEnv}, Services{Store: h.store, Auth: h.auth, Keys: h.keys})
	ctx := t.Context()
	var docs []string
	for i := 0; i < 30; i++ {
		docs = append(docs, jsonString(fmt.Sprintf(`{"_id":"d%02d","n":{"$numberInt":"%d"},"k":"%s","at":{"$date":{"$numberLong":"%d"}}}`,
			i, i, []string{"a", "b"}[i%2], 1704164645000+int64(i))))
	}
	if _, err := srv.AdminAction(ctx, "database.insertDocument", []byte(`{"collectionName":"fn","data":[`+strings.Join(docs, ",")+`]}`)); err != nil {
		t.Fatal(err)
	}
	for _, params := range []string{
		`{"collectionName":"fn"}`,
		`{"collectionName":"fn","query":"{\"k\":\"a\"}","order":"{\"n\":-1}","offset":2,"limit":5}`,
		`{"collectionName":"fn","query":"{\"n\":{\"$gte\":25}}","projection":"{\"n\":1}"}`,
		`{"collectionName":"fn","limit":5000}`,
	} {
		out, err := srv.AdminAction(ctx, "database.getDocument", []byte(params))
		if err != nil {
			t.Fatal(err)
		}
		var answer struct{ List []string }
		if err := json.Unmarshal(out, &answer); err != nil {
			t.Fatal(err)
		}
		found, err := srv.AdminFind(ctx, []byte(params))
		if err != nil {
			t.Fatal(err)
		}
		if len(found) != len(answer.List) || len(found) == 0 {
			t.Fatalf("%s: %d documents, the action %d", params, len(found), len(answer.List))
		}
		for i, d := range found {
			text, err := ejson.Marshal(d, ejson.Canonical)
			if err != nil {
				t.Fatal(err)
			}
			if string(text) != answer.List[i] {
				t.Fatalf("%s: document %d is %s, the action's %s", params, i, text, answer.List[i])
			}
		}
	}
	for _, c := range []struct{ params, code string }{
		{`{"collectionName":"missing"}`, "DATABASE_COLLECTION_NOT_EXIST"},
		{`{"collectionName":""}`, "INVALID_PARAM"},
		{`{"collectionName":"fn","query":"{bad"}`, "INVALID_PARAM"},
		{`not json`, "INVALID_PARAM"},
	} {
		_, err := srv.AdminFind(ctx, []byte(c.params))
		_, actionErr := srv.AdminAction(ctx, "database.getDocument", []byte(c.params))
		code, _ := ErrorCode(err)
		actionCode, _ := ErrorCode(actionErr)
		if code != c.code || code != actionCode {
			t.Errorf("%s: %q (%v), the action %q, want %q", c.params, code, err, actionCode, c.code)
		}
	}
}

func TestAdminManagesPermissions(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createCollection("notes", collections.PresetPrivate)
	tok, _ := h.signIn()
	admin := map[string]string{"Authorization": "Bearer " + h.admin.AccessKey}
	h.run([]scenario{
		{name: "preset", method: http.MethodPost, url: "/admin?env=" + testEnv, headers: admin,
			body: `{"action":"database.modifyDatabaseACL","collectionName":"notes","aclTag":"READONLY"}`, expectStatus: 200, rejectBody: []string{`"code"`}},
		{name: "read preset", method: http.MethodPost, url: "/admin?env=" + testEnv, headers: admin,
			body: `{"action":"database.describeDatabaseACL","collectionName":"notes"}`, expectStatus: 200, expectBody: []string{`"aclTag":"READONLY"`}},
		{name: "bad rule refused with its position", method: http.MethodPost, url: "/admin?env=" + testEnv, headers: admin,
			body: `{"action":"database.modifySafeRule","collectionName":"notes","rule":"{\"read\":\"doc.a ==\"}"}`, expectStatus: 200, expectBody: []string{`"code":"INVALID_PARAM"`, "column"}},
		{name: "rules", method: http.MethodPost, url: "/admin?env=" + testEnv, headers: admin,
			body: `{"action":"database.modifySafeRule","collectionName":"notes","rule":"{\"read\":\"doc._openid == auth.openid\",\"write\":false}"}`, expectStatus: 200, rejectBody: []string{`"code"`}},
		{name: "read rules", method: http.MethodPost, url: "/admin?env=" + testEnv, headers: admin,
			body: `{"action":"database.describeSafeRule","collectionName":"notes"}`, expectStatus: 200, expectBody: []string{`doc._openid == auth.openid`}},
		{name: "a client query outside the rule is denied", url: gwDocs + "notes/documents", token: tok, expectStatus: 403, expectBody: []string{`"code":"DATABASE_PERMISSION_DENIED"`}},
		{name: "the {openid} placeholder makes it a subset", url: gwDocs + "notes/documents?query=" + url.QueryEscape(`{"_openid":"{openid}"}`), token: tok, expectStatus: 200},
		{name: "clients cannot manage permissions", method: http.MethodPost, url: "/web?env=" + testEnv,
			body: `{"action":"database.modifySafeRule","env":"` + testEnv + `","access_token":"` + tok + `","collectionName":"notes","rule":"{\"read\":true}"}`, expectStatus: 200, expectBody: []string{`"code":"DATABASE_PERMISSION_DENIED"`}},
	})
}
