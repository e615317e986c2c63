package cloudfns

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dop251/goja"
)

// fetch() for functions: http and https only, to the hosts RuntimeConfig.FetchAllow
// names (every redirect hop too), within the invocation's deadline (and an
// AbortSignal's), with the response body read up to maxFetchBody.

const maxFetchBody = 32 << 20

type fetcher struct {
	allow  []string
	client *http.Client
	http   *http.Client // the http module's (require_http.go)
}

type redirectModeKey struct{}

func newFetcher(allow []string, client *http.Client) *fetcher {
	f := &fetcher{}
	for _, a := range allow {
		if a = strings.ToLower(strings.TrimSpace(a)); a != "" {
			f.allow = append(f.allow, a)
		}
	}
	var c http.Client
	if client != nil {
		c = *client
	} else {
		c.Transport = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			MaxIdleConns:          64,
			MaxIdleConnsPerHost:   16,
			IdleConnTimeout:       90 * time.Second,
			ExpectContinueTimeout: time.Second,
		}
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		switch req.Context().Value(redirectModeKey{}) {
		case "manual":
			return http.ErrUseLastResponse
		case "error":
			return errors.New("redirect mode is set to error")
		}
		if len(via) >= 20 {
			return errors.New("too many redirects")
		}
		if !f.allowed(req.URL) {
			return f.refusal(req.URL)
		}
		return nil
	}
	f.client = &c
	f.http = rawClient(&c)
	return f
}

// allowed matches u's host against the allow-list: "*", "host", "*.domain"
// (sub-domains), each optionally with ":port".
func (f *fetcher) allowed(u *url.URL) bool {
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	for _, p := range f.allow {
		if p == "*" {
			return true
		}
		ph, pp := p, ""
		if h, prt, err := net.SplitHostPort(p); err == nil {
			ph, pp = h, prt
		}
		if pp != "" && pp != port {
			continue
		}
		if strings.HasPrefix(ph, "*.") {
			if strings.HasSuffix(host, ph[1:]) && len(host) > len(ph)-1 {
				return true
			}
			continue
		}
		if host == strings.Trim(ph, "[]") {
			return true
		}
	}
	return false
}

func (f *fetcher) refusal(u *url.URL) error {
	return &requireError{code: "ERR_FETCH_NOT_ALLOWED", msg: "fetch to " + u.Host + " is not allowed: the host is not on Minicloud's fetch allow-list"}
}

type fetchResult struct {
	status     int
	statusText string
	url        string
	redirected bool
	headers    []string
	body       []byte
	proto      string      // "HTTP/1.1"
	raw        http.Header // as received (canonical names), for the http module
}

func (in *Instance) fetchNatives(n *goja.Object) {
	vm := in.vm
	f := in.rt.fetch
	_ = n.Set("fetch", func(c goja.FunctionCall) goja.Value {
		out := vm.NewObject()
		fail := func(msg, code string) goja.Value {
			p, _, reject := vm.NewPromise()
			_ = reject(in.newError(msg, code))
			_ = out.Set("id", 0)
			_ = out.Set("promise", p)
			return out
		}
		raw := c.Argument(0).String()
		u, err := url.Parse(raw)
		if err != nil || !u.IsAbs() {
			return fail("Invalid URL: "+raw, "ERR_INVALID_URL")
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return fail("only http: and https: URLs can be fetched in Minicloud functions (got "+u.Scheme+":)", "ERR_FETCH_SCHEME")
		}
		if !f.allowed(u) {
			e := f.refusal(u).(*requireError)
			return fail(e.msg, e.code)
		}
		method := strings.ToUpper(c.Argument(1).String())
		hv := jsArrayValues(c.Argument(2))
		headers := make(http.Header, len(hv)/2)
		for i := 0; i+1 < len(hv); i += 2 {
			headers.Add(hv[i].String(), hv[i+1].String())
		}
		var body []byte
		if b := c.Argument(3); !goja.IsUndefined(b) && !goja.IsNull(b) {
			if in.isBinary(b) {
				body = bytes.Clone(in.bytesOf(b))
			} else {
				body = []byte(b.String())
			}
		}
		redirect := c.Argument(4).String()
		id, cctx, limit := in.startFetch()
		promise := in.Async(func(context.Context) func(*goja.Runtime) (goja.Value, error) {
			res, err := f.do(context.WithValue(cctx, redirectModeKey{}, redirect), method, u, headers, body, limit)
			return func(vm *goja.Runtime) (goja.Value, error) {
				in.endFetch(id)
				if err != nil {
					return nil, err
				}
				o := vm.NewObject()
				_ = o.Set("status", res.status)
				_ = o.Set("statusText", res.statusText)
				_ = o.Set("url", res.url)
				_ = o.Set("redirected", res.redirected)
				_ = o.Set("headers", res.headers)
				_ = o.Set("body", vm.NewArrayBuffer(res.body))
				return o, nil
			}
		})
		_ = out.Set("id", id)
		_ = out.Set("promise", promise)
		return out
	})
	_ = n.Set("fetchAbort", func(c goja.FunctionCall) goja.Value {
		if cancel := in.loop.fetches[c.Argument(0).ToInteger()]; cancel != nil {
			cancel()
		}
		return goja.Undefined()
	})
}

