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

  // With no connection the form says so and saves nothing: an enforcement action carries demographics
  // and a district student id that only the server may turn into a key, so it is never kept on the
  // phone (no offline queue, no storage). What the officer typed stays on the screen only.
  function connection(form) {
    var notice = document.querySelector("[data-needs-connection]");
    if (notice) {
      notice.hidden = navigator.onLine;
    }
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.setAttribute("aria-disabled", navigator.onLine ? "false" : "true");
    });
  }

  function needsConnection(form) {
    connection(form);
    var notice = document.querySelector("[data-needs-connection]");
    if (notice) {
      notice.hidden = false;
      notice.focus();
    }
  }

  function freshToken(form, token) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (input && token) {
      input.value = token;
    }
  }

  // A phone can say it is online with no way through (a weak signal, a captive portal): a failed
  // post would replace the page, and what the officer typed, with the browser's error page. So ask
  // the server first; only if it answers is the form sent.
  function reachable(form) {
    var probe = document.querySelector("meta[name=liaison-offline]");
    if (!navigator.onLine) {
      return Promise.resolve(false);
    }
    if (!probe || !window.fetch) {
      return Promise.resolve(true);
    }
    var abort = window.AbortController ? new AbortController() : null;
    var timer = window.setTimeout(function () { if (abort) { abort.abort(); } }, 8000);
    var options = { credentials: "same-origin", cache: "no-store", redirect: "manual", signal: abort && abort.signal };
    return fetch(probe.getAttribute("data-session"), options).then(
      function (response) {
        window.clearTimeout(timer);
        // A page kept for offline use may carry the token of an earlier sign-in: send the current one.
        return response.ok ? response.json().then(function (body) { freshToken(form, body.csrf); return true; }) : true;
      },
      function () { window.clearTimeout(timer); return false; }
    ).catch(function () { return true; }); // it answered, if strangely: let the server say what is wrong
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-enforcement-form]").forEach(function (form) {
      connection(form);
      window.addEventListener("online", function () { connection(form); });
      window.addEventListener("offline", function () { connection(form); });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        reachable(form).then(function (up) {
          if (up) {
            form.submit();
          } else {
            needsConnection(form);
          }
        });
      });
      sync(form);
      form.addEventListener("change", function (event) {
        if (event.target && event.target.name === "school") {
          sync(form);
        }
      });
    });
  });
})();
