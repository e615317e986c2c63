package apis

import (
	"net/http"
	"testing"

	"github.com/minicloud/minicloud/storage"
)

func TestStorageRuleActions(t *testing.T) {
	h := newStorageHarness(t, storage.Config{Preset: storage.PresetAdminOnly})
	alice, _ := h.signIn()
	bob, _ := h.signIn()
	key := map[string]string{"Authorization": "Bearer " + h.admin.AccessKey}
	admin := "/admin?env=" + testEnv
	web := "/web?env=" + testEnv
	set := func(rule string) string {
		return `{"action":"storage.modifyStorageRule","envName":"` + testEnv + `","rule":` + rule + `}`
	}
	gw := func(name, token, body string, status int, expect ...string) scenario {
		return scenario{name: name, method: http.MethodPost, url: gwUpload, token: token, body: body, expectStatus: status, expectBody: expect}
	}
	h.run([]scenario{
		{name: "the preset, before any rule", method: http.MethodPost, url: admin, headers: key, body: `{"action":"storage.describeStorageRule"}`,
			expectStatus: 200, expectBody: []string{`"isCustom":false`, `"preset":"ADMINONLY"`, `"rule":""`}},
		gw("ADMINONLY refuses alice", alice, `[{"objectId":"alice/a.txt"}]`, 200, `"code":"STORAGE_EXCEED_AUTHORITY"`),
		{name: "clients cannot read the rules", method: http.MethodPost, url: web, body: `{"action":"storage.describeStorageRule","access_token":"` + alice + `"}`,
			expectStatus: 200, expectBody: []string{`"code":"PERMISSION_DENIED"`}},
		{name: "clients cannot set the rules", method: http.MethodPost, url: web, body: `{"action":"storage.modifyStorageRule","access_token":"` + alice + `","rule":"{\"read\":true,\"write\":true}"}`,
			expectStatus: 200, expectBody: []string{`"code":"PERMISSION_DENIED"`}},
		{name: "a bad rule is refused with its position", method: http.MethodPost, url: admin, headers: key, body: set(`"{\"read\":true,\"write\":\"resource.openid == auth.openid &&\\n  doc.x\"}"`),
			expectStatus: 200, expectBody: []string{`"code":"INVALID_PARAM"`, `rule \"write\": line 2, column 3: unknown name \"doc\"`}},
		{name: "a rule that is not JSON", method: http.MethodPost, url: admin, headers: key, body: set(`5`),
			expectStatus: 200, expectBody: []string{`"code":"INVALID_PARAM"`}},
		{name: "custom rules as an object", method: http.MethodPost, url: admin, headers: key,
			body:         set(`{"read":"resource.openid == auth.openid || resource.path >= 'pub/'","write":"resource.openid == auth.openid"}`),
			expectStatus: 200, expectBody: []string{`"isCustom":true`, `"rule":"{\"read\":\"resource.openid == auth.openid || resource.path \u003e= 'pub/'\",\"write\":\"resource.openid == auth.openid\"}"`}},
		{name: "described", method: http.MethodPost, url: admin, headers: key, body: `{"action":"storage.describeStorageRule"}`,
			expectStatus: 200, expectBody: []string{`"isCustom":true`, `resource.path \u003e= 'pub/'`}},
		// the custom rules replace ADMINONLY
		gw("alice may now create", alice, `[{"objectId":"alice/a.txt"}]`, 200, `"uploadUrl"`),
	})

	// alice and bob each store a file (the gateway's URL, then a form POST)
	upload := func(token, path, content string) {
		t.Helper()
		var up []map[string]any
		h.run([]scenario{{name: "upload info " + path, method: http.MethodPost, url: gwUpload, token: token, body: `[{"objectId":"` + path + `"}]`, expectStatus: 200,
			after: func(t *testing.T, body string) { up = decode[[]map[string]any](t, body) }}})
		if up[0]["uploadUrl"] == nil {
			t.Fatalf("no upload URL for %s: %v", path, up)
		}
		body, ct := formBody(t, [2]string{"file", content})
		if res := h.raw(http.MethodPost, up[0]["uploadUrl"].(string), body, map[string]string{"Content-Type": ct}); res.Code != 200 {
			t.Fatalf("POST %s: %d %s", path, res.Code, res.Body)
		}
	}
	upload(alice, "alice/a.txt", "alice's")
	upload(bob, "pub/b.txt", "bob's")
	h.run([]scenario{
		{name: "bob reads his own and pub/, not alice's", method: http.MethodPost, url: gwDownload, token: bob,
			body:         `[{"cloudObjectId":"` + fileID("alice/a.txt") + `"},{"cloudObjectId":"` + fileID("pub/b.txt") + `"}]`,
			expectStatus: 200, expectBody: []string{`"cloudObjectId":"` + fileID("alice/a.txt") + `","code":"STORAGE_EXCEED_AUTHORITY"`, `"downloadUrl":"http://example.com/storage/v1/objects/pub/b.txt?`}},
		{name: "alice reads pub/ too", method: http.MethodPost, url: gwDownload, token: alice, body: `[{"cloudObjectId":"` + fileID("pub/b.txt") + `"}]`,
			expectStatus: 200, expectBody: []string{`"downloadUrl"`}, rejectBody: []string{`"code"`}},
		gw("bob cannot overwrite alice's file", bob, `[{"objectId":"alice/a.txt"}]`, 200, `"code":"STORAGE_EXCEED_AUTHORITY"`),
		{name: "alice cannot delete bob's file", method: http.MethodPost, url: gwDelete, token: alice, body: `[{"cloudObjectId":"` + fileID("pub/b.txt") + `"}]`,
			expectStatus: 200, expectBody: []string{`"code":"STORAGE_EXCEED_AUTHORITY"`}},
		{name: "the admin dialect bypasses the rules", method: http.MethodPost, url: admin, headers: key,
			body:         `{"action":"storage.batchGetDownloadUrl","file_list":[{"fileid":"` + fileID("alice/a.txt") + `"}]}`,
			expectStatus: 200, expectBody: []string{`"code":"SUCCESS"`}},
		{name: "an empty rule restores the preset", method: http.MethodPost, url: admin, headers: key, body: set(`""`),
			expectStatus: 200, expectBody: []string{`"isCustom":false`, `"preset":"ADMINONLY"`}},
		{name: "ADMINONLY again", method: http.MethodPost, url: gwDownload, token: alice, body: `[{"cloudObjectId":"` + fileID("alice/a.txt") + `"}]`,
			expectStatus: 200, expectBody: []string{`"code":"STORAGE_EXCEED_AUTHORITY"`}},
	})
	if n := h.fileCount(); n != 2 {
		t.Fatalf("%d files, want 2", n)
	}
}
