package apis

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/collections"
)

// The dashboard edits documents through PocketBase's records API as a superuser; this
// drives that API exactly as the dashboard does.
func TestDashboardSeesAndEditsDocuments(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.createCollection("todos", collections.PresetPrivate)
	tok, openid := h.signIn()
	su := h.superuserToken()
	h.do(t, scenario{method: http.MethodPost, url: gwDocs + "todos/documents", token: tok, expectStatus: 200,
		body: `{"data":[{"_id":"d1","title":"from sdk","tags":["a"]}]}`})

	body := h.do(t, scenario{url: "/api/collections/todos/records/d1", token: su, expectStatus: 200,
		expectBody: []string{`"id":"d1"`, `"_openid":"` + openid + `"`, `"title":"from sdk"`}})
	var rec map[string]any
	if err := json.Unmarshal([]byte(body), &rec); err != nil {
		t.Fatal(err)
	}

	h.run([]scenario{
		{name: "dashboard edit", method: http.MethodPatch, url: "/api/collections/todos/records/d1", token: su,
			body: `{"data":{"title":"edited in dashboard","tags":["a","b"],"due":{"$date":"2024-01-02T03:04:05Z"}}}`, expectStatus: 200},
		{name: "sdk sees the edit", url: gwDocs + "todos/documents/d1", token: tok, expectStatus: 200,
			expectBody: []string{`"title":"edited in dashboard"`, `"tags":["a","b"]`, `"due":{"$date":1704164645000}`, `"_openid":"` + openid + `"`}},
		{name: "array written in the dashboard is matched with array semantics", url: gwDocs + "todos/documents?query=%7B%22tags%22%3A%22b%22%7D", token: tok,
			expectStatus: 200, expectBody: []string{`"_id":"d1"`}},
		{name: "dashboard rejects a non-object document", method: http.MethodPatch, url: "/api/collections/todos/records/d1", token: su,
			body: `{"data":[1,2]}`, expectStatus: 400},
		{name: "dashboard create", method: http.MethodPost, url: "/api/collections/todos/records", token: su,
			body: `{"data":{"title":"made in dashboard"},"_openid":"` + openid + `"}`, expectStatus: 200},
		{name: "sdk sees the dashboard's document", url: gwDocs + "todos/documents?query=%7B%22title%22%3A%22made%20in%20dashboard%22%7D", token: tok,
			expectStatus: 200, expectBody: []string{`"title":"made in dashboard"`}},
		{name: "clients cannot use the PocketBase records API", url: "/api/collections/todos/records", token: tok, expectStatus: 403},
	})
}

// A base collection created in the dashboard without fields becomes a document
// collection the SDKs can use.
func TestDashboardCreatedCollection(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	su := h.superuserToken()
	tok, _ := h.signIn()
	h.run([]scenario{
		{name: "create in dashboard", method: http.MethodPost, url: "/api/collections", token: su,
			body: `{"name":"notes","type":"base"}`, expectStatus: 200, expectBody: []string{`"name":"_openid"`, `"name":"data"`}},
		{name: "sdk writes to it", method: http.MethodPost, url: gwDocs + "notes/documents", token: tok,
			body: `{"data":[{"x":1}]}`, expectStatus: 200},
		{name: "a collection with its own fields stays a plain PocketBase collection", method: http.MethodPost, url: "/api/collections", token: su,
			body: `{"name":"plain","type":"base","fields":[{"name":"title","type":"text"}]}`, expectStatus: 200},
		{name: "sdk cannot see it", url: gwDocs + "plain/documents", token: tok, expectStatus: 404},
	})
}

func (h *harness) superuserToken() string {
	h.t.Helper()
	col, err := h.app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		h.t.Fatal(err)
	}
	su := core.NewRecord(col)
	su.SetEmail("admin@example.com")
	su.SetPassword("1234567890")
	if err := h.app.Save(su); err != nil {
		h.t.Fatal(err)
	}
	tok, err := su.NewAuthToken()
	if err != nil {
		h.t.Fatal(err)
	}
	return tok
}
