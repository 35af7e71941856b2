/* Take-part links (plugins/acts): a reader says once who they are; their handle, kept in
   this browser's localStorage and never sent anywhere, replaces YOUR-HANDLE in the links.
   The pages never carry the build's clock: a new file's name starts with YYYY-MM-DD (or
   YYYY-MM-DD-HHMM for a reply), and a "key: YYYY-MM-DD" line of its text waits for a date;
   both are filled with this moment in the site's time zone when the page loads and again
   when a link is clicked. Nothing is requested from the forge until a link is clicked. */
(function () {
  "use strict";
  var KEY = "netroots-handle";
  var PLACEHOLDER = "YOUR-HANDLE";
  var HANDLE = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
  // In a file's path: the handle's folder or file, the placeholder that starts the file's name;
  // in its text, a whole line "key: YYYY-MM-DD".
  var NAME_HANDLE = /(^|\/)YOUR-HANDLE(?=[\/.])/;
  var NAME_MINUTE = /(^|\/)YYYY-MM-DD-HHMM(?=-[^\/]*$)/;
  var NAME_DAY = /(^|\/)YYYY-MM-DD(?=-[^\/]*$)/;
  var LINE_DAY = /^([a-z_]+): YYYY-MM-DD$/gm;
  var current = "";

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

  function zone() {
    var holder = document.querySelector("[data-act-zone]");
    return (holder && holder.getAttribute("data-act-zone")) || "UTC";
  }

  /* This moment in the site's time zone (the zone content dates are read in), as
     {day: "2026-11-22", minute: "2026-11-22-1930"}; the browser's own zone if it lacks that one. */
  function now() {
    var at = new Date();
    var part = {};
    try {
      var parts = new Intl.DateTimeFormat("en-US", {
        timeZone: zone(), year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", hourCycle: "h23"
      }).formatToParts(at);
      for (var i = 0; i < parts.length; i++) part[parts[i].type] = parts[i].value;
    } catch (e) {
      part = {};
    }
    if (!/^\d{4}$/.test(part.year || "")) {
      var two = function (n) { return (n < 10 ? "0" : "") + n; };
      part = { year: String(at.getFullYear()), month: two(at.getMonth() + 1), day: two(at.getDate()),
               hour: two(at.getHours()), minute: two(at.getMinutes()) };
    }
    var day = part.year + "-" + part.month + "-" + part.day;
    return { day: day, minute: day + "-" + part.hour + part.minute };
  }

  // As Python's quote(safe=""): everything but letters, digits and -._~ percent-encoded.
  function encode(text) {
    return encodeURIComponent(text).replace(/[!'()*]/g, function (c) {
      return "%" + c.charCodeAt(0).toString(16).toUpperCase();
    });
  }

  /* The link's query with the handle and the date filled in. Only the file's path and whole
     "key: YYYY-MM-DD" lines change, never a title that happens to contain the same letters. */
  function filled(href, handle, when) {
    var at = href.indexOf("?");
    if (at < 0) return href;
    var pairs = href.slice(at + 1).split("&");
    for (var i = 0; i < pairs.length; i++) {
      var equals = pairs[i].indexOf("=");
      if (equals < 0) continue;
      var value;
      try {
        value = decodeURIComponent(pairs[i].slice(equals + 1));
      } catch (e) {
        continue;
      }
      var done = value.indexOf("\n") < 0
        ? value.replace(NAME_HANDLE, "$1" + (handle || PLACEHOLDER))
            .replace(NAME_MINUTE, "$1" + when.minute).replace(NAME_DAY, "$1" + when.day)
        : value.replace(LINE_DAY, "$1: " + when.day);
      if (done !== value) pairs[i] = pairs[i].slice(0, equals + 1) + encode(done);
    }
    return href.slice(0, at + 1) + pairs.join("&");
  }

  function refresh(link, when) {
    if (!link.hasAttribute("data-act-template")) link.setAttribute("data-act-template", link.getAttribute("href"));
    var template = link.getAttribute("data-act-template");
    link.setAttribute("href", filled(template, current, when));
  }

  function fill(handle) {
    current = handle;
    var when = now();
    var links = document.querySelectorAll("a[data-act]");
    for (var i = 0; i < links.length; i++) refresh(links[i], when);
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

  // The date and time are this moment's when the link is followed, even on a page left open overnight.
  function follow(event) {
    var link = event.target && event.target.closest ? event.target.closest("a[data-act]") : null;
    if (link) refresh(link, now());
  }
  ["click", "auxclick", "contextmenu"].forEach(function (name) {
    document.addEventListener(name, follow, true);
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
