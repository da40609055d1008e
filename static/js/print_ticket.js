// Opens the print dialog once the receipt is shown; then back to the kiosk for the next person.
(function () {
  "use strict";
  var again = document.getElementById("print-again");
  if (again) again.addEventListener("click", function () { window.print(); });
  window.addEventListener("load", function () { window.print(); }, { once: true });
})();
