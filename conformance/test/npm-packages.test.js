'use strict';
// Real npm packages run unchanged: fixtures/npm-packages/index.js uses the packages
// CloudBase functions lean on most (lodash, dayjs and its timezone plugin, uuid,
// crypto-js, validator, nanoid, jsonwebtoken, qs, bignumber.js, semver, ms, xml2js,
// iconv-lite, moment-timezone, node-fetch) and a few built-ins (Intl, toLocaleString,
// localeCompare). The test deploys it with copies of those
// packages and everything they depend on (from this folder's node_modules, installed by
// npm ci), invokes it through node-sdk and compares the result with the same main run
// by Node.js.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { isDeepStrictEqual } = require('node:util');
const { startServer, CONFORMANCE } = require('../lib/server');
const { functionWithPackages } = require('../lib/packages');

const PROBE = path.join(CONFORMANCE, 'fixtures', 'npm-packages');
describe('npm packages run unchanged', () => {
  let srv;
  let dir;
  let packages;

  before(async () => {
    srv = await startServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minicloud-npm-'));
    let fn;
    ({ fn, packages } = functionWithPackages(dir, 'npm-packages', PROBE));
    await srv.cli('functions', 'deploy', fn);
  });
  after(async () => {
    if (srv) await srv.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives the results Node.js gives, package by package', async () => {
    // Functions run in UTC (as on CloudBase); so does Node for the comparison.
    const tz = process.env.TZ;
    process.env.TZ = 'UTC';
    let expected;
    try {
      expected = await require(path.join(PROBE, 'index.js')).main();
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
    for (const [name, value] of Object.entries(expected)) {
      assert.ok(!(value && value.error), `Node.js itself failed on ${name}: ${value && value.error}`);
    }
    const res = await srv.admin().callFunction({ name: 'npm-packages', data: {} });
    assert.ok(packages.length > 20, `copied ${packages.length} packages`);
    // Compare all packages at once, so that a failure lists every one that differs.
    const differ = Object.keys(expected).filter((name) => !isDeepStrictEqual(res.result[name], expected[name]));
    const pick = (o) => Object.fromEntries(differ.map((name) => [name, o[name]]));
    assert.deepEqual(pick(res.result), pick(expected), `differ: ${differ.join(', ')}`);
  });
});
