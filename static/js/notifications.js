// The notification bell (templates/notifications/_bell.html). The page arrives with the count and
// the latest items; this keeps them live over window.liveSocket ("notification",
// "notifications_read"), shows a toast for each new one, and on every (re)connection fetches
// those newer than the newest it has, so nothing is missed across a drop or a restart.
// Text from the server is only ever set with textContent.
(function () {
  "use strict";
  var bell = document.getElementById("notification-bell");
  if (!bell) return;
  var badge = document.getElementById("notification-count");
  var list = document.getElementById("notification-items");
  var empty = document.getElementById("notification-empty");
  var MAX_ITEMS = 8;
  var MAX_TOASTS = 3; // a long outage ends in a few toasts, not a wall of them
  var seen = {};
  var newest = 0;
  var toastBox = null;

  Array.prototype.forEach.call(list.querySelectorAll("[data-id]"), function (link) {
    remember(parseInt(link.dataset.id, 10));
  });

  function remember(id) {
    seen[id] = true;
    if (id > newest) newest = id;
  }

  function count() {
    return parseInt(badge.dataset.count, 10) || 0;
  }

  function setCount(value) {
    value = Math.max(0, value | 0);
    badge.dataset.count = String(value);
    badge.textContent = value > 99 ? "99+" : String(value);
    badge.hidden = value === 0;
  }

  function safeUrl(url) {
    // Links come from the server and stay on this site.
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" ? url : "#";
  }

  function when(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) return "";
    try { // in the organisation's timezone, as the server writes the others
      return date.toLocaleString(document.documentElement.lang || undefined,
                                 { dateStyle: "short", timeStyle: "short", timeZone: bell.dataset.timezone || undefined });
    } catch (error) {
      return date.toLocaleString();
    }
  }

  function request(url, method) {
    return Desk.csrfFetch(url, {
      method: method,
      keepalive: method === "POST" // a click that navigates away still marks the item read
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).catch(function () { return null; });
  }

  function markItems(ids) {
    Array.prototype.forEach.call(list.querySelectorAll(".notification-unread"), function (link) {
      if (!ids || ids.indexOf(parseInt(link.dataset.id, 10)) !== -1) link.classList.remove("notification-unread");
    });
  }

  function markRead(id) {
    markItems([id]);
    request(bell.dataset.readUrl.replace(/\/0\/read$/, "/" + id + "/read"), "POST").then(function (body) {
      if (body) setCount(body.unread_count);
    });
  }

  function itemElement(notification) {
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.className = "dropdown-item notification-item" + (notification.unread ? " notification-unread" : "");
    link.href = safeUrl(notification.url);
    link.dataset.id = String(notification.id);
    var text = document.createElement("span");
    text.className = "notification-text";
    text.textContent = notification.text;
    var time = document.createElement("small");
    time.className = "d-block text-body-secondary";
    time.textContent = when(notification.created_at);
    link.appendChild(text);
    link.appendChild(time);
    item.appendChild(link);
    return item;
  }

  function addToList(notification) {
    var before = null;
    Array.prototype.forEach.call(list.children, function (item) {
      var link = item.querySelector("[data-id]");
      if (!before && link && parseInt(link.dataset.id, 10) < notification.id) before = item;
    });
    list.insertBefore(itemElement(notification), before);
    while (list.children.length > MAX_ITEMS) list.removeChild(list.lastElementChild);
    empty.hidden = true;
  }

  function toast(notification) {
    if (typeof bootstrap === "undefined") return;
    if (!toastBox) {
      // On <body>, not in the navbar, which is hidden while collapsed on small screens.
      toastBox = document.createElement("div");
      toastBox.className = "toast-container position-fixed bottom-0 end-0 p-3 notification-toasts";
      toastBox.id = "notification-toasts";
      toastBox.setAttribute("aria-live", "polite");
      document.body.appendChild(toastBox);
    }
    var element = document.createElement("div");
    element.className = "toast notification-toast";
    element.setAttribute("role", "status");
    element.setAttribute("aria-atomic", "true");
    var header = document.createElement("div");
    header.className = "toast-header";
    var title = document.createElement("strong");
    title.className = "me-auto";
    title.textContent = bell.dataset.toastTitle;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "toast");
    close.setAttribute("aria-label", bell.dataset.closeLabel);
    header.appendChild(title);
    header.appendChild(close);
    var body = document.createElement("a");
    body.className = "toast-body d-block text-reset text-decoration-none";
    body.href = safeUrl(notification.url);
    body.textContent = notification.text;
    body.addEventListener("click", function () { markRead(notification.id); });
    element.appendChild(header);
    element.appendChild(body);
    element.addEventListener("hidden.bs.toast", function () { element.remove(); });
    toastBox.appendChild(element);
    bootstrap.Toast.getOrCreateInstance(element, { delay: 8000 }).show();
  }

  // New notifications, from the socket or a catch-up; `unreadCount` is the server's count when known.
  function receive(notifications, unreadCount) {
    var fresh = notifications.filter(function (n) { return n && typeof n.id === "number" && !seen[n.id]; });
    fresh.sort(function (a, b) { return a.id - b.id; });
    fresh.forEach(function (n) {
      remember(n.id);
      addToList(n);
    });
    fresh.slice(-MAX_TOASTS).forEach(toast);
    if (typeof unreadCount === "number") setCount(unreadCount);
    else setCount(count() + fresh.filter(function (n) { return n.unread; }).length);
  }

  function catchUp() {
    request(bell.dataset.jsonUrl + "?after=" + newest, "GET").then(function (body) {
      if (body) receive(body.items || [], body.unread_count);
    });
  }

  list.addEventListener("click", function (event) {
    var link = event.target.closest(".notification-unread");
    if (link) markRead(parseInt(link.dataset.id, 10));
  });

  document.getElementById("notification-read-all").addEventListener("click", function () {
    markItems(null);
    request(bell.dataset.readAllUrl, "POST").then(function (body) {
      if (body) setCount(body.unread_count);
    });
  });

  document.addEventListener("live:connect", catchUp);
  var socket = window.liveSocket;
  if (socket) {
    socket.on("notification", function (notification) { receive([notification], null); });
    socket.on("notifications_read", function (change) {
      if (!change) return;
      markItems(Array.isArray(change.ids) ? change.ids : null);
      if (typeof change.unread_count === "number") setCount(change.unread_count);
    });
    if (socket.connected) catchUp(); // connected before this deferred script ran: "live:connect" is gone
  }
})();
