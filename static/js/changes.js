// The one reducer of the room's state: merges `changes` messages by the server's change table
// (meetings/changes.py, given to the page as JSON; docs/protocol.md "Changes"). room.js uses it
// for every section, features included; the tests run this same file in Node on recorded messages.
(function (root) {
  "use strict";

  // The object holding the path's last name (made on the way when missing), and that name.
  function parent(state, path, empty) {
    var names = path.split(".");
    var last = names.pop();
    var node = state;
    names.forEach(function (name) {
      if (node[name] === undefined || node[name] === null) node[name] = {};
      node = node[name];
    });
    if (node[last] === undefined || node[last] === null) node[last] = empty();
    return { node: node, last: last };
  }
  function emptyObject() { return {}; }
  function emptyList() { return []; }
  function assign(target, source) {
    Object.keys(source).forEach(function (k) { target[k] = source[k]; });
  }

  function applyPart(state, part, value) {
    var rule = part.rule || "replace";
    var at;
    if (rule === "replace") {
      at = parent(state, part.path, emptyObject);
      at.node[at.last] = value;
      return;
    }
    var items = Array.isArray(value) ? value : [value];
    if (rule === "patch" && !part.key) {
      at = parent(state, part.path, emptyObject);
      items.forEach(function (item) { assign(at.node[at.last], item); });
      return;
    }
    at = parent(state, part.path, emptyList);
    var list = at.node[at.last];
    var key = part.key;
    items.forEach(function (item) {
      var i = list.findIndex(function (row) { return row[key] === item[key]; });
      if (rule === "patch") { if (i >= 0) assign(list[i], item); }
      else if (i >= 0) list[i] = item;
      else list.push(item);
    });
    if (rule === "upsert" && part.sort) {
      list.sort(function (a, b) { return a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0; });
    }
  }

  // Merge one {type, data} into a snapshot-shaped state. False when the type is not in the table.
  function applyChange(state, change, table) {
    var parts = table[change.type];
    if (!parts) return false;
    var data = change.data;
    parts.forEach(function (part) {
      if (!part.field) applyPart(state, part, data);
      else if (data && Object.prototype.hasOwnProperty.call(data, part.field)) applyPart(state, part, data[part.field]);
    });
    return true;
  }

  // One `changes` message: "applied", "old" (already included), "gap" (one was missed: fetch the
  // snapshot) or "unknown" (a type this page does not know, e.g. a newer server: fetch the snapshot).
  // The state keeps the tag of its version (sent back in a rejoin's `since`, docs/protocol.md).
  function applyMessage(state, message, table) {
    if (message.v <= state.version) return "old";
    if (message.v !== state.version + 1) return "gap";
    if (!message.changes.every(function (c) { return !!table[c.type]; })) return "unknown";
    message.changes.forEach(function (c) { applyChange(state, c, table); });
    state.version = message.v;
    if (message.tag !== undefined) state.tag = message.tag;
    return "applied";
  }

  var api = { applyChange: applyChange, applyMessage: applyMessage };
  if (typeof module === "object" && module.exports) module.exports = api;
  else { root.chibo = root.chibo || {}; root.chibo.changes = api; }
})(typeof window !== "undefined" ? window : this);
