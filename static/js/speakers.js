// The list of speakers in the room: raised hands, the floor and the speaking timer.
// State comes from room.js (the "speakers" snapshot section and its change events).
// The timer counts down locally from the server's started_at + limit, corrected by the offset
// between this device's clock and the server's, so it is right after a reconnect or on a phone
// whose clock is wrong.
(function () {
  "use strict";
  var panel = document.getElementById("speakers");
  if (!panel) return;
  var T = JSON.parse(document.getElementById("speakers-i18n").textContent);
  var offset = 0; // server time - local time, ms
  var state = null;
  var send = null;
  var tick = null;

  function $(id) { return document.getElementById(id); }
  var el = window.chibo.el, fmt = window.chibo.fmt;
  function clock(seconds) {
    var sign = seconds < 0 ? "−" : "";
    var s = Math.abs(seconds);
    return sign + Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
  }
  function can(action) { return !!(state && state.me.can[action]); }
  // 2,5 in Vietnamese, 2.5 in English.
  var minutesFormat = new Intl.NumberFormat(document.documentElement.lang === "en" ? "en-GB" : "vi-VN",
    { maximumFractionDigits: 1 });

  // NTP-style: the server's time is taken to be at the middle of the round trip.
  function syncClock() {
    var t0 = Date.now();
    fetch(panel.dataset.clockUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) return;
        var t1 = Date.now();
        offset = body.now - (t0 + t1) / 2;
        renderTimer();
      })
      .catch(function () { /* keep the last offset */ });
  }

  function renderTimer() {
    var sp = state && state.speakers && state.speakers.speaking;
    if (!sp) return;
    var elapsed = Math.floor((Date.now() + offset - Date.parse(sp.started_at)) / 1000);
    var left = sp.limit_seconds - Math.max(0, elapsed);
    var timer = $("sp-timer");
    timer.textContent = clock(left);
    timer.classList.toggle("over", left < 0);
    timer.setAttribute("aria-label", (left < 0 ? T.over : T.remaining) + " " + clock(left));
  }

  function item(row, index, queueLength) {
    var li = el("li", row.is_observer ? "delegate-row" : "");
    li.dataset.requestId = row.id;
    var who = el("span", "name", row.name);
    li.appendChild(who);
    if (row.user_id === state.me.user_id) li.appendChild(el("span", "muted", " (" + T.you + ")"));
    if (row.is_observer) {
      li.appendChild(el("span", "badge delegate", T.delegate));
      if (row.office) li.appendChild(el("span", "muted office", row.office));
    }
    if (can("give_floor") && state.meeting.status === "live") {
      var tools = el("span", "row-actions");
      if (index > 0 && queueLength > 1) {
        var front = el("button", "small", "⤒");
        front.type = "button";
        front.setAttribute("aria-label", T.to_front + ": " + row.name);
        front.dataset.focusKey = "front-" + row.id;
        front.title = T.to_front;
        front.addEventListener("click", function () { send("reorder_speakers", { request_id: row.id, position: 0 }); });
        tools.appendChild(front);
      }
      var give = el("button", "small", T.give);
      give.type = "button";
      give.setAttribute("aria-label", T.give + ": " + row.name);
      give.dataset.focusKey = "give-" + row.id;
      give.addEventListener("click", function () { send("give_floor", { request_id: row.id }); });
      tools.appendChild(give);
      li.appendChild(tools);
    }
    return li;
  }

  // Screen readers hear who takes the floor (the panel itself is rebuilt, not a live region).
  var lastSpeaker; // undefined before the first render: nothing is announced on page load
  function announceSpeaker(now) {
    var id = now ? now.id : null;
    if (lastSpeaker !== undefined && id !== lastSpeaker && now && window.chiboRoom) {
      window.chiboRoom.announce(now.user_id === state.me.user_id ? T.you_have_floor : fmt(T.has_floor, { name: now.name }));
    }
    lastSpeaker = id;
  }

  // The member's own place, in the panel and in the room's sticky bar (seen wherever they
  // scrolled): a clear cue when they have the floor, their number while they wait.
  function renderMyPlace(where, n) {
    var text = where === "floor" ? T.you_have_floor : where === "queue" ? fmt(T.waiting_pos, { n: n }) : "";
    [$("sp-you"), $("floor-chip")].forEach(function (box) {
      if (!box) return;
      box.hidden = !where;
      box.textContent = text;
      box.classList.toggle("is-floor", where === "floor");
    });
    $("sp-now").classList.toggle("is-me", where === "floor");
  }

  function render() {
    var sp = state.speakers;
    if (!sp) return;
    announceSpeaker(sp.speaking);
    var live = state.meeting.status === "live";
    var currentItem = state.agenda.current_item_id;
    var queue = sp.queue.filter(function (r) { return r.agenda_item_id === currentItem; });
    var spoken = sp.spoken.filter(function (r) { return r.agenda_item_id === currentItem; });

    var now = sp.speaking;
    $("sp-now").hidden = !now;
    $("sp-nobody").hidden = !!now;
    if (now) {
      $("sp-name").textContent = now.name;
      var badge = $("sp-badge");
      badge.hidden = !now.is_observer;
      badge.textContent = now.is_observer ? T.delegate + (now.office ? " — " + now.office : "") : "";
      $("sp-limit").textContent = fmt(T.limit, { minutes: minutesFormat.format(now.limit_seconds / 60) });
    }
    clearInterval(tick);
    if (now && live) { renderTimer(); tick = setInterval(renderTimer, 250); }

    var mineIndex = queue.findIndex(function (r) { return r.user_id === state.me.user_id; });
    var speakingMe = now && now.user_id === state.me.user_id;
    $("sp-mine").hidden = !(live && can("raise_hand"));
    $("sp-raise").hidden = mineIndex >= 0 || !!speakingMe;
    $("sp-lower").hidden = mineIndex < 0;
    $("sp-raise").title = mineIndex >= 0 ? fmt(T.waiting_pos, { n: mineIndex + 1 }) : "";
    renderMyPlace(live && speakingMe ? "floor" : live && mineIndex >= 0 ? "queue" : null, mineIndex + 1);

    var lead = can("give_floor") && live;
    $("sp-chair").hidden = !lead;
    $("sp-next").disabled = !queue.length;
    $("sp-end").disabled = !now;
    var limitForm = $("sp-limit-form");
    limitForm.hidden = !(can("set_speaking_limit") && state.meeting.status !== "ended");
    var input = $("sp-limit-min");
    if (document.activeElement !== input) input.value = Math.round(sp.limit_seconds / 60);

    var list = $("sp-queue");
    // The queue is rebuilt: a keyboard user's focus goes back to the same button.
    var active = document.activeElement;
    var focusKey = active && list.contains(active) ? active.dataset.focusKey : null;
    list.replaceChildren();
    if (!queue.length) list.appendChild(el("li", "muted empty", live ? T.empty : T.not_live));
    queue.forEach(function (row, index) { list.appendChild(item(row, index, queue.length)); });
    var again = focusKey && list.querySelector("[data-focus-key='" + focusKey + "']");
    if (again) again.focus();

    var done = $("sp-spoken");
    done.replaceChildren();
    spoken.forEach(function (row) {
      var li = el("li", "", "");
      li.appendChild(el("span", "name", row.name));
      if (row.is_observer) li.appendChild(el("span", "badge delegate", T.delegate));
      li.appendChild(el("span", "muted", " · " + clock(row.seconds || 0)));
      done.appendChild(li);
    });
    $("sp-spoken-count").textContent = String(spoken.length);
  }

  document.addEventListener("chibo:render", function (event) {
    state = event.detail.state;
    send = event.detail.send;
    render();
  });
  $("sp-raise").addEventListener("click", function () { send("raise_hand"); });
  $("sp-lower").addEventListener("click", function () { send("lower_hand"); });
  $("sp-next").addEventListener("click", function () { send("give_floor", {}); });
  $("sp-end").addEventListener("click", function () { send("end_speech"); });
  $("sp-limit-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var minutes = parseInt($("sp-limit-min").value, 10);
    if (minutes >= 1 && minutes <= 60) send("set_speaking_limit", { seconds: minutes * 60 });
  });
  syncClock();
  setInterval(syncClock, 5 * 60 * 1000);
  window.addEventListener("online", syncClock);
})();
