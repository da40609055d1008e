// What the live pages (a ticket, the ticket lists, the helpdesk dashboard) share: fetch the page's
// live parts as the server renders them for this viewer, and swap each [data-live-region] of the
// answer in place of the page's region of the same name. The pages pace their fetches with
// Desk.throttle (common.js): at most once a second.
window.LiveRegions = (function () {
  "use strict";

  // The element `rootId` of the page at `url`, or null. A page gone (404) or a session that
  // ended (redirected to the login) reloads, which shows the person why. X-Live-Refresh marks the
  // request as the page's own doing, not the person's, for the server's idle timeout.
  function fetchFragment(url, rootId) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html", "X-Live-Refresh": "1" } })
      .then(function (response) {
        if (response.status === 404 || response.redirected) { window.location.reload(); return null; }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html === null) return null;
        var root = new DOMParser().parseFromString(html, "text/html").getElementById(rootId);
        if (!root) window.location.reload();
        return root;
      });
  }

  // Swap each region of `fresh` into `page`. `own[name](current, region)` handles a region itself;
  // a region marked data-live-keep-focus is left alone while one of its fields has the focus.
  function swap(page, fresh, own) {
    Array.prototype.forEach.call(fresh.querySelectorAll("[data-live-region]"), function (region) {
      var name = region.dataset.liveRegion;
      var current = page.querySelector('[data-live-region="' + name + '"]');
      if (!current) return;
      if (own && own[name]) { own[name](current, region); return; }
      if (current.hasAttribute("data-live-keep-focus") && current.contains(document.activeElement)) return;
      current.replaceWith(document.adoptNode(region));
    });
  }

  return { fetchFragment: fetchFragment, swap: swap };
})();
