/* HọcSố offline learning (issue 21), on every page: registers the service worker for a
   signed-in learner, downloads a course ("Tải về để học khi không có mạng"), records
   progress made on a stored lesson in IndexedDB and sends it when the network is back
   (each event with its own id: the server counts it once), and on log-out removes every
   stored course and queued event. Words come from the page (json_script "offline-strings"). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var CONF = {
    user: script.getAttribute("data-user") || "",
    sw: script.getAttribute("data-sw"),
    sync: script.getAttribute("data-sync"),
    offlinePage: script.getAttribute("data-offline-page"),
    logout: script.getAttribute("data-logout"),
    copy: script.getAttribute("data-offline-copy") === "1"
  };
  var T = {};
  try { T = JSON.parse(document.getElementById("offline-strings").textContent); } catch (e) { /* none */ }
  var CACHES = { pages: "hocso-pages", media: "hocso-media", "static": "hocso-static" };
  var DB_NAME = "hocso-offline";
  var supported = "caches" in window && "indexedDB" in window && "serviceWorker" in navigator;

  function fmt(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }
  function size(bytes) {
    var mb = bytes / (1024 * 1024);
    if (mb >= 1) return mb.toLocaleString("vi-VN", { maximumFractionDigits: 1 }) + " MB";
    return Math.max(1, Math.round(bytes / 1024)).toLocaleString("vi-VN") + " KB";
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : "";
  }
  function samePath(url) {
    var u = new URL(url, location.href);
    return u.origin === location.origin ? u.pathname : null;
  }

  // --- IndexedDB: "meta" (key/value), "courses" (by id), "queue" (events, by id) ---------
  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var req = indexedDB.open(DB_NAME, 1);
        req.onupgradeneeded = function () {
          var d = req.result;
          d.createObjectStore("meta");
          d.createObjectStore("courses", { keyPath: "id" });
          d.createObjectStore("queue", { keyPath: "id" });
        };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    }
    return dbPromise;
  }
  function tx(store, mode, fn) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction(store, mode);
        var result = fn(t.objectStore(store));
        t.oncomplete = function () { resolve(result && "result" in result ? result.result : result); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  function getAll(store) { return tx(store, "readonly", function (s) { return s.getAll(); }); }
  function put(store, value, key) {
    return tx(store, "readwrite", function (s) { return key === undefined ? s.put(value) : s.put(value, key); });
  }
  function get(store, key) { return tx(store, "readonly", function (s) { return s.get(key); }); }
  function del(store, key) { return tx(store, "readwrite", function (s) { return s.delete(key); }); }

  // --- Wiping: log-out, or another person signed in on this phone ------------------------
  // A person switch (keepWorker) keeps what is the same for everyone: the "Ngoại tuyến"
  // page and the static files. Deleting them left a gap in which a phone that lost its
  // signal had no offline page at all (until the worker had fetched it again).
  var SHARED_CACHES = ["hocso-shell", CACHES["static"]];
  function wipeAll(keepWorker) {
    var steps = [];
    if ("caches" in window) {
      steps.push(caches.keys().then(function (keys) {
        return Promise.all(keys.filter(function (k) {
          return !(keepWorker && SHARED_CACHES.indexOf(k) !== -1);
        }).map(function (k) { return caches.delete(k); }));
      }));
    }
    if ("serviceWorker" in navigator && !keepWorker) {
      steps.push(navigator.serviceWorker.getRegistrations().then(function (regs) {
        return Promise.all(regs.map(function (r) { return r.unregister(); }));
      }));
    }
    var closing = dbPromise ? dbPromise.then(function (d) { d.close(); }) : Promise.resolve();
    dbPromise = null;
    steps.push(closing.then(function () {
      return new Promise(function (resolve) {
        var req = indexedDB.deleteDatabase(DB_NAME);
        req.onsuccess = req.onerror = req.onblocked = function () { resolve(); };
      });
    }));
    return Promise.all(steps).catch(function () { /* best effort */ });
  }

  function interceptLogout() {
    document.querySelectorAll("form").forEach(function (form) {
      if (samePath(form.action) !== CONF.logout) return;
      form.addEventListener("submit", function (event) {
        if (form.getAttribute("data-offline-wiped")) return;
        event.preventDefault();
        var timeout = new Promise(function (resolve) { setTimeout(resolve, 4000); });
        Promise.race([syncQueue(), timeout]).catch(function () {}).then(wipeAll).then(function () {
          form.setAttribute("data-offline-wiped", "1");
          HTMLFormElement.prototype.submit.call(form);
        });
      });
    });
  }

  // --- Status line at the top of the page ------------------------------------------------
  function banner(text, kind) {
    var box = document.getElementById("offline-banner");
    if (!box) {
      box = document.createElement("p");
      box.id = "offline-banner";
      box.className = "offline-banner";
      box.setAttribute("role", "status");
      box.setAttribute("data-testid", "offline-banner");
      var main = document.getElementById("main") || document.body;
      main.insertBefore(box, main.firstChild);
    }
    box.className = "offline-banner" + (kind ? " is-" + kind : "");
    box.textContent = text;
  }

  // --- Queue and sync --------------------------------------------------------------------
  function lessonId() {
    var el = document.querySelector("[data-lesson-id]");
    return el ? parseInt(el.getAttribute("data-lesson-id"), 10) : null;
  }
  function queueEvent(kind, lesson, blockId) {
    var key = kind + ":" + lesson + ":" + (blockId || "");
    return get("meta", "sent:" + key).then(function (seen) {
      if (seen) return false;
      return put("meta", Date.now(), "sent:" + key).then(function () {
        return put("queue", { id: uuid(), kind: kind, lesson: lesson, block_id: blockId || "", at: Date.now() });
      }).then(function () { return true; });
    });
  }

  var syncing = null;
  function syncQueue() {
    if (syncing) return syncing;
    if (!navigator.onLine || !CONF.user) return Promise.resolve(null);
    syncing = getAll("queue").then(function (events) {
      if (!events.length) return null;
      events.sort(function (a, b) { return a.at - b.at; });
      return fetch(CONF.sync, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json",
                   "X-CSRFToken": cookie("csrftoken") },
        body: JSON.stringify({ sent_at: Date.now(), events: events })
      }).then(function (r) {
        if (!r.ok) return null;
        return r.json();
      }).then(function (data) {
        if (!data || !data.results) return null;
        var refused = [];
        return Promise.all(data.results.map(function (res) {
          if (res.status === "refused" && !res.replayed && res.message) refused.push(res.message);
          return del("queue", res.id);
        })).then(function () {
          banner(refused.length ? T.refused + " " + refused.join(" ") : T.synced, refused.length ? "warning" : "ok");
          document.documentElement.setAttribute("data-offline-synced", "1");
          return refreshCourses(Object.keys(data.courses || {})).then(function () { return data; });
        });
      });
    }).catch(function () { return null; }).then(function (result) {
      syncing = null;
      return result;
    });
    return syncing;
  }

  // --- Downloads ---------------------------------------------------------------------------
  function fetchOk(url) {
    return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error(url + " " + r.status);
      return r;
    });
  }
  function storeAs(cacheName, key, response) {
    return response.blob().then(function (blob) {
      var headers = new Headers();
      headers.set("Content-Type", response.headers.get("Content-Type") || "application/octet-stream");
      headers.set("Content-Length", String(blob.size));
      headers.set("X-HocSo-Stored", new Date().toISOString());
      return caches.open(cacheName).then(function (cache) {
        return cache.put(new URL(key, location.href).href, new Response(blob, { status: 200, headers: headers }));
      }).then(function () { return blob; });
    });
  }
  function assetsOf(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var urls = [];
    doc.querySelectorAll("link[rel=stylesheet][href], link[rel=icon][href], script[src]").forEach(function (el) {
      var url = el.getAttribute("href") || el.getAttribute("src");
      if (samePath(url)) urls.push(new URL(url, location.href).href);
    });
    return urls;
  }
  function download(manifest, withVideo, onProgress) {
    var pages = manifest.pages, files = manifest.files.slice();
    if (withVideo) files = files.concat(manifest.videos);
    var total = pages.length + files.length, done = 0, bytes = 0, assets = {};
    var record = { id: manifest.course.id, title: manifest.course.title, url: manifest.course.url,
                   withVideo: !!withVideo, pages: [], media: [], at: Date.now() };
    function step(n) { done += 1; bytes += n; onProgress(done, total, bytes); }
    var chain = Promise.resolve();
    pages.forEach(function (page) {
      chain = chain.then(function () {
        return fetchOk(page.source).then(function (r) {
          return storeAs(CACHES.pages, page.url, r);
        }).then(function (blob) {
          return blob.text().then(function (html) {
            assetsOf(html).forEach(function (u) { assets[u] = true; });
            record.pages.push({ url: page.url, version: page.version, lesson: page.lesson || null });
            step(blob.size);
          });
        });
      });
    });
    files.forEach(function (file) {
      chain = chain.then(function () {
        return fetchOk(file.url).then(function (r) { return storeAs(CACHES.media, file.url, r); })
          .then(function (blob) { record.media.push(file.url); step(blob.size); });
      });
    });
    return chain.then(function () {
      return caches.open(CACHES["static"]).then(function (cache) {
        return Promise.all(Object.keys(assets).map(function (u) {
          return fetchOk(u).then(function (r) { return cache.put(u, r); });
        }));
      });
    }).then(function () {
      record.bytes = bytes;
      return put("courses", record).then(function () { return record; });
    });
  }
  function removeCourse(id) {
    return getAll("courses").then(function (all) {
      var mine = all.filter(function (c) { return c.id === id; })[0];
      if (!mine) return;
      var kept = {};
      all.forEach(function (c) {
        if (c.id === id) return;
        c.pages.forEach(function (p) { kept[p.url] = true; });
        c.media.forEach(function (u) { kept[u] = true; });
      });
      return Promise.all([caches.open(CACHES.pages), caches.open(CACHES.media)]).then(function (cs) {
        var jobs = mine.pages.filter(function (p) { return !kept[p.url]; })
          .map(function (p) { return cs[0].delete(new URL(p.url, location.href).href); });
        jobs = jobs.concat(mine.media.filter(function (u) { return !kept[u]; })
          .map(function (u) { return cs[1].delete(new URL(u, location.href).href); }));
        return Promise.all(jobs);
      }).then(function () { return del("courses", id); });
    });
  }
  // After a sync (the stored copies show the new progress) or a new published revision:
  // fetch the course's list again and replace the pages that changed.
  function refreshCourses(touchedIds) {
    if (!navigator.onLine) return Promise.resolve();
    return getAll("courses").then(function (all) {
      return Promise.all(all.map(function (course) {
        var touched = touchedIds.indexOf(String(course.id)) >= 0;
        return fetch(manifestUrl(course.id), { credentials: "same-origin", cache: "no-store" })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (manifest) {
            if (!manifest) return null;
            var versions = {};
            course.pages.forEach(function (p) { versions[p.url] = p.version; });
            var stale = manifest.pages.filter(function (p) { return touched || versions[p.url] !== p.version; });
            if (!stale.length) return null;
            return Promise.all(stale.map(function (p) {
              return fetchOk(p.source).then(function (r) { return storeAs(CACHES.pages, p.url, r); });
            })).then(function () {
              course.pages = manifest.pages.map(function (p) {
                return { url: p.url, version: p.version, lesson: p.lesson || null };
              });
              return put("courses", course);
            });
          }).catch(function () { return null; });
      }));
    });
  }
  function manifestUrl(id) { return CONF.sync.replace(/dong-bo\/$/, "khoa/" + id + "/"); }

  function courseBox(box) {
    var id = parseInt(box.getAttribute("data-offline-course"), 10);
    var q = function (sel) { return box.querySelector(sel); };
    var sizes = q("[data-offline-sizes]"), status = q("[data-offline-status]");
    var start = q("[data-offline-start]"), remove = q("[data-offline-remove]");
    var bar = q("[data-offline-progress]"), videoRow = q("[data-offline-video]");
    var withVideo = q("[data-offline-with-video]"), videoLabel = q("[data-offline-video-label]");
    var manifest = null;
    if (!supported) { status.textContent = T.unsupported; return; }
    function showStored(record) {
      status.textContent = fmt(T.downloaded, { size: size(record.bytes) });
      remove.hidden = false;
      box.setAttribute("data-downloaded", "1");
    }
    get("courses", id).then(function (record) { if (record) showStored(record); });
    if (!navigator.onLine) return;
    fetch(box.getAttribute("data-manifest-url"), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        manifest = data;
        sizes.textContent = fmt(T.aboutSize, { size: size(data.size.without_video) });
        if (data.videos.length) {
          videoLabel.textContent = fmt(T.videoSize, { size: size(data.size.video) });
          videoRow.hidden = false;
        } else {
          sizes.textContent += " · " + T.noVideo;
        }
        start.hidden = false;
      });
    start.addEventListener("click", function () {
      if (!manifest) return;
      start.disabled = true;
      bar.hidden = false;
      bar.value = 0;
      download(manifest, withVideo.checked, function (done, total, bytes) {
        bar.value = Math.round((done * 100) / total);
        bar.textContent = bar.value + "%";
        status.textContent = fmt(T.downloading, { done: done, total: total }) + " (" + size(bytes) + ")";
      }).then(function (record) {
        showStored(record);
        start.disabled = false;
      }).catch(function () {
        status.textContent = T.failed;
        start.disabled = false;
      });
    });
    remove.addEventListener("click", function () {
      removeCourse(id).then(function () {
        remove.hidden = true;
        bar.hidden = true;
        box.removeAttribute("data-downloaded");
        status.textContent = T.removed;
      });
    });
  }

  // --- "Học tập của tôi" and the "Ngoại tuyến" page: downloaded courses, space used -------
  function listDownloads() {
    var links = document.querySelectorAll(".learning-list a.learning-title");
    var target = document.querySelector("[data-offline-courses]");
    if (!links.length && !target) return;
    getAll("courses").then(function (all) {
      var total = 0, byPath = {};
      all.forEach(function (c) { total += c.bytes || 0; byPath[samePath(c.url)] = c; });
      links.forEach(function (a) {
        var c = byPath[samePath(a.href)];
        if (!c || a.parentNode.querySelector(".offline-badge")) return;
        var badge = document.createElement("span");
        badge.className = "offline-badge";
        badge.setAttribute("data-testid", "offline-badge");
        badge.textContent = T.badge + " · " + size(c.bytes || 0);
        a.insertAdjacentElement("afterend", badge);
      });
      if (target) {
        all.forEach(function (c) {
          var li = document.createElement("li");
          li.className = "card learning-item";
          var a = document.createElement("a");
          a.className = "learning-title";
          a.href = c.url;
          a.textContent = c.title;
          li.appendChild(a);
          target.appendChild(li);
        });
        if (!all.length) {
          var none = document.createElement("li");
          none.textContent = T.noneDownloaded;
          target.appendChild(none);
        }
      }
      if (all.length && !document.querySelector("[data-testid=offline-space]")) {
        var line = document.createElement("p");
        line.className = "offline-space muted";
        line.setAttribute("data-testid", "offline-space");
        line.textContent = fmt(T.spaceUsed, { size: size(total) });
        var h1 = document.querySelector("main h1");
        if (h1) h1.insertAdjacentElement("afterend", line);
      }
    }).catch(function () {});
  }

  // --- A stored lesson opened without a network -------------------------------------------
  function offlineLesson() {
    var lesson = lessonId();
    if (!lesson) return;
    banner(T.offline, "warning");
    queueEvent("open", lesson, "");
    // Quizzes and H5P need the server: say so instead of failing.
    document.querySelectorAll(".activity").forEach(function (section) {
      section.querySelectorAll("form, button, .h5p-activity").forEach(function (el) { el.hidden = true; });
      var note = document.createElement("p");
      note.className = "offline-needs-network";
      note.setAttribute("data-testid", "needs-network");
      note.textContent = T.needsNetwork;
      section.appendChild(note);
    });
    var read = document.querySelector("form input[name=evidence][value=read]");
    if (read) {
      var form = read.form;
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        queueEvent("read", lesson, "").then(function () {
          var done = document.createElement("p");
          done.className = "done-note";
          done.setAttribute("data-testid", "offline-saved");
          done.textContent = "✓ " + T.saved;
          form.replaceWith(done);
          syncQueue();
        });
      });
    }
    document.querySelectorAll(".lesson-video[data-block-id]").forEach(function (box) {
      var video = box.querySelector("video"), status = box.querySelector(".video-status");
      var low = box.querySelector("source[data-quality='360p']");
      if (!video) return;
      // The stored copy is the 360p rendition: play it whatever the player chose online.
      // (after the player script, which runs on DOMContentLoaded, has chosen its own).
      function useStored() {
        var quality = box.querySelector("[data-video-quality]");
        if (quality && low) quality.value = "360p";
        if (low && video.getAttribute("src") !== low.getAttribute("src")) {
          video.setAttribute("src", low.getAttribute("src"));
          video.load();
        }
      }
      if (document.readyState === "complete") useStored();
      else window.addEventListener("load", useStored);
      var queued = false;
      function check() {
        if (queued) return;
        var total = 0;
        for (var i = 0; i < video.played.length; i++) total += video.played.end(i) - video.played.start(i);
        var duration = video.duration || parseFloat(video.getAttribute("data-duration")) || 0;
        if (!duration || total / duration < 0.9) return;
        queued = true;
        queueEvent("video", lesson, box.getAttribute("data-block-id")).then(function () {
          if (status) { status.hidden = false; status.textContent = T.videoSaved; }
          box.setAttribute("data-offline-watched", "1");
        });
      }
      video.addEventListener("timeupdate", check);
      video.addEventListener("ended", check);
    });
  }

  // --- Start -------------------------------------------------------------------------------
  function start() {
    interceptLogout();
    if (!supported) return;
    var ready = Promise.resolve();
    if (CONF.user) {
      ready = get("meta", "user").then(function (owner) {
        if (owner && owner !== CONF.user) {
          // Another person on this phone: the previous one's courses and queue go; the
          // service worker stays and refreshes its "Ngoại tuyến" page.
          return wipeAll(true).then(function () {
            return navigator.serviceWorker.ready.then(function (reg) {
              if (reg.active) reg.active.postMessage("restore-shell");
            });
          });
        }
      }).then(function () { return put("meta", CONF.user, "user"); }).catch(function () {});
      if (navigator.onLine && !CONF.copy) {
        navigator.serviceWorker.register(CONF.sw, { scope: "/" }).catch(function () {});
      }
    }
    ready.then(function () {
      document.querySelectorAll("[data-offline-course]").forEach(courseBox);
      listDownloads();
      if (CONF.copy) offlineLesson();
      if (CONF.user && !CONF.copy) syncQueue();
    });
    window.addEventListener("online", function () { syncQueue(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
