/* The organisation search box (portal/accounts/picker.py): as the person types, ask the
   portal for matching organisations and offer them as the box's suggestions. The form sends
   what the box holds, "Name (CODE)"; the server finds the organisation and checks it. */
(function () {
  "use strict";

  function attach(input) {
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
      if (text.length < 2 || text === asked) { return; }
      asked = text;
      fetch(input.dataset.orgLookup + "?q=" + encodeURIComponent(text),
            {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : {results: []}; })
        .then(function (data) { if (input.value.trim() === text) { fill(data.results); } })
        .catch(function () { /* no suggestions; typing a code still works */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 200);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[data-org-lookup]"), attach);
}());
