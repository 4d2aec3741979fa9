// The enforcement form: the district student id field is shown only for a school whose district
// takes student keys. Without JavaScript the field is shown and the server refuses it elsewhere.
(function () {
  "use strict";

  function sync(form) {
    var school = form.querySelector("select[name=school]");
    var section = form.querySelector("[data-student-id-field]");
    if (!school || !section) {
      return;
    }
    var option = school.options[school.selectedIndex];
    var on = Boolean(option && option.getAttribute("data-student-keys") === "on");
    section.hidden = !on;
    section.querySelectorAll("input").forEach(function (input) {
      input.disabled = !on;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-enforcement-form]").forEach(function (form) {
      sync(form);
      form.addEventListener("change", function (event) {
        if (event.target && event.target.name === "school") {
          sync(form);
        }
      });
    });
  });
})();
