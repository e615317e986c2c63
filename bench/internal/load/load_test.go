package load

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestPercentileAndMedian(t *testing.T) {
	lat := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	if got := Percentile(lat, 0.5); got != 5 {
		t.Errorf("p50 = %v, want 5", got)
	}
	if got := Percentile(lat, 0.99); got != 10 {
		t.Errorf("p99 = %v, want 10", got)
	}
	if got := Percentile(nil, 0.5); got != 0 {
		t.Errorf("empty p50 = %v", got)
	}
	runs := []Stats{{OK: 10, Elapsed: time.Second}, {OK: 30, Elapsed: time.Second}, {OK: 20, Elapsed: time.Second}}
	if got := Median(runs, OPS); got != 20 {
		t.Errorf("median of odd count = %v, want 20", got)
	}
	if got := Median(runs[:2], OPS); got != 20 {
		t.Errorf("median of even count = %v, want 20", got)
	}
	d := []time.Duration{30, 10, 20, 40}
	if got := MedianOf(d); got != 25 {
		t.Errorf("MedianOf(%v) = %v, want 25", d, got)
	}
	if d[0] != 30 || d[3] != 40 {
		t.Errorf("MedianOf reordered its argument: %v", d)
	}
	if got := MedianOf([]float64{3, 1, 2}); got != 2 {
		t.Errorf("MedianOf odd count = %v, want 2", got)
	}
	if got := MedianOf([]int64(nil)); got != 0 {
		t.Errorf("MedianOf(nil) = %v, want 0", got)
	}
}

func TestRunCountsSuccessesAndErrors(t *testing.T) {
	var n atomic.Int64
	st := Run(context.Background(), Config{Conc: 4, Duration: 50 * time.Millisecond, Seq0: 100}, func(ctx context.Context, w *Worker) error {
		if w.Seq < 100 || w.ID < 0 || w.ID >= 4 || w.Rand == nil {
			t.Errorf("bad worker state %+v", w)
		}
		w.Requests += 2
		if n.Add(1)%2 == 0 {
			return errors.New("even")
		}
		return nil
	})
	if st.OK == 0 || st.Errors == 0 || int64(st.OK+st.Errors) != n.Load() {
		t.Fatalf("ok %d errors %d ops %d", st.OK, st.Errors, n.Load())
	}
	if st.Requests != 2*(st.OK+st.Errors) || st.ReqPerSec() <= 0 {
		t.Errorf("requests %d for %d operations", st.Requests, st.OK+st.Errors)
	}
	if len(st.Samples) != 1 || st.Samples[0] != "even" {
		t.Errorf("samples %q", st.Samples)
	}
	if st.ErrorRate() < 0.4 || st.ErrorRate() > 0.6 {
		t.Errorf("error rate %v", st.ErrorRate())
	}
	var all Stats
	all.Add(st)
	all.Add(st)
	if all.OK != 2*st.OK || all.Elapsed != 2*st.Elapsed {
		t.Errorf("Add: %+v", all)
	}
}

func TestRequestsChecksStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bad" {
			http.Error(w, "nope", http.StatusTeapot)
			return
		}
		w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	client := NewClient(2)
	b, err := Send(context.Background(), client, http.MethodPost, srv.URL+"/good", []byte(`{}`), nil)
	if err != nil || string(b) != `{"ok":true}` {
		t.Fatalf("good: %s %v", b, err)
	}
	op := Requests(client, func(ctx context.Context, w *Worker) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/bad", nil)
	})
	err = op(context.Background(), &Worker{})
	if err == nil || !strings.Contains(err.Error(), "418") || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("bad: %v", err)
	}
}
