/* Dashboard trend chart (Chart.js, served locally). Without JavaScript the same figures
   are in the table under "Figures of the chart". */
(function () {
  "use strict";
  var canvas = document.getElementById("trend-chart");
  var data = document.getElementById("trend-data");
  if (!canvas || !data || !window.Chart) { return; }
  var points = JSON.parse(data.textContent);
  var labels = JSON.parse(document.getElementById("trend-labels").textContent);
  new window.Chart(canvas, {
    type: "line",
    data: {
      labels: points.map(function (p) { return p.label; }),
      datasets: [
        { label: labels.enrolled, data: points.map(function (p) { return p.enrolled; }),
          borderColor: "#1d4ed8", backgroundColor: "#1d4ed8", tension: 0.2 },
        { label: labels.completed, data: points.map(function (p) { return p.completed; }),
          borderColor: "#15803d", backgroundColor: "#15803d", tension: 0.2 }
      ]
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
  canvas.dataset.drawn = "true";
})();
