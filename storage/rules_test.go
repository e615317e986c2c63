package storage

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/migrations"
)

func TestParseRules(t *testing.T) {
	ok := []string{
		`{"read": true, "write": false}`,
		`{"read": "auth != null", "write": "resource.openid == auth.openid"}`,
		`{"write": "resource.path == 'drop/' + auth.openid + '.txt'", "read": "resource.openid == auth.openid || resource.openid == null"}`,
	}
	for _, raw := range ok {
		r, err := ParseRules([]byte(raw))
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if strings.Contains(string(r.JSON()), ": ") {
			t.Errorf("not compacted: %s", r.JSON())
		}
	}
	bad := []struct{ raw, want string }{
		{`[]`, "must be a JSON object"},
		{`not json`, "must be a JSON object"},
		{`{"read": true}`, `need a "write" rule`},
		{`{"write": true}`, `need a "read" rule`},
		{`{"read": true, "write": true, "delete": false}`, `unknown rule "delete"`},
		{`{"read": 1, "write": true}`, "must be true, false or an expression"},
		{`{"read": true, "write": "resource.openid == "}`, `rule "write": line 1, column`},
		{`{"read": "auth != null &&\n doc._openid == auth.openid", "write": true}`, `rule "read": line 2, column 2: unknown name "doc"`},
		{`{"read": "resource.size > 0", "write": true}`, "use resource.openid"},
		{`{"read": "auth.loginType == 'WECHAT'", "write": true}`, "auth.loginType is not available"},
		{`{"read": "get('database.u.' + auth.openid).ok", "write": true}`, "get() is not available"},
	}
	for _, c := range bad {
		_, err := ParseRules([]byte(c.raw))
		if !errors.Is(err, ErrInvalidRules) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.raw, err, c.want)
		}
	}
}

