// Conclusions and tasks in the room: the review of tasks carried from earlier meetings (the owner
// or the chair marks each, live) and the numbered conclusions and tasks this meeting records.
// State comes from room.js: the "tasks" snapshot section, replaced whole by each change (the
// change table, meetings/changes.py).
(function () {
  "use strict";
  var panel = document.getElementById("tasks");
  if (!panel) return;
  var T = JSON.parse(document.getElementById("tasks-i18n").textContent);
  var el = window.chibo.el, fmt = window.chibo.fmt;
  var state = null;
  var send = null;
  var editing = null; // the review row whose note form is open: {id, status}


  function $(id) { return document.getElementById(id); }
  function can(action) { return !!(state && state.me.can[action]); }
  function live() { return state.meeting.status === "live"; }
  function isChair() { return state.me.roles.indexOf("chair") >= 0; }
  function dateText(iso) {
    var p = iso.split("-");
    return p[2] + "/" + p[1] + "/" + p[0];
  }
  function owners(row) {
    var names = row.owners.map(function (o) { return o.id === state.me.user_id ? o.name + " (" + T.you + ")" : o.name; });
    if (row.committee) names.unshift(T.committee);
    return names.join(", ");
  }
  function mine(row) {
    if (row.owners.some(function (o) { return o.id === state.me.user_id; })) return true;
    var roles = state.me.roles;
    return row.committee && (roles.indexOf("secretary") >= 0 || roles.indexOf("deputy") >= 0);
  }
  function statusBadge(status) {
    var b = el("span", "badge task-status", T["status_" + status]);
    b.dataset.status = status;
    return b;
  }

  function meta(row) {
    var p = el("p", "muted task-meta");
    if (row.owners.length || row.committee) p.appendChild(el("span", "", owners(row)));
    if (row.due_on) p.appendChild(el("span", "", " · " + fmt(T.due, { date: dateText(row.due_on) })));
    return p;
  }

  function setRow(row) {
    var li = el("li", "task-row");
    li.value = row.number;
    li.appendChild(el("p", "task-text", row.text));
    if (row.kind === "task") li.appendChild(meta(row));
    if (can("record_tasks") && live()) {
      var remove = el("button", "small", T.remove);
      remove.type = "button";
      remove.setAttribute("aria-label", T.remove + ": " + row.text);
      remove.addEventListener("click", function () {
        if (window.confirm(T.confirm_remove)) send("task_remove", { task_id: row.id });
      });
      li.appendChild(remove);
    }
    return li;
  }

  var CHOICES = ["done", "in_progress", "not_done", "dropped"];
  function reviewRow(row) {
    var li = el("li", "task-row review-row" + (row.overdue ? " overdue" : ""));
    li.id = "tk-row-" + row.id;
    li.appendChild(el("p", "task-text", row.text));
    li.appendChild(meta(row));
    var line = el("p", "task-state");
    line.appendChild(statusBadge(row.status));
    if (row.overdue) line.appendChild(el("span", "badge warn", T.overdue));
    if (row.reviewed) line.appendChild(el("span", "muted", " " + fmt(T.reviewed_by, { name: row.reviewed.by })));
    else if (row.updated_by) line.appendChild(el("span", "muted", " " + fmt(T.updated_by, { name: row.updated_by })));
    li.appendChild(line);
    if (row.note) li.appendChild(el("p", "task-note", row.note));
    li.appendChild(el("p", "muted small", fmt(T.set_in, { title: row.set_in.title })));
    if (!live() || !can("review_tasks")) return li;
    var chair = isChair();
    if (!(chair || mine(row))) return li;
    var tools = el("div", "controls task-tools");
    CHOICES.forEach(function (status) {
      if (status === "dropped" && !chair) return;
      var b = el("button", "small" + (row.status === status ? " current" : ""), T["status_" + status]);
      b.type = "button";
      b.dataset.status = status;
      b.setAttribute("aria-pressed", row.status === status ? "true" : "false");
      b.setAttribute("aria-label", T["status_" + status] + ": " + row.text);
      b.addEventListener("click", function () {
        if (status === "done") { editing = null; send("task_review", { task_id: row.id, status: "done", note: "" }); }
        else { editing = { id: row.id, status: status }; render(); var n = $("tk-note-" + row.id); if (n) n.focus(); }
      });
      tools.appendChild(b);
    });
    li.appendChild(tools);
    if (editing && editing.id === row.id) {
      var form = el("form", "task-note-form");
      var label = el("label", "", T.note + " — " + T["status_" + editing.status]);
      label.setAttribute("for", "tk-note-" + row.id);
      var input = el("textarea", { id: "tk-note-" + row.id, rows: "2", maxlength: "1000", required: "required" });
      input.value = row.status === editing.status && row.note ? row.note : "";
      var save = el("button", "primary small", T.save);
      save.type = "submit";
      var cancel = el("button", "small", T.cancel);
      cancel.type = "button";
      cancel.addEventListener("click", function () { editing = null; render(); });
      form.appendChild(label);
      form.appendChild(input);
      form.appendChild(el("div", "controls", [save, cancel]));
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var note = input.value.trim();
        if (!note) { input.focus(); return; }
        send("task_review", { task_id: row.id, status: editing.status, note: note });
        editing = null;
      });
      li.appendChild(form);
    }
    return li;
  }

  function renderOwners() {
    var box = $("tk-owners");
    var checked = {};
    box.querySelectorAll("input:checked").forEach(function (i) { checked[i.value] = true; });
    box.replaceChildren();
    state.roster.forEach(function (m) {
      var id = "tk-owner-" + m.user_id;
      var input = el("input", { type: "checkbox", id: id, value: String(m.user_id) });
      input.checked = !!checked[m.user_id];
      var label = el("label", "check", [input]);
      label.appendChild(document.createTextNode(" " + m.name));
      box.appendChild(label);
    });
  }

  function render() {
    var tk = state.tasks;
    if (!tk) return;
    var conclusions = tk.set.filter(function (r) { return r.kind === "conclusion"; });
    var tasks = tk.set.filter(function (r) { return r.kind === "task"; });
    $("tk-none").hidden = tk.set.length > 0;
    $("tk-conclusions-h").hidden = !conclusions.length;
    $("tk-tasks-h").hidden = !tasks.length;
    $("tk-conclusions").replaceChildren.apply($("tk-conclusions"), conclusions.map(setRow));
    $("tk-tasks").replaceChildren.apply($("tk-tasks"), tasks.map(setRow));

    $("tk-review-block").hidden = !tk.reviews;
    $("tk-review-count").textContent = tk.review.length ? String(tk.review.length) : "";
    var list = $("tk-review");
    var focused = document.activeElement && list.contains(document.activeElement) ? document.activeElement : null;
    var focusKey = focused ? [focused.closest("li") && focused.closest("li").id, focused.dataset.status, focused.id] : null;
    var noteText = editing && $("tk-note-" + editing.id) ? $("tk-note-" + editing.id).value : null;
    list.replaceChildren();
    if (!tk.review.length) list.appendChild(el("li", "muted empty", T.none_review));
    tk.review.forEach(function (row) { list.appendChild(reviewRow(row)); });
    if (noteText !== null && editing && $("tk-note-" + editing.id)) $("tk-note-" + editing.id).value = noteText;
    if (focusKey) {
      var again = focusKey[2] ? $(focusKey[2]) : null;
      if (!again && focusKey[0]) again = list.querySelector("#" + focusKey[0] + " button[data-status='" + focusKey[1] + "']");
      if (again) again.focus();
    }

    var recording = can("record_tasks") && live();
    $("tk-add-toggle").hidden = !recording || !$("tk-add").hidden;
    if (!recording) $("tk-add").hidden = true;
    if (recording && !$("tk-add").hidden) renderOwners();
  }

  function kind() { return panel.querySelector("input[name='tk-kind']:checked").value; }
  function showForm(open) {
    $("tk-add").hidden = !open;
    $("tk-add-toggle").hidden = open;
    $("tk-add-toggle").setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { renderOwners(); $("tk-text").focus(); } else $("tk-add-toggle").focus();
  }
  panel.querySelectorAll("input[name='tk-kind']").forEach(function (r) {
    r.addEventListener("change", function () { $("tk-task-fields").hidden = kind() !== "task"; });
  });
  $("tk-add-toggle").addEventListener("click", function () { showForm(true); });
  $("tk-add-cancel").addEventListener("click", function () { showForm(false); });
  $("tk-add").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = $("tk-text").value.trim();
    if (!text) return;
    var payload = { kind: kind(), text: text };
    if (payload.kind === "task") {
      payload.owner_ids = Array.prototype.map.call($("tk-owners").querySelectorAll("input:checked"),
        function (i) { return parseInt(i.value, 10); });
      payload.committee = $("tk-committee").checked;
      payload.due_on = $("tk-due").value || null;
      if (!payload.owner_ids.length && !payload.committee) {
        window.chiboRoom.tell(T.owners_needed, "error");
        return;
      }
    }
    send("task_add", payload);
    $("tk-text").value = "";
    $("tk-owners").querySelectorAll("input:checked").forEach(function (i) { i.checked = false; });
    $("tk-committee").checked = false;
  });

  document.addEventListener("chibo:render", function (event) {
    state = event.detail.state;
    send = event.detail.send;
    render();
  });
})();
