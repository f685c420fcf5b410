/* Progressive enhancement for Suksa pages: draws ECharts charts from the JSON next to them.
   Every chart has a table with the same numbers, so nothing depends on this script. */
(function () {
  "use strict";

  // Thousands separators in the page's language (16477 → 16,477); Thai digits stay Arabic, as in the tables.
  var lang = document.documentElement.lang || "th";
  var numberFormat;
  try {
    numberFormat = new Intl.NumberFormat(lang === "th" ? "th-TH-u-nu-latn" : lang);
  } catch (e) {
    numberFormat = new Intl.NumberFormat("en");
  }
  function formatNumber(value) {
    var n = (value !== null && typeof value === "object") ? value.value : value;
    return (typeof n === "number" && isFinite(n)) ? numberFormat.format(n) : (n === null || n === undefined ? "–" : String(n));
  }

  function drawCharts(root) {
    if (typeof window.echarts === "undefined") return;
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source || el.getAttribute("data-drawn")) return;
      var spec = JSON.parse(source.textContent);
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption({
        animation: !reduceMotion,
        textStyle: { fontFamily: "Sarabun, Tahoma, sans-serif", fontSize: 13 },
        grid: { left: 8, right: 16, top: 24, bottom: 40, containLabel: true },
        tooltip: { trigger: "axis", valueFormatter: formatNumber },
        aria: { enabled: true },
        xAxis: { type: "category", data: spec.labels,
                 axisLabel: { color: "#1f2937", interval: 0, overflow: "truncate", width: 110 } },
        yAxis: { type: "value", minInterval: 1, axisLabel: { color: "#1f2937", formatter: formatNumber } },
        series: [{ name: spec.series, type: "bar", data: spec.values, itemStyle: { color: "#0b4fa3" },
                   label: { show: true, position: "top", color: "#1f2937",
                            formatter: function (p) { return formatNumber(p.value); } },
                   barMaxWidth: 56 }]
      });
      el.setAttribute("data-drawn", "1");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawCharts(event.target); });
})();

// Forms that change something hard to undo ask first (data-confirm holds the question).
document.addEventListener("submit", function (event) {
  var question = event.target && event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
