// A ticket's page, signed in (on window.liveSocket) or through its tracking link (on "/track"):
// when the ticket changes, fetch its live parts as this viewer may see them and swap them in.
// The reply form keeps its draft; a control someone is using is left alone until the next change.
(function () {
  "use strict";
  var page = document.getElementById("ticket-page");
  if (!page || typeof io === "undefined" || !window.LiveRegions) return;
  var ticketId = Number(page.dataset.ticketId);
  var token = page.dataset.trackToken;
  var socket = token ? io("/track", { auth: { token: token } }) : window.liveSocket;
  if (!socket) return;

  var refresh = Desk.throttle(function () {
    return LiveRegions.fetchFragment(page.dataset.liveUrl, "ticket-live").then(function (fresh) {
      if (fresh) LiveRegions.swap(page, fresh, { composer: swapComposer });
    });
  });

  // Only when the ticket closes or reopens; the form already on the page (and its draft) moves
  // into the new place, hidden while the ticket is closed.
  function swapComposer(current, fresh) {
    if (current.dataset.closed === fresh.dataset.closed) return;
    var form = current.querySelector("#reply-form");
    if (form) {
      var slot = fresh.querySelector("#reply-form");
      form.hidden = !slot;
      if (slot) slot.replaceWith(form); else fresh.appendChild(form);
    }
    current.replaceWith(document.adoptNode(fresh));
  }

  socket.on("ticket_changed", function (event) {
    if (!event || event.ticket_id !== ticketId) return;
    if (event.rewatch && !token) watch();  // who works on it changed: the server sorts us again
    else refresh();
  });

  // Each (re)connection joins the ticket's room again, then (once in it) fetches what changed
  // while it was not, so nothing falls between the page's rendering and the join, or a drop.
  function watch() { socket.emit("ticket:watch", { ticket_id: ticketId }, refresh); }
  if (token) {
    socket.on("connect", refresh);
  } else {
    document.addEventListener("live:connect", watch);
    if (socket.connected) watch();
  }
})();
