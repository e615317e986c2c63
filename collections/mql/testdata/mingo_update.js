// Reference implementation for the differential test in update_test.go.
// Reads JSON lines {"doc": {...}, "update": {...}} from stdin and prints, per line, the
// document updated by mingo's updater, or {"error": true, "message": "..."}.
// mingo accepts one operator per call, so the operators of an update are applied in turn.
"use strict";
const path = require("path");
const readline = require("readline");
const mingo = path.join(__dirname, "../../../conformance/node_modules/mingo");
const { update } = require(path.join(mingo, "updater"));

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
const out = [];
rl.on("line", (line) => {
  if (!line.trim()) return;
  const { doc, update: spec } = JSON.parse(line);
  try {
    for (const [op, args] of Object.entries(spec)) {
      update(doc, { [op]: args });
    }
    out.push(JSON.stringify(doc));
  } catch (e) {
    out.push(JSON.stringify({ error: true, message: String(e && e.message) }));
  }
});
rl.on("close", () => {
  process.stdout.write(out.join("\n") + "\n");
});
