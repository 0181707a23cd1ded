/* What the lesson page's relay scripts of framed activities share (h5p/h5p-relay.js,
 * scorm/scorm-relay.js; loaded before them, both deferred, so in order):
 * window.HocsoRelay = {format, messages, poster}.
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

  window.HocsoRelay = { format: format, messages: messages, poster: poster };
})();
