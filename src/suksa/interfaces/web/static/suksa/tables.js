/* Sorting and filtering for the tables of web/partials/data_table.html (interfaces/web/tables.py).
   The table is complete without this script; it shows the filter box, makes the column buttons sort
   (aria-sort on the heading says how) and keeps the "Showing N of M rows" live region current.
   Numeric columns sort on each cell's data-sort (the raw value); withheld or missing cells
   (data-sort="") always go last. Safe to load more than once. */
(function () {
  "use strict";
  if (window.suksaTables) return;

  var lang = document.documentElement.lang || "th";
  var numberFormat, collator;
  try {
    numberFormat = new Intl.NumberFormat(lang === "th" ? "th-TH-u-nu-latn" : lang);
    collator = new Intl.Collator(lang, { numeric: true, sensitivity: "base" });
  } catch (e) {
    numberFormat = new Intl.NumberFormat("en");
    collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });
  }

  function normalise(text) {
    return (text || "").normalize("NFC").toLocaleLowerCase().replace(/\s+/g, " ").trim();
  }

  function setup(wrap) {
    if (wrap.getAttribute("data-table-ready")) return;
    var table = wrap.querySelector("table");
    if (!table || !table.tBodies.length) return;
    wrap.setAttribute("data-table-ready", "1");
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.querySelectorAll("tr[data-row]"));
    rows.forEach(function (row, i) { row.setAttribute("data-index", String(i)); });
    var noMatch = tbody.querySelector("tr[data-no-match]");
    var count = wrap.querySelector("[data-table-count]");
    var input = wrap.querySelector("input[data-table-filter]");
    var filterWrap = wrap.querySelector("[data-table-filter-wrap]");
    var headers = Array.prototype.slice.call(table.tHead ? table.tHead.rows[0].cells : []);
    var shown = rows.length;
    var sortText = "";

    function announce() {
      if (!count) return;
      var text = (count.getAttribute("data-count-template") || "{n} / {m}")
        .replace("{n}", numberFormat.format(shown))
        .replace("{m}", numberFormat.format(rows.length));
      count.textContent = sortText ? text + " · " + sortText : text;
    }

    function applyFilter() {
      var query = normalise(input.value);
      shown = 0;
      rows.forEach(function (row) {
        var match = !query || normalise(row.getAttribute("data-search")).indexOf(query) !== -1;
        row.hidden = !match;
        if (match) shown += 1;
      });
      if (noMatch) noMatch.hidden = shown !== 0;
      announce();
    }

    function sortKey(row, column, numeric) {
      var cell = row.cells[column];
      var raw = cell ? cell.getAttribute("data-sort") : "";
      if (raw === null) raw = cell ? cell.textContent.trim() : "";
      if (raw === "") return null;
      if (numeric) {
        var n = parseFloat(raw);
        return isFinite(n) ? n : null;
      }
      return raw;
    }

    function sortBy(th, column) {
      var descending = th.getAttribute("aria-sort") === "ascending";
      var numeric = th.getAttribute("data-sort-type") === "number";
      headers.forEach(function (other) {
        if (other.hasAttribute("aria-sort")) other.setAttribute("aria-sort", "none");
        var icon = other.querySelector(".table-sort-icon");
        if (icon) icon.textContent = "↕";
      });
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      var icon = th.querySelector(".table-sort-icon");
      if (icon) icon.textContent = descending ? "▼" : "▲";
      var sign = descending ? -1 : 1;
      var keyed = rows.map(function (row) {
        return { row: row, key: sortKey(row, column, numeric), index: Number(row.getAttribute("data-index")) };
      });
      keyed.sort(function (a, b) {
        if (a.key === null || b.key === null) {
          if (a.key === null && b.key === null) return a.index - b.index;
          return a.key === null ? 1 : -1;
        }
        var order = numeric ? a.key - b.key : collator.compare(a.key, b.key);
        return order !== 0 ? sign * order : a.index - b.index;
      });
      rows = keyed.map(function (k) { return k.row; });
      rows.forEach(function (row) { tbody.insertBefore(row, noMatch); });
      var button = th.querySelector("button");
      var label = (button ? button.firstChild.textContent : th.textContent).trim();
      var template = count && count.getAttribute(descending ? "data-sorted-desc" : "data-sorted-asc");
      sortText = template ? template.replace("{c}", label) : "";
      announce();
    }

    headers.forEach(function (th, column) {
      var button = th.querySelector("button.table-sort");
      if (!button) return;
      button.addEventListener("click", function () { sortBy(th, column); });
    });
    if (input) {
      input.addEventListener("input", applyFilter);
      input.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && input.value) {
          input.value = "";
          applyFilter();
        }
      });
      if (filterWrap) filterWrap.hidden = false;
      if (input.value) applyFilter();
    }
  }

  function setupAll(root) {
    var found = root.querySelectorAll ? root.querySelectorAll("[data-table]") : [];
    Array.prototype.forEach.call(found, setup);
  }

  window.suksaTables = { setup: setup, setupAll: setupAll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setupAll(document); });
  } else {
    setupAll(document);
  }
  document.addEventListener("htmx:afterSwap", function (event) { setupAll(event.target); });
})();
