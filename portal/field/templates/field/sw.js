/* The field app's service worker: keeps the field page and the files it uses, so that the
   page opens without a connection. Scope: the field pages only. Nothing personal is kept
   beyond the page itself; the page and the prepared data are removed at sign-out. */
"use strict";
var CACHE = "portal-field-v1";
var INDEX = {{ index_url|tojson }};

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.precache) {
    event.waitUntil(caches.open(CACHE).then(function (cache) {
      return Promise.all(data.precache.map(function (url) {
        return fetch(url, {credentials: "same-origin"}).then(function (response) {
          if (response.ok && !response.redirected) { return cache.put(url, response); }
          return null;
        }).catch(function () { return null; });
      }));
    }).then(function () {
      if (event.source) { event.source.postMessage({precached: true}); }
    }));
  } else if (data.forget) {
    event.waitUntil(caches.delete(CACHE));
  }
});

function forgetGroups() {
  return new Promise(function (resolve) {
    var request = indexedDB.open("portal-field", 1);
    request.onupgradeneeded = function () {
      var base = request.result;
      base.createObjectStore("meta");
      base.createObjectStore("groups", {keyPath: "id"});
      base.createObjectStore("entries", {keyPath: "client_id"});
    };
    request.onsuccess = function () {
      var transaction = request.result.transaction("groups", "readwrite");
      transaction.objectStore("groups").clear();
      transaction.oncomplete = transaction.onerror = function () {
        request.result.close();
        resolve();
      };
    };
    request.onerror = function () { resolve(); };
  });
}

function isIndex(url) {
  return url.pathname === INDEX;
}

function signedOut(response) {
  // the portal sends an ended session to the sign-in page
  return response.redirected && new URL(response.url).pathname.indexOf(INDEX) !== 0;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && isIndex(url)) {
    event.respondWith(fetch(request).then(function (response) {
      if (signedOut(response)) {
        // the session is gone: the kept page and the prepared groups (with their names) go
        // too; the officer's unsent entries stay, to be sent after signing in again
        return Promise.all([caches.delete(CACHE), forgetGroups()]).then(function () {
          return response;
        });
      }
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(INDEX, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(INDEX).then(function (kept) {
        return kept || Response.error();
      });
    }));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0 || url.pathname === INDEX + "manifest.webmanifest") {
    event.respondWith(caches.match(request).then(function (kept) {
      return kept || fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      });
    }));
  }
});
