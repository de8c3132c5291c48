// The KPI page's chart: one province's province-confirmed sales, summed month by month from
// ตุลาคม, against its target (+23 %) and its first score level (+15 %). A select (and the
// graph button by each province in the table) chooses the province. Data: #kpi-chart-data.
(function () {
  "use strict";
  var source = document.getElementById("kpi-chart-data");
  var canvas = document.getElementById("kpi-chart");
  var select = document.getElementById("kpi-chart-province");
  if (!source || !canvas || !select || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  if (!data.provinces.length) {
    document.getElementById("kpi-chart-card").hidden = true;
    return;
  }
  var byCode = {};
  data.provinces.forEach(function (p) {
    byCode[p.code] = p;
    var option = document.createElement("option");
    option.value = p.code;
    option.textContent = p.name;
    select.appendChild(option);
  });

  var baht = new Intl.NumberFormat("th-TH", { maximumFractionDigits: 0 });
  var millions = new Intl.NumberFormat("th-TH", { maximumFractionDigits: 1 });
  var percent = new Intl.NumberFormat("th-TH", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var summary = document.getElementById("kpi-chart-summary");
  var chart = null;

  function flat(value) {
    return data.months.map(function () { return value; });
  }

  function datasets(p) {
    return [
      {
        label: "ยอดจำหน่ายสะสม",
        data: p.cumulative,
        borderColor: "#6f42c1",
        backgroundColor: "rgba(111, 66, 193, .12)",
        fill: true,
        tension: 0.15,
        pointRadius: 3,
        spanGaps: false,
      },
      {
        label: "เป้าหมาย (เพิ่มขึ้น 23%)",
        data: flat(p.target),
        borderColor: "#c2410c",
        borderDash: [6, 4],
        borderWidth: 2,
        pointRadius: 0,
        pointStyle: "line",
        fill: false,
      },
      {
        label: "คะแนน 1 (เพิ่มขึ้น 15%)",
        data: flat(p.level1),
        borderColor: "#ca8a04",
        borderDash: [2, 3],
        borderWidth: 1.5,
        pointRadius: 0,
        pointStyle: "line",
        fill: false,
      },
    ];
  }

  function describe(p) {
    var last = null;
    p.cumulative.forEach(function (value, index) {
      if (value !== null) last = index;
    });
    if (last === null) {
      return "จังหวัด" + p.name + ": ยังไม่มียอดจำหน่ายที่จังหวัดยืนยันในปีงบประมาณนี้";
    }
    var text = "จังหวัด" + p.name + ": ยอดจำหน่ายสะสมถึง " + data.months[last] + " " +
      baht.format(p.cumulative[last]) + " บาท";
    if (p.target > 0) {
      text += " = ร้อยละ " + percent.format(100 * p.cumulative[last] / p.target) +
        " ของเป้าหมาย " + baht.format(p.target) + " บาท";
    }
    return text;
  }

  function draw(code) {
    var p = byCode[code] || data.provinces[0];
    select.value = p.code;
    summary.textContent = describe(p);
    if (chart) {
      chart.data.datasets = datasets(p);
      chart.update();
      return;
    }
    chart = new Chart(canvas, {
      type: "line",
      data: { labels: data.months, datasets: datasets(p) },
      options: {
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          y: {
            beginAtZero: true,
            title: { display: true, text: "ล้านบาท" },
            ticks: { callback: function (value) { return millions.format(value / 1e6); } },
          },
        },
        plugins: {
          legend: { position: "bottom", labels: { usePointStyle: true, pointStyleWidth: 28 } },
          tooltip: {
            callbacks: {
              label: function (item) {
                if (item.raw === null) return item.dataset.label + ": -";
                return item.dataset.label + ": " + baht.format(item.raw) + " บาท";
              },
            },
          },
        },
      },
    });
  }

  select.addEventListener("change", function () { draw(select.value); });
  document.querySelectorAll(".chart-link[data-province]").forEach(function (button) {
    button.addEventListener("click", function () {
      draw(button.dataset.province);
      document.getElementById("kpi-chart-card").scrollIntoView({ behavior: "smooth" });
    });
  });

  // Canvas text does not redraw when a web font arrives: wait for Sarabun first.
  var font = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.family = font;
  Chart.defaults.font.size = 13;
  Chart.defaults.color = "#343a40";
  var ready = document.fonts && document.fonts.load
    ? document.fonts.load("13px Sarabun", "ยอดจำหน่าย").catch(function () {})
    : Promise.resolve();
  ready.then(function () { draw(data.selected || data.provinces[0].code); });
})();
