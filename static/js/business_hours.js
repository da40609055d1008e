// Business hours: "Copy Monday to Tuesday–Friday" fills the weekdays' periods with Monday's, the
// usual office week in one click. Nothing is saved until the form is.
(function () {
  "use strict";
  var form = document.getElementById("hours-form");
  var button = document.getElementById("copy-monday");
  if (!form || !button) return;

  function inputs(day) {
    var row = form.querySelector('[data-day="' + day + '"]');
    return row ? Array.prototype.slice.call(row.querySelectorAll("input[data-time]")) : [];
  }

  button.hidden = false;
  button.addEventListener("click", function () {
    var monday = inputs(0);
    for (var day = 1; day <= 4; day += 1) {
      inputs(day).forEach(function (input, index) {
        input.value = monday[index] ? monday[index].value : "";
      });
    }
  });
})();
