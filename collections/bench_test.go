package collections

// Micro-benchmarks of the document engine against PocketBase's own record layer on
// the same data, in-process (no HTTP). Each Minicloud benchmark has a PB twin; divide
// the ns/op to get the ratio, for example:
//
//	go test ./collections -run '^$' -bench . -benchmem
//	go test ./collections -run '^$' -bench 'FindIndexed' -cpuprofile cpu.out
//
// The fixtures hold benchDocs documents shaped like a real app's (see benchPost) with
// the same values on both sides: a Minicloud document collection with a
// (category, n) index and the READONLY preset, and a PocketBase base collection with
// typed fields and the equivalent SQL index. Setup takes a second or two per
// benchmark; all of them are skipped under -short.

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/minicloud/minicloud/collections/mql"
)

const (
	benchDocs       = 10_000
	benchCategories = 20
	benchColl       = "posts"
)

var benchWords = strings.Fields(`alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima
	mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu`)

// benchPost is one generated document. Arrays (tags) only appear in fields no
// benchmark filters or sorts on: a path that ever held an array is planned
// conservatively (Go matcher), which is intended but not what these measure.
type benchPost struct {
	Title     string     `json:"title"`
	Category  string     `json:"category"`
	N         int64      `json:"n"`
	Score     float64    `json:"score"`
	Published bool       `json:"published"`
	Tags      []string   `json:"tags"`
	Author    benchOwner `json:"author"`
	Body      string     `json:"body"`
}

type benchOwner struct {
	Name  string `json:"name"`
	Level int    `json:"level"`
}

func newBenchPost(r *rand.Rand, i int) benchPost {
	words := func(n int) string {
		w := make([]string, n)
		for j := range w {
			w[j] = benchWords[r.IntN(len(benchWords))]
		}
		return strings.Join(w, " ")
	}
	tags := make([]string, 1+r.IntN(3))
	for j := range tags {
		tags[j] = benchWords[r.IntN(len(benchWords))]
	}
	return benchPost{
		Title:     fmt.Sprintf("Post %d: %s", i, words(4)),
		Category:  "c" + strconv.Itoa(r.IntN(benchCategories)),
		N:         r.Int64N(1_000_000),
		Score:     float64(r.IntN(10_000)) / 100,
		Published: r.IntN(4) != 0,
		Tags:      tags,
		Author:    benchOwner{Name: "user" + strconv.Itoa(r.IntN(1000)), Level: r.IntN(10)},
		Body:      words(20 + r.IntN(20)),
	}
}

func benchDoc(tb testing.TB, p benchPost) ejson.D {
	tb.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		tb.Fatal(err)
	}
	return mustDoc(tb, string(b))
}

