"""What the innovation pages show: the filtered inventory, councils in use and spread by year."""

from __future__ import annotations

import difflib
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
from sqlalchemy.engine import Engine

from sasci_map import survey_store
from sasci_map.geography import councils
from sasci_map.inventory import LIST_SEP, typology


class Facet(NamedTuple):
    """A filter of the inventory: its title, its typology and the columns it matches."""

    title: str
    typology: str
    columns: tuple[str, ...]


#: Every typology facet of an innovation, in the order the filters are shown. Within a facet a
#: row matches any chosen code; across facets it must match all. Actors match lead or partner.
FACETS = {
    "innovation_type": Facet("Type", "innovation_type", ("innovation_type",)),
    "journey": Facet("SASCI journey", "journey", ("journey",)),
    "stage": Facet("Stage", "stage", ("stage",)),
    "change": Facet("Change", "change", ("change",)),
    "actor": Facet("Actors (lead or partner)", "actor", ("lead_actor", "partner_actors")),
    "client_group": Facet("Client groups", "client_group", ("client_groups",)),
    "evidence": Facet("Evidence level", "evidence", ("evidence_level",)),
}
#: Coded columns of the inventory and the typology of each (lists are ``;``-separated).
CODED_COLUMNS = {"innovation_type": "innovation_type", "journey": "journey", "stage": "stage",
                 "change": "change", "lead_actor": "actor", "partner_actors": "actor",
                 "client_groups": "client_group", "evidence_level": "evidence"}
#: Separator of labels in a list cell shown to people (codes use ``LIST_SEP``).
LABEL_SEP = "; "
TABLE_COLUMNS = ["innovation_id", "name", *CODED_COLUMNS, "councils_in_use", "councils_ever",
                 "adoption_rows", "demo_adoption_rows", "synthetic"]
#: Status of a council for one innovation in one year, in display order.
STARTED, IN_USE, ENDED, LATER, NO_RECORD = ("started this year", "in use", "ended",
                                            "starts later", "no recorded use")
STATUS_ORDER = [STARTED, IN_USE, ENDED, LATER, NO_RECORD]


def current_year() -> int:
    """Return this calendar year, the default "now" of every "in use" count."""
    return date.today().year