// startFetch registers an outbound request of the invocation (fetchAbort and the end
// of the call cancel it) and returns its id, context and response size limit.
func (in *Instance) startFetch() (int64, context.Context, int) {
	in.loop.fetchSeq++
	id := in.loop.fetchSeq
	ctx, cancel := context.WithCancel(in.Context())
	if in.loop.fetches == nil {
		in.loop.fetches = map[int64]context.CancelFunc{}
	}
	in.loop.fetches[id] = cancel
	return id, ctx, min(maxFetchBody, int(in.guards.maxBytes))
}

// endFetch releases request id's context once its result is back on the loop.
func (in *Instance) endFetch(id int64) {
	if cancel := in.loop.fetches[id]; cancel != nil {
		cancel()
		delete(in.loop.fetches, id)
	}
}

func (f *fetcher) do(ctx context.Context, method string, u *url.URL, h http.Header, body []byte, limit int) (*fetchResult, error) {
	if h.Get("User-Agent") == "" {
		h.Set("User-Agent", "node")
	}
	if h.Get("Accept") == "" {
		h.Set("Accept", "*/*")
	}
	return f.send(ctx, f.client, method, u, h, body, limit)
}

// send makes one request with client (fetch's, or the http module's, which leaves
// bodies compressed) and reads the response body up to limit bytes.
func (f *fetcher) send(ctx context.Context, client *http.Client, method string, u *url.URL, h http.Header, body []byte, limit int) (*fetchResult, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, err
	}
	req.URL = u // as given: the http module's keeps its request path opaque
	req.Header = h
	if host := h.Get("Host"); host != "" {
		req.Host = host
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			var re *requireError
			if errors.As(ue.Err, &re) {
				return nil, re
			}
		}
		if ctx.Err() != nil {
			return nil, errors.New("the request was aborted (deadline or AbortSignal)")
		}
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if len(b) > limit {
		return nil, bodyTooLargeError(limit)
	}
	r := &fetchResult{
		status:     resp.StatusCode,
		statusText: strings.TrimSpace(strings.TrimPrefix(resp.Status, itoa(resp.StatusCode))),
		url:        resp.Request.URL.String(),
		redirected: resp.Request.URL.String() != u.String(),
		body:       b,
	}
	for k, vs := range resp.Header {
		for _, v := range vs {
			r.headers = append(r.headers, strings.ToLower(k), v)
		}
	}
	r.proto = resp.Proto
	r.raw = resp.Header
	return r, nil
}

// bodyTooLargeError is a response larger than the limit (a type, so callers can give
// it a code).
type bodyTooLargeError int

func (e bodyTooLargeError) Error() string {
	return "the response body is larger than " + itoa(int(e)>>20) + " MiB"
}
