"""About page (/about): what the tool is, where the data come from, licences and vintages."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from pages import ids, services
from sasci_map import db
from sasci_map.provenance import DATA_VINTAGES, attribution_lines

dash.register_page(__name__, path="/about", name="About",
                   title="About the data — SASCI capacity map")


def layout(**_params) -> html.Div:
    """Lay out the About page, with the datasets loaded in this database."""
    datasets = db.read_datasets(services.engine())
    rows = [html.Tr([html.Td(r.title), html.Td(r.publisher), html.Td(r.vintage),
                     html.Td(r.licence), html.Td(f"{r.n_rows:,}"),
                     html.Td(r.loaded_at.strftime("%Y-%m-%d %H:%M") if r.loaded_at else "")])
            for r in datasets.itertuples(index=False)]
    return html.Div([
        html.H1("About the SASCI capacity map", className="h3"),
        html.P("A map of the capacity for innovating in adult social care, and of the use of the "
               "infrastructure that supports innovation, across the 153 English councils with "
               "adult social services responsibilities. It is built for the SASCI programme "
               "(Supporting Adult Social Care Innovation) for policymakers, council "
               "commissioners and researchers."),
        html.H2("Data vintages", className="h5 mt-4"),
        html.Ul([html.Li([html.Strong(what + ": "), detail]) for what, detail in DATA_VINTAGES]),
        html.H2("Datasets in this database", className="h5 mt-4"),
        dbc.Table([html.Thead(html.Tr([html.Th(h) for h in
                                       ("Dataset", "Publisher", "Vintage", "Licence", "Rows",
                                        "Loaded (UTC)")])),
                   html.Tbody(rows)], id=ids.ABOUT_DATASETS, striped=True, size="sm"),
        html.H2("Licences and attribution", className="h5 mt-4"),
        html.Ul([html.Li(line) for line in attribution_lines()]),
        html.P("Public-sector data are used under the Open Government Licence v3.0. Missing "
               "values keep their publisher's reason (for example suppressed '[c]'); councils "
               "created by the 2021 and 2023 reorganisations are shown as missing where a "
               "source predates them, rather than given a predecessor's figure."),
    ])
