package apis

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/minicloud/minicloud/collections"
)

func TestGatewayDocumentLifecycle(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createCollection("todos", collections.PresetPrivate)
	alice, aliceID := h.signIn()
	bob, _ := h.signIn()
	var id string
	q := url.QueryEscape(`{"n":{"$gt":{"$numberInt":"3"}}}`)
	order := url.QueryEscape(`[{"field":"n","direction":"desc"}]`)
	h.run([]scenario{
		{
			name: "add stamps the caller's openid", method: http.MethodPost, url: gwDocs + "todos/documents", token: alice,
			body:         `{"data":[{"title":"a","n":5,"createdAt":{"$date":{"offset":0}}},{"_id":"mine","title":"b","n":1,"_openid":"forged"}]}`,
			expectStatus: 200, expectBody: []string{`"insertedIds":[`, `"mine"`},
			after: func(t *testing.T, body string) {
				var r struct{ InsertedIds []string }
				if err := json.Unmarshal([]byte(body), &r); err != nil || len(r.InsertedIds) != 2 {
					t.Fatalf("%s %v", body, err)
				}
				id = r.InsertedIds[0]
			},
		},
		{
			name: "query with order and limit", url: gwDocs + "todos/documents?query=" + q + "&order=" + order + "&limit=5", token: alice,
			expectStatus: 200, expectBody: []string{`"title":"a"`, `"_openid":"` + aliceID + `"`, `"createdAt":{"$date":`, `"limit":5`},
			rejectBody: []string{`"title":"b"`},
		},
		{
			name: "forged _openid is replaced", url: gwDocs + "todos/documents/mine", token: alice,
			expectStatus: 200, expectBody: []string{`"_openid":"` + aliceID + `"`}, rejectBody: []string{"forged"},
		},
		{
			name: "another user sees nothing under PRIVATE", url: gwDocs + "todos/documents", token: bob,
			expectStatus: 200, expectBody: []string{`"list":[]`},
		},
		{
			name: "another user cannot update", method: http.MethodPatch, url: gwDocs + "todos/documents", token: bob,
			body:         `{"query":{"_id":"mine"},"data":{"$set":{"title":"hacked"}},"multi":false}`,
			expectStatus: 200, expectBody: []string{`"updated":0`},
		},
		{
			name: "count", url: gwDocs + "todos/documents?count=true", token: alice,
			expectStatus: 200, expectBody: []string{`{"total":2}`},
		},
		{
			name: "set replaces the document", method: http.MethodPatch, url: gwDocs + "todos/documents", token: alice,
			body:         `{"query":{"_id":"mine"},"data":{"title":"replaced"},"multi":false,"upsert":true,"replaceMode":false}`,
			expectStatus: 200, expectBody: []string{`"updated":1`},
		},
		{
			name: "remove", method: http.MethodPost, url: gwDocs + "todos/documents/remove", token: alice,
			body: `{"query":{"title":"replaced"},"multi":true}`, expectStatus: 200, expectBody: []string{`{"deleted":1}`},
		},
	})
	if id == "" || h.count("todos") != 1 {
		t.Fatalf("expected one document left, have %d", h.count("todos"))
	}
}

func TestGatewayErrors(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createCollection("todos", collections.PresetPrivate)
	h.createCollection("locked", collections.PresetAdminOnly)
	tok, _ := h.signIn()
	deep := strings.Repeat(`{"a":`, 120) + "1" + strings.Repeat("}", 120)
	h.run([]scenario{
		{name: "no token", url: gwDocs + "todos/documents", expectStatus: 401, expectBody: []string{`"code":"UNAUTHENTICATED"`, `"requestId"`}},
		{name: "forged token", url: gwDocs + "todos/documents", token: "eyJhbGciOiJIUzI1NiJ9.e30.x", expectStatus: 401, expectBody: []string{`"code":"UNAUTHENTICATED"`}},
		{name: "unknown instance", url: "/v1/database/instances/x/databases/(default)/collections/todos/documents", token: tok, expectStatus: 400, expectBody: []string{`"code":"INVALID_PARAM"`}},
		{name: "collection missing", url: gwDocs + "nope/documents", token: tok, expectStatus: 404, expectBody: []string{`"code":"DATABASE_COLLECTION_NOT_EXIST"`}},
		{name: "malformed query", url: gwDocs + "todos/documents?query=" + url.QueryEscape(`{"n":`), token: tok, expectStatus: 400, expectBody: []string{`"code":"INVALID_PARAM"`}},
		{name: "unknown operator", url: gwDocs + "todos/documents?query=" + url.QueryEscape(`{"n":{"$foo":1}}`), token: tok, expectStatus: 400, expectBody: []string{`"code":"INVALID_PARAM"`, "$foo"}},
		{name: "wrong operand type", url: gwDocs + "todos/documents?query=" + url.QueryEscape(`{"n":{"$in":5}}`), token: tok, expectStatus: 400, expectBody: []string{`"code":"INVALID_PARAM"`}},
		{name: "bad limit", url: gwDocs + "todos/documents?limit=-1", token: tok, expectStatus: 400, expectBody: []string{`"code":"INVALID_PARAM"`}},
		{name: "malformed body", method: http.MethodPost, url: gwDocs + "todos/documents", token: tok, body: `{"data":[{"a":}]}`, expectStatus: 400, expectBody: []string{`"code":"INVALID_PARAM"`}},
		{name: "too deep document", method: http.MethodPost, url: gwDocs + "todos/documents", token: tok, body: `{"data":[` + deep + `]}`, expectStatus: 400, expectBody: []string{`"code":"INVALID_PARAM"`}},
		{name: "$ field name", method: http.MethodPost, url: gwDocs + "todos/documents", token: tok, body: `{"data":[{"$set":1}]}`, expectStatus: 400, expectBody: []string{`"code":"INVALID_PARAM"`}},
		{name: "bad update operator", method: http.MethodPatch, url: gwDocs + "todos/documents", token: tok, body: `{"query":{},"data":{"$inc":{"n":"x"}},"multi":true}`, expectStatus: 400, expectBody: []string{`"code":"INVALID_PARAM"`}},
		{name: "admin-only collection", url: gwDocs + "locked/documents", token: tok, expectStatus: 403, expectBody: []string{`"code":"DATABASE_PERMISSION_DENIED"`}},
		{name: "clients cannot create collections", method: http.MethodPost, url: "/v1/database/instances/(default)/databases/(default)/collections", token: tok, body: `{"collectionName":"x"}`, expectStatus: 403, expectBody: []string{`"code":"DATABASE_PERMISSION_DENIED"`}},
		{name: "unknown route", url: "/v1/nothing", expectStatus: 404, expectBody: []string{`"code":"RESOURCE_NOT_FOUND"`}},
	})
	big := `{"data":[{"s":"` + strings.Repeat("x", MaxRequestBytes) + `"}]}`
	h.run([]scenario{{name: "oversized body", method: http.MethodPost, url: gwDocs + "todos/documents", token: tok, body: big, expectStatus: 413, expectBody: []string{`"code":"REQUEST_BODY_TOO_LARGE"`}}})
	if n := h.count("todos"); n != 0 {
		t.Fatalf("failed requests wrote %d documents", n)
	}
}

