// Course progress bars on the page follow activity results without a reload: an activity
// script (h5p-relay.js, scorm-relay.js, lesson.js) dispatches "hocso:activity-result" with
// the endpoint's JSON; its course_percent (from the server, never computed here) moves every
// bar, and its lesson_completed turns the lesson's finish box into the "completed" note.
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
  function lessonDone() {
    var finish = document.querySelector(".lesson-finish");
    if (!finish || finish.querySelector("[data-testid=lesson-done]")) return;
    var note = document.createElement("p");
    note.className = "done-note";
    note.setAttribute("data-testid", "lesson-done");
    note.textContent = "✓ " + (finish.getAttribute("data-done-text") || "");
    var heading = finish.querySelector("h2");
    finish.textContent = "";
    if (heading) finish.appendChild(heading);
    finish.appendChild(note);
  }
  document.addEventListener("hocso:activity-result", function (event) {
    update(event.detail && event.detail.course_percent);
    if (event.detail && event.detail.lesson_completed) lessonDone();
  });
})();
