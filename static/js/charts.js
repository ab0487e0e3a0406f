/* 就业统计 charts (apps/statistics), drawn with the vendored Apache ECharts.
 *
 * A chart is an element `<div data-chart="bar|hbar|pie|line" data-source="ID">`; its numbers
 * are in `<script type="application/json" id="ID">` written by Django's json_script (the same
 * numbers as the table beside it). No inline script: the page's CSP refuses it. Tooltips use
 * ECharts' richText mode: the HTML tooltip writes markup with style attributes through
 * innerHTML, which a strict policy would refuse.
 *
 * `<form data-stats-autosubmit>`: changing one of its selects reloads the page for it.
 */
(function () {
  "use strict";

  var PALETTE = ["#0b6bcb", "#2e7d32", "#f29f05", "#8e44ad", "#c62828", "#00897b", "#5c6bc0",
                 "#6d4c41", "#ef6c00", "#546e7a", "#ad1457", "#9e9d24"];
  var TEXT = { fontFamily: "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif", color: "#1d2430" };

  function readData(el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!source) return null;
    try {
      return JSON.parse(source.textContent);
    } catch (e) {
      return null;
    }
  }

  // a rate reads like the table beside it: two decimals and a percent sign
  function shown(value, unit) {
    if (unit === "%" && typeof value === "number") return value.toFixed(2) + "%";
    return value + (unit || "");
  }

  function withUnit(unit) {
    return function (value) {
      return shown(value, unit);
    };
  }

  function labelOf(unit) {
    return function (params) {
      return shown(params.value, unit);
    };
  }

  function tooltip(trigger, unit) {
    return {
      trigger: trigger,
      renderMode: "richText",
      valueFormatter: withUnit(unit)
    };
  }

  function barOption(data) {
    var many = data.labels.length > 6;
    return {
      color: PALETTE,
      textStyle: TEXT,
      title: { text: data.title, left: "center", textStyle: { fontSize: 14 } },
      tooltip: tooltip("axis", data.unit),
      grid: { left: 48, right: 16, top: 40, bottom: many ? 90 : 40 },
      xAxis: {
        type: "category",
        data: data.labels,
        axisLabel: { interval: 0, rotate: many ? 40 : 0, width: 90, overflow: "truncate" }
      },
      yAxis: { type: "value", max: data.unit === "%" ? 100 : null, axisLabel: { formatter: "{value}" + data.unit } },
      series: [{
        type: "bar",
        data: data.values,
        barMaxWidth: 42,
        label: { show: true, position: "top", formatter: labelOf(data.unit) }
      }]
    };
  }

  function horizontalBarOption(data) {
    return {
      color: PALETTE,
      textStyle: TEXT,
      title: { text: data.title, left: "center", textStyle: { fontSize: 14 } },
      tooltip: tooltip("axis", data.unit),
      grid: { left: 8, right: 56, top: 40, bottom: 24, containLabel: true },
      xAxis: { type: "value", max: data.unit === "%" ? 100 : null, axisLabel: { formatter: "{value}" + data.unit } },
      // the first school (rank 1) on top
      yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: { width: 140, overflow: "truncate" } },
      series: [{
        type: "bar",
        data: data.values,
        barMaxWidth: 24,
        label: { show: true, position: "right", formatter: labelOf(data.unit) }
      }]
    };
  }

  function pieOption(data) {
    return {
      color: PALETTE,
      textStyle: TEXT,
      // the share printed is the table's (ECharts' own percentages are rounded to add up to 100)
      tooltip: { trigger: "item", renderMode: "richText", formatter: function (p) {
        return p.name + "：" + p.value + "人（" + shown(p.data.share, "%") + "）";
      } },
      legend: { type: "scroll", bottom: 0 },
      series: [{
        type: "pie",
        name: data.title,
        radius: ["38%", "66%"],
        center: ["50%", "45%"],
        avoidLabelOverlap: true,
        label: { formatter: function (p) { return p.name + "\n" + shown(p.data.share, "%"); } },
        data: data.items
      }]
    };
  }

  function lineOption(data) {
    return {
      color: PALETTE,
      textStyle: TEXT,
      title: { text: data.title, left: "center", textStyle: { fontSize: 14 } },
      tooltip: tooltip("axis", data.unit),
      grid: { left: 48, right: 24, top: 40, bottom: 32 },
      xAxis: { type: "category", data: data.labels, boundaryGap: false },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}" + data.unit } },
      series: [{ type: "line", data: data.values, smooth: false, symbolSize: 6, areaStyle: { opacity: 0.12 } }]
    };
  }

  var BUILDERS = { bar: barOption, hbar: horizontalBarOption, pie: pieOption, line: lineOption };

  function draw() {
    if (!window.echarts) return;
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var data = readData(el);
      var build = BUILDERS[el.getAttribute("data-chart")];
      if (!data || !build) return;
      if (el.getAttribute("data-chart") === "hbar") {
        // one bar per school: a province of a hundred schools needs a taller chart
        el.style.height = Math.max(320, data.labels.length * 26 + 90) + "px";
      }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(build(data));
      el.setAttribute("data-drawn", "1");
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  function autoSubmit() {
    document.addEventListener("change", function (event) {
      var el = event.target;
      if (el.matches && el.matches("form[data-stats-autosubmit] select") && el.form) {
        el.form.submit();
      }
    });
  }

  autoSubmit();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
