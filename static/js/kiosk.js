// Kiosk: colour each service button, stop double taps from issuing two numbers, and, on a public
// kiosk (data-idle-reload-seconds on <body>), start afresh when nobody has touched it for a while:
// a half-made choice is dropped, and services that opened since show as open.
(function () {
  "use strict";
  document.querySelectorAll(".kiosk-service[data-color]").forEach(function (button) {
    button.style.backgroundColor = button.dataset.color;
    button.style.borderColor = button.dataset.color;
    button.style.color = Desk.textOn(button.dataset.color);
  });
  var form = document.getElementById("kiosk-form");
  if (!form) return;
  form.addEventListener("submit", function (event) {
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    // Keep the pressed button's value: disable the others only after the form data is taken.
    window.setTimeout(function () {
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    }, 0);
  });

  var idleSeconds = parseInt(document.body.dataset.idleReloadSeconds, 10);
  if (!idleSeconds) return;
  var timer = null;
  function restartIdleTimer() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      if (!form.dataset.sent) window.location.replace(form.action);
    }, idleSeconds * 1000);
  }
  ["pointerdown", "keydown"].forEach(function (name) {
    document.addEventListener(name, restartIdleTimer, { passive: true });
  });
  restartIdleTimer();
})();
