// Public call screen: renders `state`, reacts to `call` and `waiting`, keeps a clock.
// It runs for weeks on a TV, so: fixed DOM slots whose text changes, every listener registered
// once here, one clock interval, no arrays that grow. Data goes in with textContent only.
(function () {
  "use strict";
  var root = document.getElementById("display");
  if (!root) return;

  var options = {
    chime: root.dataset.chime === "true",
    flash: root.dataset.flash === "true",
    speech: root.dataset.speech === "true"
  };
  var lang = (document.documentElement.lang || "es").toLowerCase();
  var current = document.getElementById("display-current");
  var slots = Array.prototype.slice.call(document.querySelectorAll("#display-recent > li"));
  var waitingList = document.getElementById("display-waiting");
  var waitingItem = document.getElementById("display-waiting-item");
  var offline = document.getElementById("display-offline");
  var soundButton = document.getElementById("display-sound");
  var model = { current: null, recent: [] };  // recent: at most slots.length calls
  var counts = {};  // prefix -> its count element; replaced whenever the list is rebuilt

  // --- rendering ---------------------------------------------------------------------------

  function setColour(element, colour) {
    if (/^#[0-9a-f]{3,8}$/i.test(colour || "")) element.style.setProperty("--service-color", colour);
    else element.style.removeProperty("--service-color");
  }

  function fillCall(element, call) {
    element.querySelector('[data-field="ticket"]').textContent = call ? call.ticket : "—";
    element.querySelector('[data-field="counter"]').textContent = call ? call.counter || "" : "";
    setColour(element, call && call.color);
  }

  function renderCalls() {
    fillCall(current, model.current);
    slots.forEach(function (slot, i) {
      var call = model.recent[i] || null;
      slot.hidden = !call;
      fillCall(slot, call);
    });
  }

  function renderWaiting(services, waiting) {
    var items = document.createDocumentFragment();
    counts = {};
    services.forEach(function (service) {
      var item = waitingItem.content.firstElementChild.cloneNode(true);
      item.dataset.prefix = service.prefix;
      item.querySelector(".display-service").textContent = service.name;
      setColour(item, service.color);
      counts[service.prefix] = item.querySelector('[data-field="count"]');
      items.appendChild(item);
    });
    waitingList.replaceChildren(items);  // replace, never append: a reconnect renders from scratch
    updateWaiting(waiting);
  }

  function updateWaiting(waiting) {
    Object.keys(waiting || {}).forEach(function (prefix) {
      if (counts[prefix]) counts[prefix].textContent = waiting[prefix];  // other screens' services: ignored
    });
  }

  function onState(state) {
    model.current = state.current || null;
    model.recent = (state.recent || []).slice(0, slots.length);
    renderCalls();
    renderWaiting(state.services || [], state.waiting);
  }

  function onCall(call) {
    var previous = model.current;
    var recent = model.recent.filter(function (c) { return c.ticket !== call.ticket; });  // a recall moves up
    if (previous && previous.ticket !== call.ticket) recent.unshift(previous);
    model.current = call;
    model.recent = recent.slice(0, slots.length);
    renderCalls();
    if (options.flash) flash();
    if (options.chime) chime();
    if (options.speech) window.setTimeout(speak, options.chime ? 900 : 0, call);  // after the chime's first note
  }

  function flash() {
    current.classList.remove("is-flashing");
    void current.offsetWidth;  // a reflow in between restarts the animation cleanly
    current.classList.add("is-flashing");
  }

  // --- sound and speech (browsers allow them only after one user gesture) -----------------------

  var SOUND_KEY = "display.soundEnabled";
  var audio = null;  // one element for every chime
  var synth = "speechSynthesis" in window && "SpeechSynthesisUtterance" in window ? window.speechSynthesis : null;
  var voice = null;

  function remember(enabled) {
    try {
      if (enabled) localStorage.setItem(SOUND_KEY, "1");
      else localStorage.removeItem(SOUND_KEY);
    } catch (e) { /* storage disabled: the button simply shows again next time */ }
  }

  function remembered() {
    try { return localStorage.getItem(SOUND_KEY) === "1"; } catch (e) { return false; }
  }

  function needGesture() {  // the browser refused: ask again, and forget the earlier yes
    remember(false);
    soundButton.hidden = false;
  }

  function chime() {
    if (!audio) return;
    audio.currentTime = 0;
    var playing = audio.play();
    if (playing && playing.catch) {
      playing.catch(function (error) { if (error && error.name === "NotAllowedError") needGesture(); });
    }
  }

  function pickVoice() {
    // A local voice in the page's language works offline; a network voice is only a fallback.
    var prefix = lang.slice(0, 2);
    var matching = synth.getVoices().filter(function (v) {
      var code = (v.lang || "").toLowerCase().replace("_", "-");
      return code === prefix || code.indexOf(prefix + "-") === 0;
    });
    var local = matching.filter(function (v) { return v.localService; });
    var pool = local.length ? local : matching;
    voice = pool.filter(function (v) { return v.default; })[0] || pool[0] || null;
  }

  function announcement(call) {
    var template = call.counter ? root.dataset.announce : root.dataset.announceShort;
    // Functions as replacements: a "$&" in a counter name stays literal.
    return template.replace("{ticket}", function () { return call.spoken || call.ticket; })
      .replace("{counter}", function () { return call.counter || ""; });
  }

  function speak(call) {
    if (!synth) return;
    var utterance = new window.SpeechSynthesisUtterance(announcement(call));
    utterance.lang = voice ? voice.lang : lang;
    if (voice) utterance.voice = voice;
    utterance.rate = 0.9;
    utterance.onerror = function (event) { if (event.error === "not-allowed") needGesture(); };
    synth.speak(utterance);
  }

  function enableSound() {  // runs inside the click: this gesture unlocks audio and speech
    soundButton.hidden = true;
    remember(true);
    if (audio) chime();
    if (synth && options.speech) synth.speak(new window.SpeechSynthesisUtterance(" "));
  }

  if (options.chime) {
    audio = new Audio(root.dataset.chimeUrl);
    audio.preload = "auto";
  }
  if (synth && options.speech) {
    pickVoice();
    synth.onvoiceschanged = pickVoice;  // voices load late in Chrome; a property, so set once
  }
  if ((audio || (synth && options.speech)) && !remembered()) soundButton.hidden = false;
  soundButton.addEventListener("click", enableSound);

  // --- clock in the organisation's timezone --------------------------------------------------

  function formatter(parts) {
    try {
      return new Intl.DateTimeFormat(lang, Object.assign({ timeZone: root.dataset.timezone || undefined }, parts));
    } catch (e) {  // unknown zone name: the TV's own zone is the best guess
      return new Intl.DateTimeFormat(lang, parts);
    }
  }

  var timeFormat = formatter({ hour: "2-digit", minute: "2-digit" });
  var dateFormat = formatter({ weekday: "long", day: "numeric", month: "long" });
  var clock = document.getElementById("display-time");
  var date = document.getElementById("display-date");

  function tick() {
    var now = new Date();
    var text = timeFormat.format(now);
    if (clock.textContent === text) return;  // the DOM changes once a minute
    clock.textContent = text;
    clock.dateTime = now.toISOString();
    var day = dateFormat.format(now);
    // A new local day: numbers restart, so ask the server for a fresh screen (it sends `state`).
    if (date.textContent && date.textContent !== day && typeof socket !== "undefined") {
      socket.disconnect().connect();
    }
    date.textContent = day;
  }

  tick();
  window.setInterval(tick, 1000);

  // --- live updates ---------------------------------------------------------------------------

  function setOnline(online) {
    offline.hidden = online;
    root.dataset.connection = online ? "online" : "offline";
  }

  onState(JSON.parse(document.getElementById("display-state").textContent));  // colours, and the model

  var query = root.dataset.services ? { services: root.dataset.services } : {};
  var socket = io("/display", { query: query });
  // socket.io keeps this socket object across reconnects, so these handlers are registered once.
  socket.on("connect", function () { setOnline(true); });
  socket.on("disconnect", function () { setOnline(false); });
  socket.on("connect_error", function () { setOnline(false); });
  socket.on("state", onState);  // sent on every (re)connect: the whole screen, replaced
  socket.on("call", function (call) {
    onCall(call);
    updateWaiting(call && call.waiting);  // a call carries the counts after it
  });
  socket.on("waiting", function (data) { updateWaiting(data && data.waiting); });
})();
