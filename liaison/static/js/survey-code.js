// A slip's QR code opens the survey with its one-time code after "#" (never sent to the server or a
// web filter): put it in the code box. Typed by hand, the page works the same without this script.
(function () {
  "use strict";
  var code = decodeURIComponent((window.location.hash || "").replace(/^#(code=)?/, "")).trim().toUpperCase();
  var box = document.querySelector("input[name=code]");
  if (!code || !box || box.value) { return; }
  if (/^[A-Z0-9]{4,20}$/.test(code)) { box.value = code; }
  if (window.history && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }
})();
