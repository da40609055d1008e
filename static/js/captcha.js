// The CAPTCHA of /soporte (templates/helpdesk/_captcha.html): "New image" and "Listen" in place.
// Without this script the page still works: "New image" posts the form back and comes back with a
// new image, and "Listen" is a link to the recording.
//
// A new image is a new challenge on the server (the image URL issues it), so the answer box is
// emptied and any recording playing stops: the one to listen to now is the new image's. Each
// "Listen" asks for the recording afresh (it is made for the current challenge, never cached).
// Nothing is announced while the recording plays, so a screen reader never talks over the digits.
(function () {
  "use strict";
  var block = document.getElementById("captcha-block");
  if (!block) return;
  var image = document.getElementById("captcha-image");
  var answer = block.querySelector("input[name=captcha]");
  var newImage = document.getElementById("captcha-new");
  var listen = document.getElementById("captcha-listen");
  var label = listen.querySelector(".captcha-listen-label");
  var icon = listen.querySelector("[aria-hidden]");
  var status = document.getElementById("captcha-status");
  var audio = null, requests = 0;

  function fresh(url) {
    requests += 1;
    return url + "?n=" + Date.now().toString(36) + requests;
  }

  // A live region reads a change: empty it first, so the same message twice is read twice.
  function announce(text) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 100);
  }

  function showPlaying(playing, played) {
    label.textContent = playing ? block.dataset.stop : (played ? block.dataset.listenAgain : block.dataset.listen);
    icon.textContent = playing ? "■" : "▶";
  }

  function stop(played) {
    if (audio) {
      audio.onended = audio.onerror = null;
      audio.pause();
      audio = null;
    }
    showPlaying(false, played);
  }

  function play() {
    audio = new Audio(fresh(block.dataset.audioUrl));
    audio.onended = function () { stop(true); };
    audio.onerror = function () {
      stop(false);
      announce(block.dataset.audioFailed);
    };
    showPlaying(true);
    var started = audio.play();
    if (started && started.catch) started.catch(function () { if (audio) audio.onerror(); });
  }

  listen.hidden = false;
  listen.addEventListener("click", function () {
    if (audio) stop(true); else play();
  });

  newImage.addEventListener("click", function (event) {
    event.preventDefault();
    stop(false);
    answer.value = "";
    image.onload = function () { announce(block.dataset.newReady); };
    image.onerror = function () { announce(block.dataset.imageFailed); };
    image.src = fresh(block.dataset.imageUrl);
  });
})();