func TestGatewayLimits(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createCollection("many", collections.PresetReadOnly)
	tok, _ := h.signIn()
	var docs []string
	for i := 0; i < 1005; i++ {
		docs = append(docs, `{"i":`+strconv.Itoa(i)+`}`)
	}
	h.do(t, scenario{method: http.MethodPost, url: gwDocs + "many/documents", token: tok, body: `{"data":[` + strings.Join(docs[:1000], ",") + `]}`, expectStatus: 200})
	h.do(t, scenario{method: http.MethodPost, url: gwDocs + "many/documents", token: tok, body: `{"data":[` + strings.Join(docs[1000:], ",") + `]}`, expectStatus: 200})
	countList := func(body string) int {
		var r struct{ List []json.RawMessage }
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			t.Fatal(err)
		}
		return len(r.List)
	}
	if n := countList(h.do(t, scenario{url: gwDocs + "many/documents", token: tok, expectStatus: 200})); n != collections.DefaultClientLimit {
		t.Fatalf("default page: %d", n)
	}
	if n := countList(h.do(t, scenario{url: gwDocs + "many/documents?limit=5000", token: tok, expectStatus: 200})); n != collections.DefaultMaxLimit {
		t.Fatalf("capped page: %d", n)
	}
}

func TestGatewayAggregate(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createCollection("sales", collections.PresetPrivate)
	alice, _ := h.signIn()
	bob, _ := h.signIn()
	var docs []string
	for i := 0; i < 30; i++ {
		docs = append(docs, `{"g":"g`+strconv.Itoa(i%3)+`","n":`+strconv.Itoa(i)+`}`)
	}
	h.do(t, scenario{method: http.MethodPost, url: gwDocs + "sales/documents", token: alice, body: `{"data":[` + strings.Join(docs, ",") + `]}`, expectStatus: 200})
	h.do(t, scenario{method: http.MethodPost, url: gwDocs + "sales/documents", token: bob, body: `{"data":[{"g":"g0","n":1000}]}`, expectStatus: 200})
	h.run([]scenario{
		{name: "group over the caller's own documents", method: http.MethodPost, url: gwDocs + "sales/documents/aggregations", token: alice,
			body:         `{"pipeline":[{"$group":{"_id":"$g","total":{"$sum":"$n"}}},{"$sort":{"_id":{"$numberInt":"1"}}}]}`,
			expectStatus: 200, expectBody: []string{`{"list":[{"_id":"g0","total":135},{"_id":"g1","total":145},{"_id":"g2","total":155}]}`}},
		{name: "a client pipeline without $limit returns one default page", method: http.MethodPost, url: gwDocs + "sales/documents/aggregations", token: alice,
			body: `{"pipeline":[{"$project":{"n":1}}]}`, expectStatus: 200,
			after: func(t *testing.T, body string) {
				if n := strings.Count(body, `"n":`); n != collections.DefaultClientLimit {
					t.Fatalf("%d documents", n)
				}
			}},
		{name: "bad stage", method: http.MethodPost, url: gwDocs + "sales/documents/aggregations", token: alice,
			body: `{"pipeline":[{"$nope":{}}]}`, expectStatus: 400, expectBody: []string{`"code":"INVALID_PARAM"`}},
		{name: "pipeline must be an array", method: http.MethodPost, url: gwDocs + "sales/documents/aggregations", token: alice,
			body: `{"pipeline":{}}`, expectStatus: 400, expectBody: []string{`"code":"INVALID_PARAM"`}},
	})
}
