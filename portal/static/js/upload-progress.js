/* Large imports: shows how much of the file has been sent, then that the portal is checking
   and saving its rows (a million-row file takes a while on the server too). The form is
   posted with XMLHttpRequest only to get upload progress; the answer is what a plain post
   would get: on success the server names the next page (JSON), on a rejected file the page
   with every bad row replaces this one. Without JavaScript the form posts as usual.
   No inline script and no strings here: the form carries its translated messages. */
(function () {
  "use strict";

  function percent(fraction) {
    var lang = document.documentElement.lang || "en";
    try {
      return new Intl.NumberFormat(lang, {style: "percent"}).format(fraction);
    } catch (e) {
      return Math.round(fraction * 100) + "%";
    }
  }

  function attach(form) {
    var bar = form.querySelector("progress");
    var status = form.querySelector("[data-upload-status]");
    var button = form.querySelector("button[type=submit]");
    var input = form.querySelector("input[type=file]");
    if (!bar || !status || !input || !window.FormData) { return; }

    function show(text) { status.textContent = text; }

    function replacePage(html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      document.title = doc.title;
      document.body.replaceWith(document.adoptNode(doc.body));
      init();
      var focus = document.querySelector(".alert, #bad-rows, h1");
      if (focus) { focus.setAttribute("tabindex", "-1"); focus.focus(); }
    }

    form.addEventListener("submit", function (event) {
      if (!input.files || !input.files.length) { return; }
      event.preventDefault();
      var request = new XMLHttpRequest();
      request.open("POST", form.getAttribute("action") || window.location.href);
      request.setRequestHeader("X-Upload-Progress", "1");
      bar.hidden = false;
      bar.max = 1;
      bar.value = 0;
      if (button) { button.disabled = true; }
      show(form.dataset.sending.replace("{percent}", percent(0)));
      request.upload.onprogress = function (e) {
        if (!e.lengthComputable) { return; }
        bar.value = e.loaded / e.total;
        show(form.dataset.sending.replace("{percent}", percent(bar.value)));
      };
      request.upload.onload = function () {
        bar.removeAttribute("value");  // indeterminate while the server checks the rows
        show(form.dataset.checking);
      };
      request.onload = function () {
        var type = request.getResponseHeader("Content-Type") || "";
        if (type.indexOf("application/json") === 0) {
          window.location.assign(JSON.parse(request.responseText).next);
        } else {
          replacePage(request.responseText);
        }
      };
      request.onerror = function () {
        bar.hidden = true;
        if (button) { button.disabled = false; }
        show(form.dataset.failed);
      };
      request.send(new FormData(form));
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-upload-progress]"),
                                 attach);
  }

  init();
}());
