// Reference implementation for the differential test in aggregate_mingo_test.go.
// Reads one JSON object {"docs": [...], "collections": {name: [...]}, "pipelines": [[...], ...]}
// from stdin and prints one JSON line per pipeline: {"docs": [...]} with the documents
// mingo's Aggregator produced over "docs" ($lookup reads "collections"), or
// {"error": "..."} when mingo throws.
// Values arrive as relaxed Extended JSON: {"$date": ms} becomes a Date and
// {"$regularExpression": {pattern, options}} a RegExp, and back on output.
"use strict";
const path = require("path");
const mingo = path.join(__dirname, "../../../conformance/node_modules/mingo");
require(path.join(mingo, "init/system")); // every operator, not just the basic set
const { Aggregator } = require(mingo);

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

const chunks = [];
process.stdin.on("data", (c) => chunks.push(c));
process.stdin.on("end", () => {
  const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const out = [];
  for (const pipeline of input.pipelines) {
    try {
      // fresh copies per pipeline: some stages may modify documents in place
      const collections = {};
      for (const [name, docs] of Object.entries(input.collections || {})) collections[name] = revive(docs);
      const agg = new Aggregator(revive(pipeline), {
        collectionResolver: (name) => collections[name] || [],
      });
      const docs = agg.run(revive(input.docs));
      out.push(JSON.stringify({ docs }, replacer));
    } catch (e) {
      out.push(JSON.stringify({ error: String((e && e.message) || e) }));
    }
  }
  process.stdout.write(out.join("\n") + "\n");
});
