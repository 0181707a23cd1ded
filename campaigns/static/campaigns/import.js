// Import progress: polls the job's JSON every 2 s while it is being checked or imported.
(function () {
  "use strict";
  var box = document.getElementById("import-status");
  if (!box) return;
  var bar = box.querySelector("progress");
  var busy = ["uploaded", "validating", "running"];
  function update(data) {
    bar.value = data.percent;
    box.querySelector('[data-field="status_label"]').textContent = data.status_label;
    box.querySelector('[data-field="message"]').textContent = data.message;
    if (busy.indexOf(data.status) >= 0) {
      setTimeout(poll, 2000);
    } else if (busy.indexOf(box.dataset.status) >= 0) {
      window.location.reload(); // show the problems or the final result
    }
  }
  function poll() {
    fetch(box.dataset.progressUrl, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(update)
      .catch(function () { setTimeout(poll, 5000); });
  }
  poll();
})();
