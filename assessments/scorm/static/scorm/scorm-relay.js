/* Lesson page side of a SCORM activity (app origin).
 *
 * For each [data-scorm-activity] block: POST the launch URL (CSRF) to get the player URL on
 * the content origin, the SCO's launch href, the attempt's new session and the values the
 * runtime starts with (resume); frame the player in a sandboxed iframe (safe with
 * allow-same-origin because that origin is another site: no cookies, no access to this
 * page; allow-modals because authoring tools ask "resume where you left off?" with
 * confirm()); accept messages only when event.origin is the content origin AND
 * event.source is that iframe's window; POST each commit, in order and numbered, to Django
 * with X-CSRFToken. The server checks every value and decides completion.
 */
(function () {
  "use strict";
  var MAX_COMMIT_BYTES = 256 * 1024;
  var SANDBOX = "allow-scripts allow-same-origin allow-forms allow-modals";

  var relay = window.HocsoRelay; // assessments/activity-relay.js
  var format = relay.format;

  function setup(activity, box) {
    var post = activity.post, frameBox = activity.frameBox, t = activity.t, show = activity.show;
    var parts = box.querySelector(".scorm-parts");
    var again = box.querySelector(".scorm-continue");
    var run = null; // the framed SCO: {iframe, listener}

    function showResult(data, finished) {
      var score = data.score_percent === null || data.score_percent === undefined
        ? null : Math.round(data.score_percent * 100) / 100;
      if (data.graded && data.passed) {
        show(score === null ? t.passed : format(t.passed_score, { score: score }), "passed");
      } else if (data.graded) {
        show(score === null ? t.failed : format(t.failed_score, { score: score }), "error");
      } else if (finished) {
        show(data.sco_completed ? t.completed : t.saved, data.sco_completed ? "passed" : "");
      }
    }

    function close() {
      if (!run) return;
      window.removeEventListener("message", run.listener);
      run.iframe.remove();
      run = null;
      // No SCO running: its reserved box goes too (the status and "continue" are what is left).
      frameBox.hidden = true;
    }

    function showParts(scos, running) {
      var list = parts.querySelector(".scorm-part-list");
      list.textContent = "";
      parts.hidden = !scos || scos.length < 2;
      if (parts.hidden) return;
      var done = scos.filter(function (sco) { return sco.completed; }).length;
      parts.querySelector(".scorm-parts-count").textContent =
        format(t.parts_count, { done: done, total: scos.length });
      scos.forEach(function (sco) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button";
        button.textContent = sco.title + (sco.completed ? " ✓ " + (t.part_done || "") : "");
        if (sco.identifier === running) button.setAttribute("aria-current", "step");
        button.addEventListener("click", function () { switchTo(sco.identifier); });
        list.appendChild(button);
      });
    }

    // Another part (or the same again): the running SCO is unloaded first, so that its own
    // exit (LMSFinish/Terminate) is committed before the next one starts.
    function switchTo(sco) {
      if (!run) return launch(sco);
      var current = run;
      var next = function () {
        if (current.next) return;
        current.next = true;
        current.queue.then(function () { launch(sco); });
      };
      current.switching = next;
      current.iframe.contentWindow.postMessage({ type: "hocso-scorm-unload" }, current.origin);
      setTimeout(next, 2000); // a player that does not answer is closed all the same
    }

    function launch(sco) {
      close();
      again.hidden = true;
      frameBox.hidden = false; // the SCO's box is reserved before it loads
      show(t.loading);
      activity.launch(JSON.stringify({ sco: sco || "" }), SANDBOX, function (cfg, player) {
        var contentOrigin = player.origin, iframe = player.iframe;
        iframe.title = cfg.title || t.frame_title || "SCORM";
        var seq = 0;
        var current = { iframe: iframe, origin: contentOrigin, queue: Promise.resolve() };
        current.listener = function (event) {
          var message = player.heard(event); // only the player we framed, on its origin
          if (!message) return;
          if (message.type === "hocso-scorm-ready") {
            iframe.contentWindow.postMessage(
              { type: "hocso-scorm-init", cmi: cfg.cmi, href: cfg.href, title: cfg.title }, contentOrigin
            );
          } else if (message.type === "hocso-scorm-loaded") {
            show("");
          } else if (message.type === "hocso-scorm-closed") {
            if (current.switching) current.switching();
          } else if (message.type === "hocso-scorm-commit") {
            if (!message.values || typeof message.values !== "object") return;
            var finished = message.finish === true;
            seq += 1;
            var body = JSON.stringify({ session: cfg.session, seq: seq, values: message.values, finish: finished });
            if (body.length > MAX_COMMIT_BYTES) return;
            // Commits go one after the other, numbered: the server takes each once, in order.
            current.queue = current.queue.then(function () {
              return post(cfg.commit_url, body, finished).then(function (answer) {
                var data = answer.data || {};
                if (!answer.ok) {
                  show(format(t.refused, { reason: data.error || "" }), "error");
                  return;
                }
                showResult(data, finished);
                // courses/progress.js updates the progress bars and the "lesson completed" note.
                document.dispatchEvent(new CustomEvent("hocso:activity-result", { detail: data }));
                if (finished && run === current && !current.switching) {
                  // The SCO has ended its session: take it away, offer to go on.
                  close();
                  again.hidden = false;
                  cfg.scos.forEach(function (s) { if (s.identifier === cfg.sco) s.completed = data.sco_completed; });
                  showParts(cfg.scos, "");
                }
              }).catch(function () { show(t.offline, "error"); });
            });
          }
        };
        window.addEventListener("message", current.listener);
        run = current;
        showParts(cfg.scos, cfg.sco);
        iframe.src = cfg.player_url;
        frameBox.appendChild(iframe);
      });
    }

    again.addEventListener("click", function () { switchTo(""); });
    launch("");
  }

  relay.start("scorm", setup); // each [data-scorm-activity] box, once
})();
