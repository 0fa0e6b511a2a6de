// The year-end review in the room: who has submitted, the cell's own report (read by everyone
// once drafted), the member (or the cell) taken up with their self-assessment, the chair's grade vote (an ordinary vote of the voting panel), the grades
// voted and the cap on the top grade. State: the "review" snapshot section from room.js.
(function () {
  "use strict";
  var panel = document.getElementById("review");
  if (!panel) return;
  var T = JSON.parse(document.getElementById("review-i18n").textContent);
  var el = window.chibo.el, fmt = window.chibo.fmt;
  var GRADES = ["excellent", "good", "complete", "incomplete"];
  var state = null;
  var send = null;
  var lastFocus; // the subject the vote form was last filled for


  function $(id) { return document.getElementById(id); }
  function can(action) { return !!(state && state.me.can[action]); }
  function live() { return state.meeting.status === "live"; }

  function member(id) {
    return state.review.members.find(function (m) { return m.user_id === id; });
  }
  function countsText(c) { return c ? fmt(T.votes, c) : ""; }

  function row(m, focus) {
    var isCell = m === null;
    var id = isCell ? null : m.user_id;
    var li = el("li", "rv-row task-row");
    if (focus && focus.subject_user_id === id) li.classList.add("current");
    li.appendChild(el("span", "name", isCell ? T.the_cell : m.name));
    if (!isCell) {
      li.appendChild(el("span", "badge" + (m.submitted ? " task-status" : ""), m.submitted ? T.submitted : T.not_submitted));
      if (m.submitted) li.lastChild.dataset.status = "done";
      if (m.self_score !== undefined) li.appendChild(el("span", "muted", fmt(T.self_score, { score: m.self_score })));
    }
    var decided = isCell ? state.review.cell : (m.grade ? m : null);
    if (decided) {
      li.appendChild(el("strong", "", fmt(T.cell_grade, { grade: T["grade_" + decided.grade] })));
      li.appendChild(el("span", "muted", "(" + countsText(decided.counts) + ")"));
    } else if (live()) {
      li.appendChild(el("span", "muted", T.pending));
    }
    if (live() && can("run_review")) {
      var current = focus && focus.subject_user_id === id;
      var b = el("button", "small" + (current ? " current" : ""), current ? T.now : T.take_up);
      b.type = "button";
      b.disabled = !!current;
      b.setAttribute("aria-label", T.take_up + ": " + (isCell ? T.the_cell : m.name));
      b.addEventListener("click", function () { send("review_take_up", { subject_user_id: id }); });
      li.appendChild(b);
    }
    return li;
  }

  // Sections of a written self-assessment: a member's (criteria) or the cell's (cell_criteria).
  function fillAnswers(dl, keys, prefix, answers) {
    dl.replaceChildren();
    keys.forEach(function (key) {
      dl.appendChild(el("dt", "", T[prefix + key]));
      dl.appendChild(el("dd", "", answers[key] || ""));
    });
  }
  function scoreLine(sa, template) {
    return fmt(T.self_score, { score: sa.score }) + " · " + fmt(template, { grade: T["grade_" + sa.grade] });
  }

  function renderReport(rv) {
    var report = rv.cell_report;
    var status = state.meeting.status;
    $("rv-report-link").hidden = !(can("draft_cell_report") && (status === "scheduled" || status === "live"));
    $("rv-report-by").textContent = report ? "(" + fmt(T.cell_report_by, { name: report.by }) + ")" : "— " + T.no_cell_report;
    $("rv-report").classList.toggle("empty", !report);
    if (report) {
      fillAnswers($("rv-report-answers"), rv.cell_criteria, "cell_criterion_", report.answers);
      $("rv-report-score").textContent = scoreLine(report, T.cell_self_grade);
    } else {
      $("rv-report-answers").replaceChildren();
      $("rv-report-score").textContent = "";
    }
  }

  function renderFocus(rv) {
    var focus = rv.focus;
    $("rv-focus").hidden = !focus;
    if (!focus) return;
    var id = focus.subject_user_id;
    var m = id === null ? null : member(id);
    $("rv-focus-h").textContent = id === null ? T.the_cell : (m ? m.name : "");
    var sa = focus.assessment;
    if (sa && id === null) {
      fillAnswers($("rv-answers"), rv.cell_criteria, "cell_criterion_", sa.answers);
      $("rv-focus-score").textContent = scoreLine(sa, T.cell_self_grade);
    } else if (sa) {
      fillAnswers($("rv-answers"), rv.criteria, "criterion_", sa.answers);
      $("rv-focus-score").textContent = scoreLine(sa, T.self_grade);
    } else {
      $("rv-answers").replaceChildren();
      $("rv-focus-score").textContent = id === null ? T.no_cell_report : T.no_assessment;
    }
    var openVote = (state.votes || []).some(function (v) { return v.status === "open"; });
    $("rv-vote").hidden = !(live() && can("open_vote") && !openVote);
    var key = String(id);
    if (lastFocus !== key) {
      lastFocus = key;
      $("rv-grade").value = sa ? sa.grade : "good";
    }
  }

  function render() {
    var rv = state.review;
    panel.hidden = !rv;
    if (!rv) return;
    var me = member(state.me.user_id);
    $("rv-self-link").hidden = !(me && state.meeting.status === "scheduled");
    var submitted = rv.members.filter(function (m) { return m.submitted; }).length;
    $("rv-submitted").textContent = submitted + "/" + rv.members.length + " " + T.submitted.toLowerCase();
    renderReport(rv);
    renderFocus(rv);
    var cap = rv.cap;
    $("rv-cap").textContent = cap.allowance === null ? "" :
      fmt(T.cap, { n: cap.excellent, good: cap.good, allowance: cap.allowance });
    var warning = cap.exceeded ? T.cap_exceeded : cap.open_vote_exceeds ? T.open_exceeds : "";
    $("rv-cap-warning").hidden = !warning;
    $("rv-cap-warning").textContent = warning ? fmt(warning, { percent: cap.percent }) : "";
    var list = $("rv-members");
    list.replaceChildren();
    rv.members.forEach(function (m) { list.appendChild(row(m, rv.focus)); });
    if (live() || state.meeting.status === "ended") list.appendChild(row(null, rv.focus));
  }

  var select = $("rv-grade");
  GRADES.forEach(function (g) {
    var o = el("option", "", T["grade_" + g]);
    o.value = g;
    select.appendChild(o);
  });
  $("rv-vote").addEventListener("submit", function (event) {
    event.preventDefault();
    var focus = state.review && state.review.focus;
    if (!focus) return;
    var payload = { subject_user_id: focus.subject_user_id, grade: select.value };
    if ($("rv-method").value) payload.method = $("rv-method").value;
    send("review_grade_vote", payload);
  });

  document.addEventListener("chibo:render", function (event) {
    state = event.detail.state;
    send = event.detail.send;
    render();
  });
})();
