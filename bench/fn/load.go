package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/minicloud/minicloud/bench/internal/load"
)

// The load scenarios on bench/internal/load's generator, with this command's own HTTP
// client: each worker has its own kept-alive connection, dialled before the run, and
// one request in flight. Every response is read to the end and its status checked;
// only 2xx responses count as served.

// request is one request of a scenario, independent of the client that sends it.
type request struct {
	method string
	path   string // with the query string
	token  string // Bearer token, "" for none
	body   []byte // sent as application/json when not nil
}

// requestFunc builds worker w's next request; r is the worker's generator, seeded the
// same way for both systems so that they receive the same request mix.
type requestFunc func(w int, r *rand.Rand) request

// A client sends one request at a time over its own kept-alive connection and
// returns the response's status and (the start of) its body.
type client interface {
	do(req request) (status int, body []byte, err error)
	close()
}

// clientKind names the load generator's HTTP client: "raw" (a minimal HTTP/1.1
// client over one TCP connection, the default: it spends little CPU, which on a small
// machine is CPU the servers get) or "nethttp" (Go's net/http client).
type clientKind string

// dialClients opens n clients of the given kind to base, one per worker; a
// connection that cannot be made fails them all.
func dialClients(kind clientKind, base string, n int) ([]client, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	var hc *http.Client
	clients := make([]client, 0, n)
	for i := 0; i < n; i++ {
		switch kind {
		case "raw":
			c, err := dialRaw(u.Host)
			if err != nil {
				closeClients(clients)
				return nil, fmt.Errorf("connect to %s: %w", u.Host, err)
			}
			clients = append(clients, c)
		case "nethttp":
			if hc == nil {
				hc = load.NewClient(n)
			}
			clients = append(clients, &netClient{base: base, hc: hc})
		default:
			return nil, fmt.Errorf("unknown client %q (want raw, nethttp)", kind)
		}
	}
	return clients, nil
}

func closeClients(clients []client) {
	for _, c := range clients {
		c.close()
	}
}

// netClient sends requests with net/http.
type netClient struct {
	base string
	hc   *http.Client
}

func (c *netClient) do(r request) (int, []byte, error) {
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequest(r.method, c.base+r.path, body)
	if err != nil {
		return 0, nil, err
	}
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, maxKeptBody))
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, head, nil
}

func (c *netClient) close() { c.hc.CloseIdleConnections() }

// maxKeptBody is how much of a response body a client returns (the rest is read and
// discarded).
const maxKeptBody = 64 << 10

// rawClient is a minimal HTTP/1.1 client: one connection, one request in flight,
// responses with Content-Length or chunked bodies.
type rawClient struct {
	host string
	conn net.Conn
	br   *bufio.Reader
	buf  []byte
	body []byte
}

func dialRaw(host string) (*rawClient, error) {
	c, err := net.DialTimeout("tcp", host, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return &rawClient{host: host, conn: c, br: bufio.NewReaderSize(c, 32<<10)}, nil
}

func (c *rawClient) close() {
	if c.conn != nil {
		_ = c.conn.Close()
	}
}

// appendRequest serializes r.
func appendRequest(b []byte, host string, r request) []byte {
	b = append(b, r.method...)
	b = append(b, ' ')
	b = append(b, r.path...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, host...)
	b = append(b, "\r\n"...)
	if r.token != "" {
		b = append(b, "Authorization: Bearer "...)
		b = append(b, r.token...)
		b = append(b, "\r\n"...)
	}
	if r.body != nil {
		b = append(b, "Content-Type: application/json\r\nContent-Length: "...)
		b = strconv.AppendInt(b, int64(len(r.body)), 10)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	return append(b, r.body...)
}

func (c *rawClient) do(r request) (int, []byte, error) {
	if c.conn == nil {
		conn, err := net.DialTimeout("tcp", c.host, 5*time.Second)
		if err != nil {
			return 0, nil, err
		}
		c.conn, c.br = conn, bufio.NewReaderSize(conn, 32<<10)
	}
	c.buf = appendRequest(c.buf[:0], c.host, r)
	if _, err := c.conn.Write(c.buf); err != nil {
		c.reset()
		return 0, nil, err
	}
	status, body, keep, err := readResponse(c.br, c.body[:0])
	c.body = body
	if err != nil || !keep {
		c.reset()
	}
	return status, body, err
}

func (c *rawClient) reset() {
	if c.conn != nil {
		_ = c.conn.Close()
	}
	c.conn, c.br = nil, nil
}

// readResponse reads one response; it returns the status, up to maxKeptBody bytes of
// the body (appended to body), and whether the connection may be reused.
func readResponse(br *bufio.Reader, body []byte) (status int, _ []byte, keep bool, err error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, body, false, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, body, false, fmt.Errorf("bad status line %q", line)
	}
	if status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return 0, body, false, fmt.Errorf("bad status line %q", line)
	}
	length, chunked, keep := -1, false, true
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return status, body, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		v = bytes.TrimSpace(v)
		switch {
		case bytes.EqualFold(k, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(v)); err != nil {
				return status, body, false, fmt.Errorf("bad Content-Length %q", v)
			}
		case bytes.EqualFold(k, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(v, []byte("chunked"))
		case bytes.EqualFold(k, []byte("Connection")):
			keep = !bytes.EqualFold(v, []byte("close"))
		}
	}
	read := func(n int) error {
		keepN := min(n, max(0, maxKeptBody-len(body)))
		start := len(body)
		body = slices.Grow(body, keepN)[:start+keepN]
		if _, err := io.ReadFull(br, body[start:]); err != nil {
			return err
		}
		_, err := br.Discard(n - keepN)
		return err
	}
	switch {
	case chunked:
		for {
			line, err := br.ReadSlice('\n')
			if err != nil {
				return status, body, false, err
			}
			size, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
			n, err := strconv.ParseInt(string(size), 16, 32)
			if err != nil || n < 0 {
				return status, body, false, fmt.Errorf("bad chunk size %q", line)
			}
			if n == 0 {
				// trailers, then the blank line
				for {
					line, err := br.ReadSlice('\n')
					if err != nil {
						return status, body, false, err
					}
					if len(bytes.TrimRight(line, "\r\n")) == 0 {
						return status, body, keep, nil
					}
				}
			}
			if err := read(int(n)); err != nil {
				return status, body, false, err
			}
			if _, err := br.Discard(2); err != nil {
				return status, body, false, err
			}
		}
	case length >= 0:
		if err := read(length); err != nil {
			return status, body, false, err
		}
		return status, body, keep, nil
	}
	// no length: the body runs to the end of the connection
	rest, err := io.ReadAll(br)
	if err != nil {
		return status, body, false, err
	}
	body = append(body, rest[:min(len(rest), max(0, maxKeptBody-len(body)))]...)
	return status, body, false, nil
}

// runLoad sends mk's requests to base for cfg.Duration, worker w over clients[w].
func runLoad(ctx context.Context, kind clientKind, base string, cfg load.Config, mk requestFunc) (load.Stats, error) {
	clients, err := dialClients(kind, base, cfg.Conc)
	if err != nil {
		return load.Stats{}, err
	}
	defer closeClients(clients)
	return load.Run(ctx, cfg, func(ctx context.Context, w *load.Worker) error {
		req := mk(w.ID, w.Rand)
		status, body, err := clients[w.ID].do(req)
		if err != nil {
			return err
		}
		if status/100 != 2 {
			return fmt.Errorf("%s %s -> %d %s", req.method, req.path, status, bytes.TrimSpace(body[:min(len(body), 300)]))
		}
		return nil
	}), nil
}
