package collections

import (
	"bytes"
	"testing"

	"github.com/minicloud/minicloud/collections/ejson"
)

func TestSQLKeyFunction(t *testing.T) {
	s := newTestStore(t)
	var got []byte
	if err := s.readDB.QueryRow(`SELECT mc_key('{"a":{"$date":5}}' -> ?)`, jsonPath([]string{"a"})).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, ejson.Key(ejson.Date(5))) {
		t.Fatalf("key %x", got)
	}
	if err := s.readDB.QueryRow(`SELECT mc_key('{}' -> '$.missing')`).Scan(&got); err != nil || !bytes.Equal(got, ejson.Key(nil)) {
		t.Fatalf("missing must key like null: %x %v", got, err)
	}
	if err := s.readDB.QueryRow(`SELECT mc_key('{"a.b":"dotted"}' -> ?)`, jsonPath([]string{"a.b"})).Scan(&got); err != nil || !bytes.Equal(got, ejson.Key("dotted")) {
		t.Fatalf("quoted labels: %x %v", got, err)
	}
}

func TestIndexablePath(t *testing.T) {
	for _, p := range []string{"a", "a.b", "A_1.b2"} {
		if !indexablePath(p) {
			t.Errorf("%q should be indexable", p)
		}
	}
	for _, p := range []string{"", "a..b", "1a", "a.0", "a'b", "a b", "a-b"} {
		if indexablePath(p) {
			t.Errorf("%q must not be indexable", p)
		}
	}
}