// benchStore returns a store with benchDocs documents in benchColl, indexed on
// (category, n) with n descending when nDesc.
func benchStore(b *testing.B, nDesc bool) *Store {
	b.Helper()
	if testing.Short() {
		b.Skip("seeds a database: skipped in -short mode")
	}
	s := newTestStore(b)
	ctx := context.Background()
	if err := s.CreateCollection(ctx, benchColl); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < benchDocs; i += MaxInsertBatch {
		docs := make([]ejson.D, 0, MaxInsertBatch)
		for j := i; j < min(i+MaxInsertBatch, benchDocs); j++ {
			d := benchDoc(b, newBenchPost(r, j))
			docs = append(docs, append(d, ejson.E{Key: "_openid", Value: "seed" + strconv.Itoa(j%100)}))
		}
		if _, err := s.Insert(ctx, AdminCaller, benchColl, docs, InsertOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	idx := IndexInfo{Name: "category_n", Fields: []IndexField{{Path: "category"}, {Path: "n", Desc: nDesc}}}
	if err := s.CreateIndex(ctx, benchColl, idx); err != nil {
		b.Fatal(err)
	}
	if err := s.SetPreset(ctx, benchColl, PresetReadOnly); err != nil {
		b.Fatal(err)
	}
	return s
}

// benchPB returns a plain PocketBase app (no Minicloud hooks) with benchDocs records
// in a typed base collection, indexed on (category, n) with n descending when nDesc,
// public list/view/create rules.
func benchPB(b *testing.B, nDesc bool) core.App {
	b.Helper()
	if testing.Short() {
		b.Skip("seeds a database: skipped in -short mode")
	}
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: b.TempDir()})
	if err := app.Bootstrap(); err != nil {
		b.Fatal(err)
	}
	if err := app.RunSystemMigrations(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = app.ResetBootstrapState() })
	col := core.NewBaseCollection(benchColl)
	col.ListRule, col.ViewRule, col.CreateRule = types.Pointer(""), types.Pointer(""), types.Pointer("")
	col.Fields.Add(
		&core.TextField{Name: "title", Max: 1000},
		&core.TextField{Name: "category", Max: 64},
		&core.NumberField{Name: "n", OnlyInt: true},
		&core.NumberField{Name: "score"},
		&core.BoolField{Name: "published"},
		&core.JSONField{Name: "tags"},
		&core.JSONField{Name: "author"},
		&core.TextField{Name: "body", Max: 5000},
		&core.TextField{Name: "owner", Max: 256},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	nCol := "`n`"
	if nDesc {
		nCol += " DESC"
	}
	col.AddIndex("idx_posts_category_n", false, "`category`, "+nCol, "")
	col.AddIndex("idx_posts_owner", false, "`owner`", "")
	if err := app.Save(col); err != nil {
		b.Fatal(err)
	}
	db := app.NonconcurrentDB().(*dbx.DB).DB()
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	stmt, err := tx.Prepare("INSERT INTO posts (id, title, category, n, score, published, tags, author, body, owner, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	now := types.NowDateTime().String()
	for i := 0; i < benchDocs; i++ {
		p := newBenchPost(r, i)
		tags, _ := json.Marshal(p.Tags)
		author, _ := json.Marshal(p.Author)
		if _, err := stmt.Exec(core.GenerateDefaultRandomId(), p.Title, p.Category, p.N, p.Score, p.Published,
			string(tags), string(author), p.Body, "seed"+strconv.Itoa(i%100), now, now); err != nil {
			b.Fatal(err)
		}
	}
	_ = stmt.Close()
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return app
}

var benchClient = Caller{OpenID: "bench-user"}

// logPlan logs SQLite's plan of the SQL the engine runs for a query (once).
func logPlan(b *testing.B, s *Store, filter ejson.D, sortKeys []mql.SortKey) {
	c, err := s.lookup(benchColl)
	if err != nil {
		b.Fatal(err)
	}
	f, err := prepareFilter(filter, false, "", timeNow())
	if err != nil {
		b.Fatal(err)
	}
	srt, err := mql.NewSort(sortKeys)
	if err != nil {
		b.Fatal(err)
	}
	c.shapeMu.RLock()
	p := c.plan(f, srt)
	c.shapeMu.RUnlock()
	q := "SELECT rowid, id, data FROM " + c.table + " WHERE " + p.cond.sql
	if p.sorted && p.order != "" {
		q += " ORDER BY " + p.order
	}
	q += " LIMIT 20"
	b.Logf("exact=%v sorted=%v SQL: %s", p.cond.exact, p.sorted, q)
	rows, err := s.readDB.Query("EXPLAIN QUERY PLAN "+q, append(append([]any{}, p.cond.args...), p.ordArgs...)...)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			b.Fatal(err)
		}
		b.Logf("  plan: %s", detail)
	}
}

