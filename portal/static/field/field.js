/* Field work without a connection (issue 22).

   The officer prepares the groups of a trip while online; they are kept in IndexedDB with the
   meetings recorded on the way, each under an id made on the phone (crypto.randomUUID), so
   that sending twice records once. Everything kept belongs to the signed-in officer: it is
   removed at sign-out, when another person signs in on the phone, and after a set number of
   days without sending. When the session has ended, the prepared groups are removed but the
   officer's unsent entries stay, to be sent after signing in again. */
(function () {
  "use strict";

  var root = document.getElementById("field-app");
  if (!root) { return; }
  var T = JSON.parse(root.getAttribute("data-texts"));
  var USER = Number(root.getAttribute("data-user"));
  var KEEP_DAYS = Number(root.getAttribute("data-keep-days")) || 7;
  var DAY_MS = 24 * 3600 * 1000;
  var groups = [];
  var entries = [];
  var editing = null;  // the group whose meeting the form records

  function $(id) { return document.getElementById(id); }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attrs[name]; } else { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function format(message, values) {
    return message.replace(/%\((\w+)\)s/g, function (_m, name) { return nativeDigits(String(values[name])); });
  }

  // --- storage on the phone: store.js -------------------------------------------------------

  var store = window.PortalFieldStore;
  var getAll = store.getAll, getMeta = store.getMeta, setMeta = store.setMeta;
  var clear = store.clear, putEntry = store.putEntry, deleteEntry = store.deleteEntry;
  var wipeAll = store.wipeAll, wipePrepared = store.wipePrepared;

  // --- status ----------------------------------------------------------------------------------

  function say(text, kind) {
    var status = $("field-status");
    status.textContent = text;
    status.className = "alert py-2 alert-" + (kind || "secondary");
  }

  function showConnection() {
    say(navigator.onLine ? T.online : T.offline, navigator.onLine ? "secondary" : "warning");
    $("field-prepare").hidden = !navigator.onLine;
  }

  // --- the officer's calendar -----------------------------------------------------------------

  var dayInput = $("field-day");

  function nativeDigits(text) {
    if (dayInput.getAttribute("data-digits") !== "fa") { return text; }
    return text.replace(/[0-9]/g, function (d) { return "۰۱۲۳۴۵۶۷۸۹"[Number(d)]; });
  }

  // the officer's own zone: a phone set to another zone still offers her day
  function zone() {
    var name = root.getAttribute("data-timezone");
    try { new Intl.DateTimeFormat("en", {timeZone: name}); return name; } catch (_e) { return undefined; }
  }

  // today as the officer writes a date: 1404/05/21, 21/08/2568, 21/08/2025
  function today() {
    var calendar = dayInput.getAttribute("data-calendar");
    var pattern = dayInput.getAttribute("data-format") || "YYYY-MM-DD";
    var ca = calendar === "jalali" ? "persian" : (calendar === "buddhist" ? "buddhist" : "gregory");
    var parts = {};
    new Intl.DateTimeFormat("en-u-ca-" + ca + "-nu-latn", {year: "numeric", month: "2-digit", day: "2-digit", timeZone: zone()})
      .formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
    var year = parts.year.replace(/\D/g, "");
    if (calendar === "buddhist" && Number(year) < 2400) { year = String(Number(year) + 543); }
    return nativeDigits(pattern.replace("YYYY", year).replace("MM", parts.month).replace("DD", parts.day));
  }

  // --- groups -----------------------------------------------------------------------------------

  function groupById(id) {
    return groups.filter(function (g) { return g.id === id; })[0];
  }

  function renderGroups() {
    var list = $("field-groups");
    list.textContent = "";
    if (!groups.length) { list.appendChild(el("li", {text: T.no_groups, class: "text-body-secondary"})); }
    groups.forEach(function (group) {
      var members = el("ul", {class: "small mb-2"});
      group.members.forEach(function (m) { members.appendChild(el("li", {}, [el("bdi", {text: m.name})])); });
      if (!group.members.length) { members.appendChild(el("li", {text: T.no_members, class: "text-body-secondary"})); }
      var button = el("button", {type: "button", class: "btn btn-sm btn-primary", "data-group": String(group.id), text: T.record});
      button.addEventListener("click", function () { openForm(group, null); });
      list.appendChild(el("li", {class: "field-group border rounded p-2 mb-2", "data-group": String(group.id)}, [
        el("h3", {class: "h6 mb-1"}, [el("bdi", {text: group.name})]),
        el("p", {class: "small text-body-secondary mb-1"}, [
          el("bdi", {text: group.code + (group.commune ? " · " + group.commune : "")})]),
        el("p", {class: "small mb-1", text: T.members}), members, button]));
    });
  }

  // --- the meeting form -----------------------------------------------------------------------

  var form = $("field-meeting-form");

  function addRecommendation(values) {
    var node = $("field-recommendation-template").content.firstElementChild.cloneNode(true);
    var index = $("field-recommendations").children.length + 1;
    node.querySelectorAll("[data-name]").forEach(function (input) {
      var id = "field-rec-" + index + "-" + input.getAttribute("data-name");
      input.id = id;
      node.querySelector("[data-for='" + input.getAttribute("data-name") + "']").setAttribute("for", id);
      if (values && values[input.getAttribute("data-name")]) { input.value = values[input.getAttribute("data-name")]; }
    });
    node.querySelector("[data-remove]").addEventListener("click", function () { node.remove(); });
    $("field-recommendations").appendChild(node);
    return node;
  }

  function openForm(group, entry) {
    editing = group;
    form.reset();
    $("field-meeting-group").textContent = group.name;
    form.elements.client_id.value = entry ? entry.client_id : "";
    form.elements.day.value = entry ? entry.day : today();
    form.elements.start.value = entry ? entry.start : "08:00";
    form.elements.end.value = entry ? entry.end : "10:00";
    form.elements.place.value = entry ? entry.place : "";
    form.elements.members_present.value = entry ? entry.members_present : "";
    form.elements.notes.value = entry ? entry.notes : "";
    form.elements.grade.value = entry ? entry.grade : "";
    var present = $("field-present");
    present.textContent = "";
    group.members.forEach(function (m) {
      var id = "field-present-" + m.id;
      var box = el("input", {type: "checkbox", class: "form-check-input", id: id, value: String(m.id), name: "present"});
      box.checked = !!entry && entry.present.indexOf(m.id) >= 0;
      present.appendChild(el("div", {class: "form-check"}, [box, el("label", {class: "form-check-label", for: id}, [el("bdi", {text: m.name})])]));
    });
    $("field-recommendations").textContent = "";
    (entry ? entry.recommendations : []).forEach(addRecommendation);
    $("field-meeting").hidden = false;
    $("field-meeting").scrollIntoView();
    form.elements.day.focus();
  }

  function closeForm() {
    editing = null;
    $("field-meeting").hidden = true;
  }

  function readForm() {
    var recommendations = [];
    $("field-recommendations").querySelectorAll(".field-recommendation").forEach(function (node) {
      var said = {};
      node.querySelectorAll("[data-name]").forEach(function (input) { said[input.getAttribute("data-name")] = input.value.trim(); });
      if (said.title || said.body) { recommendations.push(said); }
    });
    var present = [];
    form.querySelectorAll("input[name=present]:checked").forEach(function (box) { present.push(Number(box.value)); });
    return {
      client_id: form.elements.client_id.value || crypto.randomUUID(),
      owner: USER, group_id: editing.id, group_version: editing.version, group_name: editing.name,
      day: form.elements.day.value.trim(), start: form.elements.start.value, end: form.elements.end.value,
      place: form.elements.place.value.trim(), members_present: form.elements.members_present.value.trim(),
      present: present, notes: form.elements.notes.value, recommendations: recommendations,
      grade: form.elements.grade.value, state: "waiting", reasons: [], theirs: null, resolution: null,
      saved_at: new Date().toISOString()
    };
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var entry = readForm();
    putEntry(entry).then(function () {
      closeForm();
      say(T.saved, "info");
      return loadEntries();
    });
  });
  $("field-cancel").addEventListener("click", closeForm);
  $("field-add-recommendation").addEventListener("click", function () {
    addRecommendation().querySelector("[data-name=title]").focus();
  });

  // --- what waits to be sent ----------------------------------------------------------------

  function stateText(entry) { return T[entry.state] || T.waiting; }

  function compareTable(entry) {
    var theirs = entry.theirs || {};
    var mine = [entry.day, entry.place, entry.notes, presentNames(entry),
                entry.recommendations.map(function (r) { return r.title; }).join("; ")];
    var rows = theirs.kind === "group" ?
      [[T.name, entry.group_name, theirs.name],
       [T.members, groupMembers(entry), (theirs.members || []).map(function (m) { return m.name; }).join(", ")]] :
      [[T.day, mine[0], theirs.day || ""], [T.place, mine[1], theirs.place || ""],
       [T.notes, mine[2], theirs.notes || ""], [T.present, mine[3], (theirs.present || []).join(", ")],
       [T.recommendations, mine[4], (theirs.recommendations || []).join("; ")]];
    var body = el("tbody");
    rows.forEach(function (row) {
      body.appendChild(el("tr", {}, [el("th", {scope: "row", text: row[0]}),
        el("td", {dir: "auto", text: row[1] || "–"}), el("td", {dir: "auto", text: row[2] || "–"})]));
    });
    return el("div", {class: "table-responsive"}, [el("table", {class: "table table-sm field-compare"}, [
      el("thead", {}, [el("tr", {}, [el("td"), el("th", {scope: "col", text: T.mine}), el("th", {scope: "col", text: T.theirs})])]),
      body])]);
  }

  function presentNames(entry) {
    var group = groupById(entry.group_id);
    var names = group ? group.members.filter(function (m) { return entry.present.indexOf(m.id) >= 0; })
      .map(function (m) { return m.name; }) : [];
    if (entry.members_present) { names.unshift(entry.members_present); }
    return names.join(", ");
  }

  function groupMembers(entry) {
    var group = groupById(entry.group_id);
    return group ? group.members.map(function (m) { return m.name; }).join(", ") : "";
  }

  function renderEntries() {
    var list = $("field-entries");
    list.textContent = "";
    var mine = entries.filter(function (e) { return e.owner === USER; });
    $("field-outbox-count").textContent = mine.length ? nativeDigits(String(mine.length)) : "";
    if (!mine.length) { list.appendChild(el("li", {class: "text-body-secondary", text: T.nothing_waiting})); }
    $("field-send").disabled = !mine.length;
    mine.forEach(function (entry) {
      var badge = entry.state === "refused" ? "danger" : (entry.state === "conflict" ? "warning" : "secondary");
      var item = el("li", {class: "field-entry border rounded p-2 mb-2 field-" + entry.state, "data-entry": entry.client_id}, [
        el("p", {class: "mb-1"}, [el("span", {class: "badge text-bg-" + badge, text: stateText(entry)}), document.createTextNode(" "),
          el("bdi", {text: entry.group_name}), document.createTextNode(" · "), el("bdi", {text: entry.day})])]);
      if (entry.reasons && entry.reasons.length) {
        var reasons = el("ul", {class: "text-danger small mb-1 field-reasons"});
        entry.reasons.forEach(function (r) { reasons.appendChild(el("li", {text: r})); });
        item.appendChild(reasons);
      }
      if (entry.state === "conflict") {
        item.appendChild(el("p", {class: "small mb-1", text: entry.conflict_reason || ""}));
        item.appendChild(compareTable(entry));
        [["keep_mine", "btn-primary"], ["keep_theirs", "btn-outline-secondary"]].forEach(function (choice) {
          var button = el("button", {type: "button", class: "btn btn-sm me-2 " + choice[1], "data-resolve": choice[0], text: T[choice[0]]});
          button.addEventListener("click", function () { settle(entry, choice[0]); });
          item.appendChild(button);
        });
      } else {
        var edit = el("button", {type: "button", class: "btn btn-sm btn-outline-primary", text: T.edit});
        edit.addEventListener("click", function () {
          var group = groupById(entry.group_id);
          if (group) { openForm(group, entry); }
        });
        edit.disabled = !groupById(entry.group_id);
        item.appendChild(edit);
      }
      list.appendChild(item);
    });
  }

  function loadEntries() {
    return getAll("entries").then(function (found) { entries = found || []; renderEntries(); });
  }

  function settle(entry, resolution) {
    entry.resolution = resolution;
    entry.state = "waiting";
    putEntry(entry).then(loadEntries).then(function () { if (navigator.onLine) { send(); } });
  }

  // --- talking to the portal -----------------------------------------------------------------

  function fetchJson(url, options) {
    return fetch(url, Object.assign({credentials: "same-origin", redirect: "manual",
      headers: {"Accept": "application/json"}}, options || {})).then(function (response) {
      if (response.status === 401 || response.type === "opaqueredirect") { throw {signedOut: true}; }
      return response.json().then(function (body) {
        if (!response.ok) { throw {message: body.message || T.send_failed}; }
        return body;
      });
    });
  }

  function checkSession() {
    return fetchJson(root.getAttribute("data-session")).then(function (who) {
      if (who.user_id !== USER) { throw {signedOut: true}; }
      return getMeta("owner").then(function (owner) {
        // another officer used this phone before: nothing of theirs may show
        if (owner !== undefined && owner !== USER) { return wipeAll().then(function () { return who; }); }
        return setMeta("owner", USER).then(function () { return who; });
      });
    });
  }

  function sessionEnded() {
    say(T.signed_out, "danger");
    return wipePrepared().then(function () { groups = []; renderGroups(); });
  }

  function send() {
    // at most 50 at once (the portal's limit); the rest go with the next press
    var waiting = entries.filter(function (e) { return e.owner === USER && e.state !== "conflict"; }).slice(0, 50);
    if (!waiting.length) { return Promise.resolve(); }
    say(T.sending, "info");
    return checkSession().then(function (who) {
      return fetchJson(root.getAttribute("data-sync"), {
        method: "POST",
        headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": who.csrf_token},
        body: JSON.stringify({entries: waiting.map(function (e) {
          var copy = Object.assign({}, e);
          delete copy.theirs; delete copy.reasons; delete copy.state;
          return copy;
        })})
      });
    }).then(function (answer) { return applyResults(answer.results); }).catch(function (error) {
      if (error && error.signedOut) { return sessionEnded(); }
      say(error && error.message ? error.message : T.send_failed, "danger");
      return null;
    });
  }

  function applyResults(results) {
    var recorded = 0;
    var work = results.map(function (result) {
      var entry = entries.filter(function (e) { return e.client_id === result.client_id; })[0];
      if (!entry) { return null; }
      if (result.status === "recorded" || result.status === "dropped") {
        if (result.status === "recorded") { recorded += 1; }
        return deleteEntry(entry.client_id).then(function () { return noteSent(entry, result); });
      }
      entry.state = result.status === "conflict" ? "conflict" : "refused";
      entry.reasons = result.reasons || [];
      entry.theirs = result.theirs || null;
      entry.conflict_reason = result.reason || "";
      entry.resolution = null;
      return putEntry(entry);
    });
    return Promise.all(work).then(function () {
      return setMeta("last_sync", Date.now());
    }).then(loadEntries).then(renderSent).then(function () {
      var troubled = entries.some(function (e) { return e.state === "refused" || e.state === "conflict"; });
      say(format(troubled ? T.sent_troubled : T.sent, {count: recorded}), troubled ? "warning" : "success");
    });
  }

  function noteSent(entry, result) {
    if (!result.meeting_url) { return null; }
    return getMeta("sent").then(function (sent) {
      sent = (sent || []).slice(-9);
      sent.push({group: entry.group_name, day: entry.day, url: result.meeting_url});
      return setMeta("sent", sent);
    });
  }

  function renderSent() {
    return getMeta("sent").then(function (sent) {
      var list = $("field-sent");
      list.textContent = "";
      (sent || []).slice().reverse().forEach(function (s) {
        list.appendChild(el("li", {}, [el("bdi", {text: s.group}), document.createTextNode(" · "),
          el("bdi", {text: s.day}), document.createTextNode(" · "), el("a", {href: s.url, text: T.open_meeting})]));
      });
    });
  }

  $("field-send").addEventListener("click", function () { send(); });

  var prepare = $("field-prepare-form");
  if (prepare) {
    prepare.addEventListener("submit", function (event) {
      event.preventDefault();
      var ids = [];
      prepare.querySelectorAll("input[name=group]:checked").forEach(function (box) { ids.push(box.value); });
      if (!ids.length) { say(T.choose_group, "danger"); return; }
      checkSession().then(function () {
        return fetchJson(root.getAttribute("data-groups") + "?ids=" + ids.join(","));
      }).then(function (answer) {
        return clear("groups").then(function () {
          return store.putGroups(answer.groups);
        }).then(function () { return setMeta("prepared_at", Date.now()); }).then(function () {
          groups = answer.groups;
          renderGroups();
          renderEntries();
          keepPage();
          say(format(T.prepared, {count: groups.length}), "success");
        });
      }).catch(function (error) {
        if (error && error.signedOut) { return sessionEnded(); }
        say(error && error.message ? error.message : T.send_failed, "danger");
        return null;
      });
    });
  }

  // --- the page kept for offline use -------------------------------------------------------

  var ready = null;

  function keepPage() {
    if (!ready) { return; }
    var urls = [root.getAttribute("data-scope")];
    document.querySelectorAll("link[rel=stylesheet], link[rel=manifest], link[rel=icon], script[src]").forEach(function (node) {
      urls.push(node.getAttribute("href") || node.getAttribute("src"));
    });
    ready.then(function (registration) {
      if (registration.active) { registration.active.postMessage({precache: urls}); }
    });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.getAttribute("data-sw"), {scope: root.getAttribute("data-scope")});
    ready = navigator.serviceWorker.ready;
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.precached) { document.documentElement.setAttribute("data-field-ready", ""); }
    });
  }

  // sign-out on a shared phone: nothing stays behind
  document.querySelectorAll("form[action$='/logout']").forEach(function (logout) {
    logout.addEventListener("submit", function (event) {
      if (logout.hasAttribute("data-wiped")) { return; }
      event.preventDefault();
      var pending = entries.some(function (e) { return e.owner === USER; });
      if (pending && !window.confirm(T.sign_out_pending)) { return; }
      wipeAll().then(function () { logout.setAttribute("data-wiped", ""); logout.submit(); });
    });
  });

  // --- start -------------------------------------------------------------------------------

  function expired() {
    return Promise.all([getMeta("last_sync"), getMeta("prepared_at")]).then(function (times) {
      var last = Math.max(times[0] || 0, times[1] || 0);
      return last && Date.now() - last > KEEP_DAYS * DAY_MS;
    });
  }

  var expiredNow = false;
  window.addEventListener("online", showConnection);
  window.addEventListener("offline", showConnection);

  store.open().then(function () {
    return expired();
  }).then(function (tooOld) {
    if (tooOld) { return wipeAll().then(function () { return true; }); }
    return false;
  }).then(function (wiped) {
    expiredNow = wiped;
    return getMeta("owner");
  }).then(function (owner) {
    if (owner !== undefined && owner !== USER) { return wipeAll(); }
    return null;
  }).then(function () {
    return getAll("groups");
  }).then(function (found) {
    groups = found || [];
    groups.sort(function (a, b) { return (a.commune || "").localeCompare(b.commune || "") || a.name.localeCompare(b.name); });
    renderGroups();
    showConnection();
    // said after the connection, so that it stays on the screen
    if (expiredNow) { say(T.expired, "warning"); }
    return loadEntries().then(renderSent);
  }).then(function () {
    if (navigator.onLine) {
      checkSession().then(keepPage).catch(function (error) { if (error && error.signedOut) { sessionEnded(); } });
    }
    document.documentElement.setAttribute("data-field-loaded", "");
  });
})();
