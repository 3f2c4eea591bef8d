/* Items like the one being typed (feedback/submit.html): as the person types a title, ask the
   portal for up to five public items of their network that say much the same, and list them
   under the title field with links, so that they can endorse one rather than submit it again.
   The box is a polite live region: a screen reader reads the list when it changes, without
   interrupting the typing. Without this script the form works as before. */
(function () {
  "use strict";

  var box = document.getElementById("similar-items");
  if (!box || !window.fetch) { return; }
  var input = document.getElementById(box.dataset.for);
  if (!input) { return; }
  var timer = null;
  var asked = "";

  function show(items) {
    box.textContent = "";
    box.classList.toggle("mb-3", items.length > 0);
    if (!items.length) { return; }
    var heading = document.createElement("p");
    heading.className = "small fw-semibold mb-1";
    heading.id = "similar-items-heading";
    heading.textContent = box.dataset.heading;
    var list = document.createElement("ul");
    list.className = "small mb-0";
    list.setAttribute("aria-labelledby", heading.id);
    items.slice(0, 5).forEach(function (item) {
      var entry = document.createElement("li");
      var link = document.createElement("a");
      link.href = item.url;
      link.target = "_blank";  // what was typed so far stays in this tab
      link.rel = "noopener";
      var title = document.createElement("bdi");
      title.textContent = item.title;
      link.appendChild(title);
      entry.appendChild(link);
      var state = document.createElement("span");
      state.className = "text-body-secondary";
      state.textContent = " · " + item.kind + " · " + item.state;
      entry.appendChild(state);
      list.appendChild(entry);
    });
    box.appendChild(heading);
    box.appendChild(list);
  }

  function ask() {
    var text = input.value.trim();
    if (text === asked) { return; }
    asked = text;
    if (text.length < 3) { show([]); return; }
    fetch(box.dataset.url + "?title=" + encodeURIComponent(text),
          {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : {items: []}; })
      .then(function (data) { if (input.value.trim() === text) { show(data.items); } })
      .catch(function () { /* no suggestions: submitting still works */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 400);
  });
  ask();  // a refused form comes back with its title typed
}());
