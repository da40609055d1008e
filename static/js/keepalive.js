// Pages that stay open all day (kiosk, counter panel) keep their session alive while open.
// Include this script and put data-keepalive-seconds on <body>; a closed page stops pinging,
// so only an abandoned session times out. The URLs come from <body> too (base.html renders them).
(function () {
  "use strict";
  var body = document.body.dataset;
  var seconds = parseInt(body.keepaliveSeconds, 10);
  if (!seconds || seconds < 10) return;

  function ping() {
    Desk.csrfFetch(body.keepaliveUrl).then(function (response) {
      // 401: the session ended: sign in again and come back here (a kiosk returns to kiosk mode);
      // anything else unexpected: reload, and the server says why.
      if (response.status === 401) {
        window.location.assign(body.loginUrl + "?next=" + encodeURIComponent(location.pathname + location.search));
      }
      else if (!response.ok) window.location.reload();
    }).catch(function () { /* offline for a moment: the next ping tries again */ });
  }

  window.setInterval(ping, seconds * 1000);
})();
