// Chart.js draws its text and lines in fixed colours (#666 text, grey grid lines): on the dark
// theme the axis labels and legends were 2.9:1, unreadable. Take them from Bootstrap's theme
// variables instead (text 4.5:1 and more on a card in both themes), and follow the theme toggle.
// Load it after chart.umd.min.js and before the page's charts are drawn.
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  var root = document.documentElement;

  function variable(style, name, fallback) {
    return style.getPropertyValue(name).trim() || fallback;
  }

  function apply() {
    var style = window.getComputedStyle(root);
    Chart.defaults.color = variable(style, "--bs-secondary-color", "#6c757d");  // ticks, legends, titles
    Chart.defaults.borderColor = variable(style, "--bs-border-color-translucent", "rgba(0, 0, 0, .175)");  // grid, slices
    Chart.defaults.backgroundColor = variable(style, "--bs-primary", "#0d6efd");  // a dataset without its own colour
  }

  // A chart copies the scale colours into its own options when it is made: a chart drawn before
  // the theme changed gets the new ones here.
  function restyle(chart) {
    var options = chart.options;
    var text = Chart.defaults.color, lines = Chart.defaults.borderColor;
    options.color = text;
    options.borderColor = lines;
    Object.keys(options.scales || {}).forEach(function (id) {
      var scale = options.scales[id];
      if (scale.ticks) scale.ticks.color = text;
      if (scale.title) scale.title.color = text;
      if (scale.grid) scale.grid.color = lines;
      if (scale.border) scale.border.color = lines;
    });
    if (options.plugins && options.plugins.legend) options.plugins.legend.labels.color = text;
    chart.update("none");
  }

  apply();
  new MutationObserver(function () {
    apply();
    Object.keys(Chart.instances).forEach(function (id) { restyle(Chart.instances[id]); });
  }).observe(root, { attributes: true, attributeFilter: ["data-bs-theme"] });
})();
