package collections

import (
	"context"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/minicloud/minicloud/collections/mql"
)

// TestCachedQueriesAreNotReprepared runs one query shape with different values and
// checks that SQLite never re-prepared the cached statement. A statement whose plan
// depends on a bound value (a bound LIMIT since SQLite 3.47, an index's sqlite_stat4
// samples, a partial index's WHERE) expires whenever that parameter is bound, so every
// run would parse and plan it again: a quarter of an indexed query's CPU.
func TestCachedQueriesAreNotReprepared(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if err := s.CreateCollection(ctx, "posts"); err != nil {
		t.Fatal(err)
	}
	var docs []ejson.D
	for i := range 50 {
		docs = append(docs, ejson.D{{Key: "category", Value: "c" + strconv.Itoa(i%5)}, {Key: "n", Value: int64(i)}})
	}
	if _, err := s.Insert(ctx, AdminCaller, "posts", docs, InsertOptions{}); err != nil {
		t.Fatal(err)
	}
	idx := IndexInfo{Name: "category_n", Fields: []IndexField{{Path: "category"}, {Path: "n", Desc: true}}}
	if err := s.CreateIndex(ctx, "posts", idx); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPreset(ctx, "posts", PresetReadOnly); err != nil {
		t.Fatal(err)
	}

	// one read connection, so that every cached statement lives on the one inspected below
	s.readDB.SetMaxOpenConns(1)
	const runs = 20
	for i := range runs {
		q := Query{
			Filter: ejson.D{{Key: "category", Value: "c" + strconv.Itoa(i%5)}},
			Sort:   []mql.SortKey{{Path: "n", Desc: true}},
			Limit:  3,
			Skip:   i % 3,
		}
		got, err := s.Find(ctx, Caller{OpenID: "reader"}, "posts", q)
		if err != nil || len(got) != 3 {
			t.Fatalf("find %d: %d docs, %v", i, len(got), err)
		}
	}

	conn, err := s.readDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var found bool
	err = conn.Raw(func(dc any) error {
		// modernc.org/sqlite's conn keeps its handle and TLS in unexported fields
		v := reflect.ValueOf(dc)
		if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
			t.Fatalf("driver connection %T: update this test for the driver", dc)
		}
		v = v.Elem()
		dbf, tlsf := v.FieldByName("db"), v.FieldByName("tls")
		if dbf.Kind() != reflect.Uintptr || tlsf.Type() != reflect.TypeFor[*libc.TLS]() {
			t.Fatalf("driver connection %T has no db/tls fields: update this test for the driver", dc)
		}
		db := uintptr(dbf.Uint())
		tls := *(**libc.TLS)(unsafe.Pointer(tlsf.UnsafeAddr()))
		for st := sqlite3.Xsqlite3_next_stmt(tls, db, 0); st != 0; st = sqlite3.Xsqlite3_next_stmt(tls, db, st) {
			text := libc.GoString(sqlite3.Xsqlite3_sql(tls, st))
			if !strings.Contains(text, `FROM "posts"`) {
				continue
			}
			found = true
			ran := sqlite3.Xsqlite3_stmt_status(tls, st, sqlite3.SQLITE_STMTSTATUS_RUN, 0)
			reprep := sqlite3.Xsqlite3_stmt_status(tls, st, sqlite3.SQLITE_STMTSTATUS_REPREPARE, 0)
			t.Logf("ran %d, re-prepared %d: %s", ran, reprep, text)
			if ran < runs {
				t.Errorf("statement ran %d times, want %d (not cached?): %s", ran, runs, text)
			}
			if reprep != 0 {
				t.Errorf("statement re-prepared %d times in %d runs: %s", reprep, ran, text)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Fatal("no cached statement on the posts table")
	}
}
