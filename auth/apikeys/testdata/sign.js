#!/usr/bin/env node
// Generates testdata/vectors.json: golden TC3-HMAC-SHA256 requests produced by the REAL
// @cloudbase/signature-nodejs signer (and by the real @cloudbase/node-sdk / wx-server-sdk
// request pipeline, captured on the wire with a frozen clock).
//
//   node auth/apikeys/testdata/sign.js > auth/apikeys/testdata/vectors.json
//
// The Go tests only read vectors.json; node is not needed to run them.
'use strict'

const path = require('path')
const http = require('http')

const NM = path.join(__dirname, '../../../conformance/node_modules')
const SIG_PATH = path.join(NM, '@cloudbase/signature-nodejs')
const { sign } = require(SIG_PATH)
const FormData = require(path.join(NM, 'form-data'))

const SECRET_ID = 'AKIDm1n1cl0udT3stV3ct0rS3cr3t1d00'
const SECRET_KEY = 'm1n1cl0udT3stV3ct0rS3cr3tK3y00000'
const TS = 1767225600 // 2026-01-01T00:00:00Z
const SDK_VERSION = 'tcb-node-sdk/3.18.3'
const HOST = '127.0.0.1:8090'

function b64 (buf) { return Buffer.from(buf).toString('base64') }

// Mirrors utils.filterUndefined + TcbApiHttpRequester.getHeaders/makeReqOpts and
// request-core.buildHttpRequestInfo of @cloudbase/node-sdk 3.18.3, but calls the real signer.
function signed ({ name, method = 'post', url = `http://${HOST}/admin?env=test-env&seqId=19b5f2d2a00_1`, params = {}, contentType = 'application/json', extraHeaders = {}, timestamp = TS, withSignedParams = true, note }) {
  for (const k of Object.keys(params)) if (params[k] === undefined) delete params[k]
  const u = new URL(url)
  const requiredHeaders = {
    ...extraHeaders,
    'content-type': contentType,
    'User-Agent': SDK_VERSION,
    'X-TCB-Source': ',unknown',
    'X-Client-Timestamp': timestamp * 1000 + 123,
    'X-SDK-Version': SDK_VERSION,
    Host: require('url').parse(url).host
  }
  const { authorization, timestamp: ts } = sign({
    secretId: SECRET_ID,
    secretKey: SECRET_KEY,
    method,
    url,
    params,
    headers: requiredHeaders,
    withSignedParams,
    timestamp
  })
  const wire = { ...requiredHeaders, Authorization: authorization, 'X-Signature-Expires': 600, 'X-Timestamp': ts }
  let body = Buffer.alloc(0)
  if (method.toLowerCase() !== 'get') {
    if (contentType.startsWith('multipart/form-data')) {
      const fd = new FormData()
      for (const k of Object.keys(params)) fd.append(k, params[k])
      Object.assign(wire, fd.getHeaders()) // overrides content-type with the boundary form
      body = fd.getBuffer()
    } else {
      body = Buffer.from(JSON.stringify(params), 'utf8')
    }
  }
  const host = wire.Host
  delete wire.Host
  return {
    name,
    source: 'signature-nodejs sign()',
    note,
    now: timestamp,
    method: method.toUpperCase(),
    target: u.pathname + u.search,
    host,
    headers: Object.entries(wire).map(([k, v]) => [k, String(v)]),
    bodyBase64: b64(body)
  }
}

const dbParams = () => ({
  action: 'database.getDocument',
  collectionName: 'todos',
  queryType: 'WHERE',
  query: '{"done":false,"n":{"$gt":{"$numberInt":"3"}}}',
  order: '{"n":{"$numberInt":"-1"}}',
  offset: 0,
  limit: 100,
  projection: '{}',
  envName: 'test-env',
  wxCloudApiToken: '',
  wxCloudbaseAccesstoken: '',
  tcb_sessionToken: '',
  sessionToken: undefined,
  crossAuthorizationToken: ''
})

