// The monthly chart: energy per calendar month as bars (left axis, kWh) and its cost as a
// line (right axis, €). The rows come from the page (the book's energy_by_month); the table
// under the chart has the same figures for readers without script. Chart.js is installed by npm.
(function () {
  "use strict";
  var tag = document.getElementById("monthly-data");
  if (!tag || typeof window.Chart !== "function") { return; }
  var rows = JSON.parse(tag.textContent);
  var css = getComputedStyle(document.documentElement);
  var accent = css.getPropertyValue("--accent").trim() || "#0f6e5a";
  var costColour = "#8a5a00";
  var hasCost = rows.some(function (r) { return r.cost_eur !== null; });
  var datasets = [
    { label: "Energy", data: rows.map(function (r) { return Number(r.energy_kwh); }), backgroundColor: accent, borderRadius: 3, maxBarThickness: 56, yAxisID: "y", order: 2 }
  ];
  if (hasCost) {
    datasets.push({ label: "Cost", data: rows.map(function (r) { return r.cost_eur === null ? null : Number(r.cost_eur); }), type: "line", borderColor: costColour, backgroundColor: costColour, borderWidth: 2, pointRadius: 3, yAxisID: "cost", order: 1 });
  }
  var scales = {
    x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 12 } },
    y: { beginAtZero: true, title: { display: true, text: "kWh" }, grid: { color: "#edf0f3" } }
  };
  if (hasCost) {
    scales.cost = { position: "right", beginAtZero: true, title: { display: true, text: "€" }, grid: { display: false } };
  }
  new window.Chart(document.getElementById("monthly-canvas"), {
    type: "bar",
    data: { labels: rows.map(function (r) { return r.label; }), datasets: datasets },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { display: false }, tooltip: { callbacks: {
        label: function (item) {
          if (item.dataset.label === "Cost") { return "Cost: € " + item.parsed.y.toFixed(2); }
          return "Energy: " + item.parsed.y.toFixed(1) + " kWh";
        },
        footer: function (items) {
          var n = items.length ? rows[items[0].dataIndex].sessions : 0;
          return n + (n === 1 ? " session" : " sessions");
        }
      } } },
      scales: scales
    }
  });
})();
