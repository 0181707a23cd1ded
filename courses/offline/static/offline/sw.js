/* HọcSố service worker (Workbox routes). Loaded by /hoc/ngoai-tuyen/sw.js, which sets
   self.HOCSO_OFFLINE and imports Workbox's modules from this site's static files.

   What it stores by itself: only the "Ngoại tuyến" page and the site's static files. Pages
   and media are stored by the course download (offline.js), never by browsing: a page is
   always asked of the network first, and only without a network is a downloaded copy (or
   the "Ngoại tuyến" page) shown. Manager pages, the admin and account pages are never
   answered from a cache. */
/* global workbox */
(function () {
  "use strict";
  var CONF = self.HOCSO_OFFLINE;
  var SHELL = "hocso-shell", PAGES = "hocso-pages", MEDIA = "hocso-media", STATIC = "hocso-static";
  var routing = workbox.routing, strategies = workbox.strategies;

  function neverStored(url) {
    return CONF.neverStored.some(function (prefix) { return url.pathname.indexOf(prefix) === 0; });
  }
  var noRuntimeStore = { cacheWillUpdate: function () { return Promise.resolve(null); } };

  function fillShell() {
    return caches.open(SHELL).then(function (cache) { return cache.addAll(CONF.shell); });
  }
  self.addEventListener("install", function (event) {
    event.waitUntil(fillShell().then(function () { return self.skipWaiting(); }));
  });
  // offline.js asks after wiping a previous person's data on a shared phone.
  self.addEventListener("message", function (event) {
    if (event.data === "restore-shell") event.waitUntil(fillShell());
  });
  self.addEventListener("activate", function (event) {
    event.waitUntil(self.clients.claim());
  });

  // Pages: the network; without one, the downloaded copy, else the "Ngoại tuyến" page.
  var pageFallback = {
    handlerDidError: function (args) {
      var url = new URL(args.request.url);
      var stored = neverStored(url)
        ? Promise.resolve(undefined)
        : caches.open(PAGES).then(function (c) { return c.match(args.request, { ignoreSearch: true }); });
      return stored.then(function (response) {
        return response || caches.open(SHELL).then(function (c) { return c.match(CONF.offlineUrl); });
      });
    }
  };
  routing.registerRoute(
    function (ctx) { return ctx.request.mode === "navigate"; },
    new strategies.NetworkOnly({ plugins: [pageFallback] })
  );

  // Images, documents and videos of downloaded courses: from the cache (videos answer
  // range requests from the stored file), else the network, never stored by browsing.
  routing.registerRoute(
    function (ctx) {
      return ctx.url.origin === self.location.origin &&
        (ctx.url.pathname.indexOf("/media/") === 0 || ctx.url.pathname.indexOf("/documents/") === 0);
    },
    new strategies.CacheFirst({
      cacheName: MEDIA,
      plugins: [new workbox.rangeRequests.RangeRequestsPlugin(), noRuntimeStore]
    })
  );

  // Static files: stored as they are used (the shell's first, then the downloads').
  routing.registerRoute(
    function (ctx) {
      return ctx.url.origin === self.location.origin && ctx.url.pathname.indexOf(CONF.staticUrl) === 0;
    },
    new strategies.StaleWhileRevalidate({
      cacheName: STATIC,
      plugins: [{
        cachedResponseWillBeUsed: function (args) {
          if (args.cachedResponse) return args.cachedResponse;
          return caches.open(SHELL).then(function (c) { return c.match(args.request); });
        }
      }]
    })
  );
})();
