// Opens the print dialog once the receipt is shown; "Print again" reopens it.
(function () {
  "use strict";
  var again = document.getElementById("print-again");
  if (again) again.addEventListener("click", function () { window.print(); });
  window.addEventListener("load", function () { window.print(); }, { once: true });
})();
