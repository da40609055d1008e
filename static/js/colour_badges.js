// Service badges take their service's colour (set here: the CSP forbids style attributes).
document.querySelectorAll(".service-badge[data-color]").forEach(function (badge) {
  "use strict";
  badge.style.backgroundColor = badge.dataset.color;
});