def inventory(engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the stored innovations and their council rows; years as ``Int64``."""
    items, places = survey_store.read_inventory(engine, "innovations")
    years = {c: pd.to_numeric(places[c]).astype("Int64") for c in ("start_year", "end_year")}
    return items, places.assign(**years)


def in_use(places: pd.DataFrame, year: int) -> pd.Series:
    """In use in ``year``: started by then and not ended before it (the end year counts)."""
    end = places["end_year"]
    return (places["start_year"] <= year) & (end.isna() | (end >= year)).astype(bool)


def _labels(name: str, data_dir: Path | None) -> dict[str, str]:
    frame = typology(name, data_dir)
    return dict(zip(frame["code"], frame["label"], strict=True))


def _label_cell(value: str, labels: dict[str, str]) -> str:
    return LABEL_SEP.join(labels[c] for c in value.split(LIST_SEP)) if value else ""


def facet_choices(data_dir: Path | None = None) -> dict[str, pd.DataFrame]:
    """Return the choices of every facet: its typology, ``code, label, definition``.

    Parameters
    ----------
    data_dir : Path, optional
        Bundled data folder (default: the configured one).

    Returns
    -------
    dict of str to pandas.DataFrame
        Keyed as :data:`FACETS`, each typology in its display order.
    """
    return {key: typology(facet.typology, data_dir) for key, facet in FACETS.items()}


def _matches(items: pd.DataFrame, filters: dict[str, list[str]] | None, text: str,
             labelled: pd.DataFrame, data_dir: Path | None) -> pd.Series:
    keep = pd.Series(True, index=items.index)
    for key, chosen in (filters or {}).items():
        if key not in FACETS:
            raise ValueError(f"unknown facet {key!r}: expected one of {list(FACETS)}")
        if not chosen:
            continue
        facet = FACETS[key]
        unknown = set(chosen) - set(_labels(facet.typology, data_dir))
        if unknown:
            raise ValueError(f"unknown {key} codes {sorted(unknown)}: expected codes of "
                             f"typology_{facet.typology}.csv")
        wanted = set(chosen)
        hit = pd.Series(False, index=items.index)
        for column in facet.columns:
            hit |= items[column].map(lambda v, w=wanted: bool(w & set(v.split(LIST_SEP))))
        keep &= hit
    haystack = items["description"] + " " + items["source"]
    for column in ["name", *CODED_COLUMNS]:
        haystack = haystack + " " + labelled[column]
    haystack = haystack.astype(str).str.lower()
    for term in (text or "").lower().split():
        keep &= haystack.str.contains(term, regex=False)
    return keep


def innovation_table(engine: Engine, filters: dict[str, list[str]] | None = None,
                     text: str = "", year: int | None = None,
                     data_dir: Path | None = None) -> pd.DataFrame:
    """Return the innovations matching ``filters`` and ``text``, labelled, with adoption counts.

    Parameters
    ----------
    engine : Engine
    filters : dict of str to list of str, optional
        Facet key (see :data:`FACETS`) to the typology codes to keep; an empty list keeps all.
    text : str
        Words that must all occur (any case) in the name, description, source or labels.
    year : int, optional
        The year "in use" refers to; default this year.
    data_dir : Path, optional

    Returns
    -------
    pandas.DataFrame
        :data:`TABLE_COLUMNS`, sorted by name: coded columns hold typology labels (lists
        joined by ``"; "``); ``councils_in_use`` counts councils using it in ``year``,
        ``councils_ever`` every council recorded; ``synthetic`` is True when the record or any
        of its council rows is demo data.

    Raises
    ------
    ValueError
        On an unknown facet or code.
    """
    year = current_year() if year is None else year
    items, places = inventory(engine)
    labels = {name: _labels(name, data_dir) for name in set(CODED_COLUMNS.values())}
    labelled = items.assign(**{c: items[c].map(lambda v, n=n: _label_cell(v, labels[n]))
                               for c, n in CODED_COLUMNS.items()})
    chosen = labelled.loc[_matches(items, filters, text, labelled, data_dir)]
    counts = places.assign(in_use=in_use(places, year)).groupby("innovation_id").agg(
        councils_in_use=("in_use", "sum"), councils_ever=("council_code", "size"),
        demo_adoption_rows=("synthetic", "sum"))
    out = chosen.merge(counts, left_on="innovation_id", right_index=True, how="left",
                       validate="1:1")
    numbers = ["councils_in_use", "councils_ever", "demo_adoption_rows"]
    out[numbers] = out[numbers].fillna(0).astype(int)
    out["adoption_rows"] = out["councils_ever"]
    out["synthetic"] = out["synthetic"].astype(bool) | out["demo_adoption_rows"].gt(0)
    return out[TABLE_COLUMNS].sort_values("name", ignore_index=True)


def councils_in_use(engine: Engine, innovation_ids: list[str], year: int | None = None,
                    data_dir: Path | None = None) -> pd.DataFrame:
    """Return every council with how many of ``innovation_ids`` it has in use in ``year``.

    Parameters
    ----------
    engine : Engine
    innovation_ids : list of str
        The selected innovations (e.g. the ``innovation_id`` of :func:`innovation_table`).
    year : int, optional
        Default this year.
    data_dir : Path, optional

    Returns
    -------
    pandas.DataFrame
        153 rows, ``code, council, region, innovations_in_use, innovations, demo_rows``:
        the count, the names (``"; "``-joined, by name) and how many of those rows are demo
        data; sorted by count (highest first), then council name.

    Raises
    ------
    ValueError
        On an id that is not in the inventory.
    """
    year = current_year() if year is None else year
    items, places = inventory(engine)
    names = items.set_index("innovation_id")["name"]
    unknown = sorted(set(innovation_ids) - set(names.index))
    if unknown:
        raise ValueError(f"unknown innovation ids {unknown}")
    use = places.loc[places["innovation_id"].isin(innovation_ids) & in_use(places, year)]
    use = use.assign(innovation=use["innovation_id"].map(names)).sort_values("innovation")
    grouped = use.groupby("council_code").agg(
        innovations_in_use=("innovation", "size"), innovations=("innovation", LABEL_SEP.join),
        demo_rows=("synthetic", "sum")).astype({"innovations": "str"})
    base = councils(data_dir)[["code", "name", "region_name"]].rename(
        columns={"name": "council", "region_name": "region"})
    out = base.merge(grouped, left_on="code", right_index=True, how="left", validate="1:1")
    out[["innovations_in_use", "demo_rows"]] = (
        out[["innovations_in_use", "demo_rows"]].fillna(0).astype(int))
    out["innovations"] = out["innovations"].fillna("")
    return out.sort_values(["innovations_in_use", "council"], ascending=[False, True],
                           ignore_index=True)




def adoption_years(engine: Engine) -> tuple[int, int]:
    """Return the first and last year of any council row (start or end), for sliders and axes.

    Returns
    -------
    tuple of int
        ``(first, last)``; this year twice when no row is stored.
    """
    _items, places = inventory(engine)
    if places.empty:
        return current_year(), current_year()
    years = pd.concat([places["start_year"], places["end_year"]]).dropna()
    return int(years.min()), int(years.max())


def _places_of(engine: Engine, innovation_id: str) -> tuple[pd.Series, pd.DataFrame]:
    items, places = inventory(engine)
    match = items.loc[items["innovation_id"] == innovation_id]
    if match.empty:
        raise ValueError(f"unknown innovation id {innovation_id!r}")
    return match.iloc[0], places.loc[places["innovation_id"] == innovation_id]


def adoption_by_year(engine: Engine, innovation_id: str) -> pd.DataFrame:
    """Return how one innovation spread: councils starting, ending and using it each year.

    Parameters
    ----------
    engine : Engine
    innovation_id : str

    Returns
    -------
    pandas.DataFrame
        One row per year of :func:`adoption_years`: ``year, started, ended`` (councils whose
        last recorded year of use it is), ``in_use`` (started by then, not ended before),
        ``ever_adopted`` (cumulative starts) and ``demo_in_use`` (of ``in_use``, demo rows).

    Raises
    ------
    ValueError
        If ``innovation_id`` is not in the inventory.
    """
    _item, places = _places_of(engine, innovation_id)
    first, last = adoption_years(engine)
    rows = []
    for year in range(first, last + 1):
        using = in_use(places, year)
        rows.append({"year": year, "started": int((places["start_year"] == year).sum()),
                     "ended": int((places["end_year"] == year).fillna(False).sum()),
                     "in_use": int(using.sum()),
                     "ever_adopted": int((places["start_year"] <= year).sum()),
                     "demo_in_use": int((using & places["synthetic"]).sum())})
    return pd.DataFrame(rows, columns=["year", "started", "ended", "in_use", "ever_adopted",
                                       "demo_in_use"])


def councils_in_year(engine: Engine, innovation_id: str, year: int,
                     data_dir: Path | None = None) -> pd.DataFrame:
    """Return every council's status for one innovation in one year.

    Parameters
    ----------
    engine : Engine
    innovation_id : str
    year : int
    data_dir : Path, optional

    Returns
    -------
    pandas.DataFrame
        153 rows, ``code, council, region, status, start_year, end_year, source, synthetic``;
        status is one of :data:`STATUS_ORDER`; sorted by status, then council name.

    Raises
    ------
    ValueError
        If ``innovation_id`` is not in the inventory.
    """
    _item, places = _places_of(engine, innovation_id)
    start, end = places["start_year"], places["end_year"]
    status = pd.Series(IN_USE, index=places.index)
    status[start == year] = STARTED
    status[(end < year).fillna(False).astype(bool)] = ENDED
    status[start > year] = LATER
    places = places.assign(status=status)[["council_code", "status", "start_year", "end_year",
                                           "source", "synthetic"]]
    base = councils(data_dir)[["code", "name", "region_name"]].rename(
        columns={"name": "council", "region_name": "region"})
    out = base.merge(places, left_on="code", right_on="council_code", how="left",
                     validate="1:1").drop(columns="council_code")
    out["status"] = out["status"].fillna(NO_RECORD)
    out["source"] = out["source"].fillna("")
    out["synthetic"] = out["synthetic"].fillna(False).astype(bool)
    order = out["status"].map(STATUS_ORDER.index)
    return (out.assign(_order=order).sort_values(["_order", "council"])
            .drop(columns="_order").reset_index(drop=True))




def innovation_detail(engine: Engine, innovation_id: str, year: int | None = None,
                      data_dir: Path | None = None) -> dict[str, Any] | None:
    """Return everything the detail page shows about one innovation, or None if unknown.

    Parameters
    ----------
    engine : Engine
    innovation_id : str
    year : int, optional
        The year "in use" refers to; default this year.
    data_dir : Path, optional

    Returns
    -------
    dict or None
        ``innovation_id, name, description, source, synthetic``; ``typology``: a list of
        ``{facet, label, definition}`` (type, journey, stage, change, evidence);
        ``lead_actor`` (one such dict), ``partner_actors`` and ``client_groups`` (lists);
        ``councils``: :func:`councils_in_year` rows with a recorded use, by council name, as
        :func:`to_records` dicts (``end_year`` None while in use);
        ``n_in_use``, ``n_ever``, ``n_demo``.
    """
    year = current_year() if year is None else year
    items, _places = inventory(engine)
    match = items.loc[items["innovation_id"] == innovation_id]
    if match.empty:
        return None
    item = match.iloc[0]

    def entries(column: str, facet: str) -> list[dict[str, str]]:
        frame = typology(CODED_COLUMNS[column], data_dir).set_index("code")
        codes = item[column].split(LIST_SEP) if item[column] else []
        return [{"facet": facet, "code": c, "label": frame.at[c, "label"],
                 "definition": frame.at[c, "definition"]} for c in codes]

    facets = [("innovation_type", "Type"), ("journey", "SASCI journey"), ("stage", "Stage"),
              ("change", "Change"), ("evidence_level", "Evidence level")]
    places = councils_in_year(engine, innovation_id, year, data_dir)
    places = places.loc[places["status"] != NO_RECORD].sort_values("council", ignore_index=True)
    return {
        "innovation_id": innovation_id, "name": item["name"],
        "description": item["description"], "source": item["source"],
        "synthetic": bool(item["synthetic"]),
        "typology": [e for column, facet in facets for e in entries(column, facet)],
        "lead_actor": entries("lead_actor", "Lead actor")[0],
        "partner_actors": entries("partner_actors", "Partner actor"),
        "client_groups": entries("client_groups", "Client group"),
        "councils": to_records(places),
        "n_in_use": int(places["status"].isin([STARTED, IN_USE]).sum()),
        "n_ever": len(places), "n_demo": int(places["synthetic"].sum()),
    }


def to_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return ``frame``'s rows as dicts of plain Python values, missing values as None.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    list of dict
        JSON-ready rows (numpy and pandas scalars become int, float, bool or str).
    """
    plain = frame.astype(object).where(frame.notna(), None)
    return [{k: v.item() if hasattr(v, "item") else v for k, v in row.items()}
            for row in plain.to_dict("records")]


def innovation_names(engine: Engine) -> dict[str, str]:
    """Return ``{innovation_id: name}`` of every stored innovation, by id."""
    items, _places = inventory(engine)
    return dict(zip(items["innovation_id"], items["name"], strict=True))


def close_ids(engine: Engine, text: str, n: int = 5) -> list[tuple[str, str]]:
    """Return up to ``n`` innovations whose id or name is closest to ``text`` (difflib).

    Returns
    -------
    list of (str, str)
        ``(innovation_id, name)``, closest first.
    """
    names = innovation_names(engine)
    keys = {i: i for i in names} | {name.lower(): i for i, name in names.items()}
    wanted = (text or "").strip().lower()
    hits: list[str] = []
    for key in difflib.get_close_matches(wanted, list(keys), n=2 * n, cutoff=0.5):
        if keys[key] not in hits:
            hits.append(keys[key])
    return [(i, names[i]) for i in hits[:n]]
