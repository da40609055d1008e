// What the page scripts share, on one global (plain scripts, no modules): a throttled,
// single-flight runner for the live pages' refetches, and the CSRF-carrying request to the site's
// own JSON endpoints. Loaded by base.html (and the receipt page) before every page script.
window.Desk = (function () {
  "use strict";
  var INTERVAL = 1000;  // ms: a live page refetches at most once a second, however many events come

  // A function asking for `load()` (which returns a promise) to run: at most once per `interval`
  // ms (INTERVAL unless given), never two at once, and once more after a run if asked again
  // meanwhile, since the answer on its way may predate the change that asked. A run always
  // starts from a timer, so a burst of events in one task ends in a single run.
  function throttle(load, interval) {
    if (interval === undefined) interval = INTERVAL;
    var last = 0, timer = null, busy = false, again = false;
    function run() {
      timer = null;
      busy = true;
      last = Date.now();
      Promise.resolve().then(load).catch(function () { /* offline: the next event or reconnection asks again */ })
        .finally(function () {
          busy = false;
          if (again) { again = false; request(); }
        });
    }
    function request() {
      if (busy) { again = true; return; }
      if (timer) return;  // a run is already due: it will see this change too
      timer = setTimeout(run, Math.max(0, last + interval - Date.now()));
    }
    return request;
  }

  // The token base.html renders in <meta name="csrf-token">; "" on a page without it (the server
  // then refuses the request, which the caller handles like any other refusal).
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // fetch() to one of the site's own JSON endpoints with the X-CSRFToken header Flask-WTF checks:
  // POST unless options.method says otherwise; options.json is sent as the JSON body;
  // options.keepalive lets the request outlive a click that leaves the page. Resolves to the
  // Response, as fetch does: each caller decides what a status means for its page.
  function csrfFetch(url, options) {
    options = options || {};
    var headers = { "X-CSRFToken": csrfToken(), "Accept": "application/json" };
    var init = { method: options.method || "POST", credentials: "same-origin", headers: headers,
                 keepalive: !!options.keepalive };
    if (options.json !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.json);
    }
    return fetch(url, init);
  }

  // The text colour that reads on a background of `colour` (#rgb or #rrggbb, e.g. a service's
  // colour, which admins choose freely): white, or black when white would fall below WCAG's 4.5:1
  // (a yellow, a light green); one of the two always reaches it. Not a colour: white.
  function textOn(colour) {
    var hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(colour || "");
    if (!hex) return "#fff";
    var digits = hex[1].length === 3 ? hex[1].replace(/./g, "$&$&") : hex[1];
    var channels = [0, 2, 4].map(function (i) {
      var value = parseInt(digits.slice(i, i + 2), 16) / 255;
      return value <= 0.03928 ? value / 12.92 : Math.pow((value + 0.055) / 1.055, 2.4);
    });
    var luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
    return 1.05 / (luminance + 0.05) >= 4.5 ? "#fff" : "#000";
  }

  return { throttle: throttle, csrfFetch: csrfFetch, textOn: textOn };
})();
