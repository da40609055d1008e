// Queue dashboard: greys out the filter's dates while "All history" is ticked, draws the charts
// from the figures the page was rendered with, then keeps the numbers, tables and charts current.
// The server sends `line_changed` on the /queue Socket.IO namespace whenever a line moves; we then
// refetch the figures (at most once a second) and update everything in place. Handlers are
// registered once, so nothing grows while it stays open.
(function () {
  "use strict";

  // --- the filter: "All history" sets the dates aside (disabled fields are not sent) -----------

  var allHistory = document.getElementById("all_history");
  if (allHistory) {
    var dates = ["start", "end"].map(function (id) { return document.getElementById(id); });
    var followAllHistory = function () {
      dates.forEach(function (input) { if (input) input.disabled = allHistory.checked; });
    };
    allHistory.addEventListener("change", followAllHistory);
    followAllHistory();
  }

  var root = document.getElementById("queue-dashboard");
  if (!root || typeof Chart === "undefined") return;

  var MIN_INTERVAL_MS = 1000;
  var statsUrl = root.dataset.statsUrl;
  var loginUrl = root.dataset.loginUrl;
  var initial = JSON.parse(root.dataset.initial);

  // --- formatting (the same as the server's format_duration) ---------------------------------

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function formatDuration(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    var total = Math.floor(seconds + 0.5);
    var hours = Math.floor(total / 3600), minutes = Math.floor((total % 3600) / 60), secs = total % 60;
    return hours ? hours + ":" + pad(minutes) + ":" + pad(secs) : minutes + ":" + pad(secs);
  }

  function lookup(object, path) {
    return path.split(".").reduce(function (value, key) { return value == null ? null : value[key]; }, object);
  }

  // --- numbers and tables --------------------------------------------------------------------

  function timeCells(row) {
    return [
      formatDuration(row.waiting_time.average), formatDuration(row.waiting_time.p90),
      formatDuration(row.service_time.average), formatDuration(row.service_time.p90)
    ];
  }

  var TABLE_CELLS = {
    services: function (row) {
      return [row.prefix + " · " + row.name, row.issued, row.waiting, row.served, row.no_show].concat(timeCells(row));
    },
    staff: function (row) { return [row.name, row.called, row.served].concat(timeCells(row)); }
  };

  function renderTable(tbody, rows, cellsOf) {
    var columns = tbody.closest("table").querySelectorAll("thead th").length;
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      cellsOf(row).forEach(function (value, index) {
        var td = document.createElement("td");
        if (index > 0) td.className = "text-end";
        td.textContent = value;
        tr.appendChild(td);
      });
      fragment.appendChild(tr);
    });
    if (!rows.length) {
      var tr = document.createElement("tr"), td = document.createElement("td");
      td.colSpan = columns;
      td.className = "text-center text-body-secondary";
      td.textContent = tbody.dataset.empty;
      tr.appendChild(td);
      fragment.appendChild(tr);
    }
    tbody.replaceChildren(fragment);
  }

  function renderNumbers(stats) {
    root.querySelectorAll("[data-stat]").forEach(function (element) {
      var value = lookup(stats.totals, element.dataset.stat);
      element.textContent = element.dataset.format === "duration" ? formatDuration(value) : value;
    });
    root.querySelectorAll("tbody[data-rows]").forEach(function (tbody) {
      var name = tbody.dataset.rows;
      renderTable(tbody, stats[name], TABLE_CELLS[name]);
    });
  }

  // --- charts ----------------------------------------------------------------------------------

  function barChart(canvas) {
    return new Chart(canvas, {
      type: "bar",
      data: { labels: [], datasets: [{ label: canvas.dataset.label, data: [] }] },
      options: {
        responsive: true,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }

  var serviceChart = barChart(document.getElementById("chart-services"));
  // The axis names each service by its prefix: full names (up to 80 characters) would swamp the
  // chart. The tooltip, and the table below, give the whole name.
  var serviceNames = [];
  serviceChart.options.plugins.tooltip = {
    callbacks: { title: function (items) { return items.length ? serviceNames[items[0].dataIndex] : ""; } }
  };
  var hourChart = barChart(document.getElementById("chart-hours"));
  var HOUR_LABELS = Array.from({ length: 24 }, function (_, hour) { return pad(hour) + ":00"; });

  function renderCharts(stats) {
    serviceNames = stats.services.map(function (s) { return s.prefix + " · " + s.name; });
    serviceChart.data.labels = stats.services.map(function (s) { return s.prefix; });
    serviceChart.data.datasets[0].data = stats.services.map(function (s) { return s.issued; });
    serviceChart.data.datasets[0].backgroundColor = stats.services.map(function (s) { return s.color; });
    serviceChart.update();
    hourChart.data.labels = HOUR_LABELS;
    hourChart.data.datasets[0].data = stats.hours;
    hourChart.update();
  }

  function render(stats) {
    renderNumbers(stats);
    renderCharts(stats);
  }

  // --- live updates, throttled -------------------------------------------------------------------

  // One fetch at a time, at most one per MIN_INTERVAL_MS, and once more if the line moved meanwhile.
  var scheduleRefresh = Desk.throttle(function () {
    return fetch(statsUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (response.status === 401) { window.location.assign(loginUrl); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (stats) { if (stats) render(stats); })
      .catch(function () { /* offline for a moment: the next change or reconnect tries again */ });
  }, MIN_INTERVAL_MS);

  render(initial);

  if (typeof io === "undefined") return;
  var liveBadge = document.getElementById("live-badge");
  var connectedBefore = false;
  var socket = io("/queue");
  socket.on("connect", function () {
    liveBadge.classList.remove("d-none");
    if (connectedBefore) scheduleRefresh();  // catch up on what moved while we were away
    connectedBefore = true;
  });
  socket.on("disconnect", function () { liveBadge.classList.add("d-none"); });
  socket.on("line_changed", scheduleRefresh);
})();
