// Kohtaamo's own script. Everything works without it; it only adds convenience.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // htmx sends the CSRF token in a header on every request it makes.
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  // Destructive actions ask first: forms with data-confirm.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form[data-confirm]")) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    }
  }, true);

  // Move focus to an error summary so that screen reader users hear it first.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  });

  // Auto-submit filter forms when a checkbox or select changes (the button stays for no-JS).
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-autosubmit") && !form.hasAttribute("hx-get")) {
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });

  // Autosave of service models: a failed save (a refusal or no connection) must not leave
  // "Saved at ..." on the screen. The translated text comes from the status element.
  function autosaveFailed(event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "autosave-status" && target.hasAttribute("data-error-text")) {
      target.textContent = target.getAttribute("data-error-text");
    }
  }
  document.addEventListener("htmx:responseError", autosaveFailed);
  document.addEventListener("htmx:sendError", autosaveFailed);
})();
