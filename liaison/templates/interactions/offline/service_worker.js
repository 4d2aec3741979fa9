{% autoescape off %}// Liaison's service worker (rendered by interactions.offline_views.service_worker).
// It keeps the officer's pages for use with no signal, filed under the user they belong to, and sends
// the offline queue when Background Sync says the connection is back. It never caches a POST.
"use strict";

var CONFIG = {{ config }};
var STATIC_CACHE = "liaison-static-" + CONFIG.version;
var PAGE_PREFIX = "liaison-pages-";

importScripts({{ queue_script }});
self.LiaisonQueue.urls.session = CONFIG.session;
self.LiaisonQueue.urls.api = CONFIG.api;

// --- install: the scripts, styles and icons the pages need offline -------------------------------

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC_CACHE).then(function (cache) {
      // One by one: a file missing from this release (htmx without npm) must not stop the rest.
      return Promise.all(CONFIG.precache.map(function (url) {
        return cache.add(url).catch(function () {});
      }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("liaison-static-") === 0 && name !== STATIC_CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

// --- pages: from the network when it answers, else the copy kept for this phone's user ----------

function pageCaches() {
  return caches.keys().then(function (names) {
    return names.filter(function (name) { return name.indexOf(PAGE_PREFIX) === 0; });
  });
}

// Drop every user's pages except `keep` (nothing kept when keep is empty): cached pages never show
// another user's data, and a signed-out phone keeps none.
function dropPages(keep) {
  return pageCaches().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== PAGE_PREFIX + keep; })
      .map(function (name) { return caches.delete(name); }));
  });
}

function isOfflinePage(url) {
  return url.origin === self.location.origin && CONFIG.pages.indexOf(url.pathname) !== -1;
}

function keepPage(key, response) {
  var user = response.headers.get(CONFIG.userHeader);
  if (!user) {
    // Signed out, or sent to the sign-in page: nothing of anyone's stays on the phone.
    return dropPages("");
  }
  var copy = response.clone();
  return dropPages(user).then(function () {
    return caches.open(PAGE_PREFIX + user);
  }).then(function (cache) { return cache.put(key, copy); });
}

function keptPage(key) {
  return pageCaches().then(function (names) {
    if (names.length !== 1) {
      return undefined;
    }
    return caches.open(names[0]).then(function (cache) { return cache.match(key); });
  });
}

var OFFLINE_HTML =
  '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
  '<meta name="viewport" content="width=device-width, initial-scale=1"><title>No connection · Liaison</title></head>' +
  "<body><main><h1>No connection</h1><p>This page needs a connection. Contacts you logged on this phone are kept " +
  "and will be sent when the connection returns.</p><p><a href=\"" + CONFIG.pages[0] + "\">Open the quick log</a></p>" +
  "</main></body></html>";

function offlinePage() {
  return new Response(OFFLINE_HTML, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function page(event, url) {
  var key = new Request(url.origin + url.pathname);
  return fetch(event.request).then(function (response) {
    // A page with a query (?saved=…) says something of the moment: keep only the plain page.
    if (response.type === "opaqueredirect" || response.redirected || (response.status === 200 && !url.search)) {
      event.waitUntil(keepPage(key, response));
    }
    return response;
  }, function () {
    return keptPage(key).then(function (kept) { return kept || offlinePage(); });
  });
}

function staticFile(event) {
  return caches.match(event.request).then(function (hit) {
    return hit || fetch(event.request);
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") {
    return; // POSTs go to the network untouched: nothing a form sends is ever kept here.
  }
  var url = new URL(request.url);
  if (request.mode === "navigate" && isOfflinePage(url)) {
    event.respondWith(page(event, url));
  } else if (request.mode === "navigate" && url.pathname === CONFIG.signIn) {
    event.waitUntil(dropPages("")); // on the way to sign in (again): no one's pages stay on the phone
  } else if (url.origin === self.location.origin && CONFIG.precache.indexOf(url.pathname) !== -1) {
    event.respondWith(staticFile(event));
  }
});

// --- the pages ask: forget every kept page (on sign-out) ------------------------------------------

self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "forget-pages") {
    event.waitUntil(dropPages(""));
  }
});

// --- Background Sync: the connection is back; send the signed-in user's queue ---------------------

self.addEventListener("sync", function (event) {
  if (event.tag === self.LiaisonQueue.SYNC_TAG) {
    event.waitUntil(self.LiaisonQueue.send().then(function (result) {
      return self.clients.matchAll({ type: "window" }).then(function (clients) {
        clients.forEach(function (client) { client.postMessage({ type: "queue-changed", result: result }); });
        // Still waiting with the connection back (a refusal is not retried): ask to be woken again.
        if (result.retry) {
          throw new Error("queue not sent yet");
        }
      });
    }));
  }
});
{% endautoescape %}
