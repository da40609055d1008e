// Helpdesk dashboard: draws the charts from the figures the page was rendered with.
(function () {
  "use strict";
  var root = document.getElementById("helpdesk-charts");
  if (!root || typeof Chart === "undefined") return;
  var charts = JSON.parse(root.dataset.charts);
  var palette = ["#0d6efd", "#198754", "#ffc107", "#dc3545", "#6f42c1", "#20c997", "#fd7e14", "#6c757d"];

  function bar(id, rows) {
    new Chart(document.getElementById(id), {
      type: "bar",
      data: {
        labels: rows.map(function (row) { return row[0]; }),
        datasets: [{ label: root.dataset.labelTickets, data: rows.map(function (row) { return row[1]; }),
                     backgroundColor: palette[0] }]
      },
      options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }

  new Chart(document.getElementById("chart-per-day"), {
    type: "line",
    data: {
      labels: charts.per_day.labels,
      datasets: [
        { label: root.dataset.labelCreated, data: charts.per_day.created, borderColor: palette[0], backgroundColor: palette[0], tension: 0.2 },
        { label: root.dataset.labelClosed, data: charts.per_day.closed, borderColor: palette[1], backgroundColor: palette[1], tension: 0.2 }
      ]
    },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
  new Chart(document.getElementById("chart-status"), {
    type: "doughnut",
    data: {
      labels: charts.by_status.map(function (row) { return row[0]; }),
      datasets: [{ data: charts.by_status.map(function (row) { return row[1]; }), backgroundColor: [palette[0], palette[2], palette[7], palette[1]] }]
    }
  });
  bar("chart-category", charts.by_category);
  bar("chart-area", charts.by_area);
})();
