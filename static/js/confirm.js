// Forms with data-confirm ask before they submit (deleting is final).
document.addEventListener("submit", function (event) {
  "use strict";
  var message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
