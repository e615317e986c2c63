package storage

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

func TestMetaCreateConcurrent(t *testing.T) {
	s, app := newTestService(t, Config{})
	ctx := context.Background()
	allow := func(*FileInfo) error { return nil }
	// 64 writers, each path twice: every path is created once, the second put of each
	// replaces it and hands back the first blob
	var wg sync.WaitGroup
	var replaced atomic.Int64
	errs := make(chan error, 128)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 2 {
				f := &FileInfo{Path: fmt.Sprintf("c/%d", i), Owner: "alice", Size: 1, blob: fmt.Sprintf("%s%d-%d", blobPrefix, i, k)}
				old, err := s.meta.put(ctx, f, allow)
				if err != nil {
					errs <- err
					return
				}
				if old != "" {
					replaced.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := metaCount(t, app); n != 64 || replaced.Load() != 64 {
		t.Fatalf("%d records, %d replaced", n, replaced.Load())
	}
	f, err := s.meta.get(ctx, "c/7")
	if err != nil || f == nil || f.blob != blobPrefix+"7-1" {
		t.Fatalf("%+v %v", f, err)
	}
}

// BenchmarkMetaCreate records new files from concurrent uploads.
func BenchmarkMetaCreate(b *testing.B) {
	s, _ := newTestService(b, Config{})
	ctx := context.Background()
	var seq atomic.Int64
	allow := func(*FileInfo) error { return nil }
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			f := &FileInfo{Path: fmt.Sprintf("b/%d.bin", n), Owner: "alice", Size: 10240, ContentType: "application/octet-stream", MD5: "0123456789abcdef0123456789abcdef", blob: fmt.Sprintf("%sx/%d", blobPrefix, n)}
			if _, err := s.meta.put(ctx, f, allow); err != nil {
				b.Fatal(err)
			}
		}
	})
}
