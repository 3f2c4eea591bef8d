/* Suggestions for a search box from the portal, shared by the organisation picker
   (org-picker.js) and the feedback item picker (item-picker.js): as the person types, ask the
   box's lookup address for matches and offer them as the box's suggestions (its <datalist>).
   The form sends what the box holds and the server checks it again; without this script the
   person types the name, code or number and the server does the rest.

   window.portalSuggest(selector, lookup, longEnough): every box that matches the selector asks
   the address in its data attribute `lookup` (a dataset key) once longEnough(text) says the
   typed text can mean something. */
(function () {
  "use strict";

  function attach(input, url, longEnough) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    var asked = "";
    if (!list || !window.fetch) { return; }

    function fill(results) {
      list.textContent = "";
      results.forEach(function (result) {
        var option = document.createElement("option");
        option.value = result.label;
        list.appendChild(option);
      });
    }

    function ask() {
      var text = input.value.trim();
      if (text === asked || !longEnough(text)) { return; }
      asked = text;
      fetch(url + "?q=" + encodeURIComponent(text),
            {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : {results: []}; })
        .then(function (data) { if (input.value.trim() === text) { fill(data.results); } })
        .catch(function () { /* no suggestions; typing the whole name, code or number still works */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 200);
    });
  }

  window.portalSuggest = function (selector, lookup, longEnough) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), function (input) {
      attach(input, input.dataset[lookup], longEnough);
    });
  };
}());
