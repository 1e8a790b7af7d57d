'use strict';
// plotly.js with only the trace types the SASCI capacity map draws: scatter (in the core),
// bar and choropleth. A figure using any other trace type must add it here (and to the test
// tests/unit/test_plotly_bundle.py, which checks every trace type the app builds is included).
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/choropleth'),
]);

module.exports = Plotly;
