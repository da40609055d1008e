// The signed-in page's own Socket.IO connection on "/". Other scripts use `window.liveSocket`
// (loaded after this file) and hear "live:connect" each time it (re)connects, which is when
// they fetch whatever they missed while it was down.
(function () {
  "use strict";
  if (typeof io === "undefined") return;
  var socket = io("/");
  window.liveSocket = socket;
  socket.on("connect", function () {
    document.dispatchEvent(new CustomEvent("live:connect", { detail: socket }));
  });
  // Signed out elsewhere, deactivated or password changed: the reload leads to the login page.
  // Not when this page is already leaving (its own sign-out form): that navigation wins.
  var leaving = false;
  window.addEventListener("beforeunload", function () { leaving = true; });
  socket.on("session_ended", function () { if (!leaving) window.location.reload(); });
  // Presence: services/presence.py counts a connection silent for 60 s as gone.
  window.setInterval(function () {
    if (socket.connected) socket.emit("presence:ping", {});
  }, 25000);
  // The socket keeps the session it connected with, so it never notices the idle timeout:
  // ask now and then (without counting as activity) and leave when the session is over.
  var aliveUrl = document.body.dataset.sessionAliveUrl;  // base.html renders it on <body>
  window.setInterval(function () {
    fetch(aliveUrl, { credentials: "same-origin", headers: { "Accept": "application/json", "X-Live-Refresh": "1" } })
      .then(function (response) {
        if (response.status === 401) { socket.disconnect(); window.location.reload(); }
      })
      .catch(function () { /* offline for a moment: the next check will tell */ });
  }, 60000);
  // The server refuses an event it cannot take (bad payload, a room one may not join, a flood).
  socket.on("error_event", function (error) {
    if (window.console) console.warn("live:", error && error.message);
  });
})();
