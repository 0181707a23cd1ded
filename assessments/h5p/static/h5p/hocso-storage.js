/* In-memory localStorage/sessionStorage for the H5P frames on the content origin.
 *
 * The player is a cross-site iframe; browsers that block third-party storage (Chrome's
 * incognito default, Safari, many privacy settings) throw on any access to
 * window.localStorage there, and H5P core's init (clipboard, offline request queue) then
 * stops half-way: no instance, no saved state. Nothing on the content origin needs to
 * persist (state goes to the app through postMessage), so memory is enough. Loaded in the
 * player page and, through h5p-standalone's customJs, inside H5P's own iframe before init.
 */
(function () {
  "use strict";
  function memoryStorage() {
    var data = {};
    return {
      getItem: function (key) { return Object.prototype.hasOwnProperty.call(data, key) ? data[key] : null; },
      setItem: function (key, value) { data[key] = String(value); },
      removeItem: function (key) { delete data[key]; },
      clear: function () { data = {}; },
      key: function (index) { return Object.keys(data)[index] || null; },
      get length() { return Object.keys(data).length; },
    };
  }
  ["localStorage", "sessionStorage"].forEach(function (name) {
    try {
      var storage = window[name];
      storage.getItem("hocso-probe");
    } catch (e) {
      try {
        Object.defineProperty(window, name, { configurable: true, value: memoryStorage() });
      } catch (e2) { /* nothing more can be done */ }
    }
  });
})();
