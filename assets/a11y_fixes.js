/*
 * Accessibility repairs for two third-party components (served from the app; no CDN).
 *
 * 1. dash-bootstrap-components 2.0 Tabs point every tab's aria-controls at an element that
 *    does not exist ("...-tabpane-null"). The active tab is pointed at the visible pane; the
 *    others lose the broken attribute (axe: aria-valid-attr-value).
 * 2. Dash 4 sliders give their thumb (role="slider") no accessible name. Each thumb is named
 *    by the <label for=...> of its slider (axe: aria-input-field-name).
 */
(function () {
  "use strict";
  var BROKEN_TAB = '[role="tab"][aria-controls$="-tabpane-null"]';
  var UNNAMED_THUMB = '[role="slider"]:not([aria-labelledby]):not([aria-label])';

  function repairTabs(root) {
    root.querySelectorAll(BROKEN_TAB).forEach(function (tab) {
      var nav = tab.closest('[role="tablist"]');
      var pane = nav && nav.parentElement &&
        nav.parentElement.querySelector(':scope > .tab-content > .tab-pane.active');
      if (tab.classList.contains("active") && pane) {
        if (!pane.id) { pane.id = (nav.id || "tabs") + "-active-pane"; }
        tab.setAttribute("aria-controls", pane.id);
      } else {
        tab.removeAttribute("aria-controls");
      }
    });
  }

  function repairSliders(root) {
    root.querySelectorAll(UNNAMED_THUMB).forEach(function (thumb) {
      var node = thumb.parentElement;
      while (node && node !== document.body) {
        var label = node.id && document.querySelector('label[for="' + node.id + '"]');
        if (label) {
          if (!label.id) { label.id = node.id + "-label"; }
          thumb.setAttribute("aria-labelledby", label.id);
          return;
        }
        node = node.parentElement;
      }
    });
  }

  function repair() {
    repairTabs(document);
    repairSliders(document);
  }

  new MutationObserver(repair).observe(document.documentElement, {
    subtree: true, childList: true, attributes: true,
    attributeFilter: ["aria-controls", "class"]
  });
})();
