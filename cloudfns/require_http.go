package cloudfns

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/dop251/goja"
)

// The client half of Node's http and https modules: globals_prelude.go builds
// ClientRequest and IncomingMessage on httpRequest below. A request goes through
// fetch's machinery (fetch.go): the same allow-list, response size limit and
// invocation deadline, but it is sent the way Node's http sends it: no default headers,
// redirects returned rather than followed, the body as the server sent it (compressed
// if the server compressed it), the request path byte for byte.

// rawClient is the http module's client: fetch's, with Go's transparent gzip off, as
// Node's http leaves decoding to the caller (zlib).
func rawClient(c *http.Client) *http.Client {
	rc := *c
	switch t := c.Transport.(type) {
	case nil:
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.DisableCompression = true
		rc.Transport = tr
	case *http.Transport:
		tr := t.Clone()
		tr.DisableCompression = true
		rc.Transport = tr
	}
	return &rc
}

// tlsOptions are https.request's TLS options Minicloud honours.
type tlsOptions struct {
	insecure             bool // rejectUnauthorized: false
	ca, cert, key, sname string
}

// clientFor returns the client for a request with TLS options: the shared one when there
// are none, else one of its own (closed by the returned func once the response is read).
func (f *fetcher) clientFor(o tlsOptions) (*http.Client, func(), error) {
	t, ok := f.http.Transport.(*http.Transport)
	if o == (tlsOptions{}) || !ok {
		return f.http, func() {}, nil
	}
	tr := t.Clone()
	cfg := tr.TLSClientConfig
	if cfg == nil {
		cfg = &tls.Config{}
	}
	cfg.InsecureSkipVerify = o.insecure // the caller's choice, as in Node; the allow-list still applies
	if o.ca != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(o.ca)) {
			return nil, nil, &requireError{code: "ERR_INVALID_ARG_VALUE", msg: "the ca option holds no PEM certificate"}
		}
		cfg.RootCAs = pool
	}
	if o.cert != "" || o.key != "" {
		pair, err := tls.X509KeyPair([]byte(o.cert), []byte(o.key))
		if err != nil {
			return nil, nil, &requireError{code: "ERR_INVALID_ARG_VALUE", msg: "the cert and key options must be a PEM certificate and its unencrypted PEM key: " + err.Error()}
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	if o.sname != "" {
		cfg.ServerName = o.sname
	}
	tr.TLSClientConfig = cfg
	c := *f.http
	c.Transport = tr
	return &c, tr.CloseIdleConnections, nil
}

// setRequestPath makes path (Node's options.path: path and query) u's request target,
// unescaped and unnormalised as Node sends it.
func setRequestPath(u *url.URL, path string) {
	p, q, hasQuery := strings.Cut(path, "?")
	if p == "" {
		p = "/"
	}
	if strings.HasPrefix(p, "//") {
		u.Path = p // an opaque "//x" would read as an absolute URL
	} else {
		u.Opaque = p
	}
	u.RawQuery, u.ForceQuery = q, hasQuery && q == ""
}

// netFailure describes a failed request as Node's errors do (message, code, errno,
// syscall, address, port).
type netFailure struct {
	message, code, syscall, address, hostname string
	errno, port                               int
}

func (nf netFailure) object(vm *goja.Runtime) *goja.Object {
	o := vm.NewObject()
	_ = o.Set("message", nf.message)
	_ = o.Set("code", nf.code)
	if nf.errno != 0 {
		_ = o.Set("errno", nf.errno)
	}
	if nf.syscall != "" {
		_ = o.Set("syscall", nf.syscall)
	}
	if nf.address != "" {
		_ = o.Set("address", nf.address)
		_ = o.Set("port", nf.port)
	}
	if nf.hostname != "" {
		_ = o.Set("hostname", nf.hostname)
	}
	return o
}

// errnos are the socket errors Node reports by name (Linux numbers, negated as in Node).
var errnos = map[syscall.Errno]string{
	syscall.ECONNREFUSED: "ECONNREFUSED", syscall.ECONNRESET: "ECONNRESET", syscall.ETIMEDOUT: "ETIMEDOUT",
	syscall.EHOSTUNREACH: "EHOSTUNREACH", syscall.ENETUNREACH: "ENETUNREACH", syscall.EPIPE: "EPIPE",
	syscall.ECONNABORTED: "ECONNABORTED", syscall.EADDRNOTAVAIL: "EADDRNOTAVAIL",
}

// classifyNetError turns a request failure into Node's error for it.
func classifyNetError(err error, u *url.URL) netFailure {
	var re *requireError
	if errors.As(err, &re) {
		return netFailure{message: re.msg, code: re.code}
	}
	var tooLarge bodyTooLargeError
	if errors.As(err, &tooLarge) {
		return netFailure{message: err.Error(), code: "ERR_FETCH_BODY_TOO_LARGE"}
	}
	if ue, ok := err.(*url.Error); ok {
		err = ue.Err
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		code, errno := "ENOTFOUND", -3008
		if !dns.IsNotFound && (dns.IsTemporary || dns.IsTimeout) {
			code, errno = "EAI_AGAIN", -3001
		}
		return netFailure{message: "getaddrinfo " + code + " " + dns.Name, code: code, errno: errno, syscall: "getaddrinfo", hostname: dns.Name}
	}
	var op *net.OpError
	var errno syscall.Errno
	if errors.As(err, &errno) && errnos[errno] != "" {
		nf := netFailure{code: errnos[errno], errno: -int(errno), syscall: "read"}
		if errors.As(err, &op) {
			switch op.Op {
			case "dial":
				nf.syscall = "connect"
			case "write":
				nf.syscall = "write"
			}
			if op.Addr != nil {
				if h, p, e := net.SplitHostPort(op.Addr.String()); e == nil {
					nf.address = h
					nf.port, _ = strconv.Atoi(p)
				}
			}
		}
		nf.message = nf.syscall + " " + nf.code
		if nf.address != "" {
			nf.message += " " + net.JoinHostPort(nf.address, strconv.Itoa(nf.port))
		}
		return nf
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return netFailure{message: "connect ETIMEDOUT " + u.Host, code: "ETIMEDOUT", errno: -110, syscall: "connect"}
	}
	var unknownCA x509.UnknownAuthorityError
	if errors.As(err, &unknownCA) {
		if c := unknownCA.Cert; c != nil && bytes.Equal(c.RawIssuer, c.RawSubject) {
			return netFailure{message: "self-signed certificate", code: "DEPTH_ZERO_SELF_SIGNED_CERT"}
		}
		return netFailure{message: "unable to verify the first certificate", code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE"}
	}
	var hostErr x509.HostnameError
	if errors.As(err, &hostErr) {
		return netFailure{message: "Hostname/IP does not match certificate's altnames: " + hostErr.Error(), code: "ERR_TLS_CERT_ALTNAME_INVALID"}
	}
	var invalid x509.CertificateInvalidError
	if errors.As(err, &invalid) {
		if invalid.Reason == x509.Expired {
			return netFailure{message: "certificate has expired", code: "CERT_HAS_EXPIRED"}
		}
		return netFailure{message: "certificate is not valid: " + invalid.Error(), code: "ERR_TLS_CERT_INVALID"}
	}
	var record tls.RecordHeaderError
	if errors.As(err, &record) {
		return netFailure{message: "write EPROTO: the server did not answer with TLS", code: "EPROTO", errno: -71, syscall: "write"}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return netFailure{message: "socket hang up", code: "ECONNRESET"}
	}
	if strings.Contains(err.Error(), "malformed HTTP") {
		return netFailure{message: "Parse Error: " + err.Error(), code: "HPE_INVALID_CONSTANT"}
	}
	return netFailure{message: err.Error(), code: "ERR_HTTP_REQUEST_FAILED"}
}

func (in *Instance) httpNatives(n *goja.Object) {
	vm := in.vm
	f := in.rt.fetch
	// httpRequest(origin, path, method, [name, value, …], body|null, tls|null) →
	// {id, promise}: the promise always resolves, with {status, statusText, httpVersion,
	// headers: [name, value, …], body: ArrayBuffer} or {error: {message, code, …}}, so
	// the prelude can emit 'error' as Node does (an unhandled rejection would fail
	// the invocation even when the function listens for 'error').
	_ = n.Set("httpRequest", func(c goja.FunctionCall) goja.Value {
		out := vm.NewObject()
		done := func(v goja.Value) goja.Value {
			p, resolve, _ := vm.NewPromise()
			_ = resolve(v)
			_ = out.Set("id", 0)
			_ = out.Set("promise", p)
			return out
		}
		failed := func(nf netFailure) goja.Value {
			o := vm.NewObject()
			_ = o.Set("error", nf.object(vm))
			return done(o)
		}
		origin := c.Argument(0).String()
		u, err := url.Parse(origin)
		if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return failed(netFailure{message: "Invalid URL: " + origin, code: "ERR_INVALID_URL"})
		}
		if !f.allowed(u) {
			e := f.refusal(u).(*requireError)
			return failed(netFailure{message: e.msg, code: e.code})
		}
		setRequestPath(u, c.Argument(1).String())
		method := c.Argument(2).String()
		hv := jsArrayValues(c.Argument(3))
		headers := make(http.Header, len(hv)/2+1)
		for i := 0; i+1 < len(hv); i += 2 {
			headers.Add(hv[i].String(), hv[i+1].String())
		}
		if _, ok := headers["User-Agent"]; !ok {
			headers["User-Agent"] = []string{""} // Node sends none; an empty value stops Go's own
		}
		var body []byte
		if b := c.Argument(4); in.isBinary(b) {
			body = bytes.Clone(in.bytesOf(b))
		}
		var o tlsOptions
		if t, ok := c.Argument(5).(*goja.Object); ok {
			str := func(k string) string {
				if v := t.Get(k); v != nil && !goja.IsUndefined(v) && !goja.IsNull(v) {
					return v.String()
				}
				return ""
			}
			o = tlsOptions{insecure: t.Get("insecure").ToBoolean(), ca: str("ca"), cert: str("cert"), key: str("key"), sname: str("servername")}
		}
		client, cleanup, err := f.clientFor(o)
		if err != nil {
			return failed(classifyNetError(err, u))
		}
		id, cctx, limit := in.startFetch()
		promise := in.Async(func(context.Context) func(*goja.Runtime) (goja.Value, error) {
			res, err := f.send(context.WithValue(cctx, redirectModeKey{}, "manual"), client, method, u, headers, body, limit)
			cleanup()
			var nf netFailure
			if err != nil {
				nf = classifyNetError(err, u)
				switch cerr := cctx.Err(); {
				case errors.Is(cerr, context.DeadlineExceeded):
					nf = netFailure{message: "the function's time limit was reached before the response arrived", code: "ETIMEDOUT", errno: -110}
				case cerr != nil:
					nf = netFailure{message: "The operation was aborted", code: "ABORT_ERR"}
				}
			}
			return func(vm *goja.Runtime) (goja.Value, error) {
				in.endFetch(id)
				r := vm.NewObject()
				if err != nil {
					_ = r.Set("error", nf.object(vm))
					return r, nil
				}
				names := make([]string, 0, len(res.raw))
				for k := range res.raw {
					names = append(names, k)
				}
				slices.Sort(names)
				flat := make([]any, 0, 2*len(names))
				for _, k := range names {
					for _, v := range res.raw[k] {
						flat = append(flat, k, v)
					}
				}
				_ = r.Set("status", res.status)
				_ = r.Set("statusText", res.statusText)
				_ = r.Set("httpVersion", strings.TrimPrefix(res.proto, "HTTP/"))
				_ = r.Set("headers", flat)
				_ = r.Set("body", vm.NewArrayBuffer(res.body))
				return r, nil
			}
		})
		_ = out.Set("id", id)
		_ = out.Set("promise", promise)
		return out
	})
}
