'use strict';
// axios (0.27, the version CloudBase function templates pin) runs unchanged on
// Minicloud's http, https and zlib modules: fixtures/axios/index.js calls a local API
// (started here, in the test process) with GET and POST, query parameters, custom
// headers, basic auth, 4xx and 5xx errors, gzip and deflate responses, redirects
// followed and not, binary bodies, a timeout and a refused connection. The function is
// deployed with axios and its dependencies copied from this folder's node_modules, and
// its result must equal what the same main gives in Node.js. The fetch allow-list
// (MINICLOUD_FUNCTIONS_FETCH_ALLOW) admits 127.0.0.1; a host outside it is refused.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const net = require('node:net');
const zlib = require('node:zlib');
const { startServer, CONFORMANCE } = require('../lib/server');
const { functionWithPackages } = require('../lib/packages');

const FIXTURE = path.join(CONFORMANCE, 'fixtures', 'axios');
// api is the API the function calls.
function api(req, res) {
  const url = new URL(req.url, 'http://x');
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    const json = (status, value, headers = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(value));
    };
    switch (url.pathname) {
      case '/json':
        return json(200, { query: Object.fromEntries(url.searchParams), search: url.search, custom: req.headers['x-custom'] || null });
      case '/echo': {
        const headers = {};
        for (const k of ['accept', 'content-type', 'content-length', 'user-agent', 'x-app', 'x-token', 'authorization']) {
          if (req.headers[k] !== undefined) headers[k] = req.headers[k];
        }
        return json(201, { method: req.method, url: req.url, headers, body }, { 'x-echo': 'yes' });
      }
      case '/missing':
        return json(404, { errcode: 40001, errmsg: 'not found' });
      case '/fail':
        return json(500, { errmsg: 'boom', got: JSON.parse(body) });
      case '/gzip':
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        return res.end(zlib.gzipSync(JSON.stringify({ compressed: 'gzip', text: 'hello '.repeat(200) })));
      case '/deflate':
        res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'deflate' });
        return res.end(zlib.deflateSync('deflated '.repeat(50)));
      case '/redirect':
        res.writeHead(302, { location: '/json?from=redirect', 'content-type': 'text/plain' });
        return res.end('see /json');
      case '/bytes':
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(Buffer.from([0, 1, 2, 254, 255]));
      case '/slow':
        return; // never answers: the caller's timeout ends it
      default:
        return json(404, {});
    }
  });
}

function closedPort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

describe('axios runs unchanged', () => {
  let srv;
  let dir;
  let apiServer;
  let event;

  before(async () => {
    apiServer = http.createServer(api);
    await new Promise((resolve) => apiServer.listen(0, '127.0.0.1', resolve));
    event = { base: `http://127.0.0.1:${apiServer.address().port}`, closedPort: await closedPort() };
    srv = await startServer({ extraEnv: { MINICLOUD_FUNCTIONS_FETCH_ALLOW: '127.0.0.1' } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minicloud-axios-'));
    const { fn } = functionWithPackages(dir, 'axios-client', FIXTURE);
    const other = path.join(dir, 'axios-outside');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'index.js'), `const axios = require('axios');
exports.main = async () => {
  try { await axios.get('https://api.weixin.qq.com/cgi-bin/token'); return 'resolved'; }
  catch (e) { return { isAxiosError: axios.isAxiosError(e), code: e.code, message: e.message }; }
};`);
    fs.cpSync(path.join(fn, 'node_modules'), path.join(other, 'node_modules'), { recursive: true });
    await srv.cli('functions', 'deploy', fn);
    await srv.cli('functions', 'deploy', other);
  });
  after(async () => {
    if (srv) await srv.stop();
    if (apiServer) {
      apiServer.closeAllConnections();
      apiServer.close();
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives the results Node.js gives', async () => {
    const expected = await require(path.join(FIXTURE, 'index.js')).main(event);
    // what the API saw and sent back, as a reminder of what is being compared
    assert.equal(expected.get.data.custom, 'yes');
    assert.equal(expected.post.data.headers['x-token'], 't-1');
    assert.equal(expected.notFound.status, 404);
    assert.equal(expected.gzip.data.compressed, 'gzip');
    assert.equal(expected.timeout.code, 'ECONNABORTED');
    assert.equal(expected.refused.code, 'ECONNREFUSED');
    const res = await srv.admin().callFunction({ name: 'axios-client', data: event });
    const differ = Object.keys(expected).filter((k) => !require('node:util').isDeepStrictEqual(res.result[k], expected[k]));
    const pick = (o) => Object.fromEntries(differ.map((k) => [k, o && o[k]]));
    assert.deepEqual(pick(res.result), pick(expected), `differ: ${differ.join(', ')}`);
  });

  it('refuses a host outside the fetch allow-list', async () => {
    const res = await srv.admin().callFunction({ name: 'axios-outside', data: {} });
    assert.deepEqual(res.result, {
      isAxiosError: true,
      code: 'ERR_FETCH_NOT_ALLOWED',
      message: "fetch to api.weixin.qq.com:443 is not allowed: the host is not on Minicloud's fetch allow-list",
    });
  });
});
