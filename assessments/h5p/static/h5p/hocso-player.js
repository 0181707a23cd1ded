/* HọcSố H5P player, served on the content origin inside a sandboxed iframe.
 *
 * It waits for the lesson page (APP_ORIGIN only, window.parent only) to send the saved
 * state, starts h5p-standalone, and relays xAPI statements, saved state and its height to
 * the lesson page with postMessage(…, APP_ORIGIN). It never sees the learner's identity:
 * no `user` option (that would also switch on H5P's cookie-based AJAX and crash without it).
 */
(function () {
  "use strict";
  var root = document.getElementById("h5p-player");
  var base = root.getAttribute("data-base");
  var appOrigin = root.getAttribute("data-app-origin");
  var contentId = root.getAttribute("data-content-id");
  var iri = root.getAttribute("data-iri");
  var started = false;
  var lastState = null;
  var lastHeight = 0;

  function send(message) {
    window.parent.postMessage(message, appOrigin);
  }

  function currentState() {
    try {
      var content = window.H5PIntegration.contents["cid-" + contentId];
      var data = content && content.contentUserData && content.contentUserData[0];
      return data && typeof data.state === "string" ? data.state : null;
    } catch (e) {
      return null;
    }
  }

  function pushState() {
    var state = currentState();
    if (state && state !== lastState && state !== "RESET") {
      lastState = state;
      send({ type: "hocso-h5p-state", state: state });
    }
  }

  function pushHeight() {
    // The content's own height (the body's, not the document's: the document is at least
    // as tall as the frame, so a frame kept taller would never learn the content shrank).
    var height = Math.ceil(Math.max(document.body.scrollHeight, root.getBoundingClientRect().bottom));
    if (Math.abs(height - lastHeight) > 2) {
      lastHeight = height;
      send({ type: "hocso-h5p-height", height: height });
    }
  }

  function start(state) {
    var options = {
      id: contentId,
      h5pJsonPath: base + "/content",
      librariesPath: base + "/libraries",
      frameJs: base + "/player/frame.bundle.js",
      frameCss: base + "/player/styles/h5p.css",
      xAPIObjectIRI: iri,
      customJs: [base + "/player/hocso-storage.js"],
      saveFreq: 5,
      frame: false,
      copyright: false,
      export: false,
      embed: false,
      icon: false,
      fullScreen: false,
    };
    if (typeof state === "string" && state) {
      lastState = state;
      options.contentUserData = [{ state: state }];
    }
    new window.H5PStandalone.H5P(root, options)
      .then(function () {
        window.H5P.externalDispatcher.on("xAPI", function (event) {
          var statement = event && event.data && event.data.statement;
          if (statement) {
            send({ type: "hocso-h5p-xapi", statement: statement });
          }
          // H5P stores the state a moment after these verbs; relay it then.
          setTimeout(pushState, 3500);
        });
        setInterval(pushState, 2000);
        // The lesson page hears of a new height as soon as the layout changes (once per
        // frame at most), so the frame is not left clipping a question the learner is
        // tapping; the slow poll catches what a ResizeObserver cannot see.
        if (window.ResizeObserver) {
          var pending = false;
          new window.ResizeObserver(function () {
            if (pending) return;
            pending = true;
            window.requestAnimationFrame(function () { pending = false; pushHeight(); });
          }).observe(document.body);
        }
        pushHeight();
        setInterval(pushHeight, 1000);
        send({ type: "hocso-h5p-loaded" });
      })
      .catch(function (error) {
        send({ type: "hocso-h5p-error", message: String(error && error.message || error) });
      });
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== appOrigin || event.source !== window.parent) {
      return;
    }
    var message = event.data;
    if (!message || message.type !== "hocso-h5p-init" || started) {
      return;
    }
    started = true;
    start(message.state);
  });
  window.addEventListener("pagehide", pushState);
  send({ type: "hocso-h5p-ready" });
})();
