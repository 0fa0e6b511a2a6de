// The leaders' view of invitations: when a member answers or opens a document, the server tells
// the leaders' pages (`invitations_changed`); the table is fetched again (HTML from the server).
(function () {
  "use strict";
  var box = document.getElementById("invitations");
  if (!box) return;
  var meetingId = Number(box.dataset.meetingId);
  function refresh() {
    fetch(box.dataset.url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) return null;
      return response.text();
    }).then(function (html) {
      if (html === null) return;
      var doc = new DOMParser().parseFromString(html, "text/html");
      box.replaceChildren.apply(box, Array.prototype.slice.call(doc.body.childNodes));
    });
  }
  function listen(socket) {
    socket.on("invitations_changed", function (msg) { if (msg && msg.meeting_id === meetingId) refresh(); });
    socket.on("connect", refresh); // back from a drop: whatever changed meanwhile
  }
  if (window.chiboSocket) listen(window.chiboSocket);
  else document.addEventListener("chibo:socket", function (event) { listen(event.detail); }, { once: true });
})();
