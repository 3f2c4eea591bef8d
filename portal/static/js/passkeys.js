/* Passkeys and security keys (WebAuthn): adding one on the two-factor page, and using one at
   the second step of signing in. The server sends the options as JSON (binary fields in
   base64url), the browser's authenticator answers, and the answer goes back as JSON with the
   CSRF token in the X-CSRFToken header. Messages come translated in data- attributes. */
(function () {
  "use strict";

  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var text = atob(base64);
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) { bytes[i] = text.charCodeAt(i); }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var text = "";
    for (var i = 0; i < bytes.length; i++) { text += String.fromCharCode(bytes[i]); }
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withIds(list) {
    return (list || []).map(function (item) {
      return Object.assign({}, item, { id: toBytes(item.id) });
    });
  }

  function post(url, csrf, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw new Error(data.error || ""); }
        return data;
      });
    });
  }

  function supported() {
    return !!(window.PublicKeyCredential && navigator.credentials);
  }

  function show(box, error, fallback) {
    // the authenticator's own errors are in English: say ours instead
    box.textContent = (error && error.message && !error.name.match(/^(NotAllowed|Abort|Invalid|Security|NotSupported)Error$/))
      ? error.message : fallback;
  }

  // Both ceremonies: the button starts one, the page moves on once the server accepts the
  // authenticator's answer, and says why when the browser, the authenticator or the server
  // refuses. messages: the page's data- attributes (unsupported, failed).
  function ceremony(button, box, messages, run) {
    box.textContent = "";
    if (!supported()) { box.textContent = messages.unsupported; return; }
    button.disabled = true;
    run().then(function (data) {
      window.location.assign(data.redirect);
    }).catch(function (error) {
      button.disabled = false;
      show(box, error, messages.failed);
    });
  }

  // the authenticator's answer as JSON, its binary fields in base64url
  function answer(credential, response) {
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response: response,
      clientExtensionResults: credential.getClientExtensionResults()
    };
  }

  function register(form) {
    var box = document.getElementById("passkey-error");
    var button = form.querySelector("button[type=submit]");
    var csrf = form.dataset.csrf;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var name = form.querySelector("#passkey-name").value;
      ceremony(button, box, form.dataset, function () {
        return post(form.dataset.optionsUrl, csrf).then(function (options) {
          options.challenge = toBytes(options.challenge);
          options.user = Object.assign({}, options.user, { id: toBytes(options.user.id) });
          options.excludeCredentials = withIds(options.excludeCredentials);
          return navigator.credentials.create({ publicKey: options });
        }).then(function (credential) {
          var response = credential.response;
          return post(form.dataset.registerUrl, csrf, {
            name: name,
            credential: answer(credential, {
              clientDataJSON: toBase64url(response.clientDataJSON),
              attestationObject: toBase64url(response.attestationObject),
              transports: response.getTransports ? response.getTransports() : []
            })
          });
        });
      });
    });
  }

  function signIn(panel) {
    var box = document.getElementById("passkey-error");
    var button = document.getElementById("passkey-use");
    var csrf = panel.dataset.csrf;
    button.addEventListener("click", function () {
      ceremony(button, box, panel.dataset, function () {
        return post(panel.dataset.optionsUrl, csrf).then(function (options) {
          options.challenge = toBytes(options.challenge);
          options.allowCredentials = withIds(options.allowCredentials);
          return navigator.credentials.get({ publicKey: options });
        }).then(function (credential) {
          var response = credential.response;
          return post(panel.dataset.verifyUrl, csrf, answer(credential, {
            clientDataJSON: toBase64url(response.clientDataJSON),
            authenticatorData: toBase64url(response.authenticatorData),
            signature: toBase64url(response.signature),
            userHandle: response.userHandle ? toBase64url(response.userHandle) : null
          }));
        });
      });
    });
  }

  var form = document.getElementById("passkey-register");
  if (form) { register(form); }
  var panel = document.getElementById("passkey-sign-in");
  if (panel) { signIn(panel); }
})();
