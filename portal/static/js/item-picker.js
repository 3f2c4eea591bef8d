/* The feedback item search box (ItemPickerField in portal/feedback/forms.py): as the person
   types words of a title or a number, ask the portal for the items they may name and offer
   them as the box's suggestions, each "#12 · title". The form sends what the box holds; the
   server reads the number at its start and checks the item again. Without this script the
   person types the number ("#12" or "12", in any digits) and the server does the rest. */
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
      // a number may be a single digit; words need two letters before they mean anything
      if (text === asked || (text.length < 2 && !/^\p{Nd}$/u.test(text))) { return; }
      asked = text;
      fetch(input.dataset.itemLookup + "?q=" + encodeURIComponent(text),
            {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : {results: []}; })
        .then(function (data) { if (input.value.trim() === text) { fill(data.results); } })
        .catch(function () { /* no suggestions; typing the number still works */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 200);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[data-item-lookup]"), attach);
}());
