// Counter panel: keyboard shortcuts, and its live parts kept in step with the counter over
// Socket.IO. Whatever changes the counter or its line (another tab, another counter, the kiosk)
// makes the page fetch its live parts again as the server renders them now (LiveRegions), so
// every tab shows the same current ticket and "Call next" always says what it finishes.
(function () {
  "use strict";
  var panel = document.getElementById("panel");
  if (!panel) return;

  // N, R, S, F, X, H press the button that shows that letter (ignored while typing in a field).
  document.addEventListener("keydown", function (event) {
    if (event.repeat || event.ctrlKey || event.metaKey || event.altKey) return;  // a held key acts once
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea") return;
    var button = panel.querySelector('[data-shortcut="' + event.key.toLowerCase() + '"]');
    if (button && !button.disabled) {
      event.preventDefault();
      button.form.requestSubmit(button);
    }
  });

  // A form sends once: a double click must not call two numbers (the server refuses it too).
  panel.addEventListener("submit", function (event) {
    if (event.target.dataset.sent) { event.preventDefault(); return; }
    event.target.dataset.sent = "1";
  });

  // At most one fetch in flight, with no wait between fetches (a counter acts on the line at once);
  // a change while one is on its way fetches once more after it, as its answer may predate it.
  var refresh = Desk.throttle(function () {
    return LiveRegions.fetchFragment(panel.dataset.liveUrl, "panel-live").then(function (fresh) {
      if (fresh) LiveRegions.swap(panel, fresh, { pause: keepOpenForm });
    });
  }, 0);

  // The break form stays as the person left it while it is open (they may be typing the reason);
  // if the counter can no longer pause meanwhile, the server says so when they send it.
  function keepOpenForm(current, fresh) {
    var details = current.querySelector("details");
    if (details && details.open) return;
    current.replaceWith(document.adoptNode(fresh));
  }

  var socket = io("/queue");
  socket.on("line_changed", refresh);
  socket.on("counter_changed", refresh);
  socket.on("connect", refresh);  // after a reconnect, catch up on what was missed
  socket.on("session_ended", function () { window.location.assign(document.body.dataset.loginUrl); });
})();
