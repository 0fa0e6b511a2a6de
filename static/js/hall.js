// A hybrid meeting in the room: the vote banner nobody can miss, the hall's part of a vote (hands
// counted by the chair or a counter, paper ballots counted by the counting team, each member
// confirming), the close prompt with names, attendance settled before approval, the guests and
// the next step after the meeting. State comes from room.js (chibo:render); every write is a
// command (send); the server checks every right and every rule.
(function () {
  "use strict";
  var el = window.chibo.el, fmt = window.chibo.fmt;
  var T = JSON.parse(document.getElementById("hall-i18n").textContent);
  var V = JSON.parse(document.getElementById("voting-i18n").textContent);
  var state = null, send = null;
  function $(id) { return document.getElementById(id); }
  function can(action) { return !!(state && state.me.can[action]); }
  // Named to the counting team after joining: `me` is the viewer's own and not re-sent by changes,
  // so the team's list says it (the server checks every command anyway).
  function counting() { return (state.counting_team || []).indexOf(state.me.user_id) >= 0; }
  function names() {
    var out = {};
    (state.roster || []).forEach(function (r) { out[r.user_id] = r.name; });
    return out;
  }
  function optionLabel(o) { return o.label || V[o.key] || o.key; }
  function openVote() { return (state.votes || []).filter(function (v) { return v.status === "open"; })[0] || null; }
  function online() { return new Set((window.chiboRoom && window.chiboRoom.online && window.chiboRoom.online()) || state.online || []); }

  // ---- the vote banner: persistent until the viewer voted or the vote closed -------------------
  var alerted = {};
  function renderBanner(vote) {
    var banner = $("vote-banner");
    if (!vote) { banner.hidden = true; return; }
    var mine = (state.my_votes && state.my_votes.votes[String(vote.id)]) || {};
    var eligible = vote.eligible_ids.indexOf(state.me.user_id) >= 0;
    var inHall = vote.hall && (vote.hall.hands[String(state.me.user_id)] || vote.hall.paper_ids.indexOf(state.me.user_id) >= 0);
    if (eligible && (mine.voted || inHall)) { banner.hidden = true; return; }
    var link = $("vote-banner-link");
    link.textContent = fmt(eligible ? T.banner_vote : T.banner_info, { subject: vote.subject });
    banner.classList.toggle("info", !eligible);
    banner.hidden = false;
    if (eligible && !alerted[vote.id]) {
      alerted[vote.id] = true;
      if (alertsOn()) {
        if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
        beep();
      }
    }
  }
  // The person's own choice, from the server (the box is rendered checked or not).
  function alertsOn() { return $("vote-alert").checked; }
  function beep() {
    try {
      var ctx = new (window.AudioContext || window.webkitAudioContext)();
      var osc = ctx.createOscillator();
      osc.frequency.value = 880; osc.connect(ctx.destination); osc.start(); osc.stop(ctx.currentTime + 0.25);
    } catch (e) { /* no audio: the banner is enough */ }
  }
  $("vote-banner-link").addEventListener("click", function (event) {
    event.preventDefault();
    var panel = $("voting");
    panel.scrollIntoView({ behavior: "smooth", block: "start" });
    var first = panel.querySelector(".ballot input, .hands button");
    if (first) first.focus({ preventScroll: true });
  });
  // Saved on the server (a site command), so every device of this person follows it; a refusal
  // or a lost connection puts the box back as it was and says so.
  var alertBox = $("vote-alert");
  alertBox.addEventListener("change", function () {
    var wanted = alertBox.checked;
    var token = document.querySelector("meta[name=csrf-token]").content;
    function failed(message) {
      alertBox.checked = !wanted;
      if (window.chiboRoom) window.chiboRoom.tell(message || T.alert_not_saved);
    }
    fetch(alertBox.dataset.url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ on: wanted })
    }).then(function (r) { return r.json(); })
      .then(function (body) { if (!body.ok) failed(body.error && body.error.message); })
      .catch(function () { failed(); });
  });

  // ---- the hall's part of the open vote --------------------------------------------------------
  function who(ids) { var n = names(); return ids.map(function (id) { return n[id] || String(id); }); }

  function channelsLine(vote) {
    var h = vote.hall;
    var hall = Object.keys(h.hands).length, paper = h.paper_ids.length;
    return fmt(T.channels, { online: Math.max(0, vote.voted - hall - paper), hall: hall, paper: paper });
  }

  function handsBlock(vote) {
    var box = el("div", { className: "hall-hands" });
    var h = vote.hall;
    var here = online();
    // In the hall: eligible voters with no vote yet who are not connected, then hands already counted.
    var waiting = pendingOf(vote).filter(function (id) { return !here.has(id); });
    var n = names();
    var rows = waiting.concat(Object.keys(h.hands).map(Number));
    if (!rows.length) { box.appendChild(el("p", { className: "muted", text: T.hall_nobody })); return box; }
    var list = el("ul", { className: "hall-list" });
    rows.forEach(function (id) {
      var chosen = h.hands[String(id)] || null;
      var buttons = vote.options.map(function (o) {
        var b = el("button", { type: "button", className: chosen === o.key ? "primary" : "", "aria-pressed": chosen === o.key ? "true" : "false",
          "data-user": id, "data-choice": o.key, text: optionLabel(o) });
        b.addEventListener("click", function () {
          send("record_hall_hands", { vote_id: vote.id, hands: [{ user_id: id, choice: o.key }] });
        });
        return b;
      });
      list.appendChild(el("li", {}, [el("span", { className: "hall-name", text: n[id] || String(id) }), el("span", { className: "controls tight" }, buttons)]));
    });
    box.appendChild(list);
    if (waiting.length) {
      var all = el("button", { type: "button", className: "primary", id: "hall-all-agree", text: fmt(T.all_agree, { n: waiting.length }) });
      all.addEventListener("click", function () {
        if (!window.confirm(fmt(T.confirm_all_agree, { names: who(waiting).join(", ") }))) return;
        send("record_hall_hands", { vote_id: vote.id, hands: waiting.map(function (id) { return { user_id: id, choice: "agree" }; }) });
      });
      box.appendChild(el("p", { className: "muted", text: T.all_agree_help }));
      box.appendChild(el("div", { className: "controls" }, [all]));
    }
    return box;
  }

  function paperBlock(vote) {
    var box = el("div", { className: "hall-paper" });
    var h = vote.hall;
    var here = online();
    var team = state.counting_team || [];
    var counter = team.indexOf(state.me.user_id) >= 0;
    box.appendChild(el("p", { text: fmt(T.team_line, { names: team.length ? who(team).join(", ") : "—" }) }));
    if (!counter) {
      if (h.paper) box.appendChild(confirmLine(vote, team));
      return box;
    }
    // 1. Who put a ballot in the box.
    var waiting = pendingOf(vote).filter(function (id) { return !here.has(id); });
    if (waiting.length) {
      var form = el("form", { className: "paper-voters", id: "paper-voters" });
      form.appendChild(el("p", { className: "muted", text: T.paper_voters_help }));
      waiting.forEach(function (id) {
        form.appendChild(el("label", { className: "check" }, [el("input", { type: "checkbox", value: String(id) }), document.createTextNode(" " + (names()[id] || id))]));
      });
      form.appendChild(el("button", { type: "submit", text: T.paper_voters_button }));
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var ids = Array.prototype.map.call(form.querySelectorAll("input:checked"), function (i) { return parseInt(i.value, 10); });
        if (ids.length) send("mark_paper_voters", { vote_id: vote.id, user_ids: ids });
      });
      box.appendChild(form);
    }
    box.appendChild(el("p", { className: "muted", text: fmt(T.paper_marked, { n: h.paper_ids.length, names: who(h.paper_ids).join(", ") || "—" }) }));
    // 2. The totals, entered by one member of the team.
    if (h.paper_ids.length) {
      var detail = state.paper_detail && state.paper_detail.vote_id === vote.id ? state.paper_detail : null;
      var totals = el("form", { className: "paper-totals", id: "paper-totals" });
      totals.appendChild(el("p", { className: "muted", text: T.totals_help }));
      vote.options.forEach(function (o) {
        var id = "paper-" + o.key;
        totals.appendChild(el("label", { "for": id, text: optionLabel(o) }));
        totals.appendChild(el("input", { id: id, type: "number", min: "0", inputmode: "numeric", value: detail ? String(detail.counts[o.key] || 0) : "0", "data-key": o.key }));
      });
      if (vote.max_choices > 1) {
        totals.appendChild(el("label", { "for": "paper-valid", text: T.valid }));
        totals.appendChild(el("input", { id: "paper-valid", type: "number", min: "0", inputmode: "numeric", value: detail ? String(detail.valid) : "0" }));
      }
      totals.appendChild(el("label", { "for": "paper-spoiled", text: T.spoiled }));
      totals.appendChild(el("input", { id: "paper-spoiled", type: "number", min: "0", inputmode: "numeric", value: detail ? String(detail.spoiled) : "0" }));
      totals.appendChild(el("button", { type: "submit", text: T.totals_button }));
      totals.addEventListener("submit", function (event) {
        event.preventDefault();
        var counts = {};
        totals.querySelectorAll("input[data-key]").forEach(function (i) { counts[i.dataset.key] = parseInt(i.value, 10) || 0; });
        var payload = { vote_id: vote.id, counts: counts, spoiled: parseInt($("paper-spoiled").value, 10) || 0 };
        if ($("paper-valid")) payload.valid = parseInt($("paper-valid").value, 10) || 0;
        send("enter_paper_tally", payload);
      });
      box.appendChild(totals);
    }
    // 3. Every member of the team confirms the same entry.
    if (h.paper) box.appendChild(confirmLine(vote, team));
    return box;
  }

  function confirmLine(vote, team) {
    var h = vote.hall, box = el("div", { className: "paper-confirm", id: "paper-confirm" });
    var detail = state.paper_detail && state.paper_detail.vote_id === vote.id ? state.paper_detail : null;
    if (detail) {
      var parts = vote.options.map(function (o) { return optionLabel(o) + ": " + (detail.counts[o.key] || 0); });
      parts.push(T.spoiled + ": " + detail.spoiled);
      box.appendChild(el("p", { className: "paper-numbers", text: fmt(T.entered, { by: h.paper.entered_by, numbers: parts.join(" · ") }) }));
    }
    var missing = team.filter(function (id) { return h.paper.confirmed_ids.indexOf(id) < 0; });
    box.appendChild(el("p", { className: missing.length ? "warn" : "ok", id: "paper-confirmed",
      text: missing.length ? fmt(T.confirm_waiting, { names: who(missing).join(", ") }) : T.confirm_done }));
    if (missing.indexOf(state.me.user_id) >= 0 && detail) {
      var b = el("button", { type: "button", className: "primary", id: "paper-confirm-button", text: T.confirm_button });
      b.addEventListener("click", function () { send("confirm_paper_tally", { vote_id: vote.id, revision: h.paper.revision }); });
      box.appendChild(el("div", { className: "controls" }, [b]));
    }
    return box;
  }

  function teamForm() {
    var box = el("details", { className: "team", id: "team" });
    var team = state.counting_team || [];
    box.appendChild(el("summary", { text: fmt(T.team_line, { names: team.length ? who(team).join(", ") : "—" }) }));
    var form = el("form", { id: "team-form" });
    form.appendChild(el("p", { className: "muted", text: T.team_help }));
    (state.roster || []).forEach(function (r) {
      if (r.attendance.status !== "present" && r.attendance.status !== "late") return;
      var input = el("input", { type: "checkbox", value: String(r.user_id) });
      input.checked = team.indexOf(r.user_id) >= 0;
      form.appendChild(el("label", { className: "check" }, [input, document.createTextNode(" " + r.name)]));
    });
    form.appendChild(el("button", { type: "submit", text: T.team_button }));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var ids = Array.prototype.map.call(form.querySelectorAll("input:checked"), function (i) { return parseInt(i.value, 10); });
      send("set_counting_team", { user_ids: ids });
    });
    box.appendChild(form);
    return box;
  }

  // ---- who has not voted yet: asked by those who close votes or count in the hall ---------------
  // Not in the broadcast (it would send the roster to everyone on every ballot): asked after the
  // vote's count moves, one question at a time, the last answer kept until the next.
  var waitingAnswer = null, asking = false, askedFor = null;
  function pendingOf(vote) {
    return waitingAnswer && waitingAnswer.vote_id === vote.id ? waitingAnswer.pending_ids : [];
  }
  function askWaiting(vote, then) {
    var key = vote.id + ":" + vote.voted + ":" + JSON.stringify(vote.hall);
    if (!then && (asking || key === askedFor)) return;
    asking = true;
    askedFor = key;
    window.chiboRoom.ask("hall_waiting", { vote_id: vote.id }, function (answer) {
      asking = false;
      if (answer) waitingAnswer = answer; // renderHall redraws only if the list moved
      if (then) then(answer);
      else if (state) renderHall();
    });
  }
  function mayAskWaiting() { return can("close_vote") || can("record_hall") || counting(); }

  var lastHall = null;
  function renderHall() {
    var box = $("vote-hall");
    var vote = openVote();
    var live = state.meeting.status === "live";
    if (vote && live && mayAskWaiting()) askWaiting(vote);
    var key = JSON.stringify([vote && vote.id, vote && vote.hall, pendingOf(vote || {}), state.counting_team, state.paper_detail, live,
      state.me.can, state.online, (state.roster || []).map(function (r) { return r.attendance.status; })]);
    if (key === lastHall) return;
    lastHall = key;
    var typed = keepTyped(box);
    box.replaceChildren();
    buildHall(box, vote, live);
    typed(box);
  }

  // The box is rebuilt when anything it shows moves (a ballot, someone connecting): what a counter
  // was typing or ticking, and where the cursor was, survive it.
  function keepTyped(box) {
    var values = {};
    var focused = box.contains(document.activeElement) ? fieldKey(document.activeElement) : null;
    // Only what the user changed: a field still showing what was drawn takes the new drawing.
    box.querySelectorAll("input").forEach(function (input) {
      if (valueOf(input) !== input.dataset.drawn) values[fieldKey(input)] = valueOf(input);
    });
    return function restore(rebuilt) {
      rebuilt.querySelectorAll("input").forEach(function (input) {
        var key = fieldKey(input);
        input.dataset.drawn = valueOf(input);
        if (Object.prototype.hasOwnProperty.call(values, key)) {
          if (input.type === "checkbox") input.checked = values[key] === "1"; else input.value = values[key];
        }
        if (key === focused) input.focus({ preventScroll: true });
      });
    };
  }
  function valueOf(input) { return input.type === "checkbox" ? (input.checked ? "1" : "0") : input.value; }
  function fieldKey(input) {
    var form = input.form ? input.form.id : "";
    return form + "/" + (input.id || input.name || "") + "/" + (input.type === "checkbox" ? input.value : "");
  }

  function buildHall(box, vote, live) {
    if (!live) return;
    if (vote && vote.hall) {
      box.appendChild(el("p", { className: "muted", id: "vote-channels", text: channelsLine(vote) }));
      if (vote.method === "secret") {
        if (counting() || can("close_vote") || vote.hall.paper) box.appendChild(paperBlock(vote));
      } else if (can("record_hall") || counting()) {
        box.appendChild(el("h3", { text: T.hall_hands_h }));
        box.appendChild(handsBlock(vote));
      }
    } else if (can("set_counting_team")) {
      box.appendChild(teamForm());
    }
  }

  // ---- the close prompt names who has not voted ------------------------------------------------
  window.chiboHall = {
    closePrompt: function (vote) {
      // Asked afresh: the names must be those of this moment (the server checks the number too).
      askWaiting(vote, function (answer) {
        var waiting = answer ? answer.pending_ids : pendingOf(vote);
        var text = waiting.length
          ? fmt(T.close_names, { n: waiting.length, names: who(waiting).join(", ") })
          : T.close_everyone;
        if (window.confirm(text)) send("close_vote", { vote_id: vote.id, not_voted: waiting.length });
      });
    }
  };

  // ---- attendance settled before the record is -------------------------------------------------
  function renderSettle() {
    var box = $("settle");
    var show = can("mark_attendance") && state.meeting.status !== "scheduled" && !(state.minutes && state.minutes.status && state.minutes.status.state !== "draft");
    var rows = (state.roster || []).filter(function (r) { return r.to_settle; });
    var apart = (state.roster || []).filter(function (r) {
      return (r.category === "exempted" || r.category === "hosted") && r.attendance.status !== "present" && r.attendance.status !== "late";
    });
    box.hidden = !show || (state.meeting.status === "live" && !rows.length) || (!rows.length && !apart.length);
    if (box.hidden) return;
    var list = $("settle-list");
    list.replaceChildren();
    rows.forEach(function (r) {
      var b = el("button", { type: "button", text: T.settle_one, "data-user": r.user_id });
      b.addEventListener("click", function () { if (window.chiboRoom.markAttendance) window.chiboRoom.markAttendance(r.user_id); });
      list.appendChild(el("li", {}, [el("span", { text: r.name + (r.hosted ? " (" + T.hosted + ")" : "") }), b]));
    });
    $("settle-none").hidden = rows.length > 0;
    $("settle-rest").hidden = !rows.length;
    $("settle-rest").textContent = fmt(T.settle_rest, { n: rows.length });
    $("settle-rest").onclick = function () {
      if (window.confirm(fmt(T.confirm_settle_rest, { names: rows.map(function (r) { return r.name; }).join(", ") }))) {
        send("settle_attendance", { user_ids: rows.map(function (r) { return r.user_id; }) });
      }
    };
    var apartList = $("settle-apart");
    apartList.replaceChildren();
    apart.forEach(function (r) {
      apartList.appendChild(el("li", { text: r.name + " — " + (r.category === "exempted" ? T.exempted : T.hosted) + ", " + (T["status_" + r.attendance.status] || r.attendance.status) }));
    });
    $("settle-apart-h").hidden = !apart.length;
  }

  // ---- guests ----------------------------------------------------------------------------------
  function renderGuests() {
    var list = $("guests");
    list.replaceChildren();
    var guests = state.guests || [];
    guests.forEach(function (g) {
      var li = el("li", { text: g.name + (g.position ? ", " + g.position : "") });
      if (can("manage_guests") && !(state.minutes && state.minutes.status && state.minutes.status.state !== "draft")) {
        var x = el("button", { type: "button", className: "icon", "aria-label": fmt(T.guest_remove, { name: g.name }), text: "✕" });
        x.addEventListener("click", function () { send("remove_guest", { guest_id: g.id }); });
        li.appendChild(x);
      }
      list.appendChild(li);
    });
    if (!guests.length) list.appendChild(el("li", { className: "muted", text: T.no_guests }));
    $("guest-form").hidden = !(can("manage_guests") && state.meeting.status !== "scheduled" && !(state.minutes && state.minutes.status && state.minutes.status.state !== "draft"));
  }
  $("guest-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var name = $("guest-name").value.trim();
    if (!name) return;
    send("add_guest", { name: name, position: $("guest-position").value.trim() });
    $("guest-name").value = ""; $("guest-position").value = "";
  });

  // ---- after the meeting: the next step ---------------------------------------------------------
  function renderNext() {
    var box = $("next-steps");
    var ended = state.meeting.status === "ended";
    box.hidden = !ended;
    if (!ended) return;
    var status = (state.minutes && state.minutes.status) || { state: "draft", signatures: [] };
    var writer = can("approve_minutes") || can("sign_minutes");
    var text, action = $("next-action");
    var signed = (status.signatures || []).map(function (s) { return s.role; });
    var missing = [];
    if (signed.indexOf("minute_taker") < 0 && state.meeting.minute_taker) missing.push(state.meeting.minute_taker.name);
    if (signed.indexOf("chair") < 0 && state.meeting.chair) missing.push(state.meeting.chair.name);
    var unsettled = (state.roster || []).filter(function (r) { return r.to_settle; }).length;
    if (status.state === "sealed") {
      text = T.next_sealed; action.textContent = T.next_read; action.href = $("mp-open").href;
    } else if (!writer) {
      text = T.next_member; action.textContent = T.next_read; action.href = $("mp-open").href;
    } else if (status.state === "draft") {
      text = unsettled ? fmt(T.next_settle, { n: unsettled }) : T.next_approve;
      action.textContent = unsettled ? T.next_settle_action : T.next_approve_action;
      action.href = unsettled ? "#settle" : "#minutes-panel";
    } else {
      text = fmt(T.next_sign, { names: missing.join(", ") || "—" });
      action.textContent = T.next_sign_action; action.href = $("mp-open").href;
    }
    $("next-text").textContent = text;
    var steps = $("next-steps-list");
    steps.replaceChildren();
    [["draft", T.step_approve], ["approved", T.step_sign], ["sealed", T.step_seal]].forEach(function (s, i) {
      var order = { draft: 0, approved: 1, sealed: 2 }[status.state];
      var done = i < order || status.state === "sealed";
      var li = el("li", { className: done ? "done" : (i === order ? "current" : ""), text: s[1] });
      if (i === order && !done) li.setAttribute("aria-current", "step");
      steps.appendChild(li);
    });
  }

  document.addEventListener("chibo:private", function (event) {
    if (event.detail.event === "my_vote" && state) {
      // voting.js (loaded first) has written the ballot into my_votes: the banner can go.
      var voting = openVote();
      renderBanner(voting && state.meeting.status === "live" ? voting : null);
      return;
    }
    if (event.detail.event !== "paper_detail") return;
    if (event.detail.state) event.detail.state.paper_detail = event.detail.data;
    if (state) { lastHall = null; renderHall(); }
  });

  document.addEventListener("chibo:render", function (event) {
    state = event.detail.state;
    send = event.detail.send;
    var vote = openVote();
    renderBanner(vote && state.meeting.status === "live" ? vote : null);
    renderHall();
    renderSettle();
    renderGuests();
    renderNext();
  });
})();
