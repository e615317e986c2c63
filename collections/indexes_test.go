package collections

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/minicloud/minicloud/collections/mql"
)

// queryPlan returns SQLite's plan for a Find, to prove the planner uses indexes.
func queryPlan(t *testing.T, s *Store, name string, filter ejson.D, sort []mql.SortKey) string {
	t.Helper()
	c, err := s.lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := mql.ParseFilter(filter)
	if err != nil {
		t.Fatal(err)
	}
	srt, _ := mql.NewSort(sort)
	c.shapeMu.RLock()
	p := c.plan(f, srt)
	c.shapeMu.RUnlock()
	q := "EXPLAIN QUERY PLAN SELECT rowid FROM " + c.table + " WHERE " + p.cond.sql + " ORDER BY " + p.order + " LIMIT 20"
	rows, err := s.readDB.Query(q, append(append([]any{}, p.cond.args...), p.ordArgs...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		out = append(out, detail)
	}
	return strings.Join(out, "; ")
}

func TestIndexesServeQueries(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if err := s.CreateCollection(ctx, "t"); err != nil {
		t.Fatal(err)
	}
	var docs []ejson.D
	for i := 0; i < 200; i++ {
		docs = append(docs, mustDoc(t, fmt.Sprintf(`{"cat":"c%d","n":%d,"meta":{"k":%d}}`, i%7, i, i%3)))
	}
	if _, err := s.Insert(ctx, AdminCaller, "t", docs, InsertOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateIndex(ctx, "t", IndexInfo{Name: "cat_n", Fields: []IndexField{{Path: "cat"}, {Path: "n", Desc: true}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateIndex(ctx, "t", IndexInfo{Name: "meta_k", Fields: []IndexField{{Path: "meta.k"}}, Unique: false}); err != nil {
		t.Fatal(err)
	}
	plan := queryPlan(t, s, "t", mustDoc(t, `{"cat":"c3"}`), []mql.SortKey{{Path: "n", Desc: true}})
	if !strings.Contains(plan, "idx_t_cat_n") || strings.Contains(plan, "TEMP B-TREE") {
		t.Fatalf("equality + orderBy should walk the index without sorting: %s", plan)
	}
	plan = queryPlan(t, s, "t", mustDoc(t, `{"meta.k":{"$gte":1}}`), nil)
	if !strings.Contains(plan, "idx_t_meta_k") {
		t.Fatalf("range on a nested path should use its index: %s", plan)
	}
	got, err := s.Find(ctx, AdminCaller, "t", Query{Filter: mustDoc(t, `{"cat":"c3"}`), Sort: []mql.SortKey{{Path: "n", Desc: true}}, Limit: 2})
	if err != nil || len(got) != 2 {
		t.Fatal(err)
	}
	if n0, _ := got[0].Get("n"); n0 != int64(199-((199-3)%7)) {
		t.Fatalf("first doc %v", docJSON(t, got[0]))
	}
	infos, err := s.ListIndexes("t")
	if err != nil || len(infos) != 3 {
		t.Fatalf("indexes %+v %v", infos, err)
	}
	if err := s.DropIndex(ctx, "t", "meta_k"); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateIndex(ctx, "t", IndexInfo{Name: "bad", Fields: []IndexField{{Path: "a'b"}}}); codeOf(err) != CodeInvalidParam {
		t.Fatalf("unsafe path accepted: %v", err)
	}
}

func TestUniqueIndex(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if err := s.CreateCollection(ctx, "u"); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateIndex(ctx, "u", IndexInfo{Name: "email", Fields: []IndexField{{Path: "email"}}, Unique: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Insert(ctx, AdminCaller, "u", []ejson.D{mustDoc(t, `{"email":"a@x"}`)}, InsertOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Insert(ctx, AdminCaller, "u", []ejson.D{mustDoc(t, `{"email":"a@x"}`)}, InsertOptions{}); codeOf(err) != CodeDuplicateKey {
		t.Fatalf("unique index not enforced: %v", err)
	}
}

func TestIndexExprPattern(t *testing.T) {
	for _, col := range []string{indexExpr("a.b"), "mc_key(data->'$.a.b')", "mc_key( `data` -> '$.a.b' )"} {
		if m := keyExprPattern.FindStringSubmatch(col); m == nil || m[1] != "a.b" {
			t.Errorf("%q not recognised", col)
		}
	}
	if keyExprPattern.MatchString("mc_key(data -> '$.a'); DROP TABLE x; --')") {
		t.Error("pattern accepts junk")
	}
}
