// Kiosk: colour each service button and stop double taps from issuing two numbers.
(function () {
  "use strict";
  document.querySelectorAll(".kiosk-service[data-color]").forEach(function (button) {
    button.style.backgroundColor = button.dataset.color;
    button.style.borderColor = button.dataset.color;
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
})();
