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

  // Destructive actions ask first: forms with data-confirm, or a submit button with its own
  // data-confirm (a form whose Save does not ask but whose final Submit does).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = button && button.hasAttribute && button.hasAttribute("data-confirm")
      ? button.getAttribute("data-confirm")
      : (form.matches && form.matches("form[data-confirm]") ? form.getAttribute("data-confirm")
        : null);
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);

  // Print buttons (data-print): shown only when the script runs; the page says how to print
  // without it.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print][hidden]").forEach(function (button) {
      button.hidden = false;
    });
  });

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

  // --- Every error visible, nothing typed lost ---------------------------------------------
  // htmx swaps 422 (refused input) and 409 (conflict) answers: they carry the form with its
  // messages (base.html's htmx-config). Every other failure is shown here, in place, and
  // nothing is swapped, so what was typed stays in the form.

  function bodyText(name) {
    return document.body.getAttribute("data-msg-" + name) || "";
  }

  function messageFor(xhr) {
    if (!xhr || !xhr.status) { return bodyText("offline"); }
    var header = xhr.getResponseHeader && xhr.getResponseHeader("X-Error-Message");
    if (header) {
      try { return decodeURIComponent(header); } catch (e) { /* fall through */ }
    }
    return bodyText(String(xhr.status)) || bodyText("error");
  }

  // Where a message about this request goes: the autosave status line when there is one,
  // otherwise an alert just before the form (or the element) that made the request.
  function showError(elt, text) {
    if (!elt || !text) { return; }
    var form = elt.closest ? (elt.closest("form") || elt) : elt;
    var status = form.querySelector && form.querySelector("[data-autosave-status]");
    if (status) {
      status.textContent = text;
      status.classList.add("autosave-error");
    }
    var box = form.previousElementSibling;
    if (!box || !box.classList || !box.classList.contains("request-error")) {
      box = document.createElement("div");
      box.className = "request-error flash flash-error";
      box.setAttribute("role", "alert");
      box.setAttribute("tabindex", "-1");
      form.parentNode.insertBefore(box, form);
    }
    box.textContent = text;
    if (!status) { box.focus(); }
  }

  function clearError(elt) {
    var form = elt && elt.closest ? (elt.closest("form") || elt) : null;
    var box = form && form.previousElementSibling;
    if (box && box.classList && box.classList.contains("request-error")) { box.remove(); }
  }

  // The session changed (signed out and in again in another tab): take a fresh CSRF token
  // and send the same request once more.
  function renewTokenAndRetry(detail) {
    var elt = detail.elt;
    if (!elt || elt.__kohtaamoRetried) { return false; }
    elt.__kohtaamoRetried = true;
    fetch(document.body.getAttribute("data-csrf-url"), {credentials: "same-origin",
                                                         headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var meta = document.querySelector('meta[name="csrf-token"]');
        if (meta) { meta.setAttribute("content", data.token); }
        document.querySelectorAll('input[name="csrf_token"]').forEach(function (input) {
          input.value = data.token;
        });
        var config = detail.requestConfig || {};
        return window.htmx.ajax(config.verb ? config.verb.toUpperCase() : "POST",
                                config.path, {source: elt, target: detail.target});
      })
      .catch(function () { showError(elt, bodyText("offline")); })
      .finally(function () { elt.__kohtaamoRetried = false; });
    return true;
  }

  // An error answer that carries its own fragment for the target (the search page's "too many
  // searches" note) says so with X-Swap-Error: it is swapped in like a success.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status >= 400 && xhr.getResponseHeader("X-Swap-Error")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 400 && xhr.getResponseHeader("X-CSRF-Expired")) {
      if (renewTokenAndRetry(event.detail)) { return; }
    }
    showError(event.detail.elt, messageFor(xhr));
  });
  document.addEventListener("htmx:sendError", function (event) {
    showError(event.detail.elt, bodyText("offline"));
  });
  document.addEventListener("htmx:timeout", function (event) {
    showError(event.detail.elt, bodyText("offline"));
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status >= 200 && xhr.status < 400) { clearError(event.detail.elt); }
  });

  // After a swap: move focus to an error summary in the new content, so that screen reader
  // users hear what to correct (autosaves announce through their status line instead).
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target || !target.querySelector) { return; }
    var summary = target.classList && target.classList.contains("error-summary")
      ? target : target.querySelector(".error-summary");
    var trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    var autosave = trigger && trigger.type !== "submit" && trigger.type !== "click";
    if (summary && !autosave) { summary.focus(); }
  });

  // --- Unsaved input -----------------------------------------------------------------------
  // A form is dirty from the first keystroke until a save succeeds (or it is submitted);
  // leaving the page with a dirty form asks first.
  var dirty = new Set();

  // The attribute, not form.method: a field named "method" (the Method section of an
  // application, "The method" of a service model) shadows that property.
  function isTracked(form) {
    var method = form && form.getAttribute ? form.getAttribute("method") : null;
    return !!method && method.toLowerCase() === "post" &&
      !form.hasAttribute("data-no-unsaved-warning");
  }

  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (isTracked(form) && event.target.type !== "file") { dirty.add(form); }
  });
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (isTracked(form) && event.target.type !== "file") { dirty.add(form); }
  });
  // What a person has entered in the form (not its hidden fields, which an answer may update:
  // the version, the CSRF token). A save makes the form clean only if it still holds what was
  // sent: text typed while an autosave is on its way is not saved by it.
  function contentOf(form) {
    var parts = [];
    Array.prototype.forEach.call(form.elements || [], function (el) {
      if (!el.name || /^(hidden|file|submit|button|reset|image)$/.test(el.type)) { return; }
      if (el.type === "checkbox" || el.type === "radio") {
        parts.push([el.name, el.value, el.checked]);
      } else if (el.type === "select-multiple") {
        parts.push([el.name, Array.prototype.map.call(el.selectedOptions,
                                                      function (o) { return o.value; })]);
      } else {
        parts.push([el.name, el.value]);
      }
    });
    return JSON.stringify(parts);
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var form = elt && elt.closest ? elt.closest("form") : null;
    if (form && event.detail.xhr) { event.detail.xhr.kohtaamoSent = contentOf(form); }
  });
  // A plain submit leaves the page with the form's content (htmx has prevented the default
  // for the forms it sends itself, and a cancelled confirmation prevents it too).
  document.addEventListener("submit", function (event) {
    if (!event.defaultPrevented) {
      dirty.delete(event.target);
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    var elt = event.detail.elt;
    var form = elt && elt.closest ? elt.closest("form") : null;
    if (form && xhr && xhr.status >= 200 && xhr.status < 300 && !event.detail.failed) {
      var verb = event.detail.requestConfig && event.detail.requestConfig.verb;
      // Previews and live totals post the form without saving it.
      var typedSince = typeof xhr.kohtaamoSent === "string" &&
        xhr.kohtaamoSent !== contentOf(form);
      if (verb && verb.toLowerCase() === "post" && !elt.closest("[data-preview]") &&
          !typedSince) {
        dirty.delete(form);
      }
    }
  });
  // A swapped form is new: forget the old one. A refused or conflicting save (422, 409)
  // comes back with the typed values, still unsaved.
  document.addEventListener("htmx:afterSwap", function (event) {
    dirty.forEach(function (form) {
      if (!document.contains(form)) { dirty.delete(form); }
    });
    var xhr = event.detail.xhr;
    var target = event.detail.target;
    if (xhr && (xhr.status === 422 || xhr.status === 409) && target) {
      var forms = target.matches && target.matches("form") ? [target]
        : Array.prototype.slice.call(target.querySelectorAll ? target.querySelectorAll("form") : []);
      forms.forEach(function (form) { if (isTracked(form)) { dirty.add(form); } });
    }
  });
  window.addEventListener("beforeunload", function (event) {
    dirty.forEach(function (form) { if (!document.contains(form)) { dirty.delete(form); } });
    if (dirty.size) {
      event.preventDefault();
      event.returnValue = bodyText("unsaved");
      return bodyText("unsaved");
    }
  });

  // --- Autosave and uploads ---------------------------------------------------------------
  // An upload (a plain form post that leaves the page) first saves the text typed in the
  // autosaving forms of the same page (the service-model editor, application sections), so
  // that nothing typed in the last seconds is lost. `data-autosave` marks an element whose
  // hx-post saves its form.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[enctype='multipart/form-data']") ||
        form.__kohtaamoSaved || !window.htmx) { return; }
    var pending = Array.prototype.filter.call(
      document.querySelectorAll("[data-autosave][hx-post]"),
      function (source) {
        var owner = source.matches("form") ? source : source.closest("form");
        return owner && dirty.has(owner);
      });
    if (!pending.length) { return; }
    event.preventDefault();
    Promise.all(pending.map(function (source) {
      return window.htmx.ajax("POST", source.getAttribute("hx-post"),
                              {source: source, target: source.getAttribute("hx-target") || source});
    })).then(function () {
      var unsaved = pending.some(function (source) {
        var owner = source.matches("form") ? source : source.closest("form");
        return dirty.has(owner);
      });
      if (unsaved) { return; }  // not saved: the message is shown, stay on the page
      form.__kohtaamoSaved = true;
      form.requestSubmit ? form.requestSubmit() : form.submit();
    });
  }, true);
})();
