// The bell in the header: the unread count, kept live over the page's Socket.IO connection (the
// room's own one when there is a room, else one opened here), and a short notice when one arrives.
(function () {
  "use strict";
  var me = document.currentScript;
  var count = document.getElementById("bell-count");
  var bell = document.getElementById("bell");
  var toast = document.getElementById("bell-toast");
  if (!count || !bell) return;
  var label = me.dataset.label;

  function show(unread) {
    count.textContent = String(unread);
    count.hidden = !unread;
    bell.setAttribute("aria-label", label + ": " + unread);
  }
  function tellArrival(headline) {
    toast.replaceChildren();
    var link = document.createElement("a");
    link.href = bell.href;
    link.textContent = headline; // text, never HTML
    toast.appendChild(link);
    toast.hidden = false;
    window.clearTimeout(tellArrival.timer);
    tellArrival.timer = window.setTimeout(function () { toast.hidden = true; }, 12000);
  }
  function listen(socket) {
    socket.on("notification", function (msg) {
      if (!msg || typeof msg.unread !== "number") return;
      show(msg.unread);
      if (msg.headline) tellArrival(msg.headline);
    });
  }
  if (window.chiboSocket) { listen(window.chiboSocket); return; }
  function connect() {
    var socket = window.io({ transports: ["websocket", "polling"], tryAllTransports: true });
    window.chiboSocket = socket; // other scripts of the page listen on it too
    listen(socket);
    document.dispatchEvent(new CustomEvent("chibo:socket", { detail: socket }));
  }
  if (window.io) { connect(); return; }
  var script = document.createElement("script");
  script.src = me.dataset.socketio;
  script.onload = connect;
  document.head.appendChild(script);
})();
