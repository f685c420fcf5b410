/* Cockpit pages: draws every .cockpit-chart from its JSON script, collapses table views behind
   their "Table" buttons, and shows tile-map tooltips on hover and keyboard focus.
   Progressive enhancement only: without it the tile map is a set of links and every chart's table
   is shown. No inline script and nothing loaded from elsewhere (CSP-friendly). */
(function () {
  "use strict";

  var lang = document.documentElement.lang || "th";
  var numberFormat;
  try {
    numberFormat = new Intl.NumberFormat(lang === "th" ? "th-TH-u-nu-latn" : lang, { maximumFractionDigits: 2 });
  } catch (e) {
    numberFormat = new Intl.NumberFormat("en", { maximumFractionDigits: 2 });
  }
  function formatNumber(value) {
    var n = (value !== null && typeof value === "object" && !Array.isArray(value)) ? value.value : value;
    if (Array.isArray(n)) n = n[0];
    return (typeof n === "number" && isFinite(n)) ? numberFormat.format(n) : "–";
  }

  // --- charts ---------------------------------------------------------------------------------
  var charts = [];

  function intervalTooltip(params) {
    var d = params.data || {};
    var text = params.name || (Array.isArray(d.value) ? d.value[1] : "");
    var value = formatNumber(Array.isArray(d.value) ? d.value[0] : d.value);
    if (d.low !== undefined && d.low !== null && d.high !== undefined && d.high !== null) {
      value += " (" + formatNumber(d.low) + "–" + formatNumber(d.high) + ")";
    }
    var div = document.createElement("div");
    div.textContent = (Array.isArray(d.value) ? d.value[1] : text) + ": " + value;
    return div.innerHTML;
  }

  function drawCharts(root) {
    if (typeof window.echarts === "undefined") return;
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    root.querySelectorAll(".cockpit-chart[data-cockpit-chart]").forEach(function (el) {
      if (el.getAttribute("data-drawn")) return;
      var source = document.getElementById(el.getAttribute("data-cockpit-chart"));
      if (!source) return;
      var option = JSON.parse(source.textContent);
      var height = el.getAttribute("data-height");
      if (!height && option.yAxis && option.yAxis.type === "category" && option.yAxis.data) {
        height = Math.max(200, option.yAxis.data.length * 30 + 90);
      }
      if (height) el.style.height = height + "px";
      if (reduceMotion) option.animation = false;
      // ECharts' aria module writes its own aria-label on the container: keep the page's words.
      var label = el.getAttribute("aria-label");
      if (label && option.aria) {
        option.aria.label = { enabled: true, description: label };
      }
      option.tooltip = option.tooltip || {};
      option.tooltip.valueFormatter = formatNumber;
      if (option.tooltip.trigger === "item" && option.series && option.series[0] && option.series[0].type === "scatter") {
        option.tooltip.formatter = intervalTooltip;
      }
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option);
      el.setAttribute("data-drawn", "1");
      charts.push(chart);
    });
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () {
      charts.forEach(function (chart) { chart.resize(); });
    }, 100);
  });

  // --- table views ------------------------------------------------------------------------------
  function setExpanded(button, expanded) {
    var target = document.getElementById(button.getAttribute("aria-controls"));
    if (!target) return;
    button.setAttribute("aria-expanded", expanded ? "true" : "false");
    target.hidden = !expanded;
  }

  function initToggles(root) {
    root.querySelectorAll("[data-cockpit-toggle]").forEach(function (button) {
      if (button.getAttribute("data-ready")) return;
      button.setAttribute("data-ready", "1");
      setExpanded(button, false);
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-cockpit-toggle]");
    if (!button) return;
    setExpanded(button, button.getAttribute("aria-expanded") !== "true");
  });

  // --- tile-map tooltips ---------------------------------------------------------------------
  function initTilemaps(root) {
    root.querySelectorAll(".cockpit-tilemap").forEach(function (map) {
      if (map.getAttribute("data-ready")) return;
      map.setAttribute("data-ready", "1");
      // The custom tooltip replaces the native one (which would show twice).
      map.querySelectorAll("[data-tip] > title").forEach(function (title) { title.remove(); });
      var tip = document.createElement("div");
      tip.className = "cockpit-tip";
      tip.setAttribute("aria-hidden", "true");
      tip.hidden = true;
      map.appendChild(tip);

      function show(tile) {
        tip.textContent = tile.getAttribute("data-tip");
        tip.hidden = false;
        var box = map.getBoundingClientRect();
        var r = tile.getBoundingClientRect();
        var left = r.left - box.left + r.width / 2;
        var half = tip.offsetWidth / 2;
        left = Math.max(half, Math.min(box.width - half, left));
        var top = r.top - box.top;
        tip.classList.toggle("below", top < tip.offsetHeight + 8);
        tip.style.left = left + "px";
        tip.style.top = (top < tip.offsetHeight + 8 ? r.bottom - box.top + 6 : top - 6) + "px";
      }
      function hide() { tip.hidden = true; }

      map.addEventListener("mouseover", function (event) {
        var tile = event.target.closest("[data-tip]");
        if (tile) show(tile);
      });
      map.addEventListener("mouseleave", hide);
      map.addEventListener("focusin", function (event) {
        var tile = event.target.closest("[data-tip]");
        if (tile) show(tile); else hide();
      });
      map.addEventListener("focusout", hide);
      map.addEventListener("keydown", function (event) {
        if (event.key === "Escape") hide();
      });
    });
  }

  function init(root) {
    drawCharts(root);
    initToggles(root);
    initTilemaps(root);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
})();
