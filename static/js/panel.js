// Counter panel: keyboard shortcuts, and the waiting line kept live over Socket.IO.
(function () {
  "use strict";
  var panel = document.getElementById("panel");
  if (!panel) return;

  // N, R, S, F, X, H press the button that shows that letter (ignored while typing in a field).
  document.addEventListener("keydown", function (event) {
    if (event.repeat || event.ctrlKey || event.metaKey || event.altKey) return;  // a held key acts once
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea") return;
    var button = panel.querySelector('[data-shortcut="' + event.key.toLowerCase() + '"]');
    if (button && !button.disabled) {
      event.preventDefault();
      button.form.requestSubmit(button);
    }
  });

  // A form sends once: a double click must not call two numbers (the server refuses it too).
  panel.addEventListener("submit", function (event) {
    if (event.target.dataset.sent) { event.preventDefault(); return; }
    event.target.dataset.sent = "1";
  });

  var list = document.getElementById("waiting-list");
  var count = document.getElementById("waiting-count");
  var rowTemplate = document.getElementById("waiting-row");
  var callUrl = panel.dataset.callUrl;  // ends in /0/call: the id is swapped per row

  function render(state) {
    var rows = document.createDocumentFragment();
    state.waiting.forEach(function (ticket) {
      var row = rowTemplate.content.firstElementChild.cloneNode(true);
      row.querySelector('[data-field="ticket"]').textContent = ticket.ticket;
      row.querySelector('[data-field="service"]').textContent = ticket.service;
      row.querySelector('[data-field="priority"]').textContent = ticket.priority || "";
      row.querySelector("form").action = callUrl.replace("/0/call", "/" + ticket.id + "/call");
      rows.appendChild(row);
    });
    list.replaceChildren(rows);
    count.textContent = state.waiting.length;
  }

  // At most one fetch in flight, with no wait between fetches (a counter acts on the line at once);
  // a change while one is on its way fetches once more after it, as its answer may predate it.
  var refresh = Desk.throttle(function () {
    return fetch(panel.dataset.stateUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) { if (state) render(state); })
      .catch(function () { /* offline for a moment: the next event refreshes */ });
  }, 0);

  var socket = io("/queue");
  socket.on("line_changed", refresh);
  socket.on("connect", refresh);  // after a reconnect, catch up on what was missed
  socket.on("session_ended", function () { window.location.assign(document.body.dataset.loginUrl); });
})();
