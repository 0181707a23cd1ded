// Search-as-you-type for the sign-up agency box: asks /quan-ly/co-quan/tim.json (which
// ignores diacritics) and shows up to 20 matches as tappable rows; picking one shows its
// name and puts its code in the hidden <name>_code input (cleared when the text changes).
(function () {
  "use strict";
  document.querySelectorAll("input[data-agency-search]").forEach(function (input) {
    if (input.dataset.agencyReady) return;
    input.dataset.agencyReady = "1";
    var list = document.getElementById(input.id + "-suggestions");
    var codeInput = input.parentNode.querySelector("input[data-agency-code][name='" + input.name + "_code']");
    var timer = null;
    var active = -1;
    input.setAttribute("aria-controls", list.id);
    function close() {
      list.hidden = true;
      list.innerHTML = "";
      active = -1;
      input.setAttribute("aria-expanded", "false");
    }
    function pick(li) {
      input.value = li.dataset.name;
      if (codeInput) codeInput.value = li.dataset.code;
      close();
    }
    function show(results) {
      list.innerHTML = "";
      results.forEach(function (r, i) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.id = list.id + "-" + i;
        li.dataset.name = r.name;
        li.dataset.code = r.code;
        var name = document.createElement("span");
        name.className = "agency-name";
        name.textContent = r.name;
        var kind = document.createElement("span");
        kind.className = "agency-kind";
        kind.textContent = r.kind;
        li.appendChild(name);
        li.appendChild(kind);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(li); });
        list.appendChild(li);
      });
      list.hidden = results.length === 0;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      if (codeInput) codeInput.value = "";
      var q = input.value.trim();
      if (q.length < 2) { close(); return; }
      timer = setTimeout(function () {
        fetch("/quan-ly/co-quan/tim.json?q=" + encodeURIComponent(q), {credentials: "same-origin"})
          .then(function (r) { return r.ok ? r.json() : {results: []}; })
          .then(function (data) { show(data.results || []); })
          .catch(close);
      }, 200);
    });
    input.addEventListener("keydown", function (e) {
      var items = list.querySelectorAll("li");
      if (!items.length) return;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        active = (active + (e.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
        items.forEach(function (li, i) { li.setAttribute("aria-selected", i === active ? "true" : "false"); });
        input.setAttribute("aria-activedescendant", items[active].id);
      } else if (e.key === "Enter" && active >= 0) {
        e.preventDefault();
        pick(items[active]);
      } else if (e.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  });
})();
