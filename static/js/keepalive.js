// Pages that stay open all day (kiosk, counter panel) keep their session alive while open.
// Include this script and put data-keepalive-seconds on <body>; a closed page stops pinging,
// so only an abandoned session times out.
(function () {
  "use strict";
  var seconds = parseInt(document.body.dataset.keepaliveSeconds, 10);
  if (!seconds || seconds < 10) return;
  var token = document.querySelector('meta[name="csrf-token"]');

  function ping() {
    fetch("/session/keepalive", {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.content : "", "Accept": "application/json" }
    }).then(function (response) {
      // 401: the session ended; anything else unexpected: reload, and the server says why.
      if (response.status === 401) window.location.assign("/login");
      else if (!response.ok) window.location.reload();
    }).catch(function () { /* offline for a moment: the next ping tries again */ });
  }

  window.setInterval(ping, seconds * 1000);
})();
