// The charger page: poll the live JSON every few seconds and update the numbers in place;
// send the controls with fetch (CSRF header) and show what happened without a reload.
(function () {
  "use strict";
  // Inputs with data-mirror="ID" copy their value into the input ID as it changes
  // (the current limit's slider and number); no inline handlers, the CSP forbids them.
  document.querySelectorAll("input[data-mirror]").forEach(function (input) {
    input.addEventListener("input", function () {
      var other = document.getElementById(input.getAttribute("data-mirror"));
      if (other) { other.value = input.value; }
    });
  });
})();

(function () {
  "use strict";
  var box = document.getElementById("live");
  if (!box) { return; }
  var url = box.getAttribute("data-live-url");
  var EVERY_MS = 3000;
  var timer = null;
  var flash = document.getElementById("flash");
  var stateEl = document.querySelector("[data-field=state]");

  function set(name, text) {
    document.querySelectorAll("[data-field=" + name + "]").forEach(function (el) { el.textContent = text; });
  }
  function fixed(value, digits) { return value === null || value === undefined ? "unknown" : Number(value).toFixed(digits); }

  function show(reading) {
    stateEl.textContent = reading.state_label;
    stateEl.className = "state big state-" + reading.state;
    // The highlighted control follows the state: Pause while charging, Resume while paused.
    ["pause", "resume"].forEach(function (name) {
      document.querySelectorAll("[data-testid=" + name + "]").forEach(function (button) {
        button.classList.toggle("primary", reading.suggested_command === name);
      });
    });
    set("power_kw", fixed(reading.power_kw, 2));
    set("energy_kwh", fixed(reading.energy_kwh, 2));
    set("current_a", reading.current_a === null ? "—" : String(reading.current_a));
    if (reading.max_current_a !== null) { set("max_current_a", String(reading.max_current_a)); }
    set("locked", reading.locked === null ? "—" : (reading.locked ? "locked" : "unlocked"));
    set("freshness", reading.freshness);
    if (reading.firmware_version) { set("firmware_version", reading.firmware_version); }
    // The server writes the time (the book's zone, 24-hour clock): the browser's locale
    // would turn it into "8:18:29 PM" after the first refresh.
    if (reading.observed_time) { set("observed_at", reading.observed_time); }
    box.classList.toggle("stale", !reading.live);
  }

  function poll() {
    clearTimeout(timer);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(show)
      .catch(function () { box.classList.add("stale"); })
      .then(function () { timer = setTimeout(poll, document.hidden ? EVERY_MS * 5 : EVERY_MS); });
  }

  function say(ok, text) {
    flash.innerHTML = "";
    var p = document.createElement("p");
    p.className = ok ? "notice" : "alert";
    p.textContent = text;
    flash.appendChild(p);
  }

  document.querySelectorAll("form[data-command]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var question = form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) { return; }
      var data = new FormData(form);
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRF-Token": data.get("csrf_token") },
        body: new URLSearchParams(data)
      })
        .then(function (r) { return r.json().then(function (body) { return body; }, function () { return { ok: false, message: "The request failed (" + r.status + ")." }; }); })
        .then(function (body) { say(body.ok, body.message); })
        .catch(function () { say(false, "chargebook could not be reached. Check your connection."); })
        .then(function () { if (button) { button.disabled = false; } poll(); });
    });
  });

  timer = setTimeout(poll, EVERY_MS);
})();
