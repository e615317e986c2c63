#!/usr/bin/env node
// Driven by TestNodeSDKSignatureLive: performs real SDK calls against a Go httptest server.
//   node live.js '{"serviceUrl":"http://127.0.0.1:PORT/admin","secretId":"..","secretKey":"..","accessKey":"..","steps":["db-get",...]}'
// Prints one JSON line {"results":[{"step":..,"ok":bool,"value"|"error":..}]}.
'use strict'
const path = require('path')

const NM = path.join(__dirname, '../../../conformance/node_modules')
process.env.SILENCE = 'true'

async function main () {
  const cfg = JSON.parse(process.argv[2])
  const init = { env: 'test-env', serviceUrl: cfg.serviceUrl, timeout: 10000 }
  if (cfg.accessKey) init.accessKey = cfg.accessKey
  else Object.assign(init, { secretId: cfg.secretId, secretKey: cfg.secretKey })

  let app, cloud
  const nodeApp = () => app || (app = require(path.join(NM, '@cloudbase/node-sdk')).init(init))
  const wxCloud = () => {
    if (!cloud) { cloud = require(path.join(NM, 'wx-server-sdk')); cloud.init(init) }
    return cloud
  }
  const steps = {
    'db-get': () => nodeApp().database().collection('x').get(),
    callFunction: () => nodeApp().callFunction({ name: 'sum', data: { a: 1, b: ' two ' } }),
    'wx-openapi-multipart': () => nodeApp().callCompatibleWxOpenApi({ apiName: 'security.msgSecCheck', requestData: Buffer.from('{"content":"hi"}\n') }).then(b => Buffer.isBuffer(b) ? b.toString() : b),
    'wx-server-sdk-db-get': () => wxCloud().database().collection('x').where({ n: 1 }).get()
  }
  const results = []
  for (const name of cfg.steps) {
    try {
      const value = await steps[name]()
      results.push({ step: name, ok: true, value })
    } catch (e) {
      results.push({ step: name, ok: false, error: String((e && (e.message || e.errMsg)) || e) })
    }
  }
  process.stdout.write(JSON.stringify({ results }) + '\n')
}

main().then(() => process.exit(0), e => { console.error(e); process.exit(2) })
