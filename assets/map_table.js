/*
 * The map page's table rows, rebuilt in the browser from their compact form
 * (sasci_map/table_payload.py: encode_rows; decode_rows there is the Python twin).
 *
 * Called by a clientside callback when the rows change and when the map has first been drawn
 * (the table's 153 rows are only put in the grid then, so they never delay the map).
 */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  sasci_map: {
    table_rows: function (payload, _relayout, _tick, names) {
      "use strict";
      if (!payload || !payload.fields) {
        return window.dash_clientside.no_update;
      }
      return payload.rows.map(function (values) {
        var row = {};
        payload.fields.forEach(function (field, i) {
          var value = i < values.length ? values[i] : null;
          var texts = payload.labels[field];
          row[field] = texts && value !== null ? texts[value] : value;
        });
        if (payload.names && names && names[row.code]) {
          row.council = names[row.code][0];
          row.region = names[row.code][1];
        }
        return row;
      });
    }
  }
});
