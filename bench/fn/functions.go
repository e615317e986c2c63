package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The functions the bench deploys, the events it sends them and the Node server it
// compares them with. Each function is an ordinary CloudBase function folder
// (index.js exporting main); the Node server require()s the very same index.js files.

const (
	fnTrivial   = "bench_trivial"
	fnTransform = "bench_transform"
	fnQuery     = "bench_query"
	fnCold      = "bench_cold"
	fnMemPrefix = "bench_mem_"
	collName    = "bench"
)

// srcTrivial is scenario a: the function returns its event.
const srcTrivial = "exports.main = async (event) => event\n"

// srcTransform is scenario b: a small JSON transform over the event's ~20 items.
const srcTransform = `exports.main = async (event) => {
  const items = event.items.filter((it) => it.qty > 0);
  const byTag = {};
  for (const it of items) for (const t of it.tags) byTag[t] = (byTag[t] || 0) + it.price * it.qty;
  const top = items.slice().sort((a, b) => b.price * b.qty - a.price * a.qty).slice(0, 3);
  return {
    count: items.length,
    total: items.reduce((s, it) => s + it.price * it.qty, 0),
    names: items.map((it) => it.name.toUpperCase()),
    top: top.map((it) => it.id),
    byTag,
    at: new Date(event.ts).toISOString(),
  };
};
`

// srcQuery is scenario c: one indexed query through wx-server-sdk, as CloudBase
// functions are written.
const srcQuery = `const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();

exports.main = async (event) => {
  const res = await db.collection('` + collName + `').where({ k: event.k }).limit(1).get();
  return res.data;
};
`

// srcCold is the function redeployed for the first-call latency (scenario d): a typical
// function with a helper file and wx-server-sdk; each deploy carries its sample number
// so the bench can tell that the first call ran the new version.
func srcCold(version int) map[string]string {
	return map[string]string{
		"index.js": fmt.Sprintf(`const cloud = require('wx-server-sdk');
const { summarize } = require('./lib/summary');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();
const _ = db.command;

exports.main = async (event, context) => {
  const { OPENID } = cloud.getWXContext();
  return { sample: %d, openid: OPENID, summary: summarize(event.items || []), gt: typeof _.gt };
};
`, version),
		"lib/summary.js": `exports.summarize = (items) => ({ n: items.length, sum: items.reduce((s, x) => s + x, 0) });
`,
		"package.json": `{"name":"bench-cold","version":"1.0.0","main":"index.js"}
`,
	}
}

// trivialEvent is the event of scenario a.
const trivialEvent = `{"a":1,"b":"hello","c":[1,2,3],"d":{"e":true,"f":null}}`

// transformEvent is the event of scenario b: 20 items.
func transformEvent() string {
	items := make([]string, 20)
	for i := range items {
		items[i] = fmt.Sprintf(`{"id":%d,"name":"item %d","price":%d.5,"qty":%d,"tags":["t%d","all"]}`, i, i, i, i%3, i%4)
	}
	return `{"ts":1700000000000,"items":[` + strings.Join(items, ",") + `]}`
}

// writeFunction writes a function folder dir/name with files.
func writeFunction(dir, name string, files map[string]string) (string, error) {
	fdir := filepath.Join(dir, name)
	for p, src := range files {
		full := filepath.Join(fdir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(full, []byte(src), 0o644); err != nil {
			return "", err
		}
	}
	return fdir, nil
}

// writeFunctions writes the benchmark's functions (a cloudfunctions/ folder: one
// sub-folder per function) and n memory-probe functions into their own folder.
func writeFunctions(dir string, memN int) (fnDir, memDir string, err error) {
	fnDir = filepath.Join(dir, "cloudfunctions")
	for name, src := range map[string]string{fnTrivial: srcTrivial, fnTransform: srcTransform, fnQuery: srcQuery} {
		if _, err := writeFunction(fnDir, name, map[string]string{"index.js": src}); err != nil {
			return "", "", err
		}
	}
	memDir = filepath.Join(dir, "memfunctions")
	for i := 0; i < memN; i++ {
		if _, err := writeFunction(memDir, memFunction(i), map[string]string{"index.js": srcQuery}); err != nil {
			return "", "", err
		}
	}
	return fnDir, memDir, nil
}

func memFunction(i int) string { return fmt.Sprintf("%s%03d", fnMemPrefix, i) }

// nodeServer is the Node.js baseline: a minimal `http` server that calls the same
// main of the same index.js, JSON in and JSON out. Usage:
// node server.js PORT FUNCTIONS_DIR NAME...; POST /NAME with the event as the body.
const nodeServer = `'use strict';
const http = require('node:http');
const path = require('node:path');

const [port, dir, ...names] = process.argv.slice(2);
const fns = {};
for (const name of names) fns['/' + name] = require(path.resolve(dir, name, 'index.js'));

let seq = 0;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    const fn = fns[req.url];
    if (!fn) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no function ' + req.url);
      return;
    }
    try {
      const event = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      const out = await fn.main(event, { request_id: String(++seq) });
      const body = JSON.stringify(out === undefined ? null : out);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String((e && e.stack) || e));
    }
  });
});
server.keepAliveTimeout = 60000;
server.listen(Number(port), '127.0.0.1', () => console.log('node baseline listening on ' + port));
`

// sameJSON reports whether two JSON texts hold the same value.
func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

// withoutUserInfo drops the userInfo member CloudBase adds to a client's event from a
// JSON object (other values come back unchanged).
func withoutUserInfo(b []byte) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil || m == nil {
		return b
	}
	delete(m, "userInfo")
	out, _ := json.Marshal(m)
	return out
}
