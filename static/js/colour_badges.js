// Service badges take their service's colour (set here: the CSP forbids style attributes), and
// the text colour that reads on it.
document.querySelectorAll(".service-badge[data-color]").forEach(function (badge) {
  "use strict";
  badge.style.backgroundColor = badge.dataset.color;
  badge.style.color = Desk.textOn(badge.dataset.color);
});
