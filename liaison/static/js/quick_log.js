// The quick log: every record gets an id made in the browser, so a doubled tap or a retry after a
// timeout stores one record (the server answers a known id with the record it already made).
// Without JavaScript the page still works: the server puts an id of its own in the form.
(function () {
  "use strict";

  function newId() {
    return window.crypto && typeof window.crypto.randomUUID === "function" ? window.crypto.randomUUID() : null;
  }

  // The elements in root that match, root included (htmx reports a swapped-in element itself).
  function within(root, selector) {
    var found = Array.prototype.slice.call(root.querySelectorAll(selector));
    if (root.matches && root.matches(selector)) {
      found.unshift(root);
    }
    return found;
  }

  // A form the server has just rendered (on load, or swapped in after a save) gets a fresh id.
  function freshIds(root) {
    within(root, "input[data-client-uuid]").forEach(function (input) {
      var id = newId();
      if (id) {
        input.value = id;
      }
    });
  }

  // "Undo" is offered for a few seconds after a save; later, the record's own page voids it.
  function expireUndo(root) {
    within(root, "form[data-undo-seconds]").forEach(function (form) {
      var seconds = parseInt(form.getAttribute("data-undo-seconds"), 10) || 10;
      window.setTimeout(function () {
        form.remove();
      }, seconds * 1000);
    });
  }

  function prepare(root) {
    freshIds(root);
    expireUndo(root);
  }

  // When a tap got no answer (no network, a timeout, a server error), say so: tapping again is safe,
  // because the form still holds the same id and the server stores one record for it.
  function notSent(message) {
    var status = document.getElementById("quick-log-status");
    if (!status) {
      return;
    }
    var line = document.createElement("div");
    line.className = "status-line status-bad";
    var text = document.createElement("p");
    text.textContent = message;
    line.appendChild(text);
    status.replaceChildren(line);
  }

  // A double tap whose second touch lands after the first save was answered would reach the fresh
  // form (a new id) and store a second record. Submissions of a quick-log form within this many
  // milliseconds of a save are dropped, before htmx or the browser sees them.
  var DOUBLE_TAP_MS = 800;
  var lastSaved = 0;

  function isQuickLog(form) {
    return Boolean(form && form.querySelector && form.querySelector("input[data-client-uuid]"));
  }

  document.addEventListener(
    "submit",
    function (event) {
      if (isQuickLog(event.target) && Date.now() - lastSaved < DOUBLE_TAP_MS) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  document.addEventListener("DOMContentLoaded", function () {
    prepare(document);
    document.body.addEventListener("htmx:afterRequest", function (event) {
      var detail = event.detail || {};
      if (detail.successful && isQuickLog(detail.elt)) {
        lastSaved = Date.now();
      }
    });
    document.body.addEventListener("htmx:sendError", function () {
      notSent("Not sent: no connection. Tap again when you can; it will not be saved twice.");
    });
    document.body.addEventListener("htmx:timeout", function () {
      notSent("No answer yet. Tap again; it will not be saved twice.");
    });
    document.body.addEventListener("htmx:responseError", function () {
      notSent("Not saved: the server had a problem. Tap again; it will not be saved twice.");
    });
    // htmx announces every piece of content it swaps in, including out-of-band swaps.
    document.body.addEventListener("htmx:load", function (event) {
      var elt = event.detail && event.detail.elt;
      if (elt && elt !== document.body && elt.querySelectorAll) {
        prepare(elt);
      }
    });
  });
})();
