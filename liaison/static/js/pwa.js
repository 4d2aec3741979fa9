// On every signed-in page: install the service worker, send the offline queue when a page opens or
// the connection returns (iPhones have no Background Sync: this is how their queue is sent), and
// guard sign-out: unsent records are offered for sending first, and discarding them is a choice
// made with the records listed.
(function () {
  "use strict";

  var config = document.querySelector("meta[name=liaison-offline]");
  var queue = window.LiaisonQueue;
  if (!config || !queue) {
    return;
  }
  var user = config.getAttribute("data-user");
  queue.urls.session = config.getAttribute("data-session");
  queue.urls.api = config.getAttribute("data-api");

  function changed(result) {
    document.dispatchEvent(new CustomEvent("liaison:queue-changed", { detail: result || {} }));
    announceAway(result);
  }

  // A send from a page without the quick log's queue panel (the officer's home after signing in) is
  // said at the top of the page, as the panel would say it.
  function announceAway(result) {
    var main = document.getElementById("main");
    if (!result || !(result.sent || result.refused) || !main || document.getElementById("offline-queue")) {
      return;
    }
    var parts = [];
    if (result.sent) {
      parts.push("Sent " + result.sent + (result.sent === 1 ? " record." : " records."));
    }
    if (result.refused) {
      parts.push("The server refused " + result.refused + ": fix or discard on the quick log.");
    }
    var note = main.querySelector("p[data-queue-notice]");
    if (!note) {
      note = element("p", { role: "status", "class": "message", "data-queue-notice": "" });
      main.prepend(note);
    }
    note.textContent = parts.join(" ");
  }

  function sendQueue() {
    return queue.send().then(function (result) {
      changed(result);
      return result;
    });
  }

  function sendIfWaiting() {
    return queue.entries(user).then(function (found) {
      var waiting = found.some(function (entry) { return entry.state === "waiting"; });
      return waiting && navigator.onLine ? sendQueue() : null;
    });
  }

  // --- sign-out --------------------------------------------------------------------------------

  function forgetPages() {
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "forget-pages" });
    }
    if (!window.caches) {
      return Promise.resolve();
    }
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name.indexOf("liaison-pages-") === 0; })
        .map(function (name) { return caches.delete(name); }));
    });
  }

  function signOut(form) {
    forgetPages().then(function () { form.submit(); }, function () { form.submit(); });
  }

  function element(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function describe(entry) {
    var when = new Date(entry.payload.occurred_at);
    var day = when.toLocaleDateString([], { weekday: "short", day: "numeric", month: "short" });
    var time = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    var state = entry.state === "refused" ? " (refused: " + entry.message + ")" : "";
    return entry.label.kind + " at " + entry.label.school + ", " + day + " " + time + state;
  }

  function signOutDialog(form, found) {
    var dialog = element("dialog", { class: "signout-dialog", id: "signout-dialog", "aria-labelledby": "signout-heading" });
    var count = found.length;
    var records = count === 1 ? "1 record" : count + " records";
    dialog.appendChild(element("h2", { id: "signout-heading" }, records + " not sent yet"));
    dialog.appendChild(element("p", {}, "These contacts are on this phone only. Send them before you sign out:"));
    var list = element("ul", { class: "record-list", "data-unsent": "" });
    found.forEach(function (entry) { list.appendChild(element("li", {}, describe(entry))); });
    dialog.appendChild(list);
    var status = element("p", { role: "status", class: "signout-status" });
    dialog.appendChild(status);
    var actions = element("div", { class: "actions" });
    var send = element("button", { type: "button" }, "Send them, then sign out");
    var keep = element("button", { type: "button", class: "secondary" }, "Keep them for my next sign-in, and sign out");
    var stay = element("button", { type: "button", class: "secondary" }, "Stay signed in");
    actions.append(send, keep, stay);
    dialog.appendChild(actions);
    var discardBox = element("fieldset", { class: "subgroups discard" });
    discardBox.appendChild(element("legend", {}, "Or discard them"));
    var confirmLabel = element("label", { class: "radio-choice" });
    var confirmBox = element("input", { type: "checkbox", id: "discard-confirm" });
    confirmLabel.append(confirmBox, " I understand the " + records + " listed above will be lost");
    var discard = element("button", { type: "button", class: "danger", disabled: "" }, "Discard " + records + " and sign out");
    discardBox.append(confirmLabel, discard);
    dialog.appendChild(discardBox);

    confirmBox.addEventListener("change", function () { discard.disabled = !confirmBox.checked; });
    stay.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () { dialog.remove(); });
    keep.addEventListener("click", function () { signOut(form); });
    discard.addEventListener("click", function () {
      Promise.all(found.map(function (entry) { return queue.remove(entry.uuid); })).then(function () { signOut(form); });
    });
    send.addEventListener("click", function () {
      send.disabled = true;
      status.textContent = "Sending…";
      sendQueue().then(function (result) {
        return queue.entries(user).then(function (left) {
          if (!left.length) {
            signOut(form);
            return;
          }
          send.disabled = false;
          status.textContent = result.offline
            ? "No connection: nothing more was sent. Try again when you have a signal."
            : result.signedOut
              ? "Your session has ended: keep them, sign in again, and they will be sent."
              : left.length + " could not be sent: the server refused them. Open the quick log to fix them.";
        });
      });
    });
    document.body.appendChild(dialog);
    dialog.showModal();
  }

  // How many records this user has on the phone, kept current so that a sign-out with none goes
  // ahead at once, as a plain form post; null while unknown (then the queue is read first).
  var unsent = null;
  function recount() {
    unsent = null;
    queue.entries(user).then(function (found) {
      unsent = found.length;
      badge(found);
    }, function () {});
  }

  // On every page, beside "Sign out": how many records wait on this phone, linking to the quick log.
  function badge(found) {
    var nav = document.querySelector(".site-nav");
    var shown = document.querySelector("[data-unsent-badge]");
    if (!found.length || !nav) {
      if (shown) {
        shown.remove();
      }
      return;
    }
    if (!shown) {
      shown = element("a", { class: "badge badge-warn", "data-unsent-badge": "", href: config.getAttribute("data-log") });
      nav.insertBefore(shown, nav.querySelector("form[data-sign-out]"));
    }
    shown.textContent = found.length + " waiting to send";
  }
  recount();
  document.addEventListener("liaison:queue-added", recount);
  document.addEventListener("liaison:queue-changed", recount);
  queue.onChange(recount); // another tab, or the service worker

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-sign-out]")) {
      return;
    }
    if (unsent === 0) {
      forgetPages(); // the worker finishes this even as the page goes
      return;
    }
    event.preventDefault();
    queue.entries(user).then(function (found) {
      if (found.length) {
        signOutDialog(form, found);
      } else {
        signOut(form);
      }
    }, function () { signOut(form); });
  });

  // --- the service worker and the moments the queue is sent ---------------------------------------

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(config.getAttribute("data-worker"), { scope: "/" }).catch(function () {});
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "queue-changed") {
        changed(event.data.result);
      }
    });
  }
  window.addEventListener("online", function () { sendIfWaiting(); });
  // Ask once, when the phone first holds something, that the browser never clear the queue to save space.
  function keepStorage() {
    if (navigator.storage && navigator.storage.persisted) {
      navigator.storage.persisted().then(function (kept) {
        return kept || navigator.storage.persist();
      }).catch(function () {});
    }
  }

  document.addEventListener("liaison:queue-added", function () {
    keepStorage();
    if (navigator.serviceWorker) {
      navigator.serviceWorker.ready.then(function (registration) {
        return registration.sync && registration.sync.register(queue.SYNC_TAG);
      }).catch(function () {});
    }
    if (navigator.onLine) {
      sendQueue();
    }
  });
  window.LiaisonOffline = { user: user, sendQueue: sendQueue, describe: describe };
  sendIfWaiting();
})();
