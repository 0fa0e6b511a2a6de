// The room's documents panel: the released documents (the "documents" snapshot section, merged by
// changes.js like every section) are shown as soon as the secretary releases one.
(function () {
  "use strict";
  var panel = document.getElementById("documents-panel");
  if (!panel) return;
  var el = window.chibo.el;

  document.addEventListener("chibo:render", function (event) {
    var docs = event.detail.state.documents;
    if (!docs) return;
    var list = document.getElementById("docs-released");
    var base = panel.dataset.downloadBase;
    list.replaceChildren.apply(list, docs.map(function (d) {
      return el("li", { "data-id": d.id }, [
        el("a", { className: "name", href: base + "/" + d.id, text: d.title }),
        document.createTextNode(" "),
        el("span", "muted", String(d.kind).toUpperCase()),
      ]);
    }));
    document.getElementById("docs-none").hidden = docs.length > 0;
    var released = docs.map(function (d) { return String(d.id); });
    document.querySelectorAll("#docs-unreleased li").forEach(function (li) {
      if (released.indexOf(li.dataset.id) >= 0) li.remove();
    });
  });
})();
