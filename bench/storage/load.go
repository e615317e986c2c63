package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// The load generator: conc goroutines, each running one operation at a time over
// kept-alive connections, for a fixed duration. An operation may take several HTTP
// requests (a Minicloud upload asks for the upload URL, then PUTs the bytes); it counts
// as served only when all of them answered 2xx and every body was read to the end.

// opFunc runs worker w's n-th operation and reports the requests it sent and the
// payload bytes it moved.
type opFunc func(ctx context.Context, w, n int) (requests int, bytes int64, err error)

type runStats struct {
	Ops      int
	Requests int
	Bytes    int64
	Errors   int
	Elapsed  time.Duration
	P50, P99 time.Duration // latency of a whole operation
	CPU      time.Duration // server CPU time during the run
	Samples  []string
	lat      []time.Duration // sorted latencies of the completed operations
}

// add merges another slice of the same run into s.
func (s *runStats) add(o runStats) {
	s.Ops += o.Ops
	s.Requests += o.Requests
	s.Bytes += o.Bytes
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
	s.P50, s.P99 = percentile(s.lat, 0.5), percentile(s.lat, 0.99)
}

func (s runStats) OpsPerSec() float64 { return per(float64(s.Ops), s.Elapsed) }
func (s runStats) ReqPerSec() float64 { return per(float64(s.Requests), s.Elapsed) }
func (s runStats) MBPerSec() float64  { return per(float64(s.Bytes)/(1<<20), s.Elapsed) }
func (s runStats) CPUPerOp() time.Duration {
	if s.Ops == 0 {
		return 0
	}
	return s.CPU / time.Duration(s.Ops)
}

func per(v float64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return v / d.Seconds()
}

func newClient(conc int) *http.Client {
	return &http.Client{
		Timeout: 10 * time.Minute,
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        4 * conc,
			MaxIdleConnsPerHost: 4 * conc,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
			WriteBufferSize:     64 << 10,
			ReadBufferSize:      64 << 10,
		},
	}
}

// runLoad runs op on conc workers for d and measures the server with pid.
func runLoad(ctx context.Context, conc int, d time.Duration, pid int, op opFunc) runStats {
	var (
		mu    sync.Mutex
		lat   []time.Duration
		stats runStats
		wg    sync.WaitGroup
	)
	cpu0, cpuOK := cpuTime(pid)
	start := time.Now()
	stopAt := start.Add(d)
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var local runStats
			var l []time.Duration
			for n := 0; ctx.Err() == nil && time.Now().Before(stopAt); n++ {
				t0 := time.Now()
				reqs, bytes, err := op(ctx, w, n)
				local.Requests += reqs
				if err != nil {
					if ctx.Err() != nil {
						break
					}
					local.Errors++
					if len(local.Samples) < 3 {
						local.Samples = append(local.Samples, err.Error())
					}
					continue
				}
				local.Ops++
				local.Bytes += bytes
				l = append(l, time.Since(t0))
			}
			mu.Lock()
			stats.Ops += local.Ops
			stats.Requests += local.Requests
			stats.Bytes += local.Bytes
			stats.Errors += local.Errors
			for _, s := range local.Samples {
				if len(stats.Samples) < 5 && !slices.Contains(stats.Samples, s) {
					stats.Samples = append(stats.Samples, s)
				}
			}
			lat = append(lat, l...)
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	stats.Elapsed = time.Since(start)
	if cpu1, ok := cpuTime(pid); ok && cpuOK {
		stats.CPU = cpu1 - cpu0
	}
	slices.Sort(lat)
	stats.lat = lat
	stats.P50, stats.P99 = percentile(lat, 0.5), percentile(lat, 0.99)
	return stats
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return sorted[i]
}

// do sends a request, reads the whole answer and fails on a non-2xx status.
func do(client *http.Client, req *http.Request, into func(body []byte) error) error {
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if into == nil {
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return err
		}
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("%s %s: status %d", req.Method, req.URL.Path, resp.StatusCode)
		}
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: status %d: %.200s", req.Method, req.URL.Path, resp.StatusCode, body)
	}
	return into(body)
}