func TestCustomRules(t *testing.T) {
	s, app := newTestService(t, Config{})
	ctx := context.Background()
	carol := Caller{OpenID: "carol", UID: "carol-uid"}
	// seeded under the default preset: alice's, bob's and an admin's file
	for _, f := range []struct {
		c Caller
		p string
	}{{alice, "alice/a.txt"}, {bob, "bob/b.txt"}, {admin, "public/p.txt"}} {
		if _, err := s.Upload(ctx, f.c, f.p, strings.NewReader(f.p), -1, ""); err != nil {
			t.Fatal(err)
		}
	}
	canRead := func(c Caller, p string) bool {
		_, err := s.Stat(ctx, c, s.FileID(p))
		if err != nil && AsError(err).Code != CodeExceedAuthority {
			t.Fatalf("stat %s: %v", p, err)
		}
		return err == nil
	}
	canWrite := func(c Caller, p string) bool {
		_, err := s.PrepareUpload(ctx, c, UploadRequest{CloudPath: p, Size: -1})
		if err != nil && AsError(err).Code != CodeExceedAuthority {
			t.Fatalf("prepare %s: %v", p, err)
		}
		return err == nil
	}
	type check struct {
		who   Caller
		read  bool
		write bool
		path  string
	}
	cases := []struct {
		name   string
		rules  string
		checks []check
	}{
		{"everyone reads, the owner writes (READONLY)", `{"read": true, "write": "resource.openid == auth.openid"}`, []check{
			{bob, true, false, "alice/a.txt"}, {alice, true, true, "alice/a.txt"}, {bob, true, false, "public/p.txt"},
			{bob, false, true, "bob/new.txt"}}},
		{"the owner reads and writes (PRIVATE)", `{"read": "resource.openid == auth.openid", "write": "resource.openid == auth.openid"}`, []check{
			{bob, false, false, "alice/a.txt"}, {alice, true, true, "alice/a.txt"}, {alice, false, false, "public/p.txt"}}},
		{"a public folder, no client writes", `{"read": "resource.path >= 'public/' && resource.path < 'public0'", "write": false}`, []check{
			{bob, true, false, "public/p.txt"}, {bob, false, false, "alice/a.txt"}, {alice, false, false, "alice/a.txt"},
			{alice, false, false, "public/new.txt"}}},
		{"a drop box per user, write-only", `{"read": false, "write": "resource.path == 'drop/' + auth.openid + '.txt'"}`, []check{
			{bob, false, true, "drop/bob.txt"}, {bob, false, false, "drop/alice.txt"}, {alice, false, false, "alice/a.txt"}}},
		{"by uid and a list of openids", `{"read": "auth.openid in ['bob', 'carol']", "write": "auth.uid == 'carol-uid'"}`, []check{
			{bob, true, false, "alice/a.txt"}, {carol, true, true, "alice/a.txt"}, {alice, false, false, "alice/a.txt"},
			{carol, false, true, "carol/new.txt"}}},
		{"admin-written files only", `{"read": "resource.openid == null", "write": "auth != null && now != null"}`, []check{
			{bob, true, true, "public/p.txt"}, {bob, false, true, "alice/a.txt"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := s.Rules().Set(ctx, []byte(c.rules)); err != nil {
				t.Fatal(err)
			}
			for _, ch := range c.checks {
				if ch.path != "bob/new.txt" && ch.path != "public/new.txt" && ch.path != "drop/bob.txt" && ch.path != "drop/alice.txt" && ch.path != "carol/new.txt" {
					if got := canRead(ch.who, ch.path); got != ch.read {
						t.Errorf("%s reads %s: %v, want %v", ch.who.OpenID, ch.path, got, ch.read)
					}
				}
				if got := canWrite(ch.who, ch.path); got != ch.write {
					t.Errorf("%s writes %s: %v, want %v", ch.who.OpenID, ch.path, got, ch.write)
				}
			}
			// admins bypass every rule
			if !canRead(admin, "alice/a.txt") || !canWrite(admin, "alice/a.txt") {
				t.Error("admin refused")
			}
		})
	}

	// writes are checked again when the bytes are in, and deletes likewise
	if _, err := s.Rules().Set(ctx, []byte(`{"read": true, "write": "resource.openid == auth.openid"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Upload(ctx, bob, "alice/a.txt", strings.NewReader("bob"), -1, ""); AsError(err).Code != CodeExceedAuthority {
		t.Fatalf("bob overwrites alice's file: %v", err)
	}
	res, err := s.Delete(ctx, bob, []string{s.FileID("alice/a.txt"), s.FileID("bob/b.txt")})
	if err != nil || res[0].Code != CodeExceedAuthority || res[1].Code != "" {
		t.Fatalf("deletes %+v %v", res, err)
	}
	if got, f := readAll(t, s, alice, s.FileID("alice/a.txt")); got != "alice/a.txt" || f.Owner != "alice" {
		t.Fatalf("alice's file: %q %+v", got, f)
	}

	// the custom rules replace the preset; clearing them brings the preset back
	if _, err := s.Rules().Set(ctx, []byte(`{"read": false, "write": false}`)); err != nil {
		t.Fatal(err)
	}
	if canRead(alice, "alice/a.txt") {
		t.Fatal("read: false still reads")
	}
	if r, err := s.Rules().Set(ctx, []byte(`{}`)); err != nil || r != nil {
		t.Fatalf("clear: %v %v", r, err)
	}
	if !canRead(bob, "alice/a.txt") || canWrite(bob, "alice/a.txt") {
		t.Fatal("the READONLY preset is not back")
	}
	if r, err := s.Rules().Load(ctx); err != nil || r != nil {
		t.Fatalf("load after clear: %v %v", r, err)
	}

	// an invalid document is refused, whichever way it is saved
	if _, err := s.Rules().Set(ctx, []byte(`{"read": "auth.openid ==", "write": true}`)); !errors.Is(err, ErrInvalidRules) {
		t.Fatalf("bad rules saved: %v", err)
	}
	col, err := app.FindCollectionByNameOrId(migrations.StorageRules)
	if err != nil {
		t.Fatal(err)
	}
	rec := core.NewRecord(col)
	rec.Set("name", "storage")
	rec.Set("rules", `{"read": "doc.x == 1", "write": true}`)
	if err := app.Save(rec); err == nil || !strings.Contains(err.Error(), "unknown name") {
		t.Fatalf("dashboard save of a bad rule: %v", err)
	}
}

func TestCustomRulesTempURLLifetime(t *testing.T) {
	s, _ := newTestService(t, Config{Preset: PresetPrivate})
	srv := objectServer(t, s)
	ctx := context.Background()
	id, err := s.Upload(ctx, alice, "a.txt", strings.NewReader("a"), -1, "")
	if err != nil {
		t.Fatal(err)
	}
	age := func() time.Duration {
		urls, err := s.TempURLs(ctx, alice, []TempURLRequest{{FileID: id, MaxAge: 30 * 24 * time.Hour}})
		if err != nil || urls[0].Code != "" {
			t.Fatalf("%+v %v", urls, err)
		}
		return urls[0].MaxAge
	}
	if got := age(); got != MaxPrivateAge {
		t.Fatalf("PRIVATE preset: %v", got)
	}
	if _, err := s.Rules().Set(ctx, []byte(`{"read": true, "write": false}`)); err != nil {
		t.Fatal(err)
	}
	if got := age(); got != 30*24*time.Hour {
		t.Fatalf("read: true: %v", got)
	}
	long := tempURL(t, s, srv.URL, alice, id, 30*24*time.Hour)
	send(t, "GET", long, nil, nil).want(t, 200)
	if _, err := s.Rules().Set(ctx, []byte(`{"read": "resource.openid == auth.openid", "write": false}`)); err != nil {
		t.Fatal(err)
	}
	if got := age(); got != MaxPrivateAge {
		t.Fatalf("read by owner: %v", got)
	}
	send(t, "GET", long, nil, nil).want(t, 403, "no longer allow")
}
