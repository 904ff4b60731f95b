// Refresh every element with data-poll="URL" from that URL (an HTML fragment) every few
// seconds, until the fragment says it is finished (data-state complete, failed or ocpp).
(function () {
  "use strict";
  var FINAL = { complete: true, failed: true, ocpp: true, idle: true };
  function poll(element) {
    var url = element.getAttribute("data-poll");
    var every = Number(element.getAttribute("data-poll-seconds") || 2) * 1000;
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          element.innerHTML = html;
          var block = element.querySelector("[data-state]");
          if (!block || !FINAL[block.getAttribute("data-state")]) { setTimeout(tick, every); }
        })
        .catch(function () { setTimeout(tick, every * 3); });
    }
    var first = element.querySelector("[data-state]");
    if (!first || !FINAL[first.getAttribute("data-state")]) { setTimeout(tick, every); }
  }
  document.querySelectorAll("[data-poll]").forEach(poll);
})();
