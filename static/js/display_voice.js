// The call screen's voice and sound. Most TVs and Chromium on Linux have no local speech voice,
// so calls are announced with recorded words (static/sounds/voice, made by tools/make_voice.py)
// strung together: "Turno L I C mil doscientos treinta y cuatro, pase a la ventanilla doce".
// Everything plays through one <audio> element, one file after another: the chime, then the
// words. Plain script, one global; it keeps no list that grows (the queue of announcements is
// capped), since the screen runs for weeks.
window.DisplayVoice = (function () {
  "use strict";

  // --- numbers 0-9999 as words, given as keys of the clip manifest ----------------------------

  function spanish(n) {  // 1234 -> mil doscientos treinta y cuatro; 2001 -> dos mil uno
    var thousands = Math.floor(n / 1000), hundreds = Math.floor(n % 1000 / 100), rest = n % 100;
    var keys = [];
    if (n === 0) return ["0"];
    if (thousands > 1) keys.push(String(thousands));
    if (thousands) keys.push("1000");
    if (hundreds === 1) keys.push(rest ? "100+" : "100");  // ciento tres, but cien
    else if (hundreds) keys.push(String(hundreds * 100));
    if (rest && rest < 30) keys.push(String(rest));  // up to veintinueve, one word each
    else if (rest) {
      keys.push(String(rest - rest % 10));
      if (rest % 10) keys.push("and", String(rest % 10));
    }
    return keys;
  }

  function english(n) {  // 1234 -> one thousand two hundred thirty four
    var thousands = Math.floor(n / 1000), hundreds = Math.floor(n % 1000 / 100), rest = n % 100;
    var keys = [];
    if (n === 0) return ["0"];
    if (thousands) keys.push(String(thousands), "thousand");
    if (hundreds) keys.push(String(hundreds), "hundred");
    if (rest && rest < 20) keys.push(String(rest));
    else if (rest) {
      keys.push(String(rest - rest % 10));
      if (rest % 10) keys.push(String(rest % 10));
    }
    return keys;
  }

  var NUMBERS = { es: spanish, en: english };

  function numberKeys(language, n) {
    var say = NUMBERS[language] || english;
    if (n <= 9999) return say(n);
    return String(n).split("").map(function (digit) { return say(Number(digit))[0]; });  // no words past 9999
  }

  // The words of a call: "LIC-1234" to "Ventanilla 12" -> intro, L, I, C, 1234, to_counter, 12.
  // Counter names are free text the clips cannot say: a name ending in a number gives
  // "pase a la ventanilla <number>"; any other name, the ticket alone.
  function announcementKeys(language, ticket, counter) {
    var code = /^([A-Za-z]*)-?(\d+)$/.exec(ticket || "");
    if (!code) return [];
    var keys = ["intro"];
    code[1].toUpperCase().split("").forEach(function (letter) { keys.push("letter_" + letter); });
    keys = keys.concat(numberKeys(language, parseInt(code[2], 10)));
    var number = /(\d+)\s*$/.exec(counter || "");
    if (number) keys = keys.concat(["to_counter"], numberKeys(language, parseInt(number[1], 10)));
    return keys;
  }

  // --- the recorded clips: manifest.json says which file says what, per language --------------

  function Clips(manifestUrl, language, audio) {
    this.url = new URL(manifestUrl, document.baseURI);
    this.language = language;
    this.audio = audio;
    this.clips = null;  // key -> absolute URL, once loaded
    this.loading = null;
  }

  Clips.prototype.load = function () {
    var self = this;
    if (self.clips || self.loading) return self.loading || Promise.resolve();
    self.loading = fetch(self.url.href, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (manifest) {
        var language = manifest.languages && manifest.languages[self.language];
        var clips = {};  // stays empty where they cannot play: the browser's voice, if any, speaks
        if (language && !(manifest.type && !self.audio.canPlayType(manifest.type))) {
          Object.keys(language.clips).forEach(function (key) { clips[key] = new URL(language.clips[key], self.url).href; });
        }
        self.clips = clips;
      })
      .catch(function () { /* offline or missing: the next call tries again */ })
      .finally(function () { self.loading = null; });
    return self.loading;
  };

  // The files of a call's announcement, or null when a word has no clip.
  Clips.prototype.urls = function (call) {
    var clips = this.clips;
    if (!clips || !call) return null;
    var keys = announcementKeys(this.language, call.ticket, call.counter);
    if (!keys.length || keys.some(function (key) { return !clips[key]; })) return null;
    return keys.map(function (key) { return clips[key]; });
  };

  // --- one <audio> element playing announcements one after another ---------------------------

  var MAX_WAITING = 3;  // announcements waiting their turn; older ones give way (a burst of calls)
  var STALL_MS = 10000;  // a file that neither ends nor fails this long is skipped

  // `onBlocked` runs when the browser refuses to play without a gesture; `onState` gets
  // "playing", "idle" or "blocked".
  function Player(audio, onBlocked, onState) {
    this.audio = audio;
    this.onBlocked = onBlocked;
    this.onState = onState || function () {};
    this.waiting = [];  // [{urls, then}], at most MAX_WAITING
    this.current = null;  // {urls, index, then}
    this.watchdog = null;
    var next = this.next.bind(this);
    audio.addEventListener("ended", next);
    audio.addEventListener("error", next);  // a missing or undecodable file: go on with the rest
  }

  // Play `urls` in order after what is already queued; then run `then` (e.g. the browser's voice).
  // `volume` 0 plays without being heard (still subject to the browser's autoplay rules).
  Player.prototype.play = function (urls, then, volume) {
    if (this.waiting.length >= MAX_WAITING) this.waiting.shift();
    this.waiting.push({ urls: urls, index: 0, then: then, volume: volume === undefined ? 1 : volume });
    if (!this.current) this.next();
  };

  Player.prototype.next = function () {
    window.clearTimeout(this.watchdog);
    var item = this.current;
    if (item && item.index < item.urls.length) {
      this.audio.volume = item.volume;
      this.start(item.urls[item.index++]);
      return;
    }
    if (item && item.then) item.then();
    this.current = this.waiting.shift() || null;
    if (this.current) this.next();
    else this.onState("idle");
  };

  Player.prototype.start = function (url) {
    var self = this;
    self.onState("playing");
    self.audio.src = url;
    self.watchdog = window.setTimeout(function () { self.next(); }, STALL_MS);
    var playing = self.audio.play();
    if (playing && playing.catch) {
      playing.catch(function (error) {
        // NotAllowedError: no gesture yet, so stop and ask for one. Anything else (a file that
        // fails, a src replaced while starting) already has its "error" event or is over.
        if (error && error.name === "NotAllowedError") self.blocked();
      });
    }
  };

  Player.prototype.blocked = function () {
    window.clearTimeout(this.watchdog);
    this.waiting = [];  // stale once someone enables sound: never play a backlog
    this.current = null;
    this.audio.removeAttribute("src");
    this.onState("blocked");
    this.onBlocked();
  };

  // On load: may this page make sound without a gesture? Plays `url` unheard (a silent clip, or
  // the chime at volume 0); the page asks for a gesture only if the browser says no.
  Player.prototype.probe = function (url) {
    this.play([url], null, 0);
  };

  // Inside a click: the gesture lets this element play from now on.
  Player.prototype.unlock = function (url) {
    window.clearTimeout(this.watchdog);
    this.waiting = [];
    this.current = null;
    this.play([url], null, 0);
  };

  return { numberKeys: numberKeys, announcementKeys: announcementKeys, Clips: Clips, Player: Player };
})();
