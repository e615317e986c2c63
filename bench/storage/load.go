package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/minicloud/minicloud/bench/internal/load"
	"github.com/minicloud/minicloud/bench/internal/proc"
)

// Storage operations on bench/internal/load's generator. An operation may take several HTTP
// requests (a Minicloud upload asks for the upload URL, then PUTs the bytes); it counts
// as served only when all of them answered 2xx and every body was read to the end.

// opFunc runs worker w's n-th operation and reports the requests it sent and the
// payload bytes it moved.
type opFunc func(ctx context.Context, w, n int) (requests int, bytes int64, err error)

// load adapts an operation to the shared load generator, counting its requests and,
// when it succeeds, its bytes.
func (f opFunc) load() load.Op {
	return func(ctx context.Context, w *load.Worker) error {
		reqs, n, err := f(ctx, w.ID, w.Seq)
		w.Requests += reqs
		if err == nil {
			w.Bytes += n
		}
		return err
	}
}

// newClient is load's client with room for large bodies: long timeout, 64 KiB buffers.
func newClient(conc int) *http.Client {
	c := load.NewClient(2 * conc)
	c.Timeout = 10 * time.Minute
	tr := c.Transport.(*http.Transport)
	tr.WriteBufferSize, tr.ReadBufferSize = 64<<10, 64<<10
	return c
}

// runLoad runs op on conc workers for d and measures the CPU time of the server pid.
func runLoad(ctx context.Context, conc int, d time.Duration, pid int, op opFunc) load.Stats {
	cpu0, ok0 := proc.CPUTime(pid)
	st := load.Run(ctx, load.Config{Conc: conc, Duration: d}, op.load())
	if cpu1, ok1 := proc.CPUTime(pid); ok0 && ok1 {
		st.CPU = cpu1 - cpu0
	}
	return st
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
