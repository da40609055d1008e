// The reply box's template picker, on a ticket's page for the staff working on it.
//
// The button under the box, Ctrl+. (⌘. on a Mac) anywhere on the page, or "/" typed into an empty
// box opens a list of the reply templates this person sees, filled in by the server for this
// ticket (the page's ticket only: the answer must name it). Typing filters it (case and accents
// aside), the arrow keys choose, Enter inserts at the cursor (or in place of the "/" that opened
// it), Escape closes and puts the focus back where it was.
//
// ARIA combobox pattern: the filter field is the combobox, the list its listbox, the option the
// arrows are on its aria-activedescendant; a status line says how many templates match.
//
// The reply form may arrive after the page loaded (a closed ticket reopened live), so everything
// is found when needed and the events are listened for on the document.
(function () {
  "use strict";

  var IS_MAC = /Mac|iPhone|iPad/.test(navigator.platform || "");
  var ANNOUNCE_DELAY = 400;  // ms: the count is announced once typing pauses, not at every key

  var state = null;  // while open: {items, shown, active, start, end, opener, request}
  var requests = 0;
  var announceTimer = null;

  function picker() { return document.querySelector("[data-canned-picker]"); }
  function part(id) { return document.getElementById(id); }
  function replyBox() {
    var form = document.getElementById("reply-form");
    return form && !form.hidden ? form.querySelector("textarea[name=body]") : null;
  }

  // The button shows only once this script runs (the page works without it).
  function reveal() {
    var button = part("canned-open");
    if (!button || !button.hidden) return;
    button.hidden = false;
    var key = button.querySelector("[data-mac]");
    if (IS_MAC && key) {
      key.textContent = key.dataset.mac;
      button.setAttribute("aria-keyshortcuts", "Meta+Period");
    }
  }

  // Case and accents aside: "tecnico" finds "Técnico", "contrasena" finds "Contraseña".
  function folded(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function open(replaceSlash) {
    var box = replyBox(), root = picker();
    if (!box || !root) return;
    if (state) { part("canned-filter").focus(); return; }
    var opener = document.activeElement;
    state = {
      items: null, shown: [], active: -1, opener: opener, request: ++requests,
      // Where the template goes: in place of the "/" that opened the picker, else of the selection.
      start: replaceSlash ? 0 : box.selectionStart,
      end: replaceSlash ? 1 : box.selectionEnd,
      // Where the cursor goes back to on Escape: after the "/", else the selection as it was.
      caret: replaceSlash ? [1, 1] : [box.selectionStart, box.selectionEnd],
    };
    var panel = part("canned-panel"), filter = part("canned-filter");
    panel.hidden = false;
    part("canned-open").setAttribute("aria-expanded", "true");
    filter.setAttribute("aria-expanded", "true");
    filter.value = "";
    filter.focus();
    load(root, state.request);
  }

  function close(returnFocus) {
    if (!state) return;
    var closing = state;
    state = null;
    clearTimeout(announceTimer);
    part("canned-panel").hidden = true;
    part("canned-open").setAttribute("aria-expanded", "false");
    var filter = part("canned-filter");
    filter.setAttribute("aria-expanded", "false");
    filter.removeAttribute("aria-activedescendant");
    part("canned-list").replaceChildren();
    part("canned-status").textContent = "";
    if (!returnFocus) return;
    var box = replyBox();
    if (closing.opener === box || !closing.opener || !document.contains(closing.opener)) {
      if (!box) return;
      box.focus();
      box.setSelectionRange(closing.caret[0], closing.caret[1]);
    } else {
      closing.opener.focus();
    }
  }

  function load(root, request) {
    showMessage(part("canned-panel").dataset.loading);
    var ticketId = Number(root.dataset.ticketId);
    fetch(root.dataset.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (!state || state.request !== request) return;  // closed, or opened again, meanwhile
        if (data.ticket_id !== ticketId) throw new Error("another ticket's templates");
        state.items = data.replies.map(function (reply) {
          return { id: reply.id, title: reply.title, body: reply.body, shared: reply.shared,
                   haystack: folded(reply.title + "\n" + reply.body) };
        });
        render();
        part("canned-panel").scrollIntoView({ block: "nearest" });  // the whole list in sight, if it fits
      })
      .catch(function () {
        if (state && state.request === request) showMessage(part("canned-panel").dataset.failed);
      });
  }

  function showMessage(text) {
    var message = part("canned-message");
    message.textContent = text || "";
    message.hidden = !text;
    if (text) announce(text, 0);
  }

  function announce(text, delay) {
    clearTimeout(announceTimer);
    announceTimer = setTimeout(function () { part("canned-status").textContent = text; }, delay);
  }

  function countText(count) {
    var panel = part("canned-panel");
    var rule = new Intl.PluralRules(document.documentElement.lang || undefined).select(count);
    var pattern = rule === "one" ? panel.dataset.countOne : panel.dataset.countOther;
    return pattern.replace("{num}", String(count));
  }

  // The templates matching every word typed, yours first, then the shared ones.
  function render() {
    if (!state || !state.items) return;
    var panel = part("canned-panel"), list = part("canned-list");
    var words = folded(part("canned-filter").value).split(/\s+/).filter(Boolean);
    state.shown = state.items.filter(function (item) {
      return words.every(function (word) { return item.haystack.indexOf(word) !== -1; });
    });
    var fragment = document.createDocumentFragment();
    [[false, panel.dataset.groupOwn], [true, panel.dataset.groupShared]].forEach(function (group, index) {
      var members = state.shown.filter(function (item) { return item.shared === group[0]; });
      if (!members.length) return;
      var element = document.createElement("div");
      element.setAttribute("role", "group");
      element.setAttribute("aria-labelledby", "canned-group-" + index);
      var label = document.createElement("div");
      label.className = "canned-group-label";
      label.id = "canned-group-" + index;
      label.setAttribute("role", "presentation");
      label.textContent = group[1];
      element.appendChild(label);
      members.forEach(function (item) { element.appendChild(optionFor(item)); });
      fragment.appendChild(element);
    });
    // The list's own order (yours, then shared) is the order the arrows walk.
    state.shown = state.shown.filter(function (item) { return !item.shared; })
      .concat(state.shown.filter(function (item) { return item.shared; }));
    list.replaceChildren(fragment);
    if (!state.items.length) showMessage(panel.dataset.none);
    else if (!state.shown.length) showMessage(panel.dataset.noMatch);
    else { showMessage(""); announce(countText(state.shown.length), ANNOUNCE_DELAY); }
    setActive(state.shown.length ? 0 : -1);
  }

  function optionFor(item) {
    var option = document.createElement("div");
    option.className = "canned-option";
    option.id = "canned-option-" + item.id;
    option.setAttribute("role", "option");
    option.setAttribute("aria-selected", "false");
    option.dataset.cannedId = String(item.id);
    var title = document.createElement("span");
    title.className = "canned-option-title";
    title.id = option.id + "-title";
    title.textContent = item.title;
    var preview = document.createElement("span");
    preview.className = "canned-option-preview";
    preview.id = option.id + "-preview";
    preview.textContent = item.body.slice(0, 300);
    option.setAttribute("aria-labelledby", title.id);
    option.setAttribute("aria-describedby", preview.id);
    option.append(title, preview);
    return option;
  }

  function setActive(index) {
    var filter = part("canned-filter");
    var previous = state.active >= 0 && state.shown[state.active];
    if (previous) {
      var old = part("canned-option-" + previous.id);
      if (old) old.setAttribute("aria-selected", "false");
    }
    state.active = index;
    var item = index >= 0 && state.shown[index];
    if (!item) { filter.removeAttribute("aria-activedescendant"); return; }
    var option = part("canned-option-" + item.id);
    option.setAttribute("aria-selected", "true");
    filter.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var count = state.shown.length;
    if (!count) return;
    setActive(((state.active < 0 ? (step > 0 ? -1 : 0) : state.active) + step + count) % count);
  }

  // Into the reply box at the cursor, as if typed: the box's own undo takes it back.
  function insert(item) {
    var box = replyBox();
    var start = state.start, end = state.end;
    close(false);
    if (!box) return;
    box.focus();
    box.setSelectionRange(start, end);
    var typed = false;
    try { typed = document.execCommand("insertText", false, item.body); } catch (error) { typed = false; }
    if (!typed || box.value.slice(start, start + item.body.length) !== item.body) {
      box.setRangeText(item.body, start, end, "end");
      box.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("#canned-open")) {
      if (state) close(true); else open(false);
      return;
    }
    var option = event.target.closest("#canned-list [role=option]");
    if (option && state) {
      var item = state.shown.filter(function (entry) { return String(entry.id) === option.dataset.cannedId; })[0];
      if (item) insert(item);
      return;
    }
    if (state && !event.target.closest("[data-canned-picker]")) close(false);
  });

  // A click on an option keeps the focus in the filter field (the combobox keeps it throughout).
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest("#canned-list")) event.preventDefault();
  });

  document.addEventListener("keydown", function (event) {
    var shortcut = event.key === "." && (IS_MAC ? event.metaKey : event.ctrlKey) && !event.altKey && !event.shiftKey;
    if (shortcut && replyBox()) {
      event.preventDefault();
      open(false);
      return;
    }
    if (!state || event.target.id !== "canned-filter") return;
    var keys = {
      ArrowDown: function () { move(1); },
      ArrowUp: function () { move(-1); },
      PageDown: function () { setActive(Math.min(state.shown.length - 1, state.active + 5)); },
      PageUp: function () { setActive(Math.max(0, state.active - 5)); },
      Enter: function () { if (state.active >= 0) insert(state.shown[state.active]); },
      Escape: function () { close(true); },
    };
    if (keys[event.key] && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      keys[event.key]();
    }
  });

  document.addEventListener("input", function (event) {
    if (event.target.id === "canned-filter" && state) { render(); return; }
    var box = replyBox();
    if (event.target === box && box.value === "/" && event.inputType === "insertText") open(true);
  });

  // Leaving the picker with Tab (or a click elsewhere) closes it.
  document.addEventListener("focusout", function (event) {
    var root = picker();
    if (!state || !root || !root.contains(event.target)) return;
    if (event.relatedTarget && root.contains(event.relatedTarget)) return;
    if (!event.relatedTarget) return;  // the window lost the focus, or a click on the list: stay open
    close(false);
  });

  reveal();
  new MutationObserver(reveal).observe(document.body, { childList: true, subtree: true });
})();
