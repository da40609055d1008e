// Private chat and presence over window.liveSocket.
// On every signed-in page: the unread badge in the navigation bar stays live ("chat:unread"), and
// the page sends the presence heartbeat, so an open tab anywhere on the site keeps its person online.
// On /chat (the list) and /chat/<id> (a conversation): messages, read state, typing and online
// dots arrive live, and each (re)connection fetches what was missed while the socket was down.
// Text from people is only ever set with textContent.
(function () {
  "use strict";
  var socket = window.liveSocket;
  var nav = document.getElementById("chat-nav");
  if (!socket || !nav) return;
  var me = Number(nav.dataset.userId);
  var TYPING_EVERY_MS = 3000;
  var TYPING_SHOWN_MS = 4000;

  var navBadge = document.getElementById("chat-unread");
  function setTotal(total) {
    total = Math.max(0, total | 0);
    navBadge.textContent = total > 99 ? "99+" : String(total);
    navBadge.hidden = total === 0;
  }
  socket.on("chat:unread", function (data) {
    if (data && typeof data.total === "number") setTotal(data.total);
  });
  // Leaving the page: close the socket now. A socket still on long-polling (its WebSocket upgrade
  // not finished) would otherwise count as online until the server's ping timeout.
  window.addEventListener("pagehide", function () { socket.disconnect(); });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && !socket.connected) socket.connect(); // back from the back/forward cache
  });

  var page = document.getElementById("chat-page") || document.getElementById("chat-list-page");
  if (!page) return;
  var labels = page.dataset;

  function formatTime(iso) {
    try {
      return new Date(iso).toLocaleString(document.documentElement.lang || undefined,
                                          { dateStyle: "short", timeStyle: "short", timeZone: labels.timezone || undefined });
    } catch (error) {
      return iso;
    }
  }

  // Whenever the socket (re)connects; also now if it already has.
  function onConnect(callback) {
    document.addEventListener("live:connect", callback);
    if (socket.connected) callback();
  }

  // --- presence dots ----------------------------------------------------------------------------
  function showPresence(status) {
    var holders = document.querySelectorAll('[data-presence-for="' + Number(status.user_id) + '"]');
    Array.prototype.forEach.call(holders, function (holder) {
      holder.dataset.online = status.online ? "true" : "false";
      var dot = holder.querySelector(".presence-dot");
      dot.classList.toggle("online", !!status.online);
      dot.classList.toggle("offline", !status.online);
      holder.querySelector(".presence-text").textContent = status.online ? labels.labelOnline
        : status.last_seen ? labels.labelLastSeen.replace("{when}", formatTime(status.last_seen))
        : labels.labelOffline;
    });
  }
  socket.on("presence", showPresence);
  onConnect(function () {
    var ids = {};
    Array.prototype.forEach.call(document.querySelectorAll("[data-presence-for]"), function (holder) {
      ids[holder.dataset.presenceFor] = true;
    });
    var list = Object.keys(ids).map(Number);
    if (!list.length) return;
    // Joins each contact's presence room and answers with where they are now (missed changes included).
    socket.emit("presence:watch", { user_ids: list }, function (answer) {
      ((answer && answer.presence) || []).forEach(showPresence);
    });
  });

  if (page.id === "chat-list-page") listPage(); else conversationPage();

  // --- the conversation list --------------------------------------------------------------------
  function listPage() {
    var list = document.getElementById("chat-conversations");
    var rowTemplate = document.getElementById("chat-row-template");
    var firstConnect = true;
    function row(conversationId) {
      return list.querySelector('[data-conversation-id="' + Number(conversationId) + '"]');
    }
    socket.on("chat:message", function (message) {
      var mine = message.sender_id === me;
      var item = row(message.conversation_id);
      if (!item) {
        item = rowTemplate.content.firstElementChild.cloneNode(true);
        var otherId = mine ? message.recipient_id : message.sender_id;
        item.dataset.conversationId = message.conversation_id;
        item.dataset.userId = otherId;
        item.href = labels.conversationUrl.replace(/\/0$/, "/" + Number(otherId));
        item.querySelector(".chat-row-name").textContent = mine ? message.recipient_name : message.sender_name;
      }
      item.querySelector(".chat-row-preview").textContent = message.body;
      item.querySelector(".chat-row-time").textContent = formatTime(message.created_at);
      list.prepend(item);
      document.getElementById("chat-empty").hidden = true;
    });
    socket.on("chat:unread", function (data) {
      var item = data && data.conversation_id && row(data.conversation_id);
      if (!item) return;
      var count = item.querySelector(".chat-row-unread");
      count.textContent = data.unread;
      count.hidden = !data.unread;
    });
    // Back after a drop: the list may have changed in ways no single event repairs; redraw it.
    document.addEventListener("live:connect", function () {
      if (!firstConnect) window.location.reload();
      firstConnect = false;
    });
    if (socket.connected) firstConnect = false;
  }

  // --- one conversation -------------------------------------------------------------------------
  function conversationPage() {
    var otherId = Number(page.dataset.otherId);
    var conversationId = Number(page.dataset.conversationId) || null;
    var messages = document.getElementById("chat-messages");
    var scroller = document.getElementById("chat-scroll");
    var template = document.getElementById("chat-message-template");
    var olderButton = document.getElementById("chat-older");
    var typing = document.getElementById("chat-typing");
    var form = document.getElementById("chat-form");
    var readUpTo = 0; // the newest of my messages the other person has read
    var markedUpTo = 0; // the newest of theirs this page has reported as read
    var typingTimer = null;

    function ids() {
      return Array.prototype.map.call(messages.querySelectorAll(".chat-message[data-id]"), function (item) {
        return Number(item.dataset.id);
      });
    }
    function lastId() { var all = ids(); return all.length ? all[all.length - 1] : 0; }
    function firstId() { var all = ids(); return all.length ? all[0] : 0; }

    function messagesUrl(query) {
      return page.dataset.messagesUrl.replace("/0/", "/" + conversationId + "/") + "?" + query;
    }
    function getJSON(url) {
      return fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); });
    }

    function build(message) {
      var item = template.content.firstElementChild.cloneNode(true);
      var mine = message.sender_id === me;
      item.dataset.id = message.id;
      item.dataset.senderId = message.sender_id;
      item.classList.add(mine ? "mine" : "theirs");
      item.querySelector(".chat-body").textContent = message.body;
      var time = item.querySelector("time");
      time.dateTime = message.created_at;
      time.textContent = formatTime(message.created_at);
      var state = item.querySelector(".chat-state");
      if (mine) state.textContent = message.read_at || message.id <= readUpTo ? labels.labelRead : labels.labelSent;
      else state.remove();
      return item;
    }

    function nearBottom() {
      return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
    }
    function toBottom() { scroller.scrollTop = scroller.scrollHeight; }

    // Adds messages in id order, whatever order they come in (an acknowledgement, its event and a
    // catch-up can cross), and never twice.
    function add(list) {
      var follow = nearBottom();
      list.forEach(function (message) {
        if (messages.querySelector('.chat-message[data-id="' + Number(message.id) + '"]')) return;
        var after = null;
        Array.prototype.some.call(messages.querySelectorAll(".chat-message[data-id]"), function (item) {
          if (Number(item.dataset.id) > message.id) { after = item; return true; }
          return false;
        });
        messages.insertBefore(build(message), after);
        if (message.sender_id === me) follow = true;
      });
      document.getElementById("chat-none").hidden = ids().length > 0;
      if (follow) toBottom();
    }

    function showRead(upTo) {
      if (upTo <= readUpTo) return;
      readUpTo = upTo;
      Array.prototype.forEach.call(messages.querySelectorAll(".chat-message.mine"), function (item) {
        if (Number(item.dataset.id) <= readUpTo) item.querySelector(".chat-state").textContent = labels.labelRead;
      });
    }

    // Tell the server (and so the sender) that what is on screen was read, while it is on screen.
    function markRead() {
      if (!conversationId || document.visibilityState !== "visible" || !socket.connected) return;
      var theirs = messages.querySelectorAll('.chat-message.theirs[data-id]');
      if (!theirs.length) return;
      var newest = Number(theirs[theirs.length - 1].dataset.id);
      if (newest <= markedUpTo) return;
      markedUpTo = newest;
      socket.emit("chat:read", { conversation_id: conversationId, up_to_id: newest });
    }
    document.addEventListener("visibilitychange", markRead);
    var theirsOnLoad = messages.querySelectorAll(".chat-message.theirs[data-id]");
    if (theirsOnLoad.length) markedUpTo = Number(theirsOnLoad[theirsOnLoad.length - 1].dataset.id); // read by opening the page

    function catchUp() {
      if (!conversationId) return Promise.resolve();
      return getJSON(messagesUrl("after=" + lastId())).then(function (answer) {
        add(answer.messages);
        showRead(answer.read_up_to || 0);
        if (answer.has_more) return catchUp();
        return null;
      });
    }
    onConnect(function () {
      catchUp().then(markRead).catch(function () { /* offline again: the next connection retries */ });
    });

    olderButton.addEventListener("click", function () {
      if (!conversationId) return;
      olderButton.disabled = true;
      var height = scroller.scrollHeight;
      getJSON(messagesUrl("before=" + firstId())).then(function (answer) {
        var first = messages.firstElementChild;
        answer.messages.forEach(function (message) {
          if (!messages.querySelector('.chat-message[data-id="' + Number(message.id) + '"]')) {
            messages.insertBefore(build(message), first);
          }
        });
        scroller.scrollTop += scroller.scrollHeight - height; // keep what was on screen in place
        olderButton.hidden = !answer.has_more;
      }).catch(function () { /* try again with the button */ }).finally(function () { olderButton.disabled = false; });
    });

    function ours(message) {
      if (conversationId) return message.conversation_id === conversationId;
      return (message.sender_id === otherId && message.recipient_id === me) ||
             (message.sender_id === me && message.recipient_id === otherId);
    }
    socket.on("chat:message", function (message) {
      if (!ours(message)) return;
      conversationId = message.conversation_id;
      add([message]);
      if (message.sender_id === otherId) { typing.textContent = ""; markRead(); }
    });
    socket.on("chat:read", function (data) {
      if (data.conversation_id === conversationId && data.reader_id === otherId) showRead(data.up_to_id);
    });
    socket.on("chat:typing", function (data) {
      if (data.conversation_id !== conversationId || data.user_id !== otherId) return;
      typing.textContent = labels.labelTyping.replace("{name}", page.dataset.otherName);
      window.clearTimeout(typingTimer);
      typingTimer = window.setTimeout(function () { typing.textContent = ""; }, TYPING_SHOWN_MS);
    });

    toBottom();
    if (!form) return;
    var textarea = document.getElementById("chat-body");
    var sendButton = document.getElementById("chat-send");
    var error = document.getElementById("chat-error");
    var lastTyping = 0;

    function fail(message) {
      error.textContent = message || labels.labelSendFailed;
      error.hidden = false;
    }
    function sent(message) {
      conversationId = message.conversation_id;
      add([message]);
      textarea.value = "";
      textarea.focus();
    }
    // Without a socket, the same message goes as a CSRF-protected POST.
    function post(body) {
      return Desk.csrfFetch(page.dataset.sendUrl, { json: { body: body } }).then(function (response) {
        return response.json().then(function (answer) {
          if (response.ok) sent(answer); else fail(answer.message);
        });
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = textarea.value.trim();
      if (!body || sendButton.disabled) return;
      sendButton.disabled = true;
      error.hidden = true;
      var done = function () { sendButton.disabled = false; };
      if (!socket.connected) {
        post(body).catch(function () { fail(); }).finally(done);
        return;
      }
      socket.timeout(10000).emit("chat:send", { to_user_id: otherId, body: body }, function (timedOut, answer) {
        done();
        if (timedOut) fail();
        else if (answer && answer.id) sent(answer);
        else fail(answer && answer.error);
      });
    });
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    textarea.addEventListener("input", function () {
      var now = Date.now();
      if (!conversationId || !socket.connected || now - lastTyping < TYPING_EVERY_MS) return;
      lastTyping = now;
      socket.emit("chat:typing", { conversation_id: conversationId });
    });
  }
})();
