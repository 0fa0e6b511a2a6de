// Small helpers shared by the room's scripts. User text is always set as text, never as HTML.
(function () {
  "use strict";
  // el("li", "current", "text") or el("li", {className: "x", "data-id": 3}, [child, child])
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (typeof attrs === "string") attrs = { className: attrs };
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    if (Array.isArray(children)) {
      children.forEach(function (child) { if (child) node.appendChild(child); });
    } else if (children !== undefined && children !== null) {
      node.textContent = children;
    }
    return node;
  }
  // fmt("{n} of {m}", {n: 1, m: 2}): the translated templates use {name} placeholders
  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; });
  }
  // A random id for a command, so a resend after a reconnect is applied once
  function newId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  window.chibo = { el: el, fmt: fmt, newId: newId };
})();
