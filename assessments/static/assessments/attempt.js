// Quiz attempt page: countdown, autosave of answers in progress, submit when time is up.
// Works without it: the form's Save and Submit buttons do the same on the server.
(function () {
  "use strict";
  document.querySelectorAll("form[data-quiz-attempt]").forEach(function (form) {
    var status = form.querySelector("[data-save-status]");
    var saveUrl = form.getAttribute("data-save-url");
    var timer = form.querySelector("[data-timer]");
    var pending = null;
    var submitting = false;

    function save() {
      var data = new FormData(form);
      data.delete("action");
      return fetch(saveUrl, { method: "POST", body: data, credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.json(); })
        .then(function (body) {
          if (status) {
            status.textContent = body.saved && !body.message ? form.getAttribute("data-saved-text") || "✓" : body.message;
          }
        })
        .catch(function () { if (status) { status.textContent = "…"; } });
    }
    form.addEventListener("change", function () {
      clearTimeout(pending);
      pending = setTimeout(save, 800);
    });
    // Submitting with questions left empty: show the confirmation box first (the server
    // asks the same without this script). "Submit anyway" and the timer go straight through.
    var box = form.querySelector("[data-unanswered-box]");
    function answered(fieldset) {
      if (fieldset.querySelector("input[type=radio]:checked, input[type=checkbox]:checked")) return true;
      var inputs = fieldset.querySelectorAll("input[type=text], select, textarea");
      for (var i = 0; i < inputs.length; i++) { if (inputs[i].value.trim()) return true; }
      return false;
    }
    function unansweredNumbers() {
      var numbers = [];
      form.querySelectorAll("fieldset.quiz-question").forEach(function (fieldset, index) {
        if (!answered(fieldset)) numbers.push(index + 1);
      });
      return numbers;
    }
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (!submitting && box && submitter && submitter.value === "submit") {
        var numbers = unansweredNumbers();
        if (numbers.length) {
          event.preventDefault();
          box.querySelector("[data-unanswered-text]").textContent =
            box.getAttribute("data-unanswered-format").replace("%(numbers)s", numbers.join(", "));
          var first = form.querySelectorAll("fieldset.quiz-question")[numbers[0] - 1];
          var back = box.querySelector("[data-unanswered-back]");
          if (back && first) back.setAttribute("href", "#" + first.id);
          box.hidden = false;
          box.focus();
          return;
        }
      }
      submitting = true;
      clearTimeout(pending);
    });

    if (timer) {
      var deadline = Date.now() + 1000 * parseInt(form.getAttribute("data-seconds-left"), 10);
      var tick = function () {
        var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
        var m = Math.floor(left / 60), s = left % 60;
        timer.textContent = m + ":" + (s < 10 ? "0" : "") + s;
        if (left === 0 && !submitting) {
          submitting = true;
          var button = form.querySelector("button[value=submit_anyway]") || form.querySelector("button[value=submit]");
          if (form.requestSubmit && button) { form.requestSubmit(button); } else { form.submit(); }
          return;
        }
        setTimeout(tick, 1000);
      };
      tick();
    }
  });
})();
