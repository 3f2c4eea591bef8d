/* The field app's storage on the phone (issue 22), for field.js: the prepared groups, the
   meetings recorded offline and a few facts about them (whose they are, when they were last
   sent) in IndexedDB, and the page kept for offline use. Everything here is wiped at
   sign-out, when another person signs in on the phone and after a set number of days. */
window.PortalFieldStore = (function () {
  "use strict";

  var DB_NAME = "portal-field";
  var db = null;

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        var base = request.result;
        base.createObjectStore("meta");
        base.createObjectStore("groups", {keyPath: "id"});
        base.createObjectStore("entries", {keyPath: "client_id"});
      };
      request.onsuccess = function () { db = request.result; resolve(db); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function tx(store, mode, work) {
    return new Promise(function (resolve, reject) {
      var transaction = db.transaction(store, mode);
      var result = work(transaction.objectStore(store));
      transaction.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
      transaction.onerror = function () { reject(transaction.error); };
      transaction.onabort = function () { reject(transaction.error); };
    });
  }

  function getAll(store) { return tx(store, "readonly", function (s) { return s.getAll(); }); }
  function getMeta(key) { return tx("meta", "readonly", function (s) { return s.get(key); }); }
  function setMeta(key, value) { return tx("meta", "readwrite", function (s) { s.put(value, key); }); }
  function clear(store) { return tx(store, "readwrite", function (s) { s.clear(); }); }
  function putEntry(entry) { return tx("entries", "readwrite", function (s) { s.put(entry); }); }
  function deleteEntry(id) { return tx("entries", "readwrite", function (s) { s.delete(id); }); }
  function putGroups(list) { return tx("groups", "readwrite", function (s) { list.forEach(function (g) { s.put(g); }); }); }

  function forgetPage() {
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({forget: true});
    }
    return window.caches ? caches.delete("portal-field-v1") : Promise.resolve();
  }

  // everything: at sign-out, another person on the phone, too long without sending
  function wipeAll() {
    return Promise.all([clear("groups"), clear("entries"), clear("meta"), forgetPage()]);
  }

  // the session ended: the group lists go, the officer's own unsent entries stay
  function wipePrepared() {
    return Promise.all([clear("groups"), forgetPage()]);
  }

  return {open: open, getAll: getAll, getMeta: getMeta, setMeta: setMeta, clear: clear,
          putEntry: putEntry, deleteEntry: deleteEntry, putGroups: putGroups,
          wipeAll: wipeAll, wipePrepared: wipePrepared};
})();
