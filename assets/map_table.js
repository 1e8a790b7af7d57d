/*
 * The map page's table (pages/map.py): put on the page once the map has been drawn, then kept
 * up to date with the rows the server sends in compact form (sasci_map/table_payload.py:
 * encode_rows; decode_rows there is the Python twin of decodeRows here).
 *
 * Creating the grid costs the browser a fifth of a second or so, and the page's rows arrive with
 * the map; mounting the grid only after the map is drawn keeps that work off the map's path.
 */
(function () {
  "use strict";

  /* Rebuild the row objects: fields in order, repeated texts by index, names added back. */
  function decodeRows(payload, names) {
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

  function hasRows(payload) {
    return Boolean(payload && payload.fields);
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    sasci_map: {
      /* The grid (its definition from the server, without rows) with the current rows and
         columns; nothing once it is on the page. Called when the map has first been laid out,
         and by a one-off timer in case that never happens. */
      table_mount: function (_relayout, _tick, children, template, payload, columns, names) {
        var mounted = children && children.namespace === template.namespace &&
          children.type === template.type;
        if (mounted || !hasRows(payload)) {
          return window.dash_clientside.no_update;
        }
        var props = Object.assign({}, template.props, {
          rowData: decodeRows(payload, names),
          columnDefs: columns
        });
        return {type: template.type, namespace: template.namespace, props: props};
      },

      /* New rows (and columns, when the view changed) for the grid, if it is on the page yet. */
      table_update: function (payload, columns, names, shownColumns) {
        if (!hasRows(payload)) {
          return window.dash_clientside.no_update;
        }
        var rows = decodeRows(payload, names);
        var wanted = JSON.stringify(columns);
        var sameColumns = shownColumns.every(function (shown) {
          return JSON.stringify(shown) === wanted;
        });
        return [
          shownColumns.map(function () { return rows; }),
          sameColumns ? window.dash_clientside.no_update
            : shownColumns.map(function () { return columns; })
        ];
      }
    }
  });
})();
