/* What the lesson page's relay scripts of framed activities share (h5p/h5p-relay.js,
 * scorm/scorm-relay.js; loaded before them, both deferred, so in order):
 * window.HocsoRelay = {format, messages, poster, activity}.
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

  // An activity box of `kind` ("h5p", "scorm") set up once: null the second time, else
  // {post, t (its messages), status, frameBox, show(text, state)}: the status line shows
  // `text`, styled by `state` ("error", "passed", ...; none: neutral).
  function activity(box, kind) {
    var flag = kind + "Ready";
    if (box.dataset[flag]) return null;
    box.dataset[flag] = "1";
    var status = box.querySelector("." + kind + "-status");
    return {
      post: poster(box),
      t: messages(box),
      status: status,
      frameBox: box.querySelector("." + kind + "-frame"),
      show: function (text, state) {
        status.textContent = text || "";
        status.className = kind + "-status activity-status" + (state ? " is-" + state : "");
      },
    };
  }

  window.HocsoRelay = { format: format, messages: messages, poster: poster, activity: activity };
})();
