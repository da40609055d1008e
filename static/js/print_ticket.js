// The receipt page: prints itself once (a keep-alive reload, or coming back to the page, does not
// print the same ticket again), "Print again" prints on request, and at a public kiosk it goes
// back to the start by itself after data-return-seconds.
(function () {
  "use strict";
  var body = document.body.dataset;
  var PRINTED_KEY = "receipt-printed";  // sessionStorage: the id of the last ticket this tab printed

  // The printed page is as long as the receipt, so a roll printer feeds no blank paper after it.
  // (CSS cannot say "80 mm wide, as long as the content"; the CSSOM may add the rule, the CSP allows it.)
  function fitPageToReceipt() {
    var receipt = document.querySelector(".receipt");
    var sheet = document.querySelector('link[href*="receipt.css"]');
    if (!receipt || !sheet || !sheet.sheet) return;
    var millimetres = Math.ceil(receipt.getBoundingClientRect().height * 25.4 / 96) + 2;
    try {
      sheet.sheet.insertRule("@page { size: 80mm " + millimetres + "mm; margin: 0; }", sheet.sheet.cssRules.length);
    } catch (error) { /* an older browser: the printer's own paper length applies */ }
  }

  function alreadyPrinted() {
    try {
      if (sessionStorage.getItem(PRINTED_KEY) === body.ticketId) return true;
      sessionStorage.setItem(PRINTED_KEY, body.ticketId);
    } catch (error) { /* storage refused: print, as before */ }
    return false;
  }

  function printOnce() {
    if (body.autoPrint !== "true" || alreadyPrinted()) return;
    window.print();
  }

  // The bar runs down while the person takes the ticket; then the form goes back to the start.
  function returnToStartLater() {
    var seconds = parseInt(body.returnSeconds, 10);
    var form = document.getElementById("return-form");
    if (!seconds || !form) return;
    var timer = document.getElementById("return-timer");
    if (timer) {
      timer.style.animationDuration = seconds + "s";
      timer.classList.add("running");
    }
    window.setTimeout(function () { form.submit(); }, seconds * 1000);
  }

  var again = document.getElementById("print-again");
  if (again) again.addEventListener("click", function () { window.print(); });
  window.addEventListener("load", function () {
    fitPageToReceipt();
    printOnce();  // with Chromium's --kiosk-printing this returns at once; elsewhere once the dialog closes
    returnToStartLater();
  }, { once: true });
})();
