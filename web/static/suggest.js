// Search-as-you-type for the search box, and "/" to focus it. The page works without this file:
// it only adds a list of suggestions (from /api/suggest) under the box.
(function () {
  "use strict";
  var DELAY_MS = 120;

  function setUp(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var endpoint = input.getAttribute("data-suggest");
    if (!list || !endpoint) return;
    var items = [];
    var active = -1;
    var timer = null;
    var latest = 0;
    var typed = input.value;

    function close() {
      list.hidden = true;
      list.textContent = "";
      items = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      items.forEach(function (item, i) {
        item.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", items[index].id);
        input.value = items[index].textContent;
      } else {
        input.removeAttribute("aria-activedescendant");
        input.value = typed;
      }
    }

    function choose(text) {
      input.value = text;
      close();
      if (input.form) input.form.submit();
    }

    function show(suggestions) {
      list.textContent = "";
      items = suggestions.map(function (text, i) {
        var item = document.createElement("li");
        item.id = list.id + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = text;
        item.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the box
          choose(text);
        });
        list.appendChild(item);
        return item;
      });
      active = -1;
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
    }

    function fetchSuggestions() {
      var query = input.value;
      var ticket = ++latest;
      if (query.trim().length < 2) {
        close();
        return;
      }
      fetch(endpoint + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (body) {
          if (ticket === latest && document.activeElement === input) show(body.suggestions || []);
        })
        .catch(function () { close(); });
    }

    input.addEventListener("input", function () {
      typed = input.value;
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && items.length) {
        event.preventDefault();
        highlight(active + 1 < items.length ? active + 1 : -1);
      } else if (event.key === "ArrowUp" && items.length) {
        event.preventDefault();
        highlight(active > -1 ? active - 1 : items.length - 1);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        input.value = typed;
        close();
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(items[active].textContent);
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  function typingInField(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("q");
    if (!input) return;
    setUp(input);
    document.addEventListener("keydown", function (event) {
      if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typingInField(event.target)) {
        event.preventDefault();
        input.focus();
        input.select();
      }
    });
  });
})();
