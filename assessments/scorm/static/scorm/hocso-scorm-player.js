/* HọcSố SCORM player, served on the content origin inside the lesson page's sandboxed
 * iframe (assessments/scorm/serving.py).
 *
 * A SCO finds its runtime API by walking up its parent windows, which cannot cross origins:
 * so this page, on the SCO's origin, holds scorm-again's API (window.API for SCORM 1.2,
 * window.API_1484_11 for 2004) and frames the SCO beside it. It waits for the lesson page
 * (APP_ORIGIN only, window.parent only) to send the learner's stored values (resume) and the
 * SCO's launch address, then relays each Commit and Finish/Terminate to the lesson page with
 * postMessage(…, APP_ORIGIN): the values the SCO set in this session. Values set and not
 * committed are sent AUTOSAVE_MS after the last one (a SCO that commits only when it exits
 * loses little when the page is closed). scorm-again sends nothing itself (no
 * lmsCommitUrl); the server checks every value again.
 */
(function () {
  "use strict";
  var root = document.getElementById("scorm-player");
  var base = root.getAttribute("data-base");
  var appOrigin = root.getAttribute("data-app-origin");
  var is12 = root.getAttribute("data-version") === "scorm12";
  var started = false;
  var AUTOSAVE_MS = 5000;

  function send(message) {
    window.parent.postMessage(message, appOrigin);
  }

  function safeHref(href) {
    // A path inside the package: no scheme, no host, no way out of /s/<token>/content/.
    return typeof href === "string" && href.length > 0 && href.length < 2000 &&
      !/^[a-z][a-z0-9+.-]*:/i.test(href) && href.charAt(0) !== "/" && href.indexOf("\\") < 0 &&
      !/(^|\/)\.\.(\/|$)/.test(href.split(/[?#]/)[0]);
  }

  function start(init) {
    var Api = is12 ? window.Scorm12API : window.Scorm2004API;
    var api = new Api({ autocommit: false, logLevel: 5 });
    api.loadFromFlattenedJSON(init.cmi || {}, "");
    var values = {}; // every element the SCO set without error in this session
    var autosave = null;
    var finished = false;

    function remember(element, value) {
      if (finished || String(api.lastErrorCode) !== "0") return;
      values[element] = String(value);
      clearTimeout(autosave);
      autosave = setTimeout(function () { commit(false); }, AUTOSAVE_MS);
    }
    function commit(finish) {
      clearTimeout(autosave);
      if (finished) return;
      finished = finish;
      var copy = {};
      Object.keys(values).forEach(function (name) { copy[name] = values[name]; });
      send({ type: "hocso-scorm-commit", values: copy, finish: finish });
    }
    if (is12) {
      api.on("LMSSetValue.cmi.*", remember);
      api.on("LMSCommit", function () { commit(false); });
      api.on("LMSFinish", function () { commit(true); });
      window.API = api;
    } else {
      api.on("SetValue.cmi.*", remember);
      api.on("SetValue.adl.*", remember);
      api.on("Commit", function () { commit(false); });
      api.on("Terminate", function () { commit(true); });
      window.API_1484_11 = api;
    }
    var frame = document.createElement("iframe");
    frame.id = "sco";
    frame.title = typeof init.title === "string" ? init.title : "";
    frame.src = base + "/content/" + init.href;
    document.body.appendChild(frame);
    send({ type: "hocso-scorm-loaded" });
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== appOrigin || event.source !== window.parent) return;
    var message = event.data;
    if (message && message.type === "hocso-scorm-unload") {
      // The learner opens another part: unloading the SCO runs its own exit (LMSFinish or
      // Terminate, whose commit is sent first), then the lesson page hears we are done.
      var frame = document.getElementById("sco");
      if (frame) frame.remove();
      send({ type: "hocso-scorm-closed" });
      return;
    }
    if (!message || message.type !== "hocso-scorm-init" || started || !safeHref(message.href)) {
      return;
    }
    started = true;
    start(message);
  });
  send({ type: "hocso-scorm-ready" });
})();