const vectors = [
  signed({ name: 'json-db-get', params: dbParams() }),
  signed({ name: 'json-empty-object', params: {}, note: 'POST with body {}: payload hash is sha256("")' }),
  signed({ name: 'get-no-body', method: 'get', params: { action: 'ignored' }, note: 'GET: params are not hashed and no body is sent' }),
  signed({ name: 'method-uppercase', method: 'POST', params: { action: 'auth.getUserInfoForAdmin', uuid: 'u1' }, note: "method 'POST' (not 'post') goes into the canonical request verbatim" }),
  signed({
    name: 'json-tricky-values',
    params: {
      action: 'functions.invokeFunction',
      Function_Name: '  sum  ',
      'Weird Key!': 'x',
      'ünï': 'ÄÖÜ',
      empty: '',
      blank: '   ',
      nbsp: '\u00a0v\ufeff',
      nel: '\u0085v\u0085',
      nul: null,
      f: false,
      zero: 0,
      neg: -1.5,
      big: 1e21,
      nested: { b: [1, 'two', { c: null }], a: 'ä"\\\n' },
      arr: ['x', ' y '],
      emoji: '😀 \u2028',
      request_data: '{"a":1}',
      envName: 'test-env'
    },
    note: 'keys lowercased+trimmed+camSafeUrlEncoded, string values trimmed (JS trim), empty values skipped, non-strings hashed as JSON.stringify'
  }),
  signed({ name: 'query-extra', url: `http://${HOST}/admin?env=test-env&seqId=abc-19b5f2d2a00_2&scfRequestId=req-1`, params: { action: 'storage.getTempFileURL', envName: 'test-env' }, note: 'query string is signed verbatim' }),
  signed({ name: 'custom-headers', params: { action: 'database.countDocument', collectionName: 'c' }, extraHeaders: { 'X-Custom-Thing': ' MiXeD Case ', 'x-tcb-region': 'ap-shanghai', 'X-Latin1': '\u00a0\u00dcN\u00cf\u0085\u00a0' }, note: 'config.headers are signed; header values lowercased and trimmed (JS trim, so also NBSP); Node writes header strings as latin1, header values in this file are latin1 (one char per wire byte)' }),
  signed({ name: 'no-signed-params', withSignedParams: false, params: { action: 'a', tcb_x: '1', 'tcb-y': '2', tcb1: '3', tcbz: '4', 'tcb.q': '5', 'tcb~': '6', TCB: '7' }, note: 'no SignedParams list: verifier must sort keys like String.localeCompare' }),
  signed({ name: 'date-boundary', timestamp: TS - 1, params: { action: 'x', envName: 'e' }, note: 'credential date is the UTC date of the timestamp (2025-12-31)' }),
  signed({ name: 'default-port-host', url: 'http://minicloud.example.com/admin?env=e&seqId=1', params: { action: 'x' } }),
  signed({
    name: 'multipart-openapi',
    contentType: 'multipart/form-data',
    params: {
      action: 'wx.openApi',
      apiName: 'security.msgSecCheck',
      cgiName: 'commrpcv2',
      requestData: Buffer.from('{"content":"  hello  "}\n'),
      apiOptions: Buffer.from([0x0a, 0x00, 0x20, 0xff, 0x0d, 0x0a]),
      emptyBuf: Buffer.alloc(0),
      padded: '  spaced value \n',
      envName: 'test-env',
      wxCloudApiToken: '',
      tcb_sessionToken: '',
      crossAuthorizationToken: ''
    },
    note: 'multipart: content-type signed as "multipart/form-data"; Buffer parts (Content-Type: application/octet-stream) hashed raw, string parts trimmed, empty strings skipped'
  })
]

