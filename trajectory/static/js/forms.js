/* After a failed submit the error summary at the top of the form takes the focus, so a
   screen reader reads it and the keyboard starts there; each of its links then moves the
   focus to its field. Without this script the summary still comes first on the page and
   has `autofocus`. Loaded from templates/base.html (CSP: script-src 'self', no inline). */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary) {
    return;
  }
  if (document.activeElement !== summary) {
    summary.focus();
  }
  summary.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (!link) {
      return;
    }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) {
      return;
    }
    event.preventDefault();
    var label = document.querySelector("label[for='" + target.id + "']");
    (label || target).scrollIntoView();
    target.focus({ preventScroll: true });
  });
})();
