// Keyword suggestions under the search box: the WAI-ARIA 1.2 combobox pattern with a listbox popup.
// Enhances the input that carries data-suggest (the URL of /api/v1/suggestions); without this
// script it stays a plain search box. Keys: ↓/↑ move through the suggestions (and open them),
// Enter picks one and searches for it, Escape closes, Tab leaves. A click picks too. Nothing is
// fetched while an IME composition is in progress; a polite live region says how many there are.
(function () {
  "use strict";
  var input = document.querySelector("input[data-suggest]");
  var url = input && input.getAttribute("data-suggest");
  if (!input || !url || url.charAt(0) !== "/" || url.charAt(1) === "/" || !window.fetch || !input.id) { return; }
  var LIMIT = 8;
  var DELAY = 200;
  var list = document.createElement("ul");
  var status = document.createElement("div");
  var items = [];
  var active = -1;
  var timer = null;
  var composing = false;
  var asked = null;
  var sequence = 0;
  var controller = null;

  list.id = input.id + "-suggestions";
  list.className = "combobox-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "入力候補");
  list.hidden = true;
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  input.parentNode.appendChild(list);
  input.parentNode.appendChild(status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("autocomplete", "off");

  function setActive(index) {
    var options = list.children;
    if (active >= 0 && options[active]) { options[active].setAttribute("aria-selected", "false"); }
    active = index;
    if (index >= 0 && options[index]) {
      options[index].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function isOpen() { return !list.hidden; }

  function open() {
    if (!items.length) { return; }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function close() {
    setActive(-1);
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
  }

  function render(suggestions) {
    close();
    items = suggestions;
    list.textContent = "";
    suggestions.forEach(function (s, i) {
      var option = document.createElement("li");
      var text = document.createElement("span");
      var kind = document.createElement("span");
      option.id = list.id + "-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      text.className = "combobox-text";
      text.textContent = s.text;
      kind.className = "combobox-kind";
      kind.textContent = s.kind_label + (typeof s.count === "number" ? "・" + s.count + "件" : "");
      option.appendChild(text);
      option.appendChild(document.createTextNode(" "));
      option.appendChild(kind);
      list.appendChild(option);
    });
    status.textContent = suggestions.length ? "候補 " + suggestions.length + " 件" : "候補はありません";
    open();
  }

  function clear() {
    sequence += 1;
    items = [];
    list.textContent = "";
    status.textContent = "";
    close();
  }

  function ask(force) {
    var q = input.value.trim();
    if (q === asked && !force) { return; }
    asked = q;
    if (controller) { controller.abort(); controller = null; }
    if (!q) { clear(); return; }
    var mine = (sequence += 1);
    controller = window.AbortController ? new AbortController() : null;
    fetch(url + "?q=" + encodeURIComponent(q) + "&limit=" + LIMIT, {
      credentials: "same-origin", headers: { Accept: "application/json" }, signal: controller ? controller.signal : undefined
    })
      .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
      .then(function (body) {
        if (mine !== sequence || document.activeElement !== input || composing) { return; }
        render(Array.isArray(body.suggestions) ? body.suggestions : []);
      })
      .catch(function () { /* aborted or offline: the plain search box still works */ });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(ask, DELAY);
  }

  function pick(index) {
    if (!items[index]) { return; }
    input.value = items[index].text;
    asked = input.value.trim();
    close();
    if (input.form) {
      if (input.form.requestSubmit) { input.form.requestSubmit(); } else { input.form.submit(); }
    }
  }

  input.addEventListener("compositionstart", function () {
    composing = true;
    clearTimeout(timer);
  });
  input.addEventListener("compositionend", function () {
    composing = false;
    later();
  });
  input.addEventListener("input", function (event) {
    if (composing || event.isComposing) { return; }
    later();
  });
  input.addEventListener("keydown", function (event) {
    if (event.isComposing || event.keyCode === 229) { return; }  // the IME's own Enter, arrows and Escape
    var count = list.children.length;
    switch (event.key) {
      case "ArrowDown":
      case "Down":
        event.preventDefault();
        if (!isOpen()) {
          if (!items.length) { ask(true); return; }
          open();
          if (!event.altKey) { setActive(0); }
        } else {
          setActive(active + 1 < count ? active + 1 : 0);
        }
        break;
      case "ArrowUp":
      case "Up":
        if (!items.length) { return; }
        event.preventDefault();
        if (!isOpen()) { open(); }
        setActive(active > 0 ? active - 1 : count - 1);
        break;
      case "Enter":
        if (isOpen() && active >= 0) {
          event.preventDefault();
          pick(active);
        } else {
          close();
        }
        break;
      case "Escape":
      case "Esc":
        if (isOpen()) {
          event.preventDefault();
          close();
        }
        break;
      case "Tab":
        close();
        break;
      default:
        break;
    }
  });
  input.addEventListener("blur", function () {
    clearTimeout(timer);
    close();
  });
  // Keep the focus in the input while the pointer picks: the listbox itself never takes focus.
  list.addEventListener("mousedown", function (event) { event.preventDefault(); });
  list.addEventListener("click", function (event) {
    var option = event.target.closest ? event.target.closest("[role=option]") : null;
    if (option) { pick(Array.prototype.indexOf.call(list.children, option)); }
  });
})();
