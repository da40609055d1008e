// A ticket list (mine, my work, all): when a ticket it may show changes, fetch the same list
// (filters, sort, page) as its live parts and swap them in; the filter form is left as it is.
(function () {
  "use strict";
  var list = document.getElementById("ticket-list");
  var socket = window.liveSocket;
  if (!list || !socket || !window.LiveRegions) return;

  function fragmentUrl() {
    var url = new URL(window.location.href);
    url.searchParams.set("fragment", "1");
    url.hash = "";
    return url.toString();
  }

  var refresh = Desk.throttle(function () {
    return LiveRegions.fetchFragment(fragmentUrl(), "ticket-list-live").then(function (fresh) {
      if (fresh) LiveRegions.swap(list, fresh);
    });
  });

  socket.on("tickets_changed", refresh);
  // Every connection, the first included: a change may have come between rendering and connecting.
  document.addEventListener("live:connect", refresh);
})();
