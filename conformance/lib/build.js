'use strict';
// `npm test` runs this first (pretest): build the server once, so that a compile error is
// reported once and the test files' own `go build` calls are cache hits.
const { binary } = require('./server');

const t0 = Date.now();
try {
  const bin = binary();
  process.stdout.write(`minicloud binary: ${bin} (${Date.now() - t0} ms)\n`);
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
