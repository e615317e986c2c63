// Reference implementation for the differential test in differential_test.go.
// Reads JSON lines {"docs": [...], "query": {...}, "sort": {...}|null, "projection": {...}|null}
// from stdin and prints, per line, {"ids": [...], "docs": [...]|null} with the _ids of the
// matching documents in sort order and, with a projection, the projected documents, or
// {"error": "..."} when mingo throws.
// Values arrive as relaxed Extended JSON: {"$date": ms} becomes a Date and
// {"$regularExpression": {pattern, options}} a RegExp, and back on output.
"use strict";
const path = require("path");
const readline = require("readline");
const mingo = path.join(__dirname, "../../../conformance/node_modules/mingo");
const { Query } = require(mingo);

function revive(v) {
  if (Array.isArray(v)) return v.map(revive);
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === "$date" && typeof v.$date === "number") {
      return new Date(v.$date);
    }
    if (keys.length === 1 && keys[0] === "$regularExpression") {
      return new RegExp(v.$regularExpression.pattern, v.$regularExpression.options);
    }
    const out = {};
    for (const k of keys) out[k] = revive(v[k]);
    return out;
  }
  return v;
}

function replacer(key, value) {
  const raw = this[key];
  if (raw instanceof Date) return { $date: raw.getTime() };
  if (raw instanceof RegExp) return { $regularExpression: { pattern: raw.source, options: raw.flags } };
  return value;
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
const out = [];
rl.on("line", (line) => {
  if (!line.trim()) return;
  const c = JSON.parse(line);
  try {
    const docs = revive(c.docs);
    let cursor = new Query(revive(c.query)).find(docs);
    if (c.sort) cursor = cursor.sort(c.sort);
    const found = cursor.all();
    const res = { ids: found.map((d) => d._id), docs: null };
    if (c.projection) res.docs = new Query({}).find(found, revive(c.projection)).all();
    out.push(JSON.stringify(res, replacer));
  } catch (e) {
    out.push(JSON.stringify({ error: String(e && e.message) }));
  }
});
rl.on("close", () => {
  process.stdout.write(out.join("\n") + "\n");
});
