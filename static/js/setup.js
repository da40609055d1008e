// The set-up wizard shows the suggested catalogue in the default language chosen on the page,
// since that is the language it is created in.
(function () {
  "use strict";
  var language = document.getElementById("default_locale");
  var previews = document.querySelectorAll("[data-starter-language]");
  if (!language || !previews.length) return;
  function show() {
    previews.forEach(function (preview) { preview.hidden = preview.dataset.starterLanguage !== language.value; });
  }
  language.addEventListener("change", show);
  show();
})();
