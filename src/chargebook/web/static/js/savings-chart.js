// The savings history chart: per day, what was paid and what smart charging saved (stacked:
// the whole bar is what charging at once would have cost). Chart.js is installed by npm.
(function () {
  "use strict";
  var tag = document.getElementById("savings-data");
  if (!tag || typeof window.Chart !== "function") { return; }
  var data = JSON.parse(tag.textContent).days;
  var css = getComputedStyle(document.documentElement);
  var accent = css.getPropertyValue("--accent").trim() || "#0f6e5a";
  function money(v) { return "€ " + Number(v).toFixed(2); }
  new window.Chart(document.getElementById("savings-canvas"), {
    type: "bar",
    data: {
      labels: data.map(function (d) { return d.period; }),
      datasets: [
        { label: "Paid", data: data.map(function (d) { return Number(d.actual_cost_eur); }), backgroundColor: "#c9d1da", borderRadius: 3, stack: "cost", maxBarThickness: 56 },
        { label: "Saved", data: data.map(function (d) { return Number(d.saving_eur); }), backgroundColor: accent, borderRadius: 3, stack: "cost", maxBarThickness: 56 }
      ]
    },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { display: false }, tooltip: { callbacks: {
        label: function (item) { return item.dataset.label + ": " + money(item.parsed.y); },
        footer: function (items) { return items.length ? "At once: " + money(data[items[0].dataIndex].charge_now_cost_eur) : ""; }
      } } },
      scales: {
        x: { stacked: true, grid: { display: false }, ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 12 } },
        y: { stacked: true, beginAtZero: true, title: { display: true, text: "€" }, grid: { color: "#edf0f3" } }
      }
    }
  });
})();
