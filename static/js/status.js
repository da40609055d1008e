// The person's queue-ticket page: refetches its status when its service's line moves, and makes
// itself noticed when the ticket is called. Listens to the public /display namespace for its
// service only; each event just triggers a (throttled) fetch of /t/<token>/status.
(function () {
  "use strict";
  var root = document.getElementById("ticket-status");
  if (!root) return;

  var FINAL = ["done", "no_show", "cancelled"];
  var MIN_INTERVAL = 1000;  // ms between fetches, however many events arrive
  var labels = JSON.parse(document.getElementById("status-labels").textContent);
  var byId = function (id) { return document.getElementById(id); };
  var called = byId("status-called");
  var cancelForm = byId("status-cancel");
  var title = document.title;
  var lastStatus = root.dataset.status;

  function waitText(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    if (seconds < 60) return root.dataset.waitUnderMinute;
    return root.dataset.waitMinutes.replace("{minutes}", String(Math.round(seconds / 60)));
  }

  function alertPerson(counter) {
    called.classList.remove("is-flashing");
    void called.offsetWidth;  // restart the highlight
    called.classList.add("is-flashing");
    document.title = "▶ " + root.dataset.ticket + " → " + counter;  // visible in a background tab
    // Chrome blocks (and logs) vibrate() before the page has had a tap; ask only when it may work.
    var active = !navigator.userActivation || navigator.userActivation.hasBeenActive;
    if (navigator.vibrate && active) navigator.vibrate([300, 150, 300]);
  }

  function render(status) {
    var waiting = status.status === "waiting";
    root.dataset.status = status.status;
    byId("status-label").textContent = labels[status.status] || status.status;
    byId("status-service").textContent = status.service;  // another line after a transfer
    byId("status-ahead").textContent = status.people_ahead;
    byId("status-wait").textContent = waitText(status.estimated_wait_seconds);
    byId("status-waiting").hidden = !waiting;
    cancelForm.hidden = !waiting;
    byId("status-counter").textContent = status.counter || "";
    called.hidden = !status.counter;
    if (status.status === "called" && lastStatus !== "called") alertPerson(status.counter);
    if (status.status !== "called") document.title = title;
    lastStatus = status.status;
    if (FINAL.indexOf(status.status) !== -1) { socket.disconnect(); return; }  // nothing more will change
    if (status.service_prefix && status.service_prefix !== root.dataset.prefix) {
      // Transferred to another line: listen to that service's calls from now on.
      root.dataset.prefix = status.service_prefix;
      socket.io.opts.query = { services: status.service_prefix };
      socket.disconnect().connect();
    }
  }

  // Throttle: one fetch in flight, at most one per MIN_INTERVAL, and one more after it if asked meanwhile.
  var refresh = Desk.throttle(function () {
    return fetch(root.dataset.statusUrl, { headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) { if (status) render(status); })
      .catch(function () { /* offline for a moment: the reconnect refetches */ });
  }, MIN_INTERVAL);

  function setOnline(online) {
    byId("status-offline").hidden = online;
    root.dataset.connection = online ? "online" : "offline";
  }

  if (FINAL.indexOf(lastStatus) !== -1) return;  // served or gone: nothing to listen for
  var socket = io("/display", { query: { services: root.dataset.prefix } });
  socket.on("connect", function () { setOnline(true); });
  socket.on("disconnect", function (reason) { setOnline(reason === "io client disconnect"); });
  socket.on("state", refresh);  // every (re)connect: catch up on what was missed
  socket.on("waiting", refresh);
  socket.on("call", function (call) {
    if (call && call.ticket === root.dataset.ticket && call.recall) alertPerson(call.counter);
    refresh();
  });
})();
