// The phone page's one script (/n/{id}, commissioning): fills the form's position from the browser's geolocation
// and shows it with its accuracy. Served from this origin (CSP script-src 'self'); the form works without it, and
// without a position (the result is then stored with none, as the page says).
(function () {
  "use strict";
  var status = document.getElementById("position-status");
  if (!status) return;
  function field(name) { return document.getElementById(name); }
  function say(text, failed) {
    status.textContent = text;
    status.className = failed ? "error" : "ok";
  }
  if (!("geolocation" in navigator)) {
    say(status.getAttribute("data-unavailable"), true);
    return;
  }
  say(status.getAttribute("data-locating"), false);
  navigator.geolocation.getCurrentPosition(function (p) {
    var lat = p.coords.latitude.toFixed(6), lon = p.coords.longitude.toFixed(6), acc = Math.round(p.coords.accuracy);
    field("lat").value = lat;
    field("lon").value = lon;
    field("accuracy").value = String(acc);
    say(status.getAttribute("data-found").replace("{0}", lat).replace("{1}", lon).replace("{2}", String(acc)), false);
  }, function (e) {
    say(status.getAttribute(e.code === 1 ? "data-denied" : "data-unavailable"), true);
  }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 });
})();
