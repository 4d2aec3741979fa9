// The offline queue: contacts logged with no connection wait in IndexedDB, filed under the officer
// who logged them, with the id made in the browser and the time they happened. It runs in the pages
// and in the service worker (Background Sync), and has no DOM code.
//
// Safety: a queue is only ever sent by its own user (the server says who is signed in before
// anything is sent); a send the server refuses stays queued with its message; an answer of
// "signed out" (401, 403, a redirect to the sign-in page) leaves everything queued for later.
// A retry of a record the server already has returns that record (client_uuid): never a double.
(function (scope) {
  "use strict";

  var DB_NAME = "liaison-offline";
  var CONTACTS = "contacts";
  var META = "meta";
  var REFUSED_STATUSES = [400, 404, 409, 413, 422];

  var urls = { session: "/log/offline/session/", api: "/api/v1/interactions" };

  function request(req) {
    return new Promise(function (resolve, reject) {
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  var opened = null;
  function db() {
    if (!opened) {
      var req = scope.indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () {
        var contacts = req.result.createObjectStore(CONTACTS, { keyPath: "uuid" });
        contacts.createIndex("user", "user");
        req.result.createObjectStore(META, { keyPath: "key" });
      };
      opened = request(req);
    }
    return opened;
  }

  function store(name, mode) {
    return db().then(function (database) {
      return database.transaction(name, mode).objectStore(name);
    });
  }

  // --- the queue --------------------------------------------------------------------------------

  function entries(user) {
    return store(CONTACTS, "readonly").then(function (contacts) {
      return request(contacts.index("user").getAll(user));
    }).then(function (found) {
      return found.sort(function (a, b) { return a.payload.occurred_at < b.payload.occurred_at ? -1 : 1; });
    });
  }

  // Every tab and the worker hear of every change to the queue (a tab counting unsent records, say).
  var channel = scope.BroadcastChannel ? new scope.BroadcastChannel("liaison-offline-queue") : null;
  function announce(result) {
    if (channel) {
      channel.postMessage("changed");
    }
    return result;
  }

  function onChange(listener) {
    if (channel) {
      channel.addEventListener("message", function () { listener(); });
    }
  }

  function put(entry) {
    return store(CONTACTS, "readwrite").then(function (contacts) { return request(contacts.put(entry)); }).then(announce);
  }

  function remove(uuid) {
    return store(CONTACTS, "readwrite").then(function (contacts) { return request(contacts["delete"](uuid)); }).then(announce);
  }

  function meta(key, value) {
    return store(META, value === undefined ? "readonly" : "readwrite").then(function (kept) {
      if (value === undefined) {
        return request(kept.get(key)).then(function (row) { return row ? row.value : null; });
      }
      return request(kept.put({ key: key, value: value }));
    });
  }

  function lastSync(user) { return meta("last-sync:" + user); }

  // --- sending ----------------------------------------------------------------------------------

  // Who is signed in: {user, csrf}, or {signedOut: true}, or {offline: true}.
  function session() {
    return fetch(urls.session, { credentials: "same-origin", redirect: "manual", cache: "no-store" }).then(
      function (response) {
        if (!response.ok) {
          return response.status >= 500 ? { offline: true } : { signedOut: true };
        }
        return response.json().then(function (body) { return body.user ? body : { signedOut: true }; });
      },
      function () { return { offline: true }; }
    );
  }

  function refusal(body) {
    var error = (body && body.error) || {};
    var fields = error.fields || {};
    var problems = Object.keys(fields).map(function (name) {
      return (name === "__all__" ? "" : name.replace(/_/g, " ") + ": ") + fields[name].join(" ");
    });
    return { message: [error.message || "The server refused this record."].concat(problems).join(" "), fields: fields };
  }

  // One record to the API: "sent", "signed-out", "offline" (try later), or a refusal {message, fields}.
  function post(entry, csrf) {
    var body = Object.assign({}, entry.payload, { client_uuid: entry.uuid });
    return fetch(urls.api, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (response.status === 200 || response.status === 201) {
        return "sent";
      }
      if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
        return "signed-out";
      }
      if (REFUSED_STATUSES.indexOf(response.status) !== -1) {
        return response.json().then(refusal, function () { return refusal(null); });
      }
      return "offline";
    }, function () { return "offline"; });
  }

  function sendAll(user, csrf, result) {
    return entries(user).then(function (found) {
      var waiting = found.filter(function (entry) { return entry.state === "waiting"; });
      return waiting.reduce(function (chain, entry) {
        return chain.then(function () {
          if (result.signedOut || result.offline) {
            return null;
          }
          return post(entry, csrf).then(function (outcome) {
            if (outcome === "sent") {
              result.sent += 1;
              return remove(entry.uuid);
            }
            if (outcome === "signed-out") {
              result.signedOut = true;
            } else if (outcome === "offline") {
              result.offline = true;
            } else {
              result.refused += 1;
              return put(Object.assign({}, entry, { state: "refused", message: outcome.message, fields: outcome.fields }));
            }
            return null;
          });
        });
      }, Promise.resolve());
    });
  }

  function locked(work) {
    var locks = scope.navigator && scope.navigator.locks;
    return locks ? locks.request("liaison-offline-queue", work) : work();
  }

  // Send the signed-in user's waiting records, one at a time, under a lock shared by every tab and
  // the service worker. Resolves to {user, sent, refused, waiting, signedOut, offline, retry}.
  function send() {
    return locked(function () {
      return session().then(function (who) {
        var result = { user: who.user || "", sent: 0, refused: 0, waiting: 0, signedOut: !!who.signedOut, offline: !!who.offline };
        if (!who.user) {
          result.retry = result.offline;
          return result;
        }
        return sendAll(who.user, who.csrf, result).then(function () {
          return result.sent ? meta("last-sync:" + who.user, new Date().toISOString()) : null;
        }).then(function () {
          return entries(who.user);
        }).then(function (left) {
          result.waiting = left.filter(function (entry) { return entry.state === "waiting"; }).length;
          result.retry = result.waiting > 0 && result.offline;
          return result;
        });
      });
    });
  }

  function add(entry) {
    return put(Object.assign({ state: "waiting", message: "", fields: {}, queued_at: new Date().toISOString() }, entry));
  }

  scope.LiaisonQueue = {
    SYNC_TAG: "liaison-contacts",
    urls: urls,
    add: add,
    entries: entries,
    put: put,
    remove: remove,
    lastSync: lastSync,
    session: session,
    post: post,
    send: send,
    onChange: onChange,
  };
})(self);
