/* Take-part links (plugins/acts): a reader says once who they are; their handle, kept in
   this browser's localStorage and never sent anywhere, replaces YOUR-HANDLE in the links.
   Nothing is requested from the forge until a link is clicked. */
(function () {
  "use strict";
  var KEY = "netroots-handle";
  var PLACEHOLDER = "YOUR-HANDLE";
  var HANDLE = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

  function load() {
    try {
      var value = window.localStorage.getItem(KEY) || "";
      return HANDLE.test(value) ? value : "";
    } catch (e) {
      return "";
    }
  }

  function save(value) {
    try {
      if (value) window.localStorage.setItem(KEY, value);
      else window.localStorage.removeItem(KEY);
    } catch (e) { /* private mode: links are filled for this page only */ }
  }

  function fill(handle) {
    var links = document.querySelectorAll("a[data-act]");
    for (var i = 0; i < links.length; i++) {
      var link = links[i];
      if (!link.hasAttribute("data-act-template")) link.setAttribute("data-act-template", link.getAttribute("href"));
      var template = link.getAttribute("data-act-template");
      link.setAttribute("href", handle ? template.split(PLACEHOLDER).join(handle) : template);
    }
    var owned = document.querySelectorAll("[data-act-owner]");
    for (var j = 0; j < owned.length; j++) owned[j].hidden = !handle || owned[j].getAttribute("data-act-owner") !== handle;
    var others = document.querySelectorAll("[data-act-not-owner]");
    for (var k = 0; k < others.length; k++) others[k].hidden = !!handle && others[k].getAttribute("data-act-not-owner") === handle;
  }

  function start() {
    var form = document.querySelector("form[data-act-who]");
    var handle = load();
    fill(handle);
    if (!form) return;
    var input = form.querySelector("input[name=handle]");
    var status = form.querySelector("[data-act-status]");
    var forget = form.querySelector("[data-act-forget]");
    function show(text) {
      if (status) status.textContent = text;
      if (forget) forget.hidden = !handle;
    }
    form.hidden = false;
    input.value = handle;
    show(handle ? "Links are filled in for " + handle + "." : "");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var value = input.value.trim().toLowerCase().replace(/^@/, "");
      if (!HANDLE.test(value)) {
        show("A handle is lowercase letters, digits and hyphens, e.g. maria-lopez.");
        input.focus();
        return;
      }
      handle = value;
      save(handle);
      fill(handle);
      show("Links are filled in for " + handle + ".");
    });
    if (forget) {
      forget.addEventListener("click", function () {
        handle = "";
        input.value = "";
        save("");
        fill("");
        show("Forgotten: this browser no longer knows your handle.");
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