// Collation check data: random keys over the alphabet that can occur after
// camSafeUrlEncode(key.toLowerCase().trim()), sorted with the signer's comparator.
function collationSample () {
  let seed = 42
  const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x80000000 }
  const alpha = 'abcdefz09_-.~'
  const keys = new Set(['a', 'A', '%2A', '%2a', 'tcb_sessiontoken', 'tcb-x', 'tcb1', 'tcbx', 'a_', 'a', 'ab', '_a', '%C3%A9', 'e', 'f', '%41'])
  while (keys.size < 400) {
    let k = ''
    const n = 1 + Math.floor(rnd() * 5)
    for (let i = 0; i < n; i++) {
      if (rnd() < 0.1) k += '%' + '0123456789ABCDEF'[Math.floor(rnd() * 16)] + '0123456789ABCDEF'[Math.floor(rnd() * 16)]
      else k += alpha[Math.floor(rnd() * alpha.length)]
    }
    keys.add(k)
  }
  return [...keys].sort((l, r) => l.toString().localeCompare(r))
}

// ---- capture real SDK requests on the wire, with a frozen clock ----
function freezeClock (ms) {
  const RealDate = Date
  class FrozenDate extends RealDate {
    constructor (...a) { if (a.length === 0) super(ms); else super(...a) }
    static now () { return ms }
  }
  global.Date = FrozenDate
}

async function captureSDK () {
  const FROZEN_MS = TS * 1000 + 1500
  freezeClock(FROZEN_MS)
  process.env.SILENCE = 'true'
  const captured = []
  let label = ''
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', c => chunks.push(c))
    req.on('end', () => {
      const headers = []
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]])
      const host = headers.find(([k]) => k.toLowerCase() === 'host')[1]
      captured.push({
        name: label,
        now: Math.floor(FROZEN_MS / 1000),
        method: req.method,
        target: req.url,
        host,
        headers: headers.filter(([k]) => !['host', 'connection', 'content-length'].includes(k.toLowerCase())),
        bodyBase64: b64(Buffer.concat(chunks))
      })
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ requestId: 'r', data: { list: [], response_data: '{}' } }))
    })
  })
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
  const serviceUrl = `http://127.0.0.1:${server.address().port}/admin`
  const cfg = { env: 'test-env', serviceUrl, secretId: SECRET_ID, secretKey: SECRET_KEY, timeout: 5000 }

  const tcb = require(path.join(NM, '@cloudbase/node-sdk'))
  const app = tcb.init(cfg)
  const steps = [
    ['node-sdk db where().get()', () => app.database().collection('todos').where({ done: false, n: app.database().command.gt(3) }).limit(5).get()],
    ['node-sdk callFunction', () => app.callFunction({ name: 'sum', data: { a: 1, b: ' two ' } })],
    ['node-sdk callCompatibleWxOpenApi (multipart)', () => app.callCompatibleWxOpenApi({ apiName: 'security.msgSecCheck', requestData: Buffer.from(JSON.stringify({ content: 'hi' })) })]
  ]
  const cloud = require(path.join(NM, 'wx-server-sdk'))
  cloud.init(cfg)
  steps.push(['wx-server-sdk db doc().get()', () => cloud.database().collection('todos').doc('doc-1').get()])
  steps.push(['wx-server-sdk openapi (multipart)', () => cloud.openapi.security.msgSecCheck({ content: 'hello' })])

  for (const [name, fn] of steps) {
    label = name
    const before = captured.length
    try { await fn() } catch (e) { /* the fake response may not satisfy the SDK; only the request matters */ }
    for (const c of captured.slice(before)) c.source = name.startsWith('wx') ? 'wx-server-sdk 4.0.2 (node-sdk 3.17.2) on the wire' : '@cloudbase/node-sdk 3.18.3 on the wire'
    if (captured.length === before) throw new Error('no request captured for ' + name)
  }
  server.close()
  return captured
}

async function main () {
  const collation = collationSample()
  const sdkVectors = await captureSDK()
  const out = {
    generator: 'auth/apikeys/testdata/sign.js',
    signatureNodejs: require(path.join(SIG_PATH, 'package.json')).version,
    nodeSdk: require(path.join(NM, '@cloudbase/node-sdk/package.json')).version,
    secretId: SECRET_ID,
    secretKey: SECRET_KEY,
    vectors: [...vectors, ...sdkVectors],
    collation
  }
  process.stdout.write(JSON.stringify(out, null, 1) + '\n')
  setImmediate(() => process.exit(0))
}

main().catch(e => { console.error(e); process.exit(1) })
