// A refused form: move focus to the error summary at the top of the page, so a screen reader
// reads what went wrong and a phone shows it, and let each entry move focus to its field.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary) { return; }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-focus-field]");
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("data-focus-field"));
    if (!target) { return; }
    event.preventDefault();
    // an editor or date picker may hide the real input behind its own control
    var visible = target.offsetParent !== null ? target :
      (target.parentElement && target.parentElement.querySelector("[contenteditable], input:not([type=hidden]), select, textarea"));
    var focusable = visible || target;
    focusable.scrollIntoView({ block: "center" });
    focusable.focus();
  });
}());
