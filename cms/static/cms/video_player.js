/* HọcSố video player: choose the rendition. Small (360p) unless the browser reports a fast,
   unmetered connection (navigator.connection: 4g, >= 5 Mbit/s, no Save-Data); the viewer's
   own choice is remembered. Included once per player; runs once per page. */
(function () {
  "use strict";
  if (window.hocsoVideoPlayer) return;
  window.hocsoVideoPlayer = true;
  var KEY = "hocso.videoQuality";

  function fastConnection() {
    var c = navigator.connection;
    if (!c || c.saveData) return false;
    return c.effectiveType === "4g" && (typeof c.downlink !== "number" || c.downlink >= 5);
  }

  function stored() {
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }

  function choose(video, select, keepPosition) {
    var option = select.options[select.selectedIndex];
    if (!option) return;
    var url = option.getAttribute("data-src");
    if (video.getAttribute("src") === url) return;
    var time = video.currentTime, playing = !video.paused;
    video.setAttribute("src", url);
    video.setAttribute("data-quality", option.value);
    if (keepPosition && (time > 0 || playing)) {
      video.addEventListener("loadedmetadata", function () {
        if (time) video.currentTime = time;
        if (playing) video.play();
      }, { once: true });
      video.load();
    }
  }

  function setup(figure) {
    var video = figure.querySelector("video");
    var select = figure.querySelector("[data-video-quality]");
    if (!video || !select) return;
    var wanted = stored() || (fastConnection() ? "720p" : "360p");
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === wanted) { select.selectedIndex = i; break; }
    }
    choose(video, select, false);
    select.addEventListener("change", function () {
      try { window.localStorage.setItem(KEY, select.value); } catch (e) { /* private mode */ }
      choose(video, select, true);
    });
  }

  function init() {
    var players = document.querySelectorAll("[data-video-player]");
    for (var i = 0; i < players.length; i++) setup(players[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
