package collections

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/minicloud/minicloud/collections/mql"
	"github.com/minicloud/minicloud/internal/testapp"
)

// findStore returns a store capped at maxLimit documents per query, with a collection
// "items" of n documents d00…: n = i, g = i % 3, tags (an array, so sorts on it run in
// memory), sub.x = -i, owned alternately by alice and bob, and a string field s only on
// even documents.
func findStore(t *testing.T, maxLimit, n int) *Store {
	t.Helper()
	s, err := New(testapp.New(t), Config{MaxLimit: maxLimit})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.CreateCollection(ctx, "items"); err != nil {
		t.Fatal(err)
	}
	docs := make([]ejson.D, n)
	for i := range docs {
		owner := "alice"
		if i%2 == 1 {
			owner = "bob"
		}
		js := fmt.Sprintf(`{"_id":"d%02d","_openid":%q,"n":%d,"g":%d,"tags":["t%d","all"],"sub":{"x":%d}`, i, owner, i, i%3, i%4, -i)
		if i%2 == 0 {
			js += fmt.Sprintf(`,"s":"s%02d"`, i)
		}
		docs[i] = mustDoc(t, js+"}")
	}
	if n > 0 {
		if _, err := s.Insert(ctx, AdminCaller, "items", docs, InsertOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func idList(from, to int) string {
	var ids []string
	for i := from; i < to; i++ {
		ids = append(ids, fmt.Sprintf("d%02d", i))
	}
	return strings.Join(ids, ",")
}

func TestFindLimitAndSkip(t *testing.T) {
	const max = 5
	s := findStore(t, max, 12)
	ctx := context.Background()
	if s.MaxLimit() != max {
		t.Fatalf("MaxLimit %d", s.MaxLimit())
	}
	// three plans: exact SQL, a Go matcher over a SQL prefilter, and an in-memory sort
	plans := []struct {
		name   string
		filter ejson.D
		sort   []mql.SortKey
	}{
		{"sql", mustDoc(t, `{"n":{"$gte":0}}`), []mql.SortKey{{Path: "n"}}},
		{"matcher", mustDoc(t, `{"$expr":{"$gte":["$n",0]}}`), []mql.SortKey{{Path: "n"}}},
		{"memory", mustDoc(t, `{"tags":"all"}`), []mql.SortKey{{Path: "tags", Desc: true}, {Path: "n"}}},
		{"unsorted", nil, nil},
	}
	cases := []struct {
		skip, limit int
		want        string
	}{
		{0, 0, idList(0, 5)},  // no limit: the maximum
		{0, -1, idList(0, 5)}, // a negative limit: the maximum
		{0, 3, idList(0, 3)},
		{0, 1, idList(0, 1)},
		{0, max, idList(0, 5)},
		{0, max + 1, idList(0, 5)}, // capped
		{0, 1 << 40, idList(0, 5)},
		{2, 0, idList(2, 7)},
		{2, 3, idList(2, 5)},
		{10, 0, idList(10, 12)},
		{11, 5, idList(11, 12)},
		{12, 5, ""},
		{1000, 5, ""},
		{1 << 40, 5, ""},
	}
	for _, p := range plans {
		for _, c := range cases {
			q := Query{Filter: p.filter, Sort: p.sort, Skip: c.skip, Limit: c.limit}
			docs, err := s.Find(ctx, AdminCaller, "items", q)
			if err != nil {
				t.Errorf("%s skip %d limit %d: %v", p.name, c.skip, c.limit, err)
				continue
			}
			if docs == nil {
				t.Errorf("%s skip %d limit %d: nil result, want an empty list", p.name, c.skip, c.limit)
			}
			want := c.want
			if p.name == "memory" {
				// tags sort descending by the largest element: t3 > t2 > t1 > t0, then n
				order := []int{3, 7, 11, 2, 6, 10, 1, 5, 9, 0, 4, 8}
				limit := c.limit
				if limit <= 0 || limit > max {
					limit = max
				}
				var ids []string
				for i := c.skip; i < len(order) && len(ids) < limit; i++ {
					ids = append(ids, fmt.Sprintf("d%02d", order[i]))
				}
				want = strings.Join(ids, ",")
			}
			if got := strings.Join(docIDs(docs), ","); got != want {
				t.Errorf("%s skip %d limit %d: %s, want %s", p.name, c.skip, c.limit, got, want)
			}
			raw, err := s.FindJSON(ctx, AdminCaller, "items", q)
			if err != nil || len(raw) != len(docs) {
				t.Errorf("%s skip %d limit %d: FindJSON %d docs %v", p.name, c.skip, c.limit, len(raw), err)
				continue
			}
			for i := range raw {
				if string(raw[i]) != docJSON(t, docs[i]) {
					t.Errorf("%s: FindJSON %s, Find %s", p.name, raw[i], docJSON(t, docs[i]))
				}
			}
		}
	}
	for _, skip := range []int{-1, -1 << 40} {
		_, err := s.Find(ctx, AdminCaller, "items", Query{Skip: skip})
		if codeOf(err) != CodeInvalidParam || !strings.Contains(err.Error(), "skip") {
			t.Errorf("skip %d: %v", skip, err)
		}
	}
}

func TestFindDefaultMaxLimit(t *testing.T) {
	s, err := New(testapp.New(t), Config{})
	if err != nil {
		t.Fatal(err)
	}
	if s.MaxLimit() != DefaultMaxLimit || DefaultMaxLimit != 1000 {
		t.Fatalf("MaxLimit %d", s.MaxLimit())
	}
	s, err = New(testapp.New(t), Config{MaxLimit: -3})
	if err != nil || s.MaxLimit() != DefaultMaxLimit {
		t.Fatalf("negative MaxLimit: %v %v", s.MaxLimit(), err)
	}
}

func TestFindProjection(t *testing.T) {
	s := findStore(t, 100, 3)
	ctx := context.Background()
	cases := []struct {
		proj string
		want string // d02 projected
	}{
		{`{}`, `{"_id":"d02","n":2,"g":2,"tags":["t2","all"],"sub":{"x":-2},"s":"s02","_openid":"alice"}`},
		{`{"n":1}`, `{"_id":"d02","n":2}`},
		{`{"n":true,"s":1}`, `{"_id":"d02","n":2,"s":"s02"}`},
		{`{"_id":0,"n":1}`, `{"n":2}`},
		{`{"_id":0}`, `{"n":2,"g":2,"tags":["t2","all"],"sub":{"x":-2},"s":"s02","_openid":"alice"}`},
		{`{"_id":1}`, `{"_id":"d02"}`},
		{`{"tags":0,"sub":0,"_openid":0}`, `{"_id":"d02","n":2,"g":2,"s":"s02"}`},
		{`{"sub.x":1}`, `{"_id":"d02","sub":{"x":-2}}`},
		{`{"tags":{"$slice":1}}`, `{"_id":"d02","n":2,"g":2,"tags":["t2"],"sub":{"x":-2},"s":"s02","_openid":"alice"}`},
		{`{"missing":1}`, `{"_id":"d02"}`},
		{`{"_openid":1}`, `{"_id":"d02","_openid":"alice"}`},
	}
	for _, c := range cases {
		q := Query{Filter: mustDoc(t, `{"_id":"d02"}`), Projection: mustDoc(t, c.proj)}
		docs, err := s.Find(ctx, AdminCaller, "items", q)
		if err != nil || len(docs) != 1 {
			t.Errorf("%s: %v %v", c.proj, docs, err)
			continue
		}
		if got := docJSON(t, docs[0]); got != c.want {
			t.Errorf("%s: %s, want %s", c.proj, got, c.want)
		}
		raw, err := s.FindJSON(ctx, AdminCaller, "items", q)
		if err != nil || len(raw) != 1 || string(raw[0]) != c.want {
			t.Errorf("%s: FindJSON %q %v", c.proj, raw, err)
		}
	}
	for _, bad := range []string{`{"n":1,"s":0}`, `{"":1}`, `{"a..b":1}`, `{"$n":1}`, `{"n":{"$elemMatch":{}}}`, `{"n":{"$slice":"x"}}`, `{"sub":1,"sub.x":1}`} {
		_, err := s.Find(ctx, AdminCaller, "items", Query{Projection: mustDoc(t, bad)})
		if codeOf(err) != CodeInvalidParam {
			t.Errorf("projection %s: %v", bad, err)
		}
	}
}

func TestFindOrder(t *testing.T) {
	s := findStore(t, 100, 7)
	ctx := context.Background()
	cases := []struct {
		sort []mql.SortKey
		want string
	}{
		{nil, "d00,d01,d02,d03,d04,d05,d06"},
		{[]mql.SortKey{{Path: "n"}}, "d00,d01,d02,d03,d04,d05,d06"},
		{[]mql.SortKey{{Path: "n", Desc: true}}, "d06,d05,d04,d03,d02,d01,d00"},
		{[]mql.SortKey{{Path: "sub.x"}}, "d06,d05,d04,d03,d02,d01,d00"},
		{[]mql.SortKey{{Path: "g"}, {Path: "n", Desc: true}}, "d06,d03,d00,d04,d01,d05,d02"},
		{[]mql.SortKey{{Path: "g", Desc: true}, {Path: "n"}}, "d02,d05,d01,d04,d00,d03,d06"},
		// a field only some documents have: missing sorts as null, first ascending
		{[]mql.SortKey{{Path: "s"}, {Path: "n"}}, "d01,d03,d05,d00,d02,d04,d06"},
		{[]mql.SortKey{{Path: "s", Desc: true}, {Path: "n"}}, "d06,d04,d02,d00,d01,d03,d05"},
		// ties keep insertion order
		{[]mql.SortKey{{Path: "missing"}}, "d00,d01,d02,d03,d04,d05,d06"},
		// a repeated key changes nothing
		{[]mql.SortKey{{Path: "g"}, {Path: "g", Desc: true}, {Path: "n"}}, "d00,d03,d06,d01,d04,d02,d05"},
	}
	for _, c := range cases {
		docs, err := s.Find(ctx, AdminCaller, "items", Query{Sort: c.sort})
		if err != nil {
			t.Errorf("%v: %v", c.sort, err)
			continue
		}
		if got := strings.Join(docIDs(docs), ","); got != c.want {
			t.Errorf("sort %v: %s, want %s", c.sort, got, c.want)
		}
	}
	tooMany := make([]mql.SortKey, mql.MaxSortKeys+1)
	for i := range tooMany {
		tooMany[i] = mql.SortKey{Path: fmt.Sprintf("f%d", i)}
	}
	for _, bad := range [][]mql.SortKey{{{Path: ""}}, {{Path: "$n"}}, {{Path: "a..b"}}, {{Path: "a."}}, tooMany} {
		_, err := s.Find(ctx, AdminCaller, "items", Query{Sort: bad})
		if codeOf(err) != CodeInvalidParam {
			t.Errorf("sort %v: %v", bad, err)
		}
	}
}

func TestFindErrors(t *testing.T) {
	s := findStore(t, 100, 2)
	ctx := context.Background()
	alice := Caller{OpenID: "alice"}
	cases := []struct {
		name   string
		caller Caller
		coll   string
		q      Query
		code   Code
	}{
		{"unknown collection", AdminCaller, "nothing", Query{}, CodeCollectionNotExist},
		{"unknown collection for a client", alice, "nothing", Query{}, CodeCollectionNotExist},
		{"invalid collection name", AdminCaller, "1items", Query{}, CodeInvalidParam},
		{"empty collection name", AdminCaller, "", Query{}, CodeInvalidParam},
		{"collection name with a quote", AdminCaller, `it"ems`, Query{}, CodeInvalidParam},
		{"client without a user", Caller{}, "items", Query{}, CodePermissionDenied},
		{"client with only a uid", Caller{UID: "u"}, "items", Query{}, CodePermissionDenied},
		{"unknown operator", AdminCaller, "items", Query{Filter: mustDoc(t, `{"n":{"$foo":1}}`)}, CodeInvalidParam},
		{"unknown top-level operator", AdminCaller, "items", Query{Filter: mustDoc(t, `{"$foo":[]}`)}, CodeInvalidParam},
		{"$where", AdminCaller, "items", Query{Filter: mustDoc(t, `{"$where":"1"}`)}, CodeInvalidParam},
		{"empty $or", AdminCaller, "items", Query{Filter: mustDoc(t, `{"$or":[]}`)}, CodeInvalidParam},
		{"$or of a non-object", AdminCaller, "items", Query{Filter: mustDoc(t, `{"$or":[1]}`)}, CodeInvalidParam},
		{"$in of a non-array", AdminCaller, "items", Query{Filter: mustDoc(t, `{"n":{"$in":1}}`)}, CodeInvalidParam},
		{"bad regex", AdminCaller, "items", Query{Filter: mustDoc(t, `{"s":{"$regex":"("}}`)}, CodeInvalidParam},
		{"operators mixed with fields", AdminCaller, "items", Query{Filter: mustDoc(t, `{"n":{"$gt":1,"x":2}}`)}, CodeInvalidParam},
		{"empty path", AdminCaller, "items", Query{Filter: ejson.D{{Key: "", Value: int64(1)}}}, CodeInvalidParam},
		{"$ path segment", AdminCaller, "items", Query{Filter: ejson.D{{Key: "a.$b", Value: int64(1)}}}, CodeInvalidParam},
		{"bad filter for a client", alice, "items", Query{Filter: mustDoc(t, `{"_openid":"alice","n":{"$foo":1}}`)}, CodeInvalidParam},
		{"negative skip for a client", alice, "items", Query{Skip: -1}, CodeInvalidParam},
	}
	for _, c := range cases {
		_, err := s.Find(ctx, c.caller, c.coll, c.q)
		if codeOf(err) != c.code {
			t.Errorf("%s: Find %v, want %s", c.name, err, c.code)
		}
		_, err = s.FindJSON(ctx, c.caller, c.coll, c.q)
		if codeOf(err) != c.code {
			t.Errorf("%s: FindJSON %v, want %s", c.name, err, c.code)
		}
		if c.q.Skip == 0 {
			if _, err := s.Count(ctx, c.caller, c.coll, c.q.Filter); codeOf(err) != c.code {
				t.Errorf("%s: Count %v, want %s", c.name, err, c.code)
			}
		}
		var e *Error
		if errors.As(err, &e) && (e.Msg == "" || strings.Contains(e.Msg, "internal")) {
			t.Errorf("%s: message %q", c.name, e.Msg)
		}
	}
}

func TestAsError(t *testing.T) {
	own := newError(CodeDuplicateKey, "dup %s", "x")
	cause := errors.New("disk on fire")
	cases := []struct {
		in   error
		code Code
		msg  string
	}{
		{own, CodeDuplicateKey, "dup x"},
		{fmt.Errorf("wrapped: %w", own), CodeDuplicateKey, "dup x"},
		{&mql.Error{Msg: "bad operator"}, CodeInvalidParam, "bad operator"},
		{fmt.Errorf("query: %w", &mql.Error{Msg: "bad operator"}), CodeInvalidParam, "bad operator"},
		{&ejson.SyntaxError{Offset: 3, Msg: "bad"}, CodeInvalidParam, (&ejson.SyntaxError{Offset: 3, Msg: "bad"}).Error()},
		{fmt.Errorf("decode: %w", ejson.ErrTooDeep), CodeInvalidParam, "decode: " + ejson.ErrTooDeep.Error()},
		{cause, CodeSystem, "internal database error"},
		{context.Canceled, CodeSystem, "internal database error"},
	}
	for _, c := range cases {
		e := AsError(c.in)
		if e == nil || e.Code != c.code || e.Msg != c.msg {
			t.Errorf("AsError(%v) = %#v, want %s %q", c.in, e, c.code, c.msg)
		}
	}
	if AsError(nil) != nil {
		t.Error("AsError(nil) is not nil")
	}
	sys := AsError(cause)
	if !errors.Is(sys, cause) || sys.Error() != "SYS_ERR: internal database error: disk on fire" {
		t.Errorf("system error %q keeps its cause for logs: %v", sys.Error(), errors.Is(sys, cause))
	}
	if own.Error() != "DATABASE_DUPLICATE_KEY: dup x" || own.Unwrap() != nil {
		t.Errorf("Error() = %q", own.Error())
	}
	// the codes are CloudBase's, spelling included
	for code, want := range map[Code]string{
		CodeInvalidParam: "INVALID_PARAM", CodeInvalidOperator: "DATABASE_INVALID_OPERRATOR",
		CodePermissionDenied: "DATABASE_PERMISSION_DENIED", CodeCollectionNotExist: "DATABASE_COLLECTION_NOT_EXIST",
		CodeCollectionExists: "DATABASE_COLLECTION_ALREADY_EXIST", CodeSystem: "SYS_ERR",
	} {
		if string(code) != want {
			t.Errorf("code %s, want %s", code, want)
		}
	}
}

func TestFindPresets(t *testing.T) {
	ctx := context.Background()
	alice, bob := Caller{OpenID: "alice"}, Caller{OpenID: "bob"}
	cases := []struct {
		preset          Preset
		alice, bob, all string // ids seen by alice, bob and alice filtering on bob's documents
	}{
		{PresetPrivate, "d00,d02,d04", "d01,d03", ""},
		{PresetReadOnly, idList(0, 5), idList(0, 5), "d01,d03"},
		{PresetAdminWrite, idList(0, 5), idList(0, 5), "d01,d03"},
		{PresetAdminOnly, "denied", "denied", "denied"},
	}
	for _, c := range cases {
		t.Run(string(c.preset), func(t *testing.T) {
			s := findStore(t, 100, 5)
			if err := s.SetPreset(ctx, "items", c.preset); err != nil {
				t.Fatal(err)
			}
			ids := func(caller Caller, filter string) string {
				q := Query{Sort: []mql.SortKey{{Path: "n"}}}
				if filter != "" {
					q.Filter = mustDoc(t, filter)
				}
				docs, err := s.Find(ctx, caller, "items", q)
				if codeOf(err) == CodePermissionDenied {
					return "denied"
				}
				if err != nil {
					t.Fatal(err)
				}
				n, err := s.Count(ctx, caller, "items", q.Filter)
				if err != nil || n != int64(len(docs)) {
					t.Errorf("Count %d %v, Find %d", n, err, len(docs))
				}
				return strings.Join(docIDs(docs), ",")
			}
			if got := ids(alice, ""); got != c.alice {
				t.Errorf("alice sees %s, want %s", got, c.alice)
			}
			if got := ids(bob, ""); got != c.bob {
				t.Errorf("bob sees %s, want %s", got, c.bob)
			}
			if got := ids(alice, `{"_openid":"bob"}`); got != c.all {
				t.Errorf("alice asking for bob's documents sees %s, want %s", got, c.all)
			}
			// the placeholder is the caller's openid
			if got := ids(bob, `{"_openid":"{openid}"}`); c.bob != "denied" && got != "d01,d03" {
				t.Errorf("bob's {openid}: %s", got)
			}
		})
	}
}

// Under security rules the read path returns exactly what the rule allows, by query
// and by id, through Find, FindJSON and Count.
func TestFindUnderRules(t *testing.T) {
	ctx := context.Background()
	s := findStore(t, 100, 6)
	if err := s.SetRules(ctx, "items", []byte(`{"read":"doc._openid == auth.openid || doc.g == 0","write":false}`)); err != nil {
		t.Fatal(err)
	}
	alice := Caller{OpenID: "alice", UID: "alice"}
	cases := []struct {
		filter string
		want   string // "denied" for permission denied
	}{
		{`{"_openid":"alice"}`, "d00,d02,d04"},
		{`{"_openid":"{openid}","n":{"$gt":1}}`, "d02,d04"},
		{`{"g":0}`, "d00,d03"},
		{`{"$or":[{"g":0},{"_openid":"alice"}]}`, "d00,d02,d03,d04"},
		{`{"_openid":{"$in":["alice"]}}`, "d00,d02,d04"},
		{`{}`, "denied"},
		{`{"_openid":{"$ne":"bob"}}`, "denied"},
		{`{"_openid":{"$in":["alice","bob"]}}`, "denied"},
		{`{"g":{"$lte":0}}`, "denied"},
		{`{"$or":[{"g":0},{"g":1}]}`, "denied"},
		{`{"_id":"d00"}`, "d00"},
		{`{"_id":"d03"}`, "d03"},    // bob's, but g is 0
		{`{"_id":"d01"}`, "denied"}, // bob's
		{`{"_id":{"$eq":"d05"}}`, "denied"},
		{`{"_id":"none"}`, ""},
	}
	for _, c := range cases {
		q := Query{Filter: mustDoc(t, c.filter), Sort: []mql.SortKey{{Path: "n"}}}
		docs, err := s.Find(ctx, alice, "items", q)
		got := strings.Join(docIDs(docs), ",")
		if codeOf(err) == CodePermissionDenied {
			got = "denied"
		} else if err != nil {
			t.Errorf("%s: %v", c.filter, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s: %s, want %s", c.filter, got, c.want)
		}
		raw, err := s.FindJSON(ctx, alice, "items", q)
		if (codeOf(err) == CodePermissionDenied) != (c.want == "denied") || (err == nil && len(raw) != len(docs)) {
			t.Errorf("%s: FindJSON %d docs %v", c.filter, len(raw), err)
		}
		n, err := s.Count(ctx, alice, "items", q.Filter)
		if (codeOf(err) == CodePermissionDenied) != (c.want == "denied") || (err == nil && n != int64(len(docs))) {
			t.Errorf("%s: Count %d %v", c.filter, n, err)
		}
	}
}

// db.serverDate() in a client's filter is resolved before the rule judges the query
// (it was judged as 1970 while the query used now+offset, and returned documents the
// rule hides).
func TestFindServerDateInFilterUnderRules(t *testing.T) {
	ctx := context.Background()
	s := findStore(t, 100, 0)
	now := time.Now().UnixMilli()
	if _, err := s.Insert(ctx, AdminCaller, "items", []ejson.D{
		mustDoc(t, fmt.Sprintf(`{"_id":"published","publishAt":{"$date":%d}}`, now-86_400_000)),
		mustDoc(t, fmt.Sprintf(`{"_id":"scheduled","publishAt":{"$date":%d}}`, now+30*86_400_000)),
	}, InsertOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRules(ctx, "items", []byte(`{"read":"doc.publishAt <= now","write":false}`)); err != nil {
		t.Fatal(err)
	}
	filter := mustDoc(t, `{"publishAt":{"$lte":{"$date":{"offset":31536000000}}}}`)
	docs, err := s.Find(ctx, Caller{OpenID: "mallory"}, "items", Query{Filter: filter})
	for _, id := range docIDs(docs) {
		if id == "scheduled" {
			t.Errorf("an unpublished document was returned (err %v)", err)
		}
	}
}

// Two equalities on one field do not contradict each other (an array holding both
// values matches both), and proofs from a query's conditions miss what MongoDB's
// array matching returns: every document a client reads, updates or removes under
// rules is checked with the rule itself.
func TestFindArrayFieldUnderRules(t *testing.T) {
	ctx := context.Background()
	s := findStore(t, 100, 0)
	if _, err := s.Insert(ctx, AdminCaller, "items", []ejson.D{mustDoc(t, `{"_id":"shared","owner":["alice","bob"],"secret":"s"}`)}, InsertOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRules(ctx, "items", []byte(`{"read":"doc.owner == auth.openid","write":false}`)); err != nil {
		t.Fatal(err)
	}
	mallory := Caller{OpenID: "mallory"}
	filter := mustDoc(t, `{"owner":"alice","$and":[{"owner":"bob"}]}`)
	docs, err := s.Find(ctx, mallory, "items", Query{Filter: filter})
	if len(docs) > 0 {
		t.Errorf("mallory read %s (err %v)", docJSON(t, docs[0]), err)
	}
	// the same proof guards where().update() and where().remove()
	if err := s.SetRules(ctx, "items", []byte(`{"read":"doc.owner == auth.openid","write":"doc.owner == auth.openid"}`)); err != nil {
		t.Fatal(err)
	}
	if res, err := s.Update(ctx, mallory, "items", UpdateSpec{Filter: filter, Data: mustDoc(t, `{"$set":{"secret":"x"}}`), Multi: true}); res.Updated > 0 {
		t.Errorf("mallory updated %d documents (err %v)", res.Updated, err)
	}
	if n, err := s.Remove(ctx, mallory, "items", filter, true); n > 0 {
		t.Errorf("mallory removed %d documents (err %v)", n, err)
	}
	if n, err := s.Count(ctx, mallory, "items", filter); err == nil || n > 0 {
		t.Errorf("mallory counted %d documents (err %v)", n, err)
	}

	// Conditions that do prove the rule for scalar fields, on documents whose field is
	// an array (or a scalar where the rule wants an array): the query is refused.
	cases := []struct{ rule, doc, filter string }{
		{`doc.owner == auth.openid`, `{"owner":["alice","bob"]}`, `{"owner":"alice"}`},
		{`doc.owner == auth.openid`, `{"owner":["alice","bob"]}`, `{"owner":"alice","$or":[{"owner":"bob"}]}`},
		{`doc.owner == auth.openid`, `{"owner":["bob","carol"]}`, `{"owner":{"$in":["alice","bob"]},"$and":[{"owner":{"$in":["alice","carol"]}}]}`},
		{`doc.n < 5`, `{"n":[1,100]}`, `{"n":{"$lt":5}}`},
		{`doc.status in ['open']`, `{"status":["open","hidden"]}`, `{"status":"open"}`},
		{`doc.a.b == 'x'`, `{"a":[{"b":"x"},{"b":"y"}]}`, `{"a.b":"x"}`},
		{`auth.openid in doc.members`, `{"members":"alice"}`, `{"members":"alice"}`},
	}
	alice := Caller{OpenID: "alice"}
	for i, c := range cases {
		name := fmt.Sprintf("arr%d", i)
		if err := s.CreateCollection(ctx, name); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Insert(ctx, AdminCaller, name, []ejson.D{mustDoc(t, c.doc)}, InsertOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetRules(ctx, name, []byte(`{"read":"`+c.rule+`","write":"`+c.rule+`"}`)); err != nil {
			t.Fatal(err)
		}
		f := mustDoc(t, c.filter)
		if docs, err := s.Find(ctx, alice, name, Query{Filter: f}); len(docs) > 0 || codeOf(err) != CodePermissionDenied {
			t.Errorf("rule %s, filter %s: read %d documents (err %v)", c.rule, c.filter, len(docs), err)
		}
		if res, err := s.Update(ctx, alice, name, UpdateSpec{Filter: f, Data: mustDoc(t, `{"$set":{"x":1}}`), Multi: true}); res.Updated > 0 || codeOf(err) != CodePermissionDenied {
			t.Errorf("rule %s, filter %s: updated %d (err %v)", c.rule, c.filter, res.Updated, err)
		}
		if n, err := s.Remove(ctx, alice, name, f, true); n > 0 || codeOf(err) != CodePermissionDenied {
			t.Errorf("rule %s, filter %s: removed %d (err %v)", c.rule, c.filter, n, err)
		}
	}
}

// auth.unionid and auth.loginType in collection rules are the caller's (unionid was
// always null: `doc.unionid == auth.unionid` showed every caller the documents without
// one and denied the owner).
func TestFindUnionIDRule(t *testing.T) {
	ctx := context.Background()
	s := findStore(t, 100, 0)
	if _, err := s.Insert(ctx, AdminCaller, "items", []ejson.D{
		mustDoc(t, `{"_id":"mine","unionid":"U1"}`),
		mustDoc(t, `{"_id":"orphan","note":"no unionid"}`),
	}, InsertOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRules(ctx, "items", []byte(`{"read":"doc.unionid == auth.unionid","write":false}`)); err != nil {
		t.Fatal(err)
	}
	owner := Caller{OpenID: "o1", UID: "u1", UnionID: "U1"}
	if docs, err := s.Find(ctx, owner, "items", Query{Filter: mustDoc(t, `{"unionid":"U1"}`)}); err != nil || len(docs) != 1 {
		t.Errorf("the owner reads its document: %d %v", len(docs), err)
	}
	stranger := Caller{OpenID: "o2", UID: "u2", UnionID: "U2"}
	if docs, err := s.Find(ctx, stranger, "items", Query{Filter: mustDoc(t, `{"unionid":null}`)}); err == nil {
		t.Errorf("a stranger reads %d documents without a unionid", len(docs))
	}
}

// FindJSON returns the bytes of Find's documents as relaxed EJSON, whether it splices
// stored bodies (exact plans without projection) or re-encodes them.
func TestFindJSONMatchesFind(t *testing.T) {
	ctx := context.Background()
	s := findStore(t, 100, 0)
	docs := []string{
		`{"_id":"plain"}`,
		`{"_id":"no-owner","n":1}`,
		`{"_id":"owned","_openid":"o\"1","n":2}`,
		`{"_id":"odd id é ✓","s":"quote \" backslash \\ newline \n tab \t nul \u0000 日本","n":3}`,
		`{"_id":"types","n":4,"f":2.5,"big":9007199254740993,"neg":-0.0,"d":{"$date":1700000000000},"old":{"$date":-1000},"dec":{"$numberDecimal":"1.10"},"oid":{"$oid":"5f0c9a5f1a2b3c00d4e5f67a"},"re":{"$regularExpression":{"pattern":"a/b","options":"i"}},"bin":{"$binary":{"base64":"AQI=","subType":"00"}},"nul":null,"arr":[[],{},[1,[2]]],"obj":{"a":{"b":{"c":[true,false]}}}}`,
	}
	var in []ejson.D
	for _, d := range docs {
		in = append(in, mustDoc(t, d))
	}
	if _, err := s.Insert(ctx, AdminCaller, "items", in, InsertOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []Query{
		{},
		{Filter: mustDoc(t, `{"n":{"$gte":0}}`)},
		{Filter: mustDoc(t, `{"$expr":{"$gte":["$n",0]}}`)},
		{Sort: []mql.SortKey{{Path: "n", Desc: true}}},
		{Projection: mustDoc(t, `{"n":0}`)},
		{Filter: mustDoc(t, `{"_id":"types"}`)},
	} {
		found, err := s.Find(ctx, AdminCaller, "items", q)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := s.FindJSON(ctx, AdminCaller, "items", q)
		if err != nil || len(raw) != len(found) || len(found) == 0 {
			t.Fatalf("%s: %d vs %d documents, %v", describeQuery(q), len(raw), len(found), err)
		}
		for i := range raw {
			if want := docJSON(t, found[i]); string(raw[i]) != want {
				t.Errorf("%s: FindJSON %s, Find %s", describeQuery(q), raw[i], want)
			}
			back, err := ejson.UnmarshalDoc(raw[i])
			if err != nil || !ejson.Equal(back, found[i]) {
				t.Errorf("%s: FindJSON %s does not decode to the document: %v", describeQuery(q), raw[i], err)
			}
		}
	}
	// stored documents come back as inserted, _id first and _openid last
	got, err := s.Find(ctx, AdminCaller, "items", Query{Filter: mustDoc(t, `{"_id":"owned"}`)})
	if err != nil || len(got) != 1 || docJSON(t, got[0]) != `{"_id":"owned","n":2,"_openid":"o\"1"}` {
		t.Errorf("owned: %v %v", got, err)
	}
}

// The {openid} placeholder stands for a client's openid anywhere in its filter, and is
// a plain string for admins.
func TestFindOpenIDPlaceholder(t *testing.T) {
	ctx := context.Background()
	s := findStore(t, 100, 4)
	if err := s.SetPreset(ctx, "items", PresetReadOnly); err != nil {
		t.Fatal(err)
	}
	bob := Caller{OpenID: "bob"}
	cases := []struct {
		caller Caller
		filter string
		want   string
	}{
		{bob, `{"_openid":"{openid}"}`, "d01,d03"},
		{bob, `{"_openid":{"$in":["{openid}"]}}`, "d01,d03"},
		{bob, `{"$or":[{"_openid":"{openid}"},{"n":0}]}`, "d00,d01,d03"},
		{bob, `{"_openid":"{OPENID}"}`, ""},
		{bob, `{"_openid":" {openid}"}`, ""},
		{AdminCaller, `{"_openid":"{openid}"}`, ""},
	}
	for _, c := range cases {
		docs, err := s.Find(ctx, c.caller, "items", Query{Filter: mustDoc(t, c.filter), Sort: []mql.SortKey{{Path: "n"}}})
		if err != nil {
			t.Errorf("%s: %v", c.filter, err)
			continue
		}
		if got := strings.Join(docIDs(docs), ","); got != c.want {
			t.Errorf("%s as %q: %s, want %s", c.filter, c.caller.OpenID, got, c.want)
		}
	}
}
