// Package load is the closed-loop load generator the benchmark commands share:
// Conc workers, each running one operation at a time over kept-alive connections for
// a fixed duration, with latency percentiles and the server's CPU time per operation.
package load

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// maxSamples is how many distinct error descriptions a run keeps.
const maxSamples = 5

// Stats are the results of one run, or of several merged with Add.
type Stats struct {
	OK        int           // operations that succeeded
	Errors    int           // operations that failed (transport error, non-2xx, bad body)
	Requests  int           // HTTP requests sent, where operations count them (Worker.Requests)
	Bytes     int64         // payload bytes moved, where operations count them (Worker.Bytes)
	Elapsed   time.Duration // wall time of the run
	P50, P99  time.Duration // latency of the successful operations
	CPU       time.Duration // server CPU time during the run (0: unknown)
	ClientCPU time.Duration // the load generator's own CPU time during the run (0: unknown)
	Samples   []string      // a few error descriptions
	lat       []time.Duration
}

// Add merges another run (a slice of the same round) into s.
func (s *Stats) Add(o Stats) {
	s.OK += o.OK
	s.Errors += o.Errors
	s.Requests += o.Requests
	s.Bytes += o.Bytes
	s.Elapsed += o.Elapsed
	s.CPU += o.CPU
	s.ClientCPU += o.ClientCPU
	for _, e := range o.Samples {
		if len(s.Samples) < maxSamples && !slices.Contains(s.Samples, e) {
			s.Samples = append(s.Samples, e)
		}
	}
	s.lat = append(s.lat, o.lat...)
	slices.Sort(s.lat)
	s.P50 = Percentile(s.lat, 0.50)
	s.P99 = Percentile(s.lat, 0.99)
}

// DropLatencies frees the latency samples of a run whose percentiles are final (a
// later Add no longer counts its latencies).
func (s *Stats) DropLatencies() { s.lat = nil }

// OPS is successful operations per second.
func (s Stats) OPS() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.OK) / s.Elapsed.Seconds()
}

// ReqPerSec is HTTP requests per second (for operations that count them).
func (s Stats) ReqPerSec() float64 { return per(float64(s.Requests), s.Elapsed) }

// MBPerSec is MiB of payload per second (for operations that count them).
func (s Stats) MBPerSec() float64 { return per(float64(s.Bytes)/(1<<20), s.Elapsed) }

func per(v float64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return v / d.Seconds()
}

// CPUPerOp is the server's CPU time per successful operation: unlike OPS it hardly
// depends on what else the machine runs.
func (s Stats) CPUPerOp() time.Duration {
	if s.OK == 0 {
		return 0
	}
	return s.CPU / time.Duration(s.OK)
}

// ClientCPUPerOp is the load generator's CPU time per successful operation.
func (s Stats) ClientCPUPerOp() time.Duration {
	if s.OK == 0 {
		return 0
	}
	return s.ClientCPU / time.Duration(s.OK)
}

// ErrorRate is the share of operations that failed.
func (s Stats) ErrorRate() float64 {
	if s.OK+s.Errors == 0 {
		return 0
	}
	return float64(s.Errors) / float64(s.OK+s.Errors)
}

// Percentile returns the nearest-rank percentile q (0..1) of sorted durations.
func Percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// Median is the median of f over runs (the mean of the middle two for an even count).
func Median(runs []Stats, f func(Stats) float64) float64 {
	v := make([]float64, len(runs))
	for i, r := range runs {
		v[i] = f(r)
	}
	return MedianOf(v)
}

// MedianOf is the median of plain figures, such as single timings (the mean of the
// middle two for an even count, 0 for none); v is left as it is.
func MedianOf[T ~int | ~int64 | ~float64](v []T) T {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// Metric extractors for Median.
func OPS(s Stats) float64       { return s.OPS() }
func P50(s Stats) float64       { return float64(s.P50) }
func P99(s Stats) float64       { return float64(s.P99) }
func CPU(s Stats) float64       { return float64(s.CPUPerOp()) }
func ClientCPU(s Stats) float64 { return float64(s.ClientCPUPerOp()) }

// Worker is the state one worker carries between its operations.
type Worker struct {
	ID   int        // 0..Conc-1
	Seq  int        // counts the worker's operations, from Config.Seq0
	Rand *rand.Rand // seeded from Config.Seed and ID: two systems get the same mix
	// An operation of several requests, or one moving a payload, adds to these; Run
	// sums them into Stats.Requests and Stats.Bytes.
	Requests int
	Bytes    int64
}

// Op runs a worker's next operation.
type Op func(ctx context.Context, w *Worker) error

// Config shapes a run.
type Config struct {
	Conc     int
	Duration time.Duration
	Seed     uint64
	Seq0     int // offsets every worker's Seq, so that runs never repeat an operation's identity
}

// Run runs op on cfg.Conc workers for cfg.Duration.
func Run(ctx context.Context, cfg Config, op Op) Stats {
	var (
		mu      sync.Mutex
		all     []time.Duration
		stats   Stats
		wg      sync.WaitGroup
		start   = time.Now()
		stopAt  = start.Add(cfg.Duration)
		samples = map[string]bool{}
	)
	for id := 0; id < cfg.Conc; id++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			w := &Worker{ID: id, Seq: cfg.Seq0, Rand: rand.New(rand.NewPCG(cfg.Seed, uint64(id)))}
			lat := make([]time.Duration, 0, 1<<12)
			ok, bad := 0, 0
			var errs []string
			for ; ctx.Err() == nil && time.Now().Before(stopAt); w.Seq++ {
				t0 := time.Now()
				if err := op(ctx, w); err != nil {
					if ctx.Err() == nil {
						bad++
						if len(errs) < maxSamples {
							errs = append(errs, err.Error())
						}
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
			stats.Requests += w.Requests
			stats.Bytes += w.Bytes
			for _, e := range errs {
				if len(samples) < maxSamples && !samples[e] {
					samples[e] = true
					stats.Samples = append(stats.Samples, e)
				}
			}
			mu.Unlock()
		}(id)
	}
	wg.Wait()
	stats.Elapsed = time.Since(start)
	slices.Sort(all)
	stats.lat = all
	stats.P50 = Percentile(all, 0.50)
	stats.P99 = Percentile(all, 0.99)
	return stats
}

// NewClient is an HTTP client for conc workers: kept-alive connections, no proxy, no
// compression, HTTP/1.1.
func NewClient(conc int) *http.Client {
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

// Do sends req and returns the body of a 2xx answer; any other status is an error
// holding the start of the body.
func Do(client *http.Client, req *http.Request) ([]byte, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		if len(b) > 300 {
			b = b[:300]
		}
		return nil, fmt.Errorf("%s %s -> %d %s", req.Method, req.URL.Path, resp.StatusCode, bytes.TrimSpace(b))
	}
	return b, nil
}

// Send builds a request (a JSON body when body is not nil) and Does it.
func Send(ctx context.Context, client *http.Client, method, url string, body []byte, header http.Header) ([]byte, error) {
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
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return Do(client, req)
}

// Requests turns a request builder into an Op that sends the request and reads the
// whole answer, which must be 2xx.
func Requests(client *http.Client, mk func(ctx context.Context, w *Worker) (*http.Request, error)) Op {
	return func(ctx context.Context, w *Worker) error {
		req, err := mk(ctx, w)
		if err != nil {
			return fmt.Errorf("build request: %w", err)
		}
		_, err = Do(client, req)
		return err
	}
}
