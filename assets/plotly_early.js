/*
 * Start plotly.js as soon as the page starts, instead of when the first graph is mounted.
 *
 * dcc.Graph loads plotly.js itself, but only once the page's layout has arrived and a graph
 * has been rendered; the browser then waits while the script downloads and compiles. Here
 * that work overlaps with dash-renderer's start-up and the layout requests.
 *
 * The script is the partial bundle named by the page's <link rel="preload" data-plotly-bundle>
 * (app.py; assets/vendor/README.md says how it is built). dcc.Graph waits on
 * `Promise.resolve(window.Plotly || <load it>)`, so until the bundle has run `window.Plotly` is
 * a thenable that settles when it has (plotly.js then replaces it with itself): every graph
 * waits for this one load instead of starting another. On a load error `window.Plotly` is
 * cleared again, so a graph mounted later falls back to loading Dash's own copy.
 */
(function () {
  "use strict";
  var link = document.querySelector("link[data-plotly-bundle]");
  if (window.Plotly || !link) {
    return;
  }
  var script = document.createElement("script");
  script.src = link.href;
  script.async = true;
  var loaded = new Promise(function (resolve, reject) {
    script.onload = function () { resolve(); };
    script.onerror = function () {
      window.Plotly = undefined;
      reject(new Error("plotly.js did not load from " + script.src));
    };
  });
  window.Plotly = {
    then: function (onLoaded, onFailed) { return loaded.then(onLoaded, onFailed); }
  };
  document.head.appendChild(script);
})();
