/* Keeps what the recorder types in the minutes as a personal draft, every 20 seconds and when
   the tab is hidden, so a session timeout or a closed tab loses nothing. No inline script:
   the form carries the autosave address and the messages (already translated). */
(function () {
  "use strict";
  var form = document.getElementById("minutes-form");
  if (!form || !form.dataset.autosaveUrl) { return; }
  var body = form.querySelector("textarea[name=body]");
  var token = form.querySelector("input[name=csrf_token]");
  var version = form.querySelector("input[name=version_id]");
  var status = document.getElementById("autosave-status");
  var lastSent = body ? body.value : "";
  var submitting = false;
  if (!body) { return; }

  function payload() {
    var data = new FormData();
    data.append("body", body.value);
    if (token) { data.append("csrf_token", token.value); }
    if (version) { data.append("version_id", version.value); }
    return data;
  }

  function show(text) {
    if (status) { status.textContent = text; }
  }

  function save() {
    if (submitting || body.value === lastSent) { return; }
    var text = body.value;
    fetch(form.dataset.autosaveUrl, {
      method: "POST", body: payload(), credentials: "same-origin",
      headers: token ? {"X-CSRFToken": token.value, "Accept": "application/json"}
                     : {"Accept": "application/json"}
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      lastSent = text;
      show(form.dataset.savedText + " " + new Date().toLocaleTimeString(
        document.documentElement.lang || undefined, {hour: "2-digit", minute: "2-digit"}));
    }).catch(function () { show(form.dataset.failedText); });
  }

  window.setInterval(save, 20000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && !submitting && body.value !== lastSent &&
        navigator.sendBeacon) {
      if (navigator.sendBeacon(form.dataset.autosaveUrl, payload())) { lastSent = body.value; }
    }
  });
  form.addEventListener("submit", function () { submitting = true; });
})();
