// Votes in the room, and the published receipts page.
// State comes from room.js: the "votes" section (public, the same for everyone; each "vote" change
// event replaces one vote) and "my_votes" (this viewer only). A secret ballot's receipt code is
// drawn here, shown to the voter and kept in this browser; only its SHA-256 leaves the device.
(function () {
  "use strict";

  // ---- SHA-256 (crypto.subtle is missing on plain-http pages, so a small one of our own) ------
  function sha256(text) {
    var K = [0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
      0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
      0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
      0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
      0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
      0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
      0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
      0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
      0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
      0xc67178f2];
    var H = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
      0x5be0cd19];
    var bytes = Array.prototype.slice.call(new TextEncoder().encode(text));
    var bitLength = bytes.length * 8;
    bytes.push(0x80);
    while (bytes.length % 64 !== 56) bytes.push(0);
    for (var s = 56; s >= 0; s -= 8) bytes.push(s >= 32 ? 0 : (bitLength >>> s) & 0xff);
    var w = new Array(64);
    for (var off = 0; off < bytes.length; off += 64) {
      for (var i = 0; i < 16; i++) {
        w[i] = (bytes[off + 4 * i] << 24) | (bytes[off + 4 * i + 1] << 16) |
          (bytes[off + 4 * i + 2] << 8) | bytes[off + 4 * i + 3];
      }
      for (i = 16; i < 64; i++) {
        var x = w[i - 15], y = w[i - 2];
        var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      var a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
      for (i = 0; i < 64; i++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      H = [H[0] + a, H[1] + b, H[2] + c, H[3] + d, H[4] + e, H[5] + f, H[6] + g, H[7] + h]
        .map(function (v) { return v | 0; });
    }
    return H.map(function (v) { return ("00000000" + (v >>> 0).toString(16)).slice(-8); }).join("");
  }

  // 20 symbols of a 32-letter alphabet without look-alikes: 100 random bits, easy to copy.
  var ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  function newCode() {
    var bytes = new Uint8Array(20);
    window.crypto.getRandomValues(bytes);
    var out = "";
    for (var i = 0; i < 20; i++) {
      if (i && i % 4 === 0) out += "-";
      out += ALPHABET[bytes[i] & 31];
    }
    return out;
  }
  function normalizeCode(code) { return code.trim().toUpperCase().replace(/\s+/g, ""); }

  function storeKey(meetingId, voteId) { return "chibo.receipt." + meetingId + "." + voteId; }
  function storedReceipts(meetingId, voteId) {
    try { return JSON.parse(window.localStorage.getItem(storeKey(meetingId, voteId)) || "[]"); }
    catch (e) { return []; }
  }
  function storeReceipt(meetingId, voteId, receipt) {
    var list = storedReceipts(meetingId, voteId).concat([receipt]);
    try { window.localStorage.setItem(storeKey(meetingId, voteId), JSON.stringify(list)); }
    catch (e) { /* private mode: the code is still shown on the screen */ }
  }

  var el = window.chibo.el, fmt = window.chibo.fmt;

  // ---- the published receipts page -------------------------------------------------------------
  var receiptsPage = document.getElementById("receipts");
  if (receiptsPage) {
    var published = {};
    receiptsPage.querySelectorAll("[data-hash]").forEach(function (li) { published[li.dataset.hash] = li; });
    var mark = function (hash) {
      var li = published[hash];
      if (li) { li.classList.add("mine"); li.setAttribute("aria-current", "true"); }
      return !!li;
    };
    var own = storedReceipts(receiptsPage.dataset.meetingId, receiptsPage.dataset.voteId);
    var result = document.getElementById("receipt-result");
    if (own.length) {
      var found = own.some(function (r) { return mark(r.hash); });
      result.textContent = found ? receiptsPage.dataset.found : receiptsPage.dataset.missing;
    }
    document.getElementById("receipt-check").addEventListener("submit", function (event) {
      event.preventDefault();
      var code = normalizeCode(document.getElementById("receipt-code").value);
      if (!code) return;
      result.textContent = mark(sha256(code)) ? receiptsPage.dataset.checked : receiptsPage.dataset.notFound;
    });
    return;
  }

  // ---- the room's panel ------------------------------------------------------------------------
  var panel = document.getElementById("voting");
  if (!panel) return;
  var T = JSON.parse(document.getElementById("voting-i18n").textContent);
  var lang = document.documentElement.lang === "en" ? "en" : "vi";
  var meetingId = parseInt(document.getElementById("room").dataset.meetingId, 10);
  var state = null;
  var send = null;
  var sending = {}; // vote id -> true while a cast ballot is not yet confirmed

  function $(id) { return document.getElementById(id); }
  function can(action) { return !!(state && state.me.can[action]); }
  // Eligibility is public (the list fixed at opening); whether I voted, and why I may not, come
  // from "my_votes": the server's reason for this vote, else its reason for any later vote.
  function mine(vote) {
    var own = state.my_votes || { votes: {} };
    var m = own.votes[String(vote.id)] || {};
    return {
      eligible: vote.eligible_ids.indexOf(state.me.user_id) >= 0,
      voted: !!m.voted,
      choice: m.choice || null,
      why_not: m.why_not || own.why_not
    };
  }
  function optionLabel(option) { return option.label || T[option.key] || option.key; }

  // A ballot is confirmed by push: the server sends this voter a private `my_vote` event (this
  // vote's entry of `my_votes`). Asking for "my votes" over HTTP is only the fallback.
  document.addEventListener("chibo:private", function (event) {
    if (event.detail.event !== "my_vote") return;
    var d = event.detail.data, room = event.detail.state;
    if (room && room.my_votes) {
      var entry = { eligible: d.eligible, voted: d.voted };
      if (d.choice !== undefined) entry.choice = d.choice;
      if (d.why_not) entry.why_not = d.why_not;
      room.my_votes.votes[String(d.vote_id)] = entry;
    }
    if (sending[d.vote_id]) { delete sending[d.vote_id]; confirmed(); }
    if (state) render();
  });
  function confirmed() {
    var room = window.chiboRoom;
    if (!room) return;
    // After a reconnect the ballot joins the "back online" notice; otherwise the card says it.
    if (room.noticeKind() === "away") room.tell(T.recorded); else room.announce(T.recorded);
  }
  function fallback(voteId) {
    setTimeout(function () {
      if (!sending[voteId]) return;
      // Offline: the ballot is resent on reconnect and confirmed by push; ask only when online.
      if (window.chiboRoom && !window.chiboRoom.connected()) fallback(voteId); else refreshMine(3);
    }, 5000);
  }
  function refreshMine(tries) {
    fetch(panel.dataset.mineUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body || !body.ok) return;
        state.my_votes = body.my_votes;
        var waiting = Object.keys(sending).filter(function (id) {
          var m = body.my_votes.votes[id];
          if (m && m.voted) { delete sending[id]; confirmed(); return false; }
          return true;
        });
        render();
        if (waiting.length && tries > 1) setTimeout(function () { refreshMine(tries - 1); }, 1000);
      })
      .catch(function () { if (tries > 1) setTimeout(function () { refreshMine(tries - 1); }, 2000); });
  }

  function castSecret(vote, choices) {
    if (!window.confirm(T.confirm_secret)) return;
    var code = newCode();
    var hash = sha256(code);
    storeReceipt(meetingId, vote.id, { code: code, hash: hash }); // kept before sending: a resend after a drop uses the same
    sending[vote.id] = true;
    send("cast_vote", { vote_id: vote.id, choices: choices, receipt_hash: hash });
    render();
    fallback(vote.id);
  }

  function ballotForm(vote) {
    var form = el("form", { className: "ballot", id: "ballot-" + vote.id });
    var multiple = vote.max_choices > 1 || vote.kind === "election";
    if (vote.kind === "election") form.appendChild(el("p", { className: "muted", text: fmt(T.choose_up_to, { n: vote.max_choices }) }));
    vote.options.forEach(function (option) {
      var input = el("input", { type: multiple ? "checkbox" : "radio", name: "choice", value: option.key });
      form.appendChild(el("label", { className: multiple ? "check" : "radio" }, [input, document.createTextNode(" " + optionLabel(option))]));
    });
    var submit = el("button", { type: "submit", className: "primary big", text: T.cast_button });
    form.appendChild(submit);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var choices = Array.prototype.map.call(form.querySelectorAll("input:checked"), function (i) { return i.value; });
      if (!multiple && choices.length !== 1) return;
      if (choices.length > vote.max_choices) return;
      castSecret(vote, choices);
    });
    return form;
  }

  function handButtons(vote, my) {
    var box = el("div", { className: "controls hands" });
    vote.options.forEach(function (option) {
      var chosen = my.choice === option.key;
      var b = el("button", { type: "button", className: chosen ? "primary" : "", "aria-pressed": chosen ? "true" : "false",
        "data-choice": option.key, text: optionLabel(option) + (vote.counts ? " · " + vote.counts[option.key] : "") });
      b.addEventListener("click", function () {
        send("cast_vote", { vote_id: vote.id, choices: [option.key] });
      });
      box.appendChild(b);
    });
    return box;
  }

  function receiptLine(vote) {
    var own = storedReceipts(meetingId, vote.id);
    if (!own.length) return el("p", { className: "muted", text: T.receipt_elsewhere });
    var last = own[own.length - 1];
    return el("div", { className: "receipt" }, [
      el("p", {}, [el("strong", { text: fmt(T.receipt, { code: "" }) }), el("code", { className: "receipt-code", text: last.code })]),
      el("p", { className: "muted", text: T.receipt_help })
    ]);
  }

  // Passed and failed look different (colour and icon) and say so to screen readers; an
  // election's result (who is elected) is neither.
  var OUTCOMES = {
    "true": { cls: "passed", icon: "✔", sr: "verdict_passed" },
    "false": { cls: "failed", icon: "✖", sr: "verdict_failed" },
    "null": { cls: "outcome", icon: "☑", sr: "verdict_election" }
  };
  function verdict(vote, tag) {
    var o = OUTCOMES[String(vote.result.passed)] || OUTCOMES["null"];
    return el(tag, { className: "verdict " + o.cls }, [
      el("span", { className: "verdict-icon", "aria-hidden": "true", text: o.icon }),
      el("span", { className: "sr-only", text: T[o.sr] }),
      document.createTextNode(" " + vote.result.text[lang].verdict)
    ]);
  }

  function resultBlock(vote) {
    var text = vote.result.text[lang];
    var box = el("div", { className: "vote-result" });
    box.appendChild(verdict(vote, "p"));
    var table = el("table", { className: "table" });
    text.lines.forEach(function (line) {
      table.appendChild(el("tr", {}, [el("td", { text: line.label }), el("td", { text: String(line.count) }), el("td", { text: line.percent })]));
    });
    box.appendChild(table);
    box.appendChild(el("p", { className: "muted", text: fmt(T.cast_of, { cast: vote.result.cast, eligible: vote.eligible }) + " · " + fmt(T.base, { base: vote.base }) }));
    if (vote.receipts) {
      var own = storedReceipts(meetingId, vote.id);
      if (own.length) {
        var found = own.some(function (r) { return vote.receipts.indexOf(r.hash) >= 0; });
        box.appendChild(el("p", { className: found ? "ok" : "warn", text: found ? T.receipt_found : T.receipt_missing }));
      }
      var url = panel.dataset.receiptsUrl.replace(/\/votes\/0\//, "/votes/" + vote.id + "/");
      box.appendChild(el("p", {}, [el("a", { href: url, text: T.receipts_link })]));
    }
    return box;
  }

  function voteCard(vote) {
    var card = el("article", { className: "vote vote-" + vote.status, "data-vote-id": vote.id });
    var status = { open: T.open, closed: T.closed, void: T.void }[vote.status];
    card.appendChild(el("p", { className: "muted", text: status + " · " + T["kind_" + vote.kind] + " · " + T["method_" + vote.method] }));
    card.appendChild(el("h3", { className: "vote-subject", text: vote.subject }));
    card.appendChild(el("p", { className: "muted rule", text: vote.rule_text[lang] }));
    if (vote.status === "closed") { card.appendChild(resultBlock(vote)); return card; }
    if (vote.status === "void") { card.appendChild(voidBlock(vote)); return card; }
    card.appendChild(el("p", { className: "progress", text: fmt(T.progress, { n: vote.voted, m: vote.eligible }) }));
    var my = mine(vote);
    var live = state.meeting.status === "live";
    if (!my.eligible) {
      card.appendChild(el("p", { className: "why", text: T["why_" + my.why_not] }));
      if (vote.counts) card.appendChild(handButtonsReadOnly(vote));
    } else if (vote.method === "secret") {
      if (my.voted) {
        card.appendChild(el("p", { className: "ok recorded", text: T.recorded }));
        card.appendChild(receiptLine(vote));
      } else if (sending[vote.id]) {
        card.appendChild(el("p", { className: "sending", text: T.sending }));
        card.appendChild(receiptLine(vote));
      } else if (live) {
        card.appendChild(ballotForm(vote));
      }
    } else {
      if (my.choice) card.appendChild(el("p", { className: "ok", text: fmt(T.hand_raised, { choice: T[my.choice] || my.choice }) }));
      if (live) card.appendChild(handButtons(vote, my));
    }
    if (can("close_vote")) {
      var close = el("button", { type: "button", className: "danger", id: "vote-close", text: T.close });
      // The prompt names who has not voted yet, online and in the hall (hall.js).
      close.addEventListener("click", function () { window.chiboHall.closePrompt(vote); });
      card.appendChild(el("div", { className: "controls" }, [close]));
    }
    return card;
  }

  // The key of a secret vote died with every server process that held it: its ballots can never
  // be counted. Everyone is told so plainly; the chair takes the vote again in one click.
  function voidBlock(vote) {
    var box = el("div", { className: "void" });
    box.appendChild(el("p", { className: "warn", role: "alert", text: T.void_text }));
    box.appendChild(el("p", { className: "muted", text: fmt(T.progress, { n: vote.voted, m: vote.eligible }) }));
    var anyOpen = (state.votes || []).some(function (v) { return v.status === "open"; });
    if (can("open_vote") && state.meeting.status === "live" && !anyOpen) {
      var again = el("button", { type: "button", className: "primary", id: "vote-retake", text: T.retake });
      again.addEventListener("click", function () { send("reopen_vote", { vote_id: vote.id }); });
      box.appendChild(el("div", { className: "controls" }, [again]));
    }
    return box;
  }

  function handButtonsReadOnly(vote) {
    return el("p", { className: "muted", text: vote.options.map(function (o) { return optionLabel(o) + ": " + vote.counts[o.key]; }).join(" · ") });
  }

  // Screen readers hear when a vote opens or closes (the card itself is not a live region: it is
  // rebuilt whole).
  var known = null; // vote id -> status, from the previous render
  function announceChanges(votes) {
    var now = {};
    votes.forEach(function (v) {
      now[v.id] = v.status;
      if (!known || !window.chiboRoom) return;
      if (!known[v.id] && v.status === "open") window.chiboRoom.announce(fmt(T.announce_opened, { subject: v.subject }));
      else if (known[v.id] === "open" && v.status === "closed" && v.result) {
        window.chiboRoom.announce(fmt(T.announce_closed, { verdict: v.result.text[lang].verdict }));
      } else if (known[v.id] === "open" && v.status === "void") window.chiboRoom.announce(T.void_text);
    });
    known = now;
  }

  // The chair's form to open a vote stays folded until asked for.
  var formOpen = false;
  function showForm(open) {
    formOpen = open;
    render();
    if (open) $("vote-kind").focus(); else $("vote-open-toggle").focus();
  }

  // Keeps a half-filled ballot: the panel is rebuilt on every change, so rebuild only on need.
  var lastKey = null;
  function render() {
    if (!state) return;
    var votes = state.votes || [];
    votes.forEach(function (v) { if (sending[v.id] && mine(v).voted) delete sending[v.id]; });
    announceChanges(votes);
    var open = votes.filter(function (v) { return v.status === "open"; })[0] || null;
    var shown = open || votes[votes.length - 1] || null;
    var live = state.meeting.status === "live";
    panel.hidden = !shown && !(live && can("open_vote"));
    // The progress line changes with every ballot: update it without rebuilding the ballot.
    var stable = shown ? Object.assign({}, shown, { voted: null }) : null;
    var key = JSON.stringify([stable, shown && mine(shown), sending, lang, state.meeting.status]);
    var current = $("vote-current");
    if (key !== lastKey) {
      lastKey = key;
      current.replaceChildren();
      if (shown) current.appendChild(voteCard(shown));
    }
    var progress = current.querySelector(".progress");
    if (progress && shown) progress.textContent = fmt(T.progress, { n: shown.voted, m: shown.eligible });
    var canOpen = !!(live && can("open_vote") && !open && state.agenda.current_item_id);
    if (!canOpen) formOpen = false;
    $("vote-open-toggle").hidden = !canOpen || formOpen;
    $("vote-open-toggle").setAttribute("aria-expanded", formOpen ? "true" : "false");
    $("vote-open").hidden = !canOpen || !formOpen;
    var past = votes.filter(function (v) { return v !== shown && v.status === "closed"; });
    $("vote-past").hidden = !past.length;
    var list = $("vote-list");
    list.replaceChildren();
    past.slice().reverse().forEach(function (v) {
      list.appendChild(el("li", {}, [el("strong", { text: v.subject }), verdict(v, "span")]));
    });
  }

  document.addEventListener("chibo:render", function (event) {
    state = event.detail.state;
    send = event.detail.send;
    render();
  });

  $("vote-open-toggle").addEventListener("click", function () { showForm(true); });
  $("vote-open-cancel").addEventListener("click", function () { showForm(false); });
  $("vote-open").addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); showForm(false); }
  });
  $("vote-kind").addEventListener("change", function () {
    $("vote-election").hidden = $("vote-kind").value !== "election";
    // The title field says what it is for this kind of vote.
    var label = document.querySelector("label[for=vote-subject]");
    if (label && T["subject_" + $("vote-kind").value]) label.textContent = T["subject_" + $("vote-kind").value];
  });
  $("vote-open").addEventListener("submit", function (event) {
    event.preventDefault();
    var kind = $("vote-kind").value;
    var payload = { kind: kind, auto_close: $("vote-auto").checked };
    var method = $("vote-method").value;
    if (method) payload.method = method;
    var subject = $("vote-subject").value.trim();
    if (subject) payload.subject = subject;
    if (kind === "election") {
      payload.candidates = $("vote-candidates").value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
      payload.seats = parseInt($("vote-seats").value, 10) || 1;
    }
    send("open_vote", payload);
    formOpen = false;
    render();
  });
})();
