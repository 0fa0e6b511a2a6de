// Minutes in the room: one live section per agenda item.
// The chair and the minute-taker type; everyone sees the text follow within a second or two.
// Edits go over HTTP (POST .../commands/minutes_edit) so the writer gets the answer directly:
// a stale base revision comes back as a `conflict` with the newer text, shown to the writer.
// Received HTML is rebuilt node by node from an allowlist (never assigned as innerHTML).
(function () {
  "use strict";
  var panel = document.getElementById("minutes-panel");
  if (!panel) return;
  var T = JSON.parse(document.getElementById("minutes-i18n").textContent);
  var commandUrl = panel.dataset.commandUrl;
  var csrf = (document.querySelector("meta[name='csrf-token']") || {}).content || "";
  var THROTTLE_MS = 1000;
  var ALLOWED = { P: "p", BR: "br", STRONG: "strong", B: "strong", EM: "em", I: "em", UL: "ul", OL: "ol", LI: "li", DIV: "p" };
  var editors = {}; // item id -> editor record
  var sendFn = null;
  var lastState = null;

  var el = window.chibo.el, fmt = window.chibo.fmt, newId = window.chibo.newId;

  // ---- safe HTML -----------------------------------------------------------------------------
  function copyAllowed(from, to) {
    Array.prototype.forEach.call(from.childNodes, function (node) {
      if (node.nodeType === 3) { to.appendChild(document.createTextNode(node.nodeValue)); return; }
      if (node.nodeType !== 1) return;
      var tag = ALLOWED[node.tagName];
      if (node.tagName === "SCRIPT" || node.tagName === "STYLE") return;
      if (!tag) { copyAllowed(node, to); return; }
      var copy = document.createElement(tag);
      to.appendChild(copy);
      if (tag !== "br") copyAllowed(node, copy);
    });
  }
  function fill(target, html) {
    var doc = new DOMParser().parseFromString("<body>" + (html || "") + "</body>", "text/html");
    target.replaceChildren();
    copyAllowed(doc.body, target);
  }
  function serialize(editor) {
    var box = document.createElement("div");
    copyAllowed(editor, box);
    var html = box.innerHTML.normalize("NFC"); // built only from allowed elements and text
    return /^(\s|<br>|<p>(\s|<br>)*<\/p>)*$/.test(html) ? "" : html;
  }

  // ---- state ---------------------------------------------------------------------------------
  function sectionOf(state, itemId) {
    return (state.minutes.sections || []).find(function (s) { return s.item_id === itemId; }) || null;
  }
  function canEdit(state) {
    var st = state.minutes.status || {};
    return !!state.me.can.edit_minutes && state.meeting.status !== "scheduled" && st.state !== "sealed";
  }

  // ---- rendering -----------------------------------------------------------------------------
  document.addEventListener("chibo:render", function (event) {
    lastState = event.detail.state;
    sendFn = event.detail.send;
    if (!lastState.minutes) return;
    renderStatus(lastState);
    renderItems(lastState);
  });

  function renderStatus(state) {
    var st = state.minutes.status || {};
    var text = st.state === "sealed" ? fmt(T.sealed, { code: st.code }) : T[st.state || "draft"];
    if (st.number > 1) text += " (" + fmt(T.version, { n: st.number }) + ")";
    document.getElementById("mp-status").textContent = text;
    var approving = !!(state.me.can.approve_minutes && st.state === "draft" && state.meeting.status !== "scheduled");
    document.getElementById("mp-approve").hidden = !approving;
    // Or by the meeting's own procedural vote (the regulations: read back and approved): the latest one
    // that passed, named so the chair sees which vote it is.
    var vote = approving ? passedProcedural(state) : null;
    var byVote = document.getElementById("mp-approve-vote");
    byVote.hidden = !vote;
    if (vote) { byVote.textContent = fmt(T.approve_by_vote, { subject: vote.subject }); byVote.dataset.voteId = vote.id; }
  }
  function passedProcedural(state) {
    var passed = (state.votes || []).filter(function (v) {
      return v.kind === "procedural" && v.status === "closed" && v.result && v.result.passed;
    });
    return passed.length ? passed[passed.length - 1] : null;
  }

  document.getElementById("mp-approve").addEventListener("click", function () {
    if (sendFn) sendFn("minutes_approve", { method: "chair" });
  });
  document.getElementById("mp-approve-vote").addEventListener("click", function (event) {
    var voteId = parseInt(event.currentTarget.dataset.voteId, 10);
    if (sendFn && voteId) sendFn("minutes_approve", { method: "vote", vote_id: voteId });
  });

  var foldedFor = null; // the editability the fold was last set for: the reader's own choice stays
  function renderItems(state) {
    var box = document.getElementById("mp-items");
    var editable = canEdit(state);
    if (foldedFor !== editable) { document.getElementById("mp-details").open = editable; foldedFor = editable; }
    var seen = {};
    state.agenda.items.forEach(function (item, index) {
      seen[item.id] = true;
      var rec = editors[item.id];
      if (!rec || rec.editable !== editable) {
        if (rec) rec.node.remove();
        rec = editors[item.id] = build(item, index, editable);
      }
      rec.title.textContent = (index + 1) + ". " + item.title;
      rec.node.classList.toggle("current", item.id === state.agenda.current_item_id);
      // Keep agenda order without moving nodes already in place (a move would drop the focus).
      if (box.children[index] !== rec.node) box.insertBefore(rec.node, box.children[index] || null);
      update(rec, sectionOf(state, item.id));
    });
    Object.keys(editors).forEach(function (id) {
      if (!seen[id]) { editors[id].node.remove(); delete editors[id]; }
    });
  }

  function build(item, index, editable) {
    var node = el("div", "mp-item");
    node.dataset.itemId = item.id;
    var title = el("p", "mp-title");
    node.appendChild(title);
    var rec = { itemId: item.id, node: node, title: title, editable: editable, revision: 0,
      dirty: false, inflight: false, lastSent: 0, timer: null, shown: null };
    if (editable) {
      var bar = el("div", "mp-toolbar");
      [["bold", "B", "bold"], ["italic", "I", "italic"], ["insertUnorderedList", "•", "bullets"], ["insertOrderedList", "1.", "numbers"]]
        .forEach(function (b) {
          // Named by its content (a hidden symbol and the words for screen readers), so the
          // visible label and the spoken name never disagree.
          var btn = el("button", "small");
          btn.type = "button";
          btn.title = T[b[2]];
          btn.appendChild(el("span", "", b[1])).setAttribute("aria-hidden", "true");
          btn.appendChild(el("span", "sr-only", T[b[2]]));
          btn.addEventListener("mousedown", function (e) { e.preventDefault(); }); // keep the caret
          btn.addEventListener("click", function () { rec.editor.focus(); document.execCommand(b[0]); changed(rec); });
          bar.appendChild(btn);
        });
      node.appendChild(bar);
      rec.editor = el("div", "mp-editor");
      rec.editor.contentEditable = "true";
      rec.editor.setAttribute("role", "textbox");
      rec.editor.setAttribute("aria-multiline", "true");
      rec.editor.setAttribute("aria-label", fmt(T.editor_label, { n: index + 1 }));
      rec.editor.addEventListener("input", function () { changed(rec); });
      rec.editor.addEventListener("blur", function () { if (rec.dirty) flush(rec); });
      node.appendChild(rec.editor);
    } else {
      rec.view = el("div", "mp-view");
      node.appendChild(rec.view);
    }
    rec.meta = el("p", "mp-meta");
    node.appendChild(rec.meta);
    rec.conflict = el("div", "mp-conflict");
    rec.conflict.hidden = true;
    node.appendChild(rec.conflict);
    return rec;
  }

  function update(rec, section) {
    var revision = section ? section.revision : 0;
    var html = section ? section.html : "";
    if (!rec.editable) {
      if (rec.shown !== revision) { fill(rec.view, html); rec.shown = revision; }
      if (!html) rec.view.textContent = T.empty;
    } else if (!rec.dirty && !rec.inflight && revision !== rec.revision) {
      // Someone else's newer text, and nothing of ours pending: take it.
      fill(rec.editor, html);
      rec.revision = revision;
    } else if (!rec.dirty && !rec.inflight) {
      rec.revision = revision;
    }
    if (section && section.updated_by && !rec.dirty && !rec.inflight) {
      rec.meta.textContent = fmt(T.edited_by, { name: section.updated_by });
    }
  }

  // ---- sending (throttled to ~1/s while typing, at once on blur) ------------------------------
  function changed(rec) {
    rec.dirty = true;
    var wait = THROTTLE_MS - (Date.now() - rec.lastSent);
    if (wait <= 0) flush(rec);
    else if (!rec.timer) rec.timer = setTimeout(function () { rec.timer = null; flush(rec); }, wait);
  }

  function flush(rec) {
    if (rec.timer) { clearTimeout(rec.timer); rec.timer = null; }
    if (!rec.dirty || rec.conflicted) return;
    if (rec.inflight) { rec.again = true; return; }
    var html = serialize(rec.editor);
    rec.inflight = true;
    rec.dirty = false;
    rec.lastSent = Date.now();
    rec.meta.textContent = T.saving;
    var body = { cid: newId(), payload: { item_id: rec.itemId, base_revision: rec.revision, html: html } };
    fetch(commandUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).then(function (r) { return r.json(); }).then(function (ack) {
      rec.inflight = false;
      if (ack.ok) {
        rec.revision = ack.result.revision !== undefined ? ack.result.revision : rec.revision;
        rec.meta.textContent = T.saved;
      } else if (ack.error.code === "conflict" && ack.error.details && ack.error.details.item_id === rec.itemId) {
        rec.again = false;
        showConflict(rec, ack.error.details);
        return;
      } else {
        rec.dirty = true; // keep the words; the writer sees why
        rec.meta.textContent = fmt(T.not_saved, { message: ack.error.message });
        return;
      }
      if (rec.again) { rec.again = false; if (rec.dirty) flush(rec); }
    }).catch(function () {
      rec.inflight = false;
      rec.dirty = true; // offline: retried on the next keystroke or blur, and in a few seconds
      rec.meta.textContent = fmt(T.not_saved, { message: "…" });
      setTimeout(function () { flush(rec); }, 3000);
    });
  }

  function showConflict(rec, details) {
    rec.dirty = true;
    rec.conflicted = true;
    var box = rec.conflict;
    box.replaceChildren();
    box.appendChild(el("p", "", T.conflict));
    var theirs = el("div", "mp-view");
    fill(theirs, details.html);
    box.appendChild(theirs);
    var useTheirs = el("button", "", T.use_theirs);
    useTheirs.type = "button";
    useTheirs.addEventListener("click", function () {
      fill(rec.editor, details.html);
      rec.revision = details.revision;
      rec.dirty = false;
      rec.conflicted = false;
      box.hidden = true;
    });
    var keepMine = el("button", "primary", T.keep_mine);
    keepMine.type = "button";
    keepMine.addEventListener("click", function () {
      rec.revision = details.revision;
      rec.conflicted = false;
      box.hidden = true;
      rec.dirty = true;
      flush(rec);
    });
    box.appendChild(useTheirs);
    box.appendChild(keepMine);
    box.hidden = false;
    rec.meta.textContent = "";
  }
})();
