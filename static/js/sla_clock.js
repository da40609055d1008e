// "Due soon" and "overdue" change with the clock, not only when a ticket changes: a list or the
// helpdesk dashboard left open would keep saying "2 h left" long after. Once a minute while the
// page is shown (and on coming back to it after a minute away) this fetches the page's live parts
// again, as its own live script does on a change, and swaps them in. The charts are left as they
// are: time alone does not move them.
// <script src="sla_clock.js" data-root="CSS selector of the page part" data-fragment="id of the
// fragment's root">
(function () {
  "use strict";
  var script = document.currentScript;
  var root = script && document.querySelector(script.dataset.root);
  if (!root || !window.LiveRegions) return;
  var MINUTE = 60 * 1000;
  var last = Date.now();

  function fragmentUrl() {
    var url = new URL(window.location.href);
    url.searchParams.set("fragment", "1");
    url.hash = "";
    return url.toString();
  }

  function tick() {
    if (document.visibilityState !== "visible" || Date.now() - last < MINUTE - 1000) return;
    last = Date.now();
    LiveRegions.fetchFragment(fragmentUrl(), script.dataset.fragment).then(function (fresh) {
      if (fresh) LiveRegions.swap(root, fresh, { charts: function () {} });
    });
  }

  window.setInterval(tick, MINUTE);
  document.addEventListener("visibilitychange", tick);
})();
