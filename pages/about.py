"""About page (/about): what the tool is, where the data come from, licences and vintages."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from pages import ids, services
from sasci_map import db, survey_store
from sasci_map.provenance import DATA_VINTAGES, attribution_lines

dash.register_page(__name__, order=9, path="/about", name="About",
                   title="About the data — SASCI capacity map")


SYNTHETIC_LABEL = "synthetic demo data"
TIME_FORMAT = "%Y-%m-%d %H:%M"


def _table(table_id: str, headers: tuple[str, ...], rows: list) -> dbc.Table:
    return dbc.Table([html.Thead(html.Tr([html.Th(h) for h in headers])), html.Tbody(rows)],
                     id=table_id, striped=True, size="sm")


def _survey_section(engine) -> list:
    """Survey waves and inventories held in this database, demo data labelled as such."""
    waves = survey_store.read_waves(engine)
    inventories = survey_store.read_inventory_imports(engine)
    notice = []
    if waves["synthetic"].any() or inventories["n_synthetic_places"].gt(0).any():
        notice = [dbc.Alert([html.Strong("Synthetic demo data. "),
                             "The survey waves marked below are synthetic demo data generated "
                             "by this project, in the shape of the real SASCI survey; they are "
                             "not real responses and say nothing about any council. Council "
                             "adoptions and coverage rows marked synthetic are demo data too. "
                             "Load the real export with sasci-map import."],
                            id=ids.ABOUT_DEMO_NOTICE, color="warning")]
    wave_rows = [html.Tr([html.Td(str(w.wave)),
                          html.Td(SYNTHETIC_LABEL if w.synthetic else "survey responses"),
                          html.Td(f"{w.n_respondents:,}"), html.Td(f"{w.n_council_orgs:,}"),
                          html.Td(f"{w.n_provider_orgs:,}"), html.Td(f"{w.n_council_areas:,}"),
                          html.Td(w.source_file), html.Td(w.imported_at.strftime(TIME_FORMAT))])
                 for w in waves.itertuples(index=False)]
    inventory_rows = [html.Tr([html.Td(i.kind), html.Td(f"{i.n_items:,}"),
                               html.Td(f"{i.n_places:,}"),
                               html.Td(f"{i.n_synthetic_places:,} ({SYNTHETIC_LABEL})"),
                               html.Td(i.source_file),
                               html.Td(i.imported_at.strftime(TIME_FORMAT))])
                      for i in inventories.itertuples(index=False)]
    return [
        html.H2("SASCI survey waves in this database", className="h5 mt-4"),
        *notice,
        _table(ids.ABOUT_SURVEY, ("Wave", "Data", "Respondents", "Councils", "Providers",
                                  "Council areas", "File", "Imported (UTC)"), wave_rows)
        if wave_rows else html.P("No survey wave is loaded.", id=ids.ABOUT_SURVEY),
        html.H2("Inventories in this database", className="h5 mt-4"),
        _table(ids.ABOUT_INVENTORIES, ("Inventory", "Items", "Places", "Of which demo rows",
                                       "File", "Imported (UTC)"), inventory_rows)
        if inventory_rows else html.P("No inventory is loaded.", id=ids.ABOUT_INVENTORIES),
    ]


def layout(**_params) -> html.Div:
    """Lay out the About page, with the datasets, survey waves and inventories loaded."""
    engine = services.engine()
    datasets = db.read_datasets(engine)
    rows = [html.Tr([html.Td(r.title), html.Td(r.publisher), html.Td(r.vintage),
                     html.Td(r.licence), html.Td(f"{r.n_rows:,}"),
                     html.Td(r.loaded_at.strftime(TIME_FORMAT) if r.loaded_at else "")])
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
        _table(ids.ABOUT_DATASETS, ("Dataset", "Publisher", "Vintage", "Licence", "Rows",
                                    "Loaded (UTC)"), rows),
        *_survey_section(engine),
        html.H2("Licences and attribution", className="h5 mt-4"),
        html.Ul([html.Li(line) for line in attribution_lines()]),
        html.P("Public-sector data are used under the Open Government Licence v3.0. Missing "
               "values keep their publisher's reason (for example suppressed '[c]'); councils "
               "created by the 2021 and 2023 reorganisations are shown as missing where a "
               "source predates them, rather than given a predecessor's figure."),
    ])
