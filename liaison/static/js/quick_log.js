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

  // --- the offline queue: taps with no connection wait on the phone (offline_queue.js) ---------------

  var offline = (function () {
    var queue = window.LiaisonQueue;
    var config = document.querySelector("meta[name=liaison-offline]");
    var user = config ? config.getAttribute("data-user") : "";
    var OPTIONAL = ["role", "duration_minutes", "student_count", "grade_band", "setting", "initiated_by", "staff_role", "service", "note"];
    var NUMBERS = ["duration_minutes", "student_count"];
    var DAY_MS = 24 * 60 * 60 * 1000;
    var SIGNED_OUT = "Your session has ended: sign in again and it will be sent.";

    function panel() {
      return document.getElementById("offline-queue");
    }

    function text(node) {
      return node ? node.textContent.replace(/\s+/g, " ").trim() : "";
    }

    function typed(name, value) {
      return NUMBERS.indexOf(name) !== -1 ? Number(value) : value;
    }

    // What a tap on a kind button records, as the API takes it, with the time of the tap.
    function entryFrom(form, submitter) {
      if (!queue || !user || !submitter || submitter.name !== "kind") {
        return null;
      }
      var data = new FormData(form);
      var payload = { school: data.get("school"), kind: submitter.value, occurred_at: new Date().toISOString() };
      var officer = panel() && panel().getAttribute("data-officer");
      if (officer) {
        payload.officer = officer; // the server refuses it for anyone else
      }
      OPTIONAL.forEach(function (name) {
        var value = String(data.get(name) || "").trim();
        if (value) {
          payload[name] = typed(name, value);
        }
      });
      var instead = data.get("instead_of_enforcement");
      if (instead === "true" || instead === "false") {
        payload.instead_of_enforcement = instead === "true";
      }
      var school = form.querySelector("input[name=school]:checked");
      var label = { kind: text(submitter.querySelector(".kind-label")), school: "" };
      if (school) {
        label.school = text(form.querySelector("label[for='" + school.id + "']"));
      }
      return { uuid: String(data.get("client_uuid")), user: user, payload: payload, label: label };
    }

    function status(message, bad) {
      var line = document.createElement("div");
      line.className = "status-line " + (bad ? "status-bad" : "status-queued");
      var p = document.createElement("p");
      p.textContent = message;
      line.appendChild(p);
      var region = document.getElementById("quick-log-status");
      if (region) {
        region.replaceChildren(line);
      }
    }

    // A fresh form for the next tap: the same school, no details, a new id.
    function clearForm(form) {
      var school = form.querySelector("input[name=school]:checked");
      form.reset();
      if (school) {
        school.checked = true;
      }
      freshIds(form);
    }

    function keep(form, entry, why) {
      queue.add(entry).then(function () {
        var time = new Date(entry.payload.occurred_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
        status("Kept on this phone: " + entry.label.kind + " at " + entry.label.school + ", " + time +
          ". Waiting to send. " + (why || "It is sent when the connection returns."));
        clearForm(form);
        render();
        document.dispatchEvent(new CustomEvent("liaison:queue-added"));
      }, function () {
        status("Not saved: this phone could not keep it. Note it down and log it when you have a signal.", true);
      });
    }

    function element(tag, className, content) {
      var node = document.createElement(tag);
      if (className) {
        node.className = className;
      }
      if (content) {
        node.textContent = content;
      }
      return node;
    }

    function when(entry) {
      var at = new Date(entry.payload.occurred_at);
      var time = at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      return at.toDateString() === new Date().toDateString() ? time : at.toLocaleDateString([], { weekday: "short" }) + " " + time;
    }

    function waitingItem(entry) {
      var li = element("li", "queued");
      li.setAttribute("data-queued", entry.uuid);
      li.append(element("span", "record-time", when(entry)), " ", element("span", "record-kind", entry.label.kind), " ",
        element("span", "badge badge-warn", "waiting to send"), element("span", "muted", entry.label.school));
      return li;
    }

    // An input for a field the server named, copied from the quick log form so it offers the same choices.
    function fixControl(entry, name) {
      var form = document.getElementById("quick-log-form");
      var control;
      if (name === "school") {
        control = document.createElement("select");
        form.querySelectorAll("input[name=school]").forEach(function (radio) {
          var option = new Option(text(form.querySelector("label[for='" + radio.id + "']")), radio.value);
          control.appendChild(option);
        });
      } else {
        var original = form && form.querySelector("[name=" + name + "]:not([type=hidden]):not([type=radio])");
        if (!original) {
          return null;
        }
        control = original.cloneNode(true);
      }
      control.id = "fix-" + entry.uuid + "-" + name;
      control.name = name;
      control.removeAttribute("aria-describedby");
      control.value = entry.payload[name] === undefined ? "" : String(entry.payload[name]);
      var field = element("div", "field");
      var label = element("label", "", name === "school" ? "School" : text(form.querySelector("label[for='" + (form.querySelector("[name=" + name + "]") || {}).id + "']")).replace(/\*$/, "").trim());
      label.setAttribute("for", control.id);
      field.append(label, control);
      return field;
    }

    function refusedItem(entry) {
      var li = element("li", "refused");
      li.setAttribute("data-refused", entry.uuid);
      li.refusal = entry.message;
      li.append(element("span", "record-time", when(entry)), " ", element("span", "record-kind", entry.label.kind), " ",
        element("span", "badge badge-bad", "refused"), element("span", "muted", entry.label.school));
      li.appendChild(element("p", "field-error", entry.message));
      var controls = Object.keys(entry.fields || {}).map(function (name) { return fixControl(entry, name); }).filter(Boolean);
      controls.forEach(function (control) { li.appendChild(control); });
      var actions = element("p", "actions");
      var again = element("button", "", "Send again");
      again.type = "button";
      var discard = element("button", "secondary", "Discard");
      discard.type = "button";
      actions.append(again, discard);
      li.appendChild(actions);
      again.addEventListener("click", function () {
        var payload = Object.assign({}, entry.payload);
        controls.forEach(function (field) {
          var control = field.querySelector("select, input, textarea");
          if (control.value === "") {
            delete payload[control.name];
          } else {
            payload[control.name] = typed(control.name, control.value);
          }
        });
        queue.put(Object.assign({}, entry, { payload: payload, state: "waiting", message: "", fields: {} })).then(function () {
          render();
          document.dispatchEvent(new CustomEvent("liaison:queue-added"));
        });
      });
      discard.addEventListener("click", function () {
        var sure = window.confirm("Discard " + entry.label.kind + " at " + entry.label.school + ", " + when(entry) +
          "? It will not be sent and cannot be brought back.");
        if (sure) {
          queue.remove(entry.uuid).then(function () { render(); });
        }
      });
      return li;
    }

    // What a send says, or null when it has nothing new to say (another send got there first).
    function notice(result) {
      if (!result.user && !result.signedOut && !result.offline) {
        return null;
      }
      if (result.signedOut) {
        return "Your session has ended: sign in again and they will be sent.";
      }
      if (result.offline) {
        return "No connection: they are sent when it returns.";
      }
      var parts = [];
      if (result.sent) {
        parts.push("Sent " + result.sent + (result.sent === 1 ? " record." : " records."));
      }
      if (result.refused) {
        parts.push("The server refused " + result.refused + ": fix or discard below.");
      }
      return parts.length ? parts.join(" ") : null;
    }

    var lastNotice = "";

    function render(result) {
      var box = panel();
      if (!box || !queue || !user) {
        return Promise.resolve();
      }
      var said = result ? notice(result) : null;
      if (said !== null) {
        lastNotice = said;
      }
      return Promise.all([queue.entries(user), queue.lastSync(user)]).then(function (found) {
        var entries = found[0];
        var last = found[1];
        var waiting = entries.filter(function (entry) { return entry.state === "waiting"; });
        var refused = entries.filter(function (entry) { return entry.state === "refused"; });
        box.querySelector("[data-queue-count]").textContent = entries.length + " waiting to send";
        box.querySelector("[data-queue-last-sync]").textContent = last
          ? "Last sent to the server: " + new Date(last).toLocaleString([], { weekday: "short", hour: "2-digit", minute: "2-digit" })
          : "Nothing sent from this phone yet.";
        var old = entries.filter(function (entry) { return Date.now() - new Date(entry.payload.occurred_at) > DAY_MS; });
        var warning = box.querySelector("[data-queue-old]");
        warning.hidden = !old.length;
        warning.textContent = old.length
          ? old.length + (old.length === 1 ? " record has" : " records have") + " waited more than a day. Connect to a network and tap “Send now”."
          : "";
        box.querySelector("[data-queue-notice]").textContent = lastNotice;
        box.querySelector("[data-queue-send]").hidden = !waiting.length;
        var list = box.querySelector("[data-queue-refused]");
        // An item the officer may be fixing is kept as it is; only new or changed refusals are drawn anew.
        var shown = {};
        list.querySelectorAll("li[data-refused]").forEach(function (li) { shown[li.getAttribute("data-refused")] = li; });
        list.replaceChildren.apply(list, refused.map(function (entry) {
          var li = shown[entry.uuid];
          return li && li.refusal === entry.message ? li : refusedItem(entry);
        }));
        box.hidden = !entries.length && !lastNotice;
        var today = document.querySelector("[data-queued-today]");
        if (today) {
          today.replaceChildren.apply(today, waiting.map(waitingItem));
          today.hidden = !waiting.length;
          var empty = today.parentNode.querySelector(".empty");
          if (empty) {
            empty.hidden = Boolean(waiting.length);
          }
        }
      });
    }

    document.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("[data-queue-send]");
      if (button && window.LiaisonOffline) {
        lastNotice = "Sending…";
        render();
        window.LiaisonOffline.sendQueue();
      }
    });

    return { entryFrom: entryFrom, keep: keep, render: render, SIGNED_OUT: SIGNED_OUT, keptLast: false };
  })();

  // A double tap whose second touch lands after the first save was answered would reach the fresh
  // form (a new id) and store a second record. Submissions of a quick-log form within this many
  // milliseconds of a save are dropped, before htmx or the browser sees them.
  var DOUBLE_TAP_MS = 800;
  var lastSaved = 0;

  function isQuickLog(form) {
    return Boolean(form && form.querySelector && form.querySelector("input[data-client-uuid]"));
  }

  // The tap being sent, kept until the answer comes: with no answer it goes into the offline queue.
  var sending = null;

  document.addEventListener(
    "submit",
    function (event) {
      if (!isQuickLog(event.target)) {
        return;
      }
      if (Date.now() - lastSaved < DOUBLE_TAP_MS) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      sending = offline.entryFrom(event.target, event.submitter);
      if (sending && !navigator.onLine) {
        event.preventDefault();
        event.stopImmediatePropagation();
        offline.keep(event.target, sending, "");
        sending = null;
        lastSaved = Date.now(); // a double tap with no connection is one record too
      }
    },
    true
  );

  // No answer, or an answer that says the session has ended: keep the tap on the phone instead.
  function keepUnsent(event, why) {
    var detail = event.detail || {};
    if (!sending || !isQuickLog(detail.elt)) {
      return false;
    }
    offline.keep(detail.elt, sending, why);
    sending = null;
    return true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    prepare(document);
    offline.render();
    document.addEventListener("liaison:queue-changed", function (event) {
      offline.render(event.detail);
    });
    document.body.addEventListener("htmx:afterRequest", function (event) {
      var detail = event.detail || {};
      if (detail.successful && isQuickLog(detail.elt)) {
        lastSaved = Date.now();
      }
    });
    document.body.addEventListener("htmx:sendError", function (event) {
      if (!keepUnsent(event, "")) {
        notSent("Not sent: no connection. Tap again when you can; it will not be saved twice.");
      }
    });
    document.body.addEventListener("htmx:timeout", function (event) {
      if (!keepUnsent(event, "")) {
        notSent("No answer yet. Tap again; it will not be saved twice.");
      }
    });
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      var xhr = (event.detail || {}).xhr;
      var form = (event.detail || {}).elt;
      if (!xhr || !isQuickLog(form)) {
        return;
      }
      var path = xhr.responseURL ? new URL(xhr.responseURL).pathname : "";
      var ended = xhr.status === 401 || xhr.status === 403 || (path && path !== new URL(form.action).pathname);
      if (ended || xhr.status >= 500) {
        event.detail.shouldSwap = false;
        offline.keptLast = keepUnsent(event, ended ? offline.SIGNED_OUT : "");
      } else {
        sending = null;
      }
    });
    document.body.addEventListener("htmx:responseError", function (event) {
      if (offline.keptLast) {
        offline.keptLast = false; // kept on the phone by htmx:beforeSwap, and the status line says so
        return;
      }
      notSent("Not saved: the server had a problem. Tap again; it will not be saved twice.");
    });
    // After Undo the Undo button is gone: focus goes back to the button of the kind that was undone
    // (the status line names it), not to the page, so a keyboard or switch user carries on from there.
    // (htmx settles the status line and the out-of-band parts one by one, so this waits for the last.)
    document.body.addEventListener("htmx:afterSettle", function (event) {
      var form = event.detail && event.detail.requestConfig ? event.detail.requestConfig.elt : null;
      if (!form || !form.matches || !form.matches("form.undo-form")) {
        return;
      }
      window.setTimeout(function () {
        var line = document.querySelector("#quick-log-status [data-focus-after]");
        var target = line ? document.getElementById(line.getAttribute("data-focus-after")) : null;
        (target || document.querySelector(".kind-button") || document.getElementById("main")).focus();
      }, 0);
    });
    // htmx announces every piece of content it swaps in, including out-of-band swaps.
    document.body.addEventListener("htmx:load", function (event) {
      var elt = event.detail && event.detail.elt;
      if (elt && elt !== document.body && elt.querySelectorAll) {
        prepare(elt);
        if (within(elt, "[data-queued-today]").length) {
          offline.render();
        }
      }
    });
  });
})();
