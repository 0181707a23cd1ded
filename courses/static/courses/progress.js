// Course progress bars on the page follow activity results without a reload: an activity
// script (h5p-relay.js, lesson.js) dispatches "hocso:activity-result" with the endpoint's
// JSON; its course_percent (from the server, never computed here) moves every bar.
(function () {
  "use strict";
  function update(percent) {
    if (typeof percent !== "number") return;
    document.querySelectorAll("[data-course-progress]").forEach(function (line) {
      var bar = line.querySelector("progress");
      var text = line.querySelector("[data-progress-text]");
      if (bar) { bar.value = percent; bar.textContent = percent + "%"; }
      if (text) {
        text.textContent = (line.getAttribute("data-percent-format") || "%(percent)s%%")
          .replace("%(percent)s", String(percent)).replace("%%", "%");
      }
      line.setAttribute("data-updated", "1");
    });
  }
  document.addEventListener("hocso:activity-result", function (event) {
    update(event.detail && event.detail.course_percent);
  });
})();
