/* Plotly does not redraw for print: fit every chart to the printed page width, and back afterwards. */
(function () {
  function fit() {
    if (!window.Plotly) { return; }
    document.querySelectorAll('.js-plotly-plot').forEach(function (g) { window.Plotly.Plots.resize(g); });
  }
  window.addEventListener('beforeprint', fit);
  window.addEventListener('afterprint', fit);
})();
