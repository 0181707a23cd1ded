/* Lesson page side of an H5P activity (app origin).
 *
 * For each [data-h5p-activity] block: POST the launch URL (CSRF) to get a player URL on the
 * content origin, the launch id and the saved state; frame the player in
 * <iframe sandbox="allow-scripts allow-same-origin"> (safe because that origin is another
 * site: no cookies, no access to this page); accept messages only when event.origin is the
 * content origin AND event.source is that iframe's window; POST statements and state to
 * Django with X-CSRFToken. The server decides identity, score and completion.
 */
(function () {
  "use strict";
  var MAX_MESSAGE_BYTES = 64 * 1024;

  var relay = window.HocsoRelay; // assessments/activity-relay.js
  var format = relay.format;

  function setup(activity, box) {
    var post = activity.post, frameBox = activity.frameBox, t = activity.t, show = activity.show;

    activity.launch("{}", "allow-scripts allow-same-origin", function (cfg, player) {
      var contentOrigin = player.origin, iframe = player.iframe;
      iframe.setAttribute("loading", "eager");
      iframe.title = (box.closest("section") && box.closest("section").querySelector("h2") || {}).textContent || "H5P";
      var queue = Promise.resolve();
      var heightKey = "hocso-h5p-height:" + box.dataset.launchUrl;
      var wanted = 0;

      // The frame follows its content's height without moving what is under the learner's
      // finger: it grows at once (growing moves only what is below it), but shrinks only
      // by what lies below the bottom of the screen. Shrinking in view would pull the page
      // up (or clamp the scroll at the end of the page) while a tap is on its way; the rest
      // of a shrink waits until the learner scrolls. The last height is remembered, so the
      // next visit reserves it before the player loads.
      function fit() {
        if (!wanted) return;
        var current = iframe.getBoundingClientRect();
        var height = wanted;
        if (wanted < current.height) {
          height = Math.max(wanted, Math.min(current.height, window.innerHeight - current.top));
        }
        if (Math.abs(height - current.height) < 1) return;
        iframe.style.height = Math.ceil(height) + "px";
        try { window.localStorage.setItem(heightKey, String(wanted)); } catch (e) { /* private mode */ }
      }
      window.addEventListener("scroll", fit, { passive: true });
      try {
        var remembered = Number(window.localStorage.getItem(heightKey));
        if (remembered >= 200 && remembered <= 5000) iframe.style.height = remembered + "px";
      } catch (e) { /* storage refused: the stylesheet's reserved height stays */ }

      window.addEventListener("message", function (event) {
        var message = player.heard(event); // only the player we framed, on its origin
        if (!message) return;
        if (message.type === "hocso-h5p-ready") {
          iframe.contentWindow.postMessage({ type: "hocso-h5p-init", state: cfg.state || "" }, contentOrigin);
        } else if (message.type === "hocso-h5p-loaded") {
          show("");
        } else if (message.type === "hocso-h5p-height") {
          wanted = Math.max(200, Math.min(5000, Number(message.height) || 0));
          fit();
        } else if (message.type === "hocso-h5p-error") {
          show(t.error, "error");
        } else if (message.type === "hocso-h5p-xapi") {
          var body = JSON.stringify(message.statement);
          if (!body || body.length > MAX_MESSAGE_BYTES) return;
          // Statements go one after the other, so "answered" is never overtaken.
          queue = queue.then(function () {
            return post(cfg.statement_url, body).then(function (result) {
              var data = result.data || {};
              if (!result.ok) {
                if (data.code !== "child") show(format(t.refused, { reason: data.error || "" }), "error");
                return;
              }
              if (data.graded) {
                var score = Math.round((data.score_percent || 0) * 100) / 100;
                if (data.passed) show(format(t.passed, { score: score }), "passed");
                else show(format(t.failed, { score: score, pass: data.pass_percent }), "error");
              }
              // The page's own scripts (courses/progress.js) update what depends on it: the
              // progress bars, the "lesson completed" note.
              document.dispatchEvent(new CustomEvent("hocso:activity-result", { detail: data }));
            }).catch(function () { show(t.offline, "error"); });
          });
        } else if (message.type === "hocso-h5p-state") {
          if (typeof message.state !== "string" || message.state.length > MAX_MESSAGE_BYTES) return;
          post(cfg.state_url, message.state).catch(function () {});
        }
      });
      iframe.src = cfg.player_url;
      frameBox.appendChild(iframe);
    });
  }

  relay.start("h5p", setup); // each [data-h5p-activity] box, once
})();
