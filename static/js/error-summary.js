// After a form is refused, move the focus to its error summary, so a screen reader reads the
// problems first and a keyboard user starts from them (the GOV.UK pattern). A link in the
// summary moves the focus to its field and brings the field's label into view with it.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) {
      return;
    }
    event.preventDefault();
    var group = field.closest(".form-group") || field;
    group.scrollIntoView();
    field.focus({ preventScroll: true });
  });
})();
