// The person's queue-ticket page: refetches its status when its service's line moves, and makes
// itself noticed twice: when only `data-alert-ahead` people are ahead ("you're nearly there") and
// when the ticket is called. Listens to the public /display namespace for its service only; each
// event just triggers a (throttled) fetch of /t/<token>/status.
//
// The alert is a short sound (data-alert-url) and a vibration. Phone browsers let a page make
// sound only after a tap on it, so the page offers "Tap to get an alert" and remembers the yes:
// after a reload, a tap anywhere on the page turns the alert back on.
// Nothing is pushed from outside: it all happens while the page is open, which is why the page
// asks to be kept open and holds a screen wake lock (where the browser has one) until the ticket
// is final. Each alert fires once per state: the state the page opens in counts as seen (the
// person is looking at it), refreshes of the same state never repeat it, a recall does.
(function () {
  "use strict";
  var root = document.getElementById("ticket-status");
  if (!root) return;

  var FINAL = ["done", "no_show", "cancelled"];
  var MIN_INTERVAL = 1000;  // ms between fetches, however many events arrive
  var ALERTS_KEY = "status.alertsEnabled";
  var VIBRATE_NEAR = [200, 100, 200];
  var VIBRATE_CALLED = [400, 150, 400, 150, 400];
  var labels = JSON.parse(document.getElementById("status-labels").textContent);
  var byId = function (id) { return document.getElementById(id); };
  var called = byId("status-called");
  var near = byId("status-near");
  var cancelForm = byId("status-cancel");
  var alertsBox = byId("status-alerts");
  var enableButton = byId("status-alert-enable");
  var alertsOn = byId("status-alert-on");
  var title = document.title;
  var alertAhead = parseInt(root.dataset.alertAhead, 10);
  var lastStatus = root.dataset.status;
  var nearAlerted = isNear(lastStatus, parseInt(root.dataset.ahead, 10));  // seen on opening
  var socket = null;

  function isFinal(status) { return FINAL.indexOf(status) !== -1; }

  function isNear(status, ahead) { return status === "waiting" && ahead <= alertAhead; }

  function waitText(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    if (seconds < 60) return root.dataset.waitUnderMinute;
    return root.dataset.waitMinutes.replace("{minutes}", String(Math.round(seconds / 60)));
  }

  function flash(element) {
    element.classList.remove("is-flashing");
    void element.offsetWidth;  // a reflow in between restarts the highlight
    element.classList.add("is-flashing");
  }

  // --- sound, vibration, and the tap that allows them --------------------------------------------

  var sound = new Audio(root.dataset.alertUrl);
  sound.preload = "auto";
  var primed = false;  // this page's sound element has played once inside a tap (iOS needs it)

  function remember(enabled) {
    try {
      if (enabled) localStorage.setItem(ALERTS_KEY, "1");
      else localStorage.removeItem(ALERTS_KEY);
    } catch (e) { /* storage disabled: the button simply shows again next time */ }
  }

  function remembered() {
    try { return localStorage.getItem(ALERTS_KEY) === "1"; } catch (e) { return false; }
  }

  function showAlertState(enabled) {
    enableButton.hidden = enabled;
    alertsOn.hidden = !enabled;
  }

  function play() {
    sound.muted = false;
    sound.currentTime = 0;
    var playing = sound.play();
    if (playing && playing.catch) {
      playing.catch(function (error) {
        // The browser wants a tap first (a reload forgets the earlier one): ask again.
        if (error && error.name === "NotAllowedError") { remember(false); showAlertState(false); }
      });
    }
  }

  function vibrate(pattern) {
    // Chrome refuses (and logs) vibrate() before the page has had a tap; ask only when it may work.
    var active = !navigator.userActivation || navigator.userActivation.hasBeenActive;
    if (navigator.vibrate && active) navigator.vibrate(pattern);
  }

  function prime() {
    // Inside a tap: play the element once, silently, so that later plays need no tap (iOS).
    if (primed) return;
    primed = true;
    sound.muted = true;
    var playing = sound.play();
    var done = function () { sound.pause(); sound.currentTime = 0; sound.muted = false; };
    if (playing && playing.then) playing.then(done, function () { primed = false; sound.muted = false; });
    else done();
  }

  function enableAlerts() {  // runs inside the tap: it unlocks sound and vibration
    primed = true;
    remember(true);
    showAlertState(true);
    play();  // the sound they will hear, so they can turn the volume up
    vibrate(VIBRATE_NEAR);
    keepAwake();
  }

  function alertNear() {
    root.dataset.alerted = "near";
    flash(near);
    play();
    vibrate(VIBRATE_NEAR);
  }

  function alertCalled(counter) {
    root.dataset.alerted = "called";
    flash(called);
    document.title = "▶ " + root.dataset.ticket + " → " + counter;  // visible in a background tab
    play();
    vibrate(VIBRATE_CALLED);
  }

  // --- the screen stays on while the ticket is live (Screen Wake Lock, where there is one) ---------

  var wakeLock = null;

  function setWakeLock(state) { root.dataset.wakeLock = state; }

  function keepAwake() {
    if (!("wakeLock" in navigator)) { setWakeLock("unavailable"); return; }  // e.g. plain http on a LAN
    if (wakeLock || isFinal(lastStatus) || document.visibilityState !== "visible") return;
    navigator.wakeLock.request("screen").then(function (lock) {
      if (isFinal(lastStatus)) { lock.release(); return; }  // the ticket ended meanwhile
      wakeLock = lock;
      setWakeLock("on");
      lock.addEventListener("release", function () { wakeLock = null; setWakeLock("off"); });
    }).catch(function () { setWakeLock("refused"); /* battery saver, or not allowed: the page says to keep it on */ });
  }

  function letSleep() {
    if (wakeLock) wakeLock.release().catch(function () { /* already released */ });
    wakeLock = null;
    setWakeLock("off");
  }

  // --- the page follows its ticket -------------------------------------------------------------------

  function render(status) {
    var waiting = status.status === "waiting";
    var previous = lastStatus;
    root.dataset.status = status.status;
    byId("status-label").textContent = labels[status.status] || status.status;
    byId("status-service").textContent = status.service;  // another line after a transfer
    byId("status-ahead").textContent = status.people_ahead;
    byId("status-wait").textContent = waitText(status.estimated_wait_seconds);
    byId("status-no-counter").hidden = status.estimated_wait_seconds != null || status.counters_open > 0;
    byId("status-waiting").hidden = !waiting;
    near.hidden = !isNear(status.status, status.people_ahead);
    cancelForm.hidden = !waiting;
    byId("status-counter").textContent = status.counter || "";
    called.hidden = !status.counter;
    lastStatus = status.status;

    if (waiting && previous !== "waiting") nearAlerted = false;  // back in a line (a transfer): a new wait
    if (isNear(status.status, status.people_ahead) && !nearAlerted) {
      nearAlerted = true;
      alertNear();
    }
    if (status.status === "called" && previous !== "called") alertCalled(status.counter);
    if (status.status !== "called") document.title = title;

    if (isFinal(status.status)) {  // nothing more will change
      alertsBox.hidden = true;
      letSleep();
      socket.disconnect();
      return;
    }
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

  if (isFinal(lastStatus)) return;  // served or gone: nothing to listen for, nothing to alert

  // Turned on before this page was (re)loaded: the yes is remembered, but a phone still wants one
  // tap on this page before it plays sound. Until then the button stays; any tap will do.
  var tapped = !navigator.userActivation || navigator.userActivation.hasBeenActive;
  showAlertState(remembered() && tapped);
  enableButton.addEventListener("click", enableAlerts);
  document.addEventListener("pointerdown", function (event) {
    if (!remembered() || event.target === enableButton) return;
    prime();
    showAlertState(true);
  }, { once: true });
  keepAwake();
  document.addEventListener("visibilitychange", keepAwake);  // the browser drops the lock when hidden

  socket = io("/display", { query: { services: root.dataset.prefix } });
  socket.on("connect", function () { setOnline(true); });
  socket.on("disconnect", function (reason) { setOnline(reason === "io client disconnect"); });
  socket.on("state", refresh);  // every (re)connect: catch up on what was missed
  socket.on("waiting", refresh);
  socket.on("counters", refresh);  // a counter opened or paused: the estimate changes
  socket.on("withdrawn", refresh);
  socket.on("call", function (call) {
    if (call && call.ticket === root.dataset.ticket && call.recall && lastStatus === "called") {
      alertCalled(call.counter);  // called again at the counter: a new call, a new alert
    }
    refresh();
  });
})();
