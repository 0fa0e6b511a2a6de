// The meeting room: a snapshot plus versioned events (see docs/protocol.md).
// Rendering never uses innerHTML with data: every user-entered string is set as text.
(function () {
  "use strict";
  var root = document.getElementById("room");
  if (!root || typeof io === "undefined") return;
  var meetingId = parseInt(root.dataset.meetingId, 10);
  var T = JSON.parse(document.getElementById("room-i18n").textContent);
  // How each kind of change merges into the state: the server's table (meetings/changes.py).
  var CHANGE_TABLE = JSON.parse(document.getElementById("room-changes").textContent);
  var lang = document.documentElement.lang || "vi";
  var timeZone = root.dataset.timeZone; // the cells' time zone, from core.config.TIME_ZONE
  // The server answers `too_large` above this (meetings/event_limits.py) and closes the
  // connection above Engine.IO's own limit: a message that big is never sent, the person is told.
  var maxMessageBytes = parseInt(root.dataset.maxMessageBytes, 10);

  var state = null;       // the last snapshot with every event applied
  var online = new Set(); // user ids online in this room
  var pending = new Map(); // cid -> command not yet acknowledged: resent after a reconnect
  var answers = new Map(); // cid -> the page's own answer to a refusal (see send)
  var wasDisconnected = false;
  var joining = false;     // between connect and the join's answer: events wait in `early`
  var early = [];
  var resyncing = false;
  var closedTooLarge = false; // the server closed the connection over a message too large

  // ---- helpers -----------------------------------------------------------------------------
  function $(id) { return document.getElementById(id); }
  var el = window.chibo.el, fmt = window.chibo.fmt;
  var timeFormat = new Intl.DateTimeFormat(lang === "vi" ? "vi-VN" : "en-GB", {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: timeZone
  });
  function timeOf(iso) { return iso ? timeFormat.format(new Date(iso)) : ""; }
  var percentFormat = new Intl.NumberFormat(lang === "vi" ? "vi-VN" : "en-GB", {
    style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1
  });
  var newId = window.chibo.newId;
  function can(action) { return !!(state && state.me.can[action]); }
  // Screen readers re-read a live region whenever its text node is replaced: write only changes.
  function setText(node, text) { if (node.textContent !== text) node.textContent = text; }
  // kind: "error", "pending" (kept for later), "away" (what changed while offline), "info".
  // The notice sits in the sticky bar: seen wherever the page is scrolled, until dismissed.
  function notice(text, kind) {
    var box = $("notice");
    box.textContent = text || "";
    box.hidden = !text;
    $("notice-row").hidden = !text;
    box.dataset.kind = text ? (kind || "info") : "";
    box.classList.toggle("error", kind === "error");
  }
  function noticeKind() { return $("notice").hidden ? "" : $("notice").dataset.kind; }
  // Feature scripts add what they learn after a reconnect ("your ballot is recorded") to the
  // "back online" notice, or show it on its own.
  function tell(text) {
    var before = $("notice").textContent;
    if (noticeKind() === "away") notice(before + (/[.!?…:]$/.test(before) ? " " : ". ") + text, "away");
    else notice(text, "info");
    announce(text);
  }
  // Short spoken messages for screen readers (a vote opened, someone has the floor...).
  function announce(text) {
    var region = $("room-announce");
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }
  $("notice-close").addEventListener("click", function () { notice(""); });

  // ---- the socket ----------------------------------------------------------------------------
  // The meeting in the URL: nginx sends every client of a meeting to the same process
  // (deploy/nginx); without nginx it changes nothing.
  var socket = io({
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    query: { meeting: String(meetingId) },
  });
  window.chiboSocket = socket; // the bell (bell.js) listens on the same connection

  function setConnection(kind) {
    var conn = $("conn");
    conn.dataset.state = kind;
    conn.textContent = T[kind] || kind;
  }

  socket.on("connect", function () {
    setConnection("connecting"); // "connected" once the room's state has arrived
    joining = true;
    early = [];
    var join = { meeting_id: meetingId };
    // Back after a disconnect: ask for what was missed since the version held (docs/protocol.md).
    if (state && state.roster_version) join.since = { version: state.version, tag: state.tag, roster_version: state.roster_version };
    socket.timeout(15000).emit("join", join, function (err, ack) {
      joining = false;
      if (err) { socket.disconnect().connect(); return; }
      if (!ack.ok) {
        notice(ack.error.message, "error");
        // A passing fault (Redis restarting, too many requests): try the join again later.
        var retry = ack.error.details && ack.error.details.retry_after;
        if (retry) setTimeout(function () { socket.disconnect().connect(); }, retry * 1000);
        return;
      }
      var before = state;
      if (ack.catch_up) {
        before = wasDisconnected ? JSON.parse(JSON.stringify(state)) : state;
        applyCatchUp(ack.catch_up);
      } else applySnapshot(ack.snapshot);
      setConnection("connected");
      // Events sent between our join and its answer: keep those the snapshot does not include.
      var queued = early; early = [];
      queued.forEach(onChanges);
      var resent = pending.size;
      if (wasDisconnected) describeAbsence(before, state, resent);
      if (closedTooLarge) tell(T.too_large);
      wasDisconnected = closedTooLarge = false;
      pending.forEach(transmit); // idempotent: the server applies each command id once
    });
  });
  // A message over the limit sent past `transmit`'s check (another script on the page): if the
  // connection then drops, that is why, even when the close code was lost with the connection.
  var sentOversize = false;
  if (socket.onAnyOutgoing) {
    socket.onAnyOutgoing(function (event, data) {
      if (event === "command" && data && tooLarge(data)) sentOversize = true;
    });
  }
  socket.on("connect", function () { sentOversize = false; });
  socket.on("disconnect", function (reason, details) {
    wasDisconnected = true;
    setConnection(reason === "io client disconnect" || navigator.onLine === false ? "offline" : "reconnecting");
    // The server refused a message over its transport's limit (its answer may have come first):
    // a websocket closed with 1009, or a long-polling request answered 413 (event_limits.py).
    // Socket.IO reconnects by itself and the join brings the state back.
    if (sentOversize || (details && ((details.context && details.context.code === 1009) || details.description === 413))) {
      notice(T.too_large, "error");
      closedTooLarge = true; // said again with "back online", which replaces this notice
    }
  });
  socket.io.on("reconnect_attempt", function () { setConnection(navigator.onLine === false ? "offline" : "reconnecting"); });
  socket.on("connect_error", function (err) {
    setConnection(navigator.onLine === false ? "offline" : "reconnecting");
    // Refused for a while (this browser flooded the server a moment ago): Socket.IO does not
    // retry a refusal by itself, so try again once the hint says.
    var error = err && err.data;
    if (!socket.active && error && error.code === "rate_limited") {
      var retry = (error.details && error.details.retry_after) || 5;
      setTimeout(function () { socket.connect(); }, retry * 1000);
    }
  });
  window.addEventListener("offline", function () { if (!socket.connected) setConnection("offline"); });
  // Back on the network: try at once instead of waiting for the next back-off attempt.
  window.addEventListener("online", function () { if (!socket.connected) socket.connect(); });
  socket.on("session_ended", function () { notice(T.session_ended, "error"); window.location.reload(); });
  // Events the server sends to this user alone (e.g. `my_votes` after a ballot): one named like a
  // snapshot section replaces it; feature scripts also hear it as a `chibo:private` DOM event.
  var SHARED_EVENTS = { changes: 1, presence: 1, session_ended: 1 };
  socket.onAny(function (event, data) {
    if (SHARED_EVENTS[event] || !data || data.meeting_id !== meetingId) return;
    document.dispatchEvent(new CustomEvent("chibo:private", { detail: { event: event, data: data, state: state } }));
    if (state && !joining && Object.prototype.hasOwnProperty.call(state, event)) {
      state[event] = data;
      render();
    }
  });

  function onChanges(msg) {
    if (msg.meeting_id !== meetingId) return;
    if (joining || !state) { early.push(msg); return; }
    // A gap (a missed message) or a type this page does not know: fetch the whole state.
    var outcome = window.chibo.changes.applyMessage(state, msg, CHANGE_TABLE);
    if (outcome === "applied") render();
    else if (outcome !== "old") resync();
  }
  socket.on("changes", onChanges);
  socket.on("presence", function (msg) {
    if (msg.meeting_id !== meetingId) return;
    // Who came and went since the last batch (the server sends them at most a few times a second).
    (msg.online || []).forEach(function (id) { online.add(id); });
    (msg.offline || []).forEach(function (id) { online.delete(id); });
    renderRoster();
  });

  function resync() {
    if (resyncing) return; // one request is enough: its answer includes every later event
    resyncing = true;
    socket.timeout(15000).emit("snapshot", { meeting_id: meetingId }, function (err, ack) {
      resyncing = false;
      if (!err && ack.ok && (!state || ack.snapshot.version >= state.version)) applySnapshot(ack.snapshot);
    });
  }

  // `answer(error)` takes a refusal the page answers itself (returns true); others are noticed.
  function send(name, payload, answer) {
    var cmd = { meeting_id: meetingId, name: name, cid: newId(), payload: payload || {} };
    pending.set(cmd.cid, cmd);
    if (answer) answers.set(cmd.cid, answer);
    if (!socket.connected) notice(T.sent_later, "pending");
    if (state) renderMe();
    transmit(cmd);
  }
  function transmit(cmd) {
    if (tooLarge(cmd)) {
      pending.delete(cmd.cid); // resending it would be refused every time
      if (state) renderMe();
      notice(T.too_large, "error");
      return;
    }
    if (!socket.connected) return;
    socket.timeout(15000).emit("command", cmd, function (err, ack) {
      if (err) return; // no answer: kept pending, resent on the next connect
      pending.delete(cmd.cid);
      var answer = answers.get(cmd.cid);
      answers.delete(cmd.cid);
      if (state) renderMe();
      if (!ack.ok && !(answer && answer(ack.error))) notice(ack.error.message, "error");
      else if (pending.size === 0 && noticeKind() !== "away") notice("");
    });
  }

  // The message's size as the server counts it, or more (UTF-8 bytes of its JSON, plus framing).
  function tooLarge(cmd) {
    return new Blob([JSON.stringify(["command", cmd])]).size + 64 > maxMessageBytes;
  }

  // ---- state ---------------------------------------------------------------------------------
  function applySnapshot(snapshot) {
    state = snapshot;
    online = new Set(snapshot.online);
    render();
  }
  // The changes missed while away, merged as they were broadcast, and this viewer's own sections.
  function applyCatchUp(catchUp) {
    var complete = catchUp.messages.every(function (msg) {
      var outcome = window.chibo.changes.applyMessage(state, msg, CHANGE_TABLE);
      return outcome === "applied" || outcome === "old";
    });
    Object.keys(catchUp).forEach(function (name) { // the rest are the viewer's own sections
      if (name !== "messages" && name !== "version") state[name] = catchUp[name];
    });
    online = new Set(state.online);
    render();
    if (!complete || state.version < catchUp.version) resync();
  }
  function describeAbsence(before, after, resent) {
    if (!before) return;
    var what = [];
    if (resent) what.push(T.away_sent);
    if (before.meeting.status !== after.meeting.status) what.push(T.away_status);
    if (before.agenda.current_item_id !== after.agenda.current_item_id) what.push(T.away_item);
    // The agenda changed when items were added, removed, renamed or moved, not when one started.
    function outline(agenda) {
      return JSON.stringify(agenda.items.map(function (i) { return [i.id, i.title, i.planned_minutes]; }));
    }
    if (outline(before.agenda) !== outline(after.agenda)) what.push(T.away_agenda);
    if (JSON.stringify(before.roster) !== JSON.stringify(after.roster)) what.push(T.away_attendance);
    what = what.concat(awayVotes(before, after), awaySpeakers(before, after), awayMinutes(before, after));
    var text = what.length ? fmt(T.away_changes, { what: what.join("; ") }) : T.away_nothing;
    notice(text, "away");
    announce(text);
  }
  function awayVotes(before, after) {
    var what = [];
    var old = {};
    (before.votes || []).forEach(function (v) { old[v.id] = v; });
    var lang2 = lang === "en" ? "en" : "vi";
    (after.votes || []).forEach(function (v) {
      var was = old[v.id];
      if (!was && v.status === "open") what.push(fmt(T.away_vote_opened, { subject: v.subject }));
      else if ((!was || was.status === "open") && v.status === "closed" && v.result) {
        what.push(fmt(T.away_vote_closed, { subject: v.subject, verdict: v.result.text[lang2].verdict }));
      }
      var mineBefore = before.my_votes && before.my_votes.votes[String(v.id)];
      var mineAfter = after.my_votes && after.my_votes.votes[String(v.id)];
      if (mineAfter && mineAfter.voted && !(mineBefore && mineBefore.voted)) what.push(T.away_ballot);
    });
    return what;
  }
  function awaySpeakers(before, after) {
    var was = before.speakers && before.speakers.speaking;
    var now = after.speakers && after.speakers.speaking;
    if (!now || (was && was.id === now.id)) return [];
    return [now.user_id === after.me.user_id ? T.away_floor_you : fmt(T.away_floor, { name: now.name })];
  }
  function awayMinutes(before, after) {
    if (!before.minutes || !after.minutes) return [];
    var a = before.minutes.status || {}, b = after.minutes.status || {};
    if (a.state !== b.state && (b.state === "approved" || b.state === "sealed")) return [T["away_minutes_" + b.state]];
    function revisions(m) { return JSON.stringify((m.sections || []).map(function (s) { return [s.item_id, s.revision]; })); }
    return revisions(before.minutes) !== revisions(after.minutes) ? [T.away_minutes] : [];
  }

  // ---- rendering -----------------------------------------------------------------------------
  function render() {
    renderMeeting(); renderAgenda(); renderMe(); renderFigures(); renderRoster(); renderObservers();
    tellFeatures();
    renderQuickNav();
  }
  // The feature scripts (speakers.js, voting.js…) load after this one, and the browser may answer
  // the join while it still waits for one of them: a render told then would be lost to it (the
  // speakers' panel stayed empty until the next change). Until the page's scripts have all run
  // (DOMContentLoaded, which comes after every deferred script), the render is told then.
  var scriptsLoaded = document.readyState === "complete";
  document.addEventListener("DOMContentLoaded", function () {
    scriptsLoaded = true;
    if (state) tellFeatures();
  });
  function tellFeatures() {
    if (!scriptsLoaded) return;
    document.dispatchEvent(new CustomEvent("chibo:render", { detail: { state: state, send: send } }));
  }

  // The quick links lead only to panels this person sees now.
  function renderQuickNav() {
    document.querySelectorAll("#room-bar .quick-nav a").forEach(function (a) {
      var target = document.getElementById(a.getAttribute("href").slice(1));
      a.hidden = !target || target.hidden;
    });
  }

  // Lists are rebuilt on every change: a keyboard user's focus goes back to the same control.
  function keepFocus(list, rebuild) {
    var active = document.activeElement;
    var key = null;
    if (active && list.contains(active) && active.dataset.focusKey) key = active.dataset.focusKey;
    rebuild();
    if (key) {
      var again = list.querySelector("[data-focus-key='" + key + "']");
      if (again) again.focus();
    }
  }

  function currentItem() {
    var id = state.agenda.current_item_id;
    return state.agenda.items.find(function (i) { return i.id === id; }) || null;
  }

  function renderMeeting() {
    var m = state.meeting;
    var status = $("m-status");
    status.textContent = T["status_" + m.status];
    status.className = "badge " + m.status;
    var link = $("video-link");
    if (m.online_url) { link.href = m.online_url; link.hidden = false; } else { link.hidden = true; }
    var item = currentItem();
    setText($("current-item"), m.status === "scheduled" ? T.not_started
      : m.status === "ended" ? T.ended : m.status === "cancelled" ? T.status_cancelled : item ? item.title : T.no_current);
    var lead = can("start_meeting");
    $("chair-controls").hidden = !lead || m.status === "ended" || m.status === "cancelled";
    $("btn-start").hidden = m.status !== "scheduled";
    if (m.status !== "scheduled") $("early-start").hidden = true;
    $("btn-cancel").hidden = m.status !== "scheduled" || !can("cancel_meeting");
    var items = state.agenda.items;
    var index = item ? items.indexOf(item) : -1;
    var progress = "";
    if (m.status === "live" && item) {
      progress = fmt(T.item_of, { n: index + 1, total: items.length }) + " · " + fmt(T.minutes, { n: item.planned_minutes });
      if (item.started_at) progress += " · " + fmt(T.since, { time: timeOf(item.started_at) });
    } else if (m.status === "live" && m.started_at) {
      progress = fmt(T.started_at, { time: timeOf(m.started_at) });
    }
    $("current-progress").textContent = progress;
    $("current-progress").hidden = !progress;
    $("btn-prev").hidden = m.status !== "live" || index <= 0;
    $("btn-next").hidden = m.status !== "live" || index >= items.length - 1;
    $("btn-end").hidden = m.status !== "live";
  }

  function renderAgenda() { keepFocus($("agenda-list"), rebuildAgenda); }
  function rebuildAgenda() {
    var list = $("agenda-list");
    list.replaceChildren();
    var live = state.meeting.status === "live";
    var editable = can("edit_agenda") && state.meeting.status !== "ended";
    var total = 0;
    state.agenda.items.forEach(function (item, index) {
      var current = item.id === state.agenda.current_item_id;
      var done = !current && !!item.ended_at;
      total += item.planned_minutes;
      var li = el("li", { className: current ? "current" : done ? "done" : "" }, [
        el("span", { className: "num", text: (index + 1) + "." }),
        el("span", { className: "text" }, [
          el("span", { className: "title", text: item.title }),
          el("span", { className: "muted mins", text: fmt(T.minutes, { n: item.planned_minutes }) +
            (current ? " · " + T.now_discussing : done ? " · " + T.done : "") })
        ])
      ]);
      if (current) li.setAttribute("aria-current", "step");
      var tools = el("span", { className: "row-actions" });
      if (live && can("set_current_item") && !current) {
        tools.appendChild(button(T.make_current_short, function () { send("set_current_item", { item_id: item.id }); }, "small", T.make_current_short + ": " + item.title, "current-" + item.id));
      }
      if (editable) {
        if (index > 0) tools.appendChild(button("↑", function () { send("agenda_move", { item_id: item.id, position: index - 1 }); }, "icon", T.move_up + ": " + item.title, "up-" + item.id));
        if (index < state.agenda.items.length - 1) tools.appendChild(button("↓", function () { send("agenda_move", { item_id: item.id, position: index + 1 }); }, "icon", T.move_down + ": " + item.title, "down-" + item.id));
        if (!item.started_at) tools.appendChild(button("✕", function () { send("agenda_remove", { item_id: item.id }); }, "icon", T.remove + ": " + item.title, "remove-" + item.id));
      }
      if (tools.childNodes.length) li.appendChild(tools);
      list.appendChild(li);
    });
    $("agenda-add").hidden = !editable;
    $("agenda-total").textContent = state.agenda.items.length ? fmt(T.total_minutes, { n: total }) : "";
  }

  function button(label, onClick, className, ariaLabel, focusKey) {
    var b = el("button", { type: "button", className: className || "", text: label });
    if (ariaLabel) b.setAttribute("aria-label", ariaLabel);
    if (focusKey) b.dataset.focusKey = focusKey;
    b.addEventListener("click", onClick);
    return b;
  }

  function myRow() {
    return state.roster.find(function (r) { return r.user_id === state.me.user_id; }) || null;
  }

  function renderMe() {
    var row = myRow();
    var box = $("my-attendance");
    box.hidden = !row;
    if (!row) return;
    var status = row.attendance.status;
    var live = state.meeting.status === "live";
    var waiting = false; // a check-in pressed while offline, not yet acknowledged
    pending.forEach(function (cmd) { if (cmd.name === "check_in") waiting = true; });
    var open = live && can("check_in") && (status === "unknown" || status.indexOf("absent") === 0);
    box.dataset.status = state.meeting.status === "scheduled" ? "waiting" : waiting && open ? "sending" : status;
    $("my-status").textContent = state.meeting.status === "scheduled" ? T.me_wait
      : waiting && open ? T.me_sending : T["me_" + status];
    $("btn-checkin").hidden = !open || waiting;
  }

  function renderFigures() {
    var f = state.figures;
    var warnings = $("warnings");
    warnings.replaceChildren();
    if (state.meeting.status !== "scheduled") {
      if (!f.resolution_possible) warnings.appendChild(el("p", { className: "warn", text: T.warn_no_resolution }));
      else if (!f.two_thirds_possible) warnings.appendChild(el("p", { className: "warn", text: T.warn_no_two_thirds }));
      f.flags.forEach(function (flag) { warnings.appendChild(el("p", { className: "flag", text: T["flag_" + flag] })); });
    }
    var dl = $("figs");
    dl.replaceChildren();
    function pair(label, value, id) {
      dl.appendChild(el("div", { className: "fig", id: id || "" }, [el("dt", { text: label }), el("dd", { text: String(value) })]));
    }
    pair(T.fig_members, f.members_total, "fig-members");
    pair(T.fig_present, f.present_total, "fig-present");
    pair(T.fig_base, f.base, "fig-base");
    pair(T.fig_eligible, f.eligible_present, "fig-eligible");
    pair(T.fig_rate, f.attendance_rate === null ? "—" : percentFormat.format(f.attendance_rate), "fig-rate");
    var cats = el("div", { className: "fig wide" }, [el("dt", { text: T.fig_by_category })]);
    var dd = el("dd");
    Object.keys(f.members_by_category).forEach(function (cat) {
      if (!f.members_by_category[cat]) return;
      dd.appendChild(el("span", { className: "chip", text: T["cat_" + cat] + ": " + f.present_by_category[cat] + "/" + f.members_by_category[cat] }));
    });
    cats.appendChild(dd);
    dl.appendChild(cats);
  }

  function renderRoster() {
    if (!state) return;
    keepFocus($("roster"), rebuildRoster);
  }
  function rebuildRoster() {
    var here = state.roster.filter(function (r) { return r.attendance.status === "present" || r.attendance.status === "late"; }).length;
    $("att-count").textContent = fmt(T.present_of, { n: here, total: state.roster.length });
    var list = $("roster");
    list.replaceChildren();
    // After the end too, until the minutes are approved: the chair settles who is left.
    var open = !state.minutes || !state.minutes.status || state.minutes.status.state === "draft";
    var marking = can("mark_attendance") && (state.meeting.status === "live" || (state.meeting.status === "ended" && open));
    state.roster.forEach(function (row) {
      var a = row.attendance;
      var detail = T["att_" + a.status];
      if ((a.status === "present" || a.status === "late") && a.arrived_at) detail += " " + fmt(T.at, { time: timeOf(a.arrived_at) });
      if (a.reason) detail += " — " + a.reason;
      // The member's answer to the invitation: an excuse is only proposed until the chair marks it.
      var reply = a.status === "unknown" && state.replies ? state.replies[row.user_id] : null;
      if (reply) detail += " — " + (reply.answer === "excused" ? fmt(T.reply_excused, { reason: reply.reason }) : T.reply_attend);
      var isOnline = online.has(row.user_id);
      var dot = el("span", { className: "dot" + (isOnline ? " on" : ""), title: isOnline ? T.online : "" });
      var badges = [T["cat_" + row.category]];
      if (T["role_" + row.role]) badges.push(T["role_" + row.role]);
      if (state.meeting.chair && state.meeting.chair.id === row.user_id) badges.push(T.chair);
      if (state.meeting.minute_taker && state.meeting.minute_taker.id === row.user_id) badges.push(T.minute_taker);
      var li = el("li", { className: "att-" + a.status, "data-user-id": row.user_id }, [
        dot,
        el("span", { className: "name", text: row.name }),
        el("span", { className: "muted cat", text: badges.join(" · ") }),
        el("span", { className: "status", text: detail })
      ]);
      if (isOnline) li.appendChild(el("span", { className: "sr-only", text: T.online }));
      if (marking && reply && reply.answer === "excused") {
        li.appendChild(button(T.accept_reason, function () {
          send("mark_attendance", { user_id: row.user_id, status: "absent_excused", reason: reply.reason });
        }, "small", T.accept_reason + ": " + row.name, "accept-" + row.user_id));
      }
      if (marking) li.appendChild(button(T.mark, function () { openMark(row); }, "small", T.mark + ": " + row.name, "mark-" + row.user_id));
      list.appendChild(li);
    });
  }

  function renderObservers() {
    var list = $("observers");
    list.replaceChildren();
    if (!state.observers.length) { list.appendChild(el("li", { className: "muted", text: T.no_observers })); return; }
    state.observers.forEach(function (o) {
      list.appendChild(el("li", {}, [el("span", { className: "dot" + (online.has(o.user_id) ? " on" : "") }),
        el("strong", { text: o.name }), el("span", { className: "muted", text: " — " + o.office })]));
    });
  }

  // ---- attendance dialog ---------------------------------------------------------------------
  var marking = null;
  function openMark(row) {
    marking = row;
    // The dialog traps the focus and Escape closes it (native modal); on close the focus goes back
    // to this row's button, found again by key because the roster may have been rebuilt meanwhile.
    $("mark-dialog").dataset.returnKey = "mark-" + row.user_id;
    $("mark-name").textContent = row.name;
    var form = $("mark-form");
    var status = row.attendance.status === "unknown" ? "present" : row.attendance.status;
    form.querySelector("input[value='" + status + "']").checked = true;
    $("mark-reason").value = row.attendance.reason || "";
    $("mark-time").value = row.attendance.arrived_at ? timeOf(row.attendance.arrived_at) : "";
    $("mark-error").textContent = "";
    $("mark-dialog").showModal();
  }
  $("mark-cancel").addEventListener("click", function () { $("mark-dialog").close(); });
  // A modal <dialog> keeps the page behind it inert, but Tab may still leave for the browser's
  // own controls: wrap it round the dialog's first and last controls.
  $("mark-dialog").addEventListener("keydown", function (event) {
    if (event.key !== "Tab") return;
    var controls = Array.prototype.filter.call(this.querySelectorAll("input, button"), function (c) {
      return !c.disabled && c.offsetParent !== null && (c.type !== "radio" || c.checked);
    });
    var first = controls[0], last = controls[controls.length - 1];
    if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
  });
  $("mark-dialog").addEventListener("close", function () {
    var back = document.querySelector("#roster [data-focus-key='" + this.dataset.returnKey + "']");
    if (back) back.focus();
  });
  $("mark-form").addEventListener("submit", function (event) {
    var status = new FormData(event.target).get("status");
    var reason = $("mark-reason").value.trim();
    if (status === "absent_excused" && !reason) {
      event.preventDefault();
      $("mark-error").textContent = T.reason_required;
      return;
    }
    var payload = { user_id: marking.user_id, status: status };
    if (reason && status.indexOf("absent") === 0) payload.reason = reason;
    var time = $("mark-time").value;
    if (time && (status === "present" || status === "late")) {
      // Today and the UTC offset in the cells' time zone: the chair types a local time.
      var parts = {};
      new Intl.DateTimeFormat("en-CA", {
        timeZone: timeZone, year: "numeric", month: "2-digit", day: "2-digit", timeZoneName: "longOffset"
      }).formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
      var offset = (parts.timeZoneName || "GMT").replace("GMT", "") || "+00:00";
      payload.arrived_at = parts.year + "-" + parts.month + "-" + parts.day + "T" + time + ":00" + offset;
    }
    send("mark_attendance", payload);
  });

  // ---- buttons -------------------------------------------------------------------------------
  // Long before the planned time the server refuses ("early_start") until the chair confirms
  // here, in the page (no browser dialog: it can't be missed, styled or tested as one).
  function startMeeting(confirmed) {
    $("early-start").hidden = true;
    send("start_meeting", confirmed ? { confirm_early: true } : {}, function (error) {
      if (!error.details || error.details.reason !== "early_start") return false;
      $("early-start-text").textContent = error.message;
      $("early-start").hidden = false;
      $("early-start-yes").focus();
      return true;
    });
  }
  $("btn-start").addEventListener("click", function () { startMeeting(false); });
  $("early-start-yes").addEventListener("click", function () { startMeeting(true); });
  $("early-start-no").addEventListener("click", function () {
    $("early-start").hidden = true;
    $("btn-start").focus();
  });
  $("btn-end").addEventListener("click", function () { if (window.confirm(T.confirm_end)) send("end_meeting"); });
  $("btn-cancel").addEventListener("click", function () { if (window.confirm(T.confirm_cancel)) send("cancel_meeting"); });
  function step(delta) {
    var items = state.agenda.items;
    var index = items.indexOf(currentItem());
    var target = items[index + delta];
    if (target) send("set_current_item", { item_id: target.id });
  }
  $("btn-next").addEventListener("click", function () { step(1); });
  $("btn-prev").addEventListener("click", function () { step(-1); });
  $("btn-checkin").addEventListener("click", function () { send("check_in"); });
  $("agenda-add").addEventListener("submit", function (event) {
    event.preventDefault();
    var title = $("new-item-title").value.trim();
    var minutes = parseInt($("new-item-minutes").value, 10) || 10;
    if (!title) return;
    send("agenda_add", { title: title, planned_minutes: minutes });
    $("new-item-title").value = "";
  });

  // A read-only question about this meeting (the server checks the right): cb(answer) when it
  // arrives, cb(null) on no answer or a refusal.
  function ask(event, payload, cb) {
    if (!socket.connected) { cb(null); return; }
    var data = Object.assign({ meeting_id: meetingId }, payload);
    socket.timeout(15000).emit(event, data, function (err, ack) { cb(!err && ack && ack.ok ? ack : null); });
  }
  window.chiboRoom = { send: send, ask: ask, state: function () { return state; }, tell: tell, announce: announce, noticeKind: noticeKind,
    connected: function () { return socket.connected && !joining; },
    online: function () { return Array.from(online); },
    // The attendance dialog for one member (hall.js: settling attendance after the end).
    markAttendance: function (userId) {
      var row = (state.roster || []).filter(function (r) { return r.user_id === userId; })[0];
      if (row) openMark(row);
    } };
})();
