/*
 * AG Grid for Dash, loaded when a grid is first shown rather than before the page can start
 * (pages/lazy_grid.py says on which pages, and why).
 *
 * This script stands where dash-ag-grid's own script tag was, with that script's URL in its
 * data-library attribute. It defines window.dash_ag_grid with an AgGrid that loads the library
 * when it is first rendered (or when Dash first waits for it before a callback), shows
 * "Loading the table…" meanwhile, then renders the library's AgGrid with the same props. The
 * library sets window.dash_ag_grid itself when it runs, so grids rendered after that are the
 * library's own. If the library cannot be loaded, the grid says so and the console says why.
 */
(function () {
  "use strict";

  var source = document.currentScript.getAttribute("data-library");
  var LOADING_TEXT = "Loading the table…";
  var FAILED_TEXT = "The table could not be loaded. Reload the page to try again.";
  var loading = null;
  var library = null;

  /* A promise of the library (its window.dash_ag_grid), loading it on the first call. */
  function load() {
    if (loading) {
      return loading;
    }
    loading = new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = source;
      tag.onload = function () {
        if (window.dash_ag_grid && window.dash_ag_grid !== lazy) {
          library = window.dash_ag_grid;
          resolve(library);
        } else {
          reject(new Error("AG Grid's script ran but did not define dash_ag_grid: " + source));
        }
      };
      tag.onerror = function () {
        reject(new Error("AG Grid's script could not be loaded: " + source));
      };
      document.head.appendChild(tag);
    });
    loading.catch(function (error) {
      console.error(error.message);
    });
    return loading;
  }

  function AgGrid(props) {
    var React = window.React;
    var state = React.useState(library ? {grid: library.AgGrid} : {});
    var current = state[0];
    var setCurrent = state[1];
    React.useEffect(function () {
      if (current.grid) {
        return undefined;
      }
      var live = true;
      load().then(function (lib) {
        if (live) {
          setCurrent({grid: lib.AgGrid});
        }
      }, function (error) {
        if (live) {
          setCurrent({error: error});
        }
      });
      return function () { live = false; };
    }, []);
    if (current.grid) {
      return React.createElement(current.grid, props);
    }
    return React.createElement("div", {
      className: current.error ? "lazy-grid-failed text-danger small" : "lazy-grid-loading small",
      role: current.error ? "alert" : "status"
    }, current.error ? FAILED_TEXT : LOADING_TEXT);
  }
  /* What dash-renderer reads off a component class before it renders one: the same as the
     library's AgGrid (dash-ag-grid 35; tests/browser/test_lazy_grid_loading.py compares them). */
  AgGrid.dashRenderType = true;
  AgGrid.dashPersistence = {persisted_props: ["selectedRows"], persistence_type: "local"};
  /* dash-renderer waits on this before running a callback that involves the grid. */
  Object.defineProperty(AgGrid, "_dashprivate_isLazyComponentReady", {
    get: function () {
      var ready = function () { return true; };
      return library ? true : load().then(ready, ready);
    }
  });

  var lazy = {
    AgGrid: AgGrid,
    getApi: function (id) {
      if (!library) {
        throw new Error("AG Grid is still loading: use dash_ag_grid.getApiAsync");
      }
      return library.getApi(id);
    },
    getApiAsync: function (id) {
      return load().then(function (lib) { return lib.getApiAsync(id); });
    },
    load: load
  };
  window.dash_ag_grid = lazy;
  /* Kept after the library replaces window.dash_ag_grid, for tests and diagnosis. */
  window.sasci_lazy_grid = lazy;
})();
