'use strict';
// Function folders built from real npm packages: a fixture's index.js plus copies of
// the packages it names and everything they depend on, taken from this folder's
// node_modules (installed by npm ci). Used by the tests that run real packages in
// Node.js and in Minicloud and compare.

const fs = require('node:fs');
const path = require('node:path');
const { CONFORMANCE } = require('./server');

const NODE_MODULES = path.join(CONFORMANCE, 'node_modules');

/** dependencyClosure lists the packages names need, following package.json
 * dependencies through the (hoisted) node_modules folder. */
function dependencyClosure(names) {
  const seen = new Set();
  const queue = [...names];
  while (queue.length) {
    const name = queue.shift();
    if (seen.has(name)) continue;
    const manifest = path.join(NODE_MODULES, name, 'package.json');
    if (!fs.existsSync(manifest)) throw new Error(`${name} is not installed in conformance/node_modules (npm ci)`);
    seen.add(name);
    const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8'));
    queue.push(...Object.keys(pkg.dependencies || {}));
  }
  return [...seen].sort();
}

/** functionWithPackages writes the function folder dir/name: the fixture's index.js
 * (whose exports.PACKAGES names what it requires), a package.json and node_modules.
 * It returns the folder and the packages copied. */
function functionWithPackages(dir, name, fixture) {
  const fn = path.join(dir, name);
  fs.mkdirSync(fn, { recursive: true });
  fs.copyFileSync(path.join(fixture, 'index.js'), path.join(fn, 'index.js'));
  fs.writeFileSync(path.join(fn, 'package.json'), JSON.stringify({ name, main: 'index.js' }));
  const packages = dependencyClosure(require(path.join(fixture, 'index.js')).PACKAGES);
  for (const p of packages) {
    fs.cpSync(path.join(NODE_MODULES, p), path.join(fn, 'node_modules', p), { recursive: true });
  }
  return { fn, packages };
}

module.exports = { dependencyClosure, functionWithPackages };
