/* What the lesson page's relay scripts of framed activities share (h5p/h5p-relay.js,
 * scorm/scorm-relay.js; loaded before them, both deferred, so in order):
 * window.HocsoRelay = {format, messages, poster, player, activity, start}.
 */
(function () {
  "use strict";
  if (window.HocsoRelay) return;

  // Django's "%(name)s" placeholders and "%%" in a translated message.
  function format(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] === undefined || values[key] === null ? "" : String(values[key]);
    }).replace(/%%/g, "%");
  }

  // The messages of an activity box (its json_script element), or {}.
  function messages(box) {
    var node = box.querySelector("script[type='application/json']");
    return node ? JSON.parse(node.textContent) : {};
  }

  // post(url, body[, keepalive]) -> {ok, data}: JSON to Django with the box's CSRF token.
  function poster(box) {
    var csrf = box.querySelector("input[name=csrfmiddlewaretoken]").value;
    return function post(url, body, keepalive) {
      return fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        keepalive: !!keepalive && body.length < 60000,
        headers: { "X-CSRFToken": csrf, "Content-Type": "application/json", "Accept": "application/json" },
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      });
    };
  }

  // A player for the answer `cfg` of a launch: a new iframe for cfg.player_url (sandbox
  // `sandbox`, no referrer, full screen allowed; the caller sets its src and puts it in the
  // page once it listens), the content origin, and heard(event): the event's message when
  // it comes from that iframe's window on the content origin and has a string type, else
  // null (no other window or origin is ever heard).
  function player(cfg, sandbox) {
    var origin = new URL(cfg.player_url).origin;
    var iframe = document.createElement("iframe");
    iframe.setAttribute("sandbox", sandbox);
    iframe.setAttribute("referrerpolicy", "no-referrer");
    iframe.setAttribute("allow", "fullscreen");
    return {
      iframe: iframe,
      origin: origin,
      heard: function (event) {
        if (event.origin !== origin || event.source !== iframe.contentWindow) return null;
        var message = event.data;
        return message && typeof message.type === "string" ? message : null;
      },
    };
  }

  // An activity box of `kind` ("h5p", "scorm") set up once: null the second time, else
  // {post, t (its messages), status, frameBox, show(text, state), launch(body, sandbox,
  // started)}: the status line shows `text`, styled by `state` ("error", "passed", ...;
  // none: neutral); launch POSTs the box's launch URL with `body` and calls
  // started(cfg, player(cfg, sandbox)) with its answer; a refusal shows its reason (else
  // t.error), a failed request t.offline.
  function activity(box, kind) {
    var flag = kind + "Ready";
    if (box.dataset[flag]) return null;
    box.dataset[flag] = "1";
    var status = box.querySelector("." + kind + "-status");
    var post = poster(box), t = messages(box);
    function show(text, state) {
      status.textContent = text || "";
      status.className = kind + "-status activity-status" + (state ? " is-" + state : "");
    }
    return {
      post: post,
      t: t,
      status: status,
      frameBox: box.querySelector("." + kind + "-frame"),
      show: show,
      launch: function (body, sandbox, started) {
        post(box.dataset.launchUrl, body).then(function (result) {
          if (!result.ok) {
            show(result.data.error || t.error, "error");
            return;
          }
          started(result.data, player(result.data, sandbox));
        }).catch(function () {
          show(t.offline, "error");
        });
      },
    };
  }

  // start(kind, setup): once the page is parsed, setup(activity, box) for each
  // [data-<kind>-activity] box, each set up once (a kind's script is loaded again by each
  // of its blocks on the page; the second start of a kind does nothing).
  var started = {};
  function start(kind, setup) {
    if (started[kind]) return;
    started[kind] = true;
    function init() {
      document.querySelectorAll("[data-" + kind + "-activity]").forEach(function (box) {
        var ready = activity(box, kind);
        if (ready) setup(ready, box);
      });
    }
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
    else init();
  }

  window.HocsoRelay = {
    format: format, messages: messages, poster: poster, player: player, activity: activity,
    start: start,
  };
})();
