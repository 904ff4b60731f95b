// The session chart: power (kW, left axis) and energy (kWh, right axis) over local time,
// drawn with Chart.js (installed by npm). Without Chart.js or samples the server's PNG is shown.
(function () {
  "use strict";
  var box = document.getElementById("chart");
  if (!box) { return; }
  function fallback() {
    box.innerHTML = "";
    var img = document.createElement("img");
    img.src = box.getAttribute("data-fallback");
    img.alt = "Power and energy during the session";
    img.className = "chart-img";
    box.appendChild(img);
    box.setAttribute("data-mode", "png");
  }
  if (typeof window.Chart !== "function") { fallback(); return; }
  fetch(box.getAttribute("data-samples"), { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
    .then(function (data) {
      var points = data.samples;
      if (!points.length && data.started_at && data.ended_at) {
        // No readings: what the session proves, energy rising linearly at average power.
        var t0 = Date.parse(data.started_at), t1 = Date.parse(data.ended_at);
        var kw = data.energy_kwh / Math.max((t1 - t0) / 3600000, 1e-9);
        points = [{ t: t0, power_kw: kw, energy_kwh: 0 }, { t: t1, power_kw: kw, energy_kwh: data.energy_kwh }];
      }
      if (!points.length) { fallback(); return; }
      var zone = data.time_zone;
      var fmt = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone });
      var css = getComputedStyle(document.documentElement);
      var power = css.getPropertyValue("--chart-power").trim() || "#1f6feb";
      var energy = css.getPropertyValue("--chart-energy").trim() || "#0f8a5f";
      new window.Chart(document.getElementById("chart-canvas"), {
        type: "line",
        data: {
          datasets: [
            { label: "Power (kW)", data: points.map(function (p) { return { x: p.t, y: p.power_kw }; }),
              yAxisID: "power", borderColor: power, backgroundColor: power + "22", fill: true, stepped: "before", pointRadius: 0, borderWidth: 2 },
            { label: "Energy (kWh)", data: points.map(function (p) { return { x: p.t, y: p.energy_kwh }; }),
              yAxisID: "energy", borderColor: energy, pointRadius: 0, borderWidth: 2.5, tension: 0.2 }
          ]
        },
        options: {
          responsive: true, maintainAspectRatio: false, animation: false,
          interaction: { mode: "index", intersect: false },
          plugins: {
            legend: { position: "top", align: "start", labels: { boxWidth: 12 } },
            tooltip: { callbacks: { title: function (items) { return items.length ? fmt.format(new Date(items[0].parsed.x)) : ""; } } }
          },
          scales: {
            x: { type: "linear", min: points[0].t, max: points[points.length - 1].t, ticks: { maxTicksLimit: 8, callback: function (v) { return fmt.format(new Date(v)); } }, grid: { display: false } },
            power: { position: "left", beginAtZero: true, title: { display: true, text: "kW" } },
            energy: { position: "right", beginAtZero: true, title: { display: true, text: "kWh" }, grid: { drawOnChartArea: false } }
          }
        }
      });
      box.setAttribute("data-mode", "interactive");
    })
    .catch(fallback);
})();
