/* The report's own script: draws every chart from the embedded JSON and runs the customer
   explorer. Text from the data only ever reaches the page through textContent. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var plotConfig = { displaylogo: false, responsive: true };

  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var spec = data.charts[element.getAttribute("data-chart")];
    if (!spec) {
      element.textContent = "This chart has no data.";
      return;
    }
    Plotly.newPlot(element, spec.data, spec.layout, plotConfig);
  });

  var explorer = data.explorer;
  var columns = explorer.columns;
  var size = columns.customer_id.length;
  var MAX_ROWS = 100;
  var metrics = ["recency_days", "frequency", "monetary"];
  var sorted = {};
  metrics.forEach(function (metric) {
    sorted[metric] = columns[metric]
      .filter(function (v) { return v !== null; })
      .sort(function (a, b) { return a - b; });
  });

  function byId(id) { return document.getElementById(id); }
  var methodSelect = byId("explorer-method");
  var segmentSelect = byId("explorer-segment");
  var search = byId("explorer-search");
  var countText = byId("explorer-count");
  var body = document.querySelector("#explorer-table tbody");

  function option(select, value, label) {
    var element = document.createElement("option");
    element.value = value;
    element.textContent = label;
    select.appendChild(element);
  }

  explorer.methods.forEach(function (method) { option(methodSelect, method.key, method.label); });

  function fillSegments() {
    var method = explorer.methods.filter(function (m) { return m.key === methodSelect.value; })[0];
    segmentSelect.textContent = "";
    option(segmentSelect, "", "all segments");
    method.segments.forEach(function (segment) { option(segmentSelect, segment, segment); });
  }

  function quantile(metric, position) {
    var values = sorted[metric];
    if (!values.length) { return null; }
    var index = Math.round((position / 1000) * (values.length - 1));
    return values[Math.min(values.length - 1, Math.max(0, index))];
  }

  function format(metric, value) {
    if (value === null) { return "–"; }
    if (metric === "monetary") {
      return "£" + value.toLocaleString("en-GB", { maximumFractionDigits: 0 });
    }
    return value.toLocaleString("en-GB");
  }

  function bounds(metric) {
    var low = byId("explorer-" + metric + "-min");
    var high = byId("explorer-" + metric + "-max");
    var a = Number(low.value);
    var b = Number(high.value);
    var from = quantile(metric, Math.min(a, b));
    var to = quantile(metric, Math.max(a, b));
    byId("explorer-" + metric + "-text").textContent =
      format(metric, from) + " to " + format(metric, to);
    return [from, to];
  }

  function cell(row, text, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) { td.className = className; }
    row.appendChild(td);
    return td;
  }

  function update() {
    var methodKey = methodSelect.value;
    var segments = explorer.segments[methodKey];
    var wanted = segmentSelect.value;
    var needle = search.value.trim();
    var ranges = {};
    metrics.forEach(function (metric) { ranges[metric] = bounds(metric); });
    var matches = [];
    for (var i = 0; i < size; i += 1) {
      if (wanted && segments[i] !== wanted) { continue; }
      if (needle && columns.customer_id[i].indexOf(needle) === -1) { continue; }
      var inside = true;
      for (var m = 0; m < metrics.length; m += 1) {
        var value = columns[metrics[m]][i];
        var range = ranges[metrics[m]];
        if (value === null || value < range[0] || value > range[1]) { inside = false; break; }
      }
      if (inside) { matches.push(i); }
    }
    body.textContent = "";
    matches.slice(0, MAX_ROWS).forEach(function (i) {
      var row = document.createElement("tr");
      cell(row, columns.customer_id[i]);
      cell(row, columns.country[i] === null ? "–" : columns.country[i]);
      var segmentCell = cell(row, "");
      var chip = document.createElement("span");
      chip.className = "chip";
      chip.style.backgroundColor = explorer.colors[segments[i]] || "#ccc";
      segmentCell.appendChild(chip);
      segmentCell.appendChild(document.createTextNode(segments[i] === null ? "–" : segments[i]));
      var history = explorer.history[methodKey];
      cell(row, history && history.previous[i] !== null ? history.previous[i] : "–");
      cell(row, history && history.since[i] !== null ? history.since[i] : "–");
      cell(row, format("recency_days", columns.recency_days[i]), "num");
      cell(row, format("frequency", columns.frequency[i]), "num");
      cell(row, format("monetary", columns.monetary[i]), "num");
      var p = columns.gmm_probability ? columns.gmm_probability[i] : null;
      cell(row, p === null ? "–" : Math.round(p * 100) + "%", "num");
      var predicted = explorer.predictions;
      var alive = predicted ? predicted.p_alive[i] : null;
      var clv = predicted ? predicted.predicted_clv_365d[i] : null;
      cell(row, alive === null ? "–" : (alive * 100).toFixed(1) + "%", "num");
      cell(row, format("monetary", clv), "num");
      cell(row, predicted && predicted.churn_risk[i] !== null ? predicted.churn_risk[i] : "–");
      body.appendChild(row);
    });
    countText.textContent = matches.length.toLocaleString("en-GB") + " of " +
      size.toLocaleString("en-GB") + " customers match" +
      (matches.length > MAX_ROWS ? "; the " + MAX_ROWS + " highest spenders are listed." : ".");
    countText.setAttribute("data-matches", String(matches.length));
  }

  methodSelect.addEventListener("change", function () { fillSegments(); update(); });
  [segmentSelect].forEach(function (el) { el.addEventListener("change", update); });
  search.addEventListener("input", update);
  document.querySelectorAll(".range input").forEach(function (el) {
    el.addEventListener("input", update);
  });
  byId("explorer-reset").addEventListener("click", function () {
    byId("explorer-filters").reset();
    fillSegments();
    update();
  });
  byId("explorer-filters").addEventListener("submit", function (event) { event.preventDefault(); });
  fillSegments();
  update();
})();
