// Runs the browser's reducer (static/js/changes.js, the very file the room's page loads) on
// recorded `changes` messages, for tests/verify_changes.py.
// stdin: {table, cases: [{state, messages}]}; stdout: [{outcomes: [...], state}] in the same order.
"use strict";
const reducer = require("../../static/js/changes.js");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const { table, cases } = JSON.parse(input);
  const results = cases.map(({ state, messages }) => ({
    outcomes: messages.map((message) => reducer.applyMessage(state, message, table)),
    state,
  }));
  process.stdout.write(JSON.stringify(results));
});
