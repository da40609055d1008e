// Helpdesk dashboard: draws the charts from the figures the page was rendered with, and keeps the
// counters, charts, workload and recent activity current as tickets change (admins hear of all).
(function () {
  "use strict";
  var root = document.getElementById("helpdesk-charts");
  if (!root || typeof Chart === "undefined") return;
  var palette = ["#0d6efd", "#198754", "#ffc107", "#dc3545", "#6f42c1", "#20c997", "#fd7e14", "#6c757d"];
  var charts = {};

  function barChart(id) {
    return new Chart(document.getElementById(id), {
      type: "bar",
      data: { labels: [], datasets: [{ label: root.dataset.labelTickets, data: [], backgroundColor: palette[0] }] },
      options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }

  charts.perDay = new Chart(document.getElementById("chart-per-day"), {
    type: "line",
    data: {
      labels: [],
      datasets: [
        { label: root.dataset.labelCreated, data: [], borderColor: palette[0], backgroundColor: palette[0], tension: 0.2 },
        { label: root.dataset.labelClosed, data: [], borderColor: palette[1], backgroundColor: palette[1], tension: 0.2 }
      ]
    },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
  charts.status = new Chart(document.getElementById("chart-status"), {
    type: "doughnut",
    data: { labels: [], datasets: [{ data: [], backgroundColor: [palette[0], palette[2], palette[7], palette[1]] }] }
  });
  charts.category = barChart("chart-category");
  charts.area = barChart("chart-area");

  function setRows(chart, rows) {
    chart.data.labels = rows.map(function (row) { return row[0]; });
    chart.data.datasets[0].data = rows.map(function (row) { return row[1]; });
  }

  function draw(figures) {
    charts.perDay.data.labels = figures.per_day.labels;
    charts.perDay.data.datasets[0].data = figures.per_day.created;
    charts.perDay.data.datasets[1].data = figures.per_day.closed;
    setRows(charts.status, figures.by_status);
    setRows(charts.category, figures.by_category);
    setRows(charts.area, figures.by_area);
    Object.keys(charts).forEach(function (key) { charts[key].update(); });
  }

  draw(JSON.parse(root.dataset.charts));

  var socket = window.liveSocket;
  if (!socket || !window.LiveRegions) return;
  var page = document.querySelector("main");
  var url = window.location.pathname + "?fragment=1";
  var refresh = Desk.throttle(function () {
    return LiveRegions.fetchFragment(url, "dashboard-live").then(function (fresh) {
      if (fresh) LiveRegions.swap(page, fresh, { charts: function (current, region) { draw(JSON.parse(region.dataset.charts)); } });
    });
  });
  socket.on("tickets_changed", refresh);
  // Every connection, the first included: a change may have come between rendering and connecting.
  document.addEventListener("live:connect", refresh);
})();