// BenchmarkFindIndexed: where({category}) .orderBy('n','desc') .limit(20), served by
// the (category, n) index. Sub-benchmarks differ in the index's direction on n.
func BenchmarkFindIndexed(b *testing.B) {
	for _, nDesc := range []bool{true, false} {
		b.Run(indexName(nDesc), func(b *testing.B) {
			s := benchStore(b, nDesc)
			ctx := context.Background()
			sortKeys := []mql.SortKey{{Path: "n", Desc: true}}
			filters := make([]ejson.D, benchCategories)
			for i := range filters {
				filters[i] = ejson.D{{Key: "category", Value: "c" + strconv.Itoa(i)}}
			}
			logPlan(b, s, filters[3], sortKeys)
			i := 0
			for b.Loop() {
				docs, err := s.Find(ctx, benchClient, benchColl, Query{Filter: filters[i%benchCategories], Sort: sortKeys, Limit: 20})
				if err != nil || len(docs) != 20 {
					b.Fatalf("%d docs, %v", len(docs), err)
				}
				i++
			}
		})
	}
}

// BenchmarkPBFindIndexed is BenchmarkFindIndexed on PocketBase's record layer.
func BenchmarkPBFindIndexed(b *testing.B) {
	for _, nDesc := range []bool{true, false} {
		b.Run(indexName(nDesc), func(b *testing.B) {
			app := benchPB(b, nDesc)
			i := 0
			for b.Loop() {
				recs, err := app.FindRecordsByFilter(benchColl, "category = {:c}", "-n", 20, 0, dbx.Params{"c": "c" + strconv.Itoa(i%benchCategories)})
				if err != nil || len(recs) != 20 {
					b.Fatalf("%d records, %v", len(recs), err)
				}
				i++
			}
		})
	}
}

func indexName(nDesc bool) string {
	if nDesc {
		return "index=category,n:desc"
	}
	return "index=category,n"
}

// BenchmarkFindScan: a filter on an unindexed field that few documents match, so the
// whole table is read ({score: {$gte: 99.5}}, about 0.5% of documents).
func BenchmarkFindScan(b *testing.B) {
	s := benchStore(b, true)
	ctx := context.Background()
	filter := ejson.D{{Key: "score", Value: ejson.D{{Key: "$gte", Value: 99.5}}}}
	logPlan(b, s, filter, nil)
	for b.Loop() {
		docs, err := s.Find(ctx, benchClient, benchColl, Query{Filter: filter, Limit: 20})
		if err != nil || len(docs) == 0 {
			b.Fatalf("%d docs, %v", len(docs), err)
		}
	}
}

// BenchmarkPBFindScan is BenchmarkFindScan on PocketBase's record layer.
func BenchmarkPBFindScan(b *testing.B) {
	app := benchPB(b, true)
	for b.Loop() {
		recs, err := app.FindRecordsByFilter(benchColl, "score >= {:s}", "", 20, 0, dbx.Params{"s": 99.5})
		if err != nil || len(recs) == 0 {
			b.Fatalf("%d records, %v", len(recs), err)
		}
	}
}

// BenchmarkInsert: one client document per Insert (a transaction each), into the
// indexed collection.
func BenchmarkInsert(b *testing.B) {
	s := benchStore(b, true)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	docs := make([]ejson.D, 1024)
	for i := range docs {
		docs[i] = benchDoc(b, newBenchPost(r, i))
	}
	i := 0
	for b.Loop() {
		if _, err := s.Insert(ctx, benchClient, benchColl, docs[i%len(docs):i%len(docs)+1], InsertOptions{}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkPBInsert is BenchmarkInsert on PocketBase's record layer (app.Save: field
// validation, hooks, one transaction per record).
func BenchmarkPBInsert(b *testing.B) {
	app := benchPB(b, true)
	col, err := app.FindCollectionByNameOrId(benchColl)
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	posts := make([]benchPost, 1024)
	for i := range posts {
		posts[i] = newBenchPost(r, i)
	}
	i := 0
	for b.Loop() {
		p := posts[i%len(posts)]
		rec := core.NewRecord(col)
		rec.Set("title", p.Title)
		rec.Set("category", p.Category)
		rec.Set("n", p.N)
		rec.Set("score", p.Score)
		rec.Set("published", p.Published)
		rec.Set("tags", p.Tags)
		rec.Set("author", p.Author)
		rec.Set("body", p.Body)
		rec.Set("owner", "bench-user")
		if err := app.Save(rec); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
