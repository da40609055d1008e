// Public call screen: renders `state`, reacts to `call`, `waiting`, `counters` and `withdrawn`,
// keeps a clock, sizes its text to the TV (display_fit.js) and announces calls (display_voice.js).
// It runs for weeks on a TV, so: fixed DOM slots whose text changes, lists rebuilt whole (never
// appended to), every listener registered once here, one clock interval, no arrays that grow.
// Data goes in with textContent only.
(function () {
  "use strict";
  var root = document.getElementById("display");
  if (!root) return;

  var options = {
    chime: root.dataset.chime === "true",
    flash: root.dataset.flash === "true",
    speech: root.dataset.speech === "true",
    voice: root.dataset.voice === "browser" ? "browser" : "clips"
  };
  var lang = (document.documentElement.lang || "es").toLowerCase();
  var language = lang.slice(0, 2);
  var current = document.getElementById("display-current");
  var ticketBox = current.querySelector(".display-ticket-box");
  var ticket = ticketBox.querySelector('[data-field="ticket"]');
  var recentList = document.getElementById("display-recent");
  var slots = Array.prototype.slice.call(recentList.children);
  var footer = root.querySelector(".display-footer");
  var waitingList = document.getElementById("display-waiting");
  var waitingItem = document.getElementById("display-waiting-item");
  var countersList = document.getElementById("display-counters");
  var ticker = document.getElementById("display-ticker");
  var offline = document.getElementById("display-offline");
  var soundButton = document.getElementById("display-sound");
  var model = { current: null, recent: [], prefixes: {} };  // recent: at most slots.length calls
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
    fitCalls();
  }

  function renderWaiting(services, waiting) {
    var items = document.createDocumentFragment();
    counts = {};
    model.prefixes = {};
    services.forEach(function (service) {
      var item = waitingItem.content.firstElementChild.cloneNode(true);
      item.dataset.prefix = service.prefix;
      item.querySelector(".display-prefix").textContent = service.prefix;
      item.querySelector(".display-service").textContent = service.name;
      setColour(item, service.color);
      counts[service.prefix] = item.querySelector('[data-field="count"]');
      model.prefixes[service.prefix] = true;
      items.appendChild(item);
    });
    waitingList.replaceChildren(items);  // replace, never append: a reconnect renders from scratch
    updateWaiting(waiting, true);
  }

  function updateWaiting(waiting, refit) {
    var wider = false;
    Object.keys(waiting || {}).forEach(function (prefix) {
      var count = counts[prefix];
      if (!count) return;  // another screen's service
      var text = String(waiting[prefix]);
      wider = wider || text.length !== count.textContent.length;
      count.textContent = text;
    });
    if (wider || refit) fitFooter();  // 9 → 10 may push a pill onto another row; 3 → 4 moves nothing
  }

  function fillTemplate(template, values) {
    // Functions as replacements: a "$&" in a counter's name or reason stays literal.
    return Object.keys(values).reduce(function (text, key) {
      return text.replace("{" + key + "}", function () { return values[key]; });
    }, template);
  }

  function counterNotice(counter) {
    var kind = counter.state === "break" ? "Break" : "Closed";
    var template = root.dataset["counter" + kind + (counter.reason ? "" : "Plain")];
    return fillTemplate(template, { counter: counter.name, reason: counter.reason || "" });
  }

  function showsCounter(counter) {  // the `counters` event lists every counter: keep this screen's
    var services = counter.services;
    if (!services) return true;
    return services.some(function (prefix) { return model.prefixes[prefix]; });
  }

  function renderCounters(counters) {
    if (!Array.isArray(counters)) return;  // a server that does not send them yet
    var items = document.createDocumentFragment();
    counters.forEach(function (counter) {
      if (!counter || counter.state === "open" || !showsCounter(counter)) return;
      var item = document.createElement("li");
      item.dataset.state = counter.state;
      item.textContent = counterNotice(counter);
      items.appendChild(item);
    });
    countersList.replaceChildren(items);
    countersList.hidden = !countersList.children.length;
    fitFooter();
  }

  // --- fitting the text to the TV -------------------------------------------------------------

  var CAP = 0.6;  // no other text grows past this share of the current number's size
  var MARGIN = 0.96;  // of the box's width the number may take: its last digit never touches the border

  // The current number as large as its box allows, on one line; then every other large text is
  // capped below it, which can only give the number's box more room, so it is fitted once more.
  // With nobody called yet the box shows a dash, sized as a short number would be: fitted alone,
  // a dash grows into a bar across the screen that reads as a fault.
  var IDLE_SAMPLE = "A-000";

  function fitCurrent() {
    root.style.removeProperty("--display-cap");
    var idle = !model.current;
    var shown = ticket.textContent;
    if (idle) ticket.textContent = IDLE_SAMPLE;
    var fits = function () {
      return ticket.offsetWidth <= ticketBox.clientWidth * MARGIN && ticket.offsetHeight <= ticketBox.clientHeight;
    };
    var size = window.DisplayFit.fit(ticket, fits, ticketBox.clientHeight);
    root.style.setProperty("--display-cap", Math.floor(size * CAP) + "px");
    window.DisplayFit.fit(ticket, fits, ticketBox.clientHeight, size);
    if (idle) ticket.textContent = shown;
    ticket.classList.toggle("is-idle", idle);
  }

  // Every earlier call on the list, and its counter's name whole (in at most two lines) if it can
  // be: names tell counters apart at their end ("... No. 12"), which an ellipsis would hide.
  var recentNames = slots.map(function (slot) { return slot.querySelector('[data-field="counter"]'); });

  function fitRecent() {
    var listFits = window.DisplayFit.within(recentList);
    window.DisplayFit.fit(recentList, function () {
      return listFits() && recentNames.every(function (name) {
        return name.scrollHeight <= name.clientHeight + 1 && name.scrollWidth <= name.clientWidth;
      });
    });
  }

  function fitFooter() {
    var waitingFits = window.DisplayFit.within(waitingList);
    window.DisplayFit.fit(footer, function () {
      return footer.scrollHeight <= footer.clientHeight && waitingFits();
    });
    fitTicker();  // the footer's height moves what is left for the calls
    fitCalls();
    root.dataset.fitted = window.innerWidth + "x" + window.innerHeight;  // for whoever checks the layout
  }

  function fitCalls() {
    fitCurrent();
    fitRecent();
  }

  var TICKER_SPEED = 0.07;  // of the screen's width per second: readable from the back of the room

  function fitTicker() {
    if (!ticker) return;
    var text = ticker.querySelector("span");
    var seconds = text.offsetWidth / Math.max(ticker.clientWidth * TICKER_SPEED, 40);
    ticker.style.setProperty("--ticker-duration", Math.max(8, Math.round(seconds)) + "s");
  }

  var resizing = false;
  window.addEventListener("resize", function () {
    if (resizing) return;
    resizing = true;
    window.requestAnimationFrame(function () { resizing = false; fitFooter(); });
  });

  // --- calls --------------------------------------------------------------------------------

  // A call as it was shown: the same ticket called again (a recall) has a later `called_at`.
  function isNewer(call, than) {
    if (!call) return false;
    if (!than) return true;
    if (call.ticket === than.ticket && call.called_at === than.called_at) return false;
    return !(Date.parse(call.called_at) < Date.parse(than.called_at));
  }

  function onState(state, fromServer) {
    // On a reconnection: calls made meanwhile. The latest is announced once; those between it
    // and the last one shown are not (they are stale, and a burst would drown the room).
    var missed = fromServer && isNewer(state.current, model.current) ? state.current : null;
    model.current = state.current || null;
    model.recent = (state.recent || []).slice(0, slots.length);
    renderWaiting(state.services || [], state.waiting);
    renderCounters(state.counters);
    renderCalls();
    if (missed) announce(missed);
  }

  function onCall(call) {
    var previous = model.current;
    var recent = model.recent.filter(function (c) { return c.ticket !== call.ticket; });  // a recall moves up
    if (previous && previous.ticket !== call.ticket) recent.unshift(previous);
    model.current = call;
    model.recent = recent.slice(0, slots.length);
    renderCalls();
    announce(call);
  }

  function onWithdrawn(data) {  // a called ticket went back to a line: it is no longer called
    var code = data && data.ticket;
    if (!code) return;
    var recent = model.recent.filter(function (c) { return c.ticket !== code; });
    if (model.current && model.current.ticket === code) model.current = recent.shift() || null;
    model.recent = recent;
    renderCalls();
  }

  function flash() {
    current.classList.remove("is-flashing");
    void current.offsetWidth;  // a reflow in between restarts the animation cleanly
    current.classList.add("is-flashing");
  }

  // --- sound: the chime, then the recorded words or the browser's own local voice -----------------

  var audio = new Audio();
  audio.preload = "auto";
  var OPUS = 'audio/ogg; codecs="opus"';
  var player = new window.DisplayVoice.Player(audio, function () { soundButton.hidden = false; }, function (state) {
    root.dataset.audio = state;
  });
  var clips = new window.DisplayVoice.Clips(root.dataset.voiceManifest, language, audio);
  var synth = "speechSynthesis" in window && "SpeechSynthesisUtterance" in window ? window.speechSynthesis : null;
  var voice = null;
  var announced = 0;  // how many calls this screen has announced (shown in data-announced)

  function pickVoice() {
    // A local voice in the page's language works offline; a network voice is only a fallback.
    var matching = synth.getVoices().filter(function (v) {
      var code = (v.lang || "").toLowerCase().replace("_", "-");
      return code === language || code.indexOf(language + "-") === 0;
    });
    var local = matching.filter(function (v) { return v.localService; });
    var pool = local.length ? local : matching;
    voice = pool.filter(function (v) { return v.default; })[0] || pool[0] || null;
  }

  function announcement(call) {
    var template = call.counter ? root.dataset.announce : root.dataset.announceShort;
    return fillTemplate(template, { ticket: call.spoken || call.ticket, counter: call.counter || "" });
  }

  function speak(call) {
    if (!synth) return;
    var utterance = new window.SpeechSynthesisUtterance(announcement(call));
    utterance.lang = voice ? voice.lang : lang;
    if (voice) utterance.voice = voice;
    utterance.rate = 0.9;
    utterance.onerror = function (event) { if (event.error === "not-allowed") soundButton.hidden = false; };
    synth.speak(utterance);
  }

  // The browser's voice only when the setting asks for it and it has a local one for the
  // language (a network voice fails offline); else the clips; the browser's voice of any kind
  // only if the clips cannot play here.
  function sayWithBrowser(call) {
    if (!synth) return false;
    if (options.voice === "browser" && voice && voice.localService) return true;
    return !clips.urls(call) && !!voice;
  }

  function announce(call) {
    announced += 1;
    root.dataset.announced = announced;
    if (options.flash) flash();
    var chime = options.chime ? [root.dataset.chimeUrl] : [];
    if (!options.speech) {
      if (chime.length) player.play(chime);
      return;
    }
    clips.load().then(function () {
      if (sayWithBrowser(call)) player.play(chime, function () { speak(call); });
      else player.play(chime.concat(clips.urls(call) || []));
    });
  }

  function enableSound() {  // runs inside the click: this gesture unlocks audio and speech
    soundButton.hidden = true;
    player.unlock(probeUrl);
    if (synth && options.speech) synth.speak(new window.SpeechSynthesisUtterance(" "));
  }

  // The silent clip, or the chime at volume 0 where Opus cannot play.
  var probeUrl = audio.canPlayType(OPUS) ? root.dataset.silenceUrl : root.dataset.chimeUrl;
  if (synth && options.speech) {
    pickVoice();
    synth.onvoiceschanged = pickVoice;  // voices load late in Chrome; a property, so set once
  }
  soundButton.addEventListener("click", enableSound);
  if (options.chime || options.speech) {
    player.probe(probeUrl);  // asks for a gesture only if the browser refuses
    if (options.speech) clips.load();
  }

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
    var dayChanged = date.textContent !== day;
    date.textContent = day;
    if (dayChanged) fitFooter();  // the header's height may change with the date's length
  }

  tick();
  window.setInterval(tick, 1000);

  // --- live updates ---------------------------------------------------------------------------

  function setOnline(online) {
    offline.hidden = online;
    root.dataset.connection = online ? "online" : "offline";
  }

  onState(JSON.parse(document.getElementById("display-state").textContent), false);  // the model, colours, sizes

  var query = root.dataset.screen ? { screen: root.dataset.screen }
    : root.dataset.services ? { services: root.dataset.services } : {};
  var socket = io("/display", { query: query });
  // socket.io keeps this socket object across reconnects, so these handlers are registered once.
  socket.on("connect", function () { setOnline(true); });
  socket.on("disconnect", function () { setOnline(false); });
  socket.on("connect_error", function () { setOnline(false); });
  socket.on("state", function (state) { onState(state, true); });  // on every (re)connect: the whole screen
  socket.on("call", function (call) {
    onCall(call);
    updateWaiting(call && call.waiting);  // a call carries the counts after it
  });
  socket.on("waiting", function (data) { updateWaiting(data && data.waiting); });
  socket.on("counters", function (data) { renderCounters(data && data.counters); });
  socket.on("withdrawn", onWithdrawn);
})();
