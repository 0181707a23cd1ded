/* HọcSố demo SCO (SCORM 2004 4th edition): one question about paying by QR code.
 * Finds the LMS's API_1484_11 in a parent window, Initialize; "Kiểm tra" scores the answer
 * (cmi.score.*, cmi.success_status, cmi.completion_status "completed") and Commits;
 * a wrong answer can be changed and checked again; "Hoàn thành" ends the session (Terminate).
 */
(function () {
  "use strict";
  var RIGHT = "ask";
  var FEEDBACK = {
    right: "Chính xác! Tên người nhận không phải bà Lan: mã QR có thể đã bị dán đè. " +
      "Hãy hỏi lại người bán trước khi chuyển tiền.",
    wrong: "Chưa đúng. Tên người nhận khác tên người bán là dấu hiệu mã QR bị dán đè. " +
      "Hãy chọn lại.",
    choose: "Hãy chọn một câu trả lời trước.",
    done: "Bạn đã hoàn thành phần thực hành này."
  };

  function findApi(win) {
    for (var n = 0; win && n < 10; n++) {
      if (win.API_1484_11) return win.API_1484_11;
      if (win.parent === win) break;
      win = win.parent;
    }
    return null;
  }

  var api = findApi(window) || (window.opener ? findApi(window.opener) : null);
  var started = Date.now();
  var finished = false;

  function set(name, value) {
    if (api) api.SetValue(name, value);
  }

  function sessionTime() {
    return "PT" + Math.max(1, Math.round((Date.now() - started) / 1000)) + "S";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("question");
    var feedback = document.getElementById("feedback");
    var finish = document.getElementById("finish");
    if (!api) {
      document.getElementById("no-lms").hidden = false;
    } else {
      api.Initialize("");
      if (api.GetValue("cmi.success_status") === "passed") {
        var previous = document.getElementById("previous");
        previous.textContent = FEEDBACK.done;
        previous.hidden = false;
        finish.hidden = false;
      } else if (api.GetValue("cmi.completion_status") !== "completed") {
        set("cmi.completion_status", "incomplete");
      }
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = form.querySelector("input[name=answer]:checked");
      if (!chosen) {
        feedback.className = "wrong";
        feedback.textContent = FEEDBACK.choose;
        return;
      }
      var right = chosen.value === RIGHT;
      set("cmi.score.min", "0");
      set("cmi.score.max", "1");
      set("cmi.score.raw", right ? "1" : "0");
      set("cmi.score.scaled", right ? "1" : "0");
      set("cmi.success_status", right ? "passed" : "failed");
      set("cmi.completion_status", "completed");
      if (api) api.Commit("");
      feedback.className = right ? "right" : "wrong";
      feedback.textContent = right ? FEEDBACK.right : FEEDBACK.wrong;
      finish.hidden = !right;
      (right ? finish : feedback).scrollIntoView({ block: "nearest" });
    });

    finish.addEventListener("click", function () {
      if (!api || finished) return;
      finished = true;
      set("cmi.exit", "normal");
      set("cmi.session_time", sessionTime());
      api.Commit("");
      api.Terminate("");
    });
  });
})();
