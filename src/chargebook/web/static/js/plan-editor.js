// The plan editor: draws the price chart (Chart.js, installed by npm) from the preview the
// page embeds, and re-computes the preview on the server while the owner edits the form.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var form = document.getElementById("plan-form");
  var dataTag = document.getElementById("plan-data");
  if (!form || !dataTag) { return; }
  var chart = null;
  var css = getComputedStyle(document.documentElement);
  var accent = css.getPropertyValue("--accent").trim() || "#0f6e5a";
  var idle = "#c9d1da";
  var market = "#8a5a00";

  function eur(text) {
    var value = Number(text);
    return "€ " + value.toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  function cents(text) { return text === null ? null : Math.round(Number(text) * 10000) / 100; }

  function toggles() {
    var goal = form.querySelector("input[name=goal]:checked");
    var strategy = form.querySelector("input[name=strategy]:checked");
    form.classList.toggle("goal-soc-on", !!goal && goal.value === "soc");
    form.classList.toggle("cap-on", !!strategy && strategy.value === "price_cap");
  }

  function draw(data) {
    var zone = data.time_zone;
    var hm = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: zone });
    var day = new Intl.DateTimeFormat("en-GB", { weekday: "short", hour: "2-digit", minute: "2-digit", timeZone: zone });
    var slots = data.slots;
    var labels = slots.map(function (s) { return hm.format(new Date(s.start)); });
    var allIn = slots.map(function (s) { return cents(s.all_in_eur_per_kwh); });
    var colours = slots.map(function (s) { return s.planned_kwh > 0 ? accent : idle; });
    var marketLine = slots.map(function (s) { return cents(s.market_eur_per_kwh); });
    // Quarters without a published price get a short placeholder bar, so a plan that charges
    // in them (finishing just in time) still shows where.
    var known = allIn.filter(function (v) { return v !== null; });
    var stub = known.length ? Math.max.apply(null, known) * 0.2 : 5;
    var unknown = slots.map(function (s) { return s.all_in_eur_per_kwh === null ? stub : null; });
    var unknownColours = slots.map(function (s) { return s.planned_kwh > 0 ? accent + "99" : "#ecdcb4"; });
    if (typeof window.Chart !== "function") { return; }
    if (chart) {
      chart.data.labels = labels;
      chart.data.datasets[0].data = allIn;
      chart.data.datasets[0].backgroundColor = colours;
      chart.data.datasets[1].data = marketLine;
      chart.data.datasets[2].data = unknown;
      chart.data.datasets[2].backgroundColor = unknownColours;
      chart.$slots = slots;
      chart.update("none");
      return;
    }
    chart = new window.Chart(document.getElementById("plan-canvas"), {
      type: "bar",
      data: {
        labels: labels,
        datasets: [
          { label: "All-in price (ct/kWh)", data: allIn, backgroundColor: colours, borderRadius: 2, categoryPercentage: 1.0, barPercentage: 0.92, grouped: false, order: 2 },
          { label: "Market price (ct/kWh)", data: marketLine, type: "line", borderColor: market, borderDash: [5, 4], borderWidth: 1.5, pointRadius: 0, stepped: "middle", fill: false, order: 1 },
          { label: "Not published yet", data: unknown, backgroundColor: unknownColours, borderRadius: 2, categoryPercentage: 1.0, barPercentage: 0.92, grouped: false, order: 3 }
        ]
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { display: false },
          tooltip: { filter: function (item) { return item.parsed.y !== null; }, callbacks: {
            title: function (items) { return items.length ? day.format(new Date(chart.$slots[items[0].dataIndex].start)) : ""; },
            label: function (item) {
              if (item.datasetIndex === 2) { return "Price not published yet"; }
              return item.dataset.label.replace(" (ct/kWh)", "") + ": " + (item.parsed.y === null ? "not published" : item.parsed.y.toFixed(1) + " ct/kWh");
            },
            afterBody: function (items) {
              var slot = items.length ? chart.$slots[items[0].dataIndex] : null;
              return slot && slot.planned_kwh > 0 ? "Charging " + slot.planned_kwh.toFixed(2) + " kWh" : "Waiting";
            }
          } }
        },
        scales: {
          x: { grid: { display: false }, ticks: { autoSkip: true, maxTicksLimit: 10, maxRotation: 0 } },
          y: { title: { display: true, text: "ct/kWh" }, grid: { color: "#edf0f3" } }
        }
      }
    });
    chart.$slots = slots;
  }

  function field(name) { return document.querySelector("[data-field=" + name + "]"); }

  function show(data) {
    var departure = new Intl.DateTimeFormat("en-GB", { weekday: "short", hour: "2-digit", minute: "2-digit", timeZone: data.time_zone });
    field("departure").textContent = departure.format(new Date(data.departure));
    field("energy").textContent = Number(data.energy_kwh).toFixed(1) + " kWh to charge";
    field("cost").textContent = eur(data.cost_eur);
    field("charge_now_cost").textContent = eur(data.charge_now_cost_eur);
    field("saving").textContent = eur(data.saving_eur);
    var now = Number(data.charge_now_cost_eur);
    field("saving_pct").textContent = now > 0 ? Math.round(Number(data.saving_eur) / now * 100) + " % less" : "\u00a0";
    var source = field("price_source");
    source.textContent = data.price_source ? "Prices: " + data.price_source : "";
    source.hidden = !data.price_source;
    var goal = field("goal_message");
    goal.textContent = data.goal_message || "";
    goal.hidden = !data.goal_message;
    var state = field("state_message");
    state.textContent = data.state_message || "";
    state.hidden = !data.state_message;
    var notes = field("notes");
    notes.innerHTML = "";
    data.notes.forEach(function (note) {
      var li = document.createElement("li");
      li.textContent = note.charAt(0).toUpperCase() + note.slice(1);
      notes.appendChild(li);
    });
    draw(data);
  }

  var timer = null;
  var sequence = 0;
  function refresh() {
    toggles();
    clearTimeout(timer);
    timer = setTimeout(function () {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, key) { if (key !== "csrf_token") { params.append(key, value); } });
      var mine = ++sequence;
      fetch(form.getAttribute("data-preview-url") + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (result) {
          if (mine !== sequence) { return; }
          form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
          var error = field("form_error");
          var totals = document.querySelector("[data-testid=totals]");
          if (!result.ok) {
            // Say what is wrong, and grey the figures out: they belong to the last valid plan.
            var bad = result.body.field && form.querySelector("[name=" + result.body.field + "]");
            if (bad) { bad.setAttribute("aria-invalid", "true"); }
            var detail = result.body.detail || "Check the plan's fields.";
            error.textContent = detail.charAt(0).toUpperCase() + detail.slice(1) + ".";
            error.hidden = false;
            totals.classList.add("stale");
            return;
          }
          error.hidden = true;
          totals.classList.remove("stale");
          show(result.body);
        })
        .catch(function () { /* keep the last preview */ });
    }, 250);
  }

  toggles();
  draw(JSON.parse(dataTag.textContent));
  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
})();
