package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// The load generator: conc goroutines, each running one operation at a time (an
// operation is one request, or a sign-in's two) over kept-alive connections, for a
// fixed duration. Every response is read to the end and its status checked.

type runStats struct {
	OK       int           // operations that succeeded
	Errors   int           // operations that failed (transport error, non-2xx, bad body)
	Elapsed  time.Duration // wall time of the run
	P50, P99 time.Duration // latency of the successful operations
	CPU      time.Duration // server CPU time during the run (0: unknown)
	Samples  []string
	lat      []time.Duration
}

func (s *runStats) add(o runStats) {
	s.OK += o.OK
	s.Errors += o.Errors
	s.Elapsed += o.Elapsed
	s.CPU += o.CPU
	for _, e := range o.Samples {
		if len(s.Samples) < 5 && !slices.Contains(s.Samples, e) {
			s.Samples = append(s.Samples, e)
		}
	}
	s.lat = append(s.lat, o.lat...)
	slices.Sort(s.lat)
	s.P50 = percentile(s.lat, 0.50)
	s.P99 = percentile(s.lat, 0.99)
}

func (s runStats) OPS() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.OK) / s.Elapsed.Seconds()
}

func (s runStats) CPUPerOp() time.Duration {
	if s.OK == 0 {
		return 0
	}
	return s.CPU / time.Duration(s.OK)
}

func (s runStats) ErrorRate() float64 {
	if s.OK+s.Errors == 0 {
		return 0
	}
	return float64(s.Errors) / float64(s.OK+s.Errors)
}

func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// opFunc runs worker w's next operation; seq counts the worker's operations.
type opFunc func(ctx context.Context, w, seq int) error

func newClient(conc int) *http.Client {
	return &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        2 * conc,
			MaxIdleConnsPerHost: 2 * conc,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
	}
}

// runLoad runs op on conc workers for d; seq0 offsets the workers' operation counters
// (so that new-user scenarios never repeat an openid across runs).
func runLoad(ctx context.Context, conc int, d time.Duration, seq0 int, op opFunc) runStats {
	var (
		mu      sync.Mutex
		all     []time.Duration
		stats   runStats
		wg      sync.WaitGroup
		start   = time.Now()
		stopAt  = start.Add(d)
		samples = map[string]bool{}
	)
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			lat := make([]time.Duration, 0, 1<<12)
			ok, bad := 0, 0
			var errs []string
			for seq := seq0; ctx.Err() == nil && time.Now().Before(stopAt); seq++ {
				t0 := time.Now()
				if err := op(ctx, w, seq); err != nil {
					if ctx.Err() == nil {
						bad++
						errs = append(errs, err.Error())
					}
					continue
				}
				lat = append(lat, time.Since(t0))
				ok++
			}
			mu.Lock()
			all = append(all, lat...)
			stats.OK += ok
			stats.Errors += bad
			for _, e := range errs {
				if len(samples) < 5 && !samples[e] {
					samples[e] = true
					stats.Samples = append(stats.Samples, e)
				}
			}
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	stats.Elapsed = time.Since(start)
	slices.Sort(all)
	stats.lat = all
	stats.P50 = percentile(all, 0.50)
	stats.P99 = percentile(all, 0.99)
	return stats
}

// send makes one request and returns the body of a 2xx answer.
func send(ctx context.Context, client *http.Client, method, url string, body []byte, header http.Header) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		if len(b) > 300 {
			b = b[:300]
		}
		return nil, fmt.Errorf("%s %s -> %d %s", method, req.URL.Path, resp.StatusCode, bytes.TrimSpace(b))
	}
	return b, nil
}
