"""The file formats the importer reads: survey responses and the two inventories, as columns."""

from __future__ import annotations

from pathlib import Path

from sasci_map.codebook import load_codebook
from sasci_map.inventory import INNOVATION_COLUMNS, ORGANISATION_COLUMNS

#: Kinds of file ``sasci-map import`` takes; each has its own columns below.
IMPORT_KINDS = ("survey", "innovations", "infrastructure")

#: Columns of a survey file before the codebook items, in this order.
#: ``synthetic`` (true/false, optional) marks demo data; every row of one wave must agree.
SURVEY_ID_COLUMNS = ("respondent_id", "org_id", "org_type", "council_code", "wave", "synthetic")
#: Columns a survey file may leave out (a real export has no ``synthetic`` column).
SURVEY_OPTIONAL_COLUMNS = ("synthetic",)
#: ``org_type`` values: the two SASCI questionnaires.
ORG_TYPES = ("council", "provider")
#: Survey waves are labelled by the calendar year fieldwork began (the first SASCI wave: 2023).
MIN_WAVE, MAX_WAVE = 2020, 2100
#: Text values accepted for true/false cells.
BOOLEAN_TEXT = {"true": True, "false": False}

#: Innovations file: one row per innovation x council where it is in use (innovation fields
#: repeated on each of its rows, and identical on each); an innovation in use nowhere has one
#: row with a blank ``council_code``.
INNOVATION_ADOPTION_COLUMNS = ("council_code", "start_year", "end_year", "adoption_source",
                               "adoption_synthetic")
INNOVATIONS_IMPORT_COLUMNS = (*INNOVATION_COLUMNS, *INNOVATION_ADOPTION_COLUMNS)
#: Infrastructure file: one row per support organisation x area it covers (organisation
#: fields repeated and identical); area_level is national, region or council.
ORGANISATION_COVERAGE_COLUMNS = ("area_level", "area_code", "coverage_source",
                                 "coverage_synthetic")
INFRASTRUCTURE_IMPORT_COLUMNS = (*ORGANISATION_COLUMNS, *ORGANISATION_COVERAGE_COLUMNS)

#: Columns of each kind that may be blank on any row.
OPTIONAL_CELLS = {
    "survey": ("synthetic",),
    "innovations": ("partner_actors", "council_code", "start_year", "end_year",
                    "adoption_source", "adoption_synthetic"),
    "infrastructure": ("website",),
}


def survey_columns(data_dir: Path | str | None = None) -> list[str]:
    """Return every column of a survey file, in template order.

    Parameters
    ----------
    data_dir : path, optional
        Folder of bundled data; defaults to the configured one.

    Returns
    -------
    list of str
        :data:`SURVEY_ID_COLUMNS`, then every codebook item id in codebook order (items of
        both questionnaires: a council row leaves provider-only items blank and vice versa).
    """
    return [*SURVEY_ID_COLUMNS, *load_codebook(data_dir)["item_id"]]


def import_columns(kind: str, data_dir: Path | str | None = None) -> list[str]:
    """Return the columns of one import file kind.

    Parameters
    ----------
    kind : {"survey", "innovations", "infrastructure"}
    data_dir : path, optional
        Folder of bundled data (the codebook gives the survey's item columns).

    Returns
    -------
    list of str

    Raises
    ------
    ValueError
        If ``kind`` is not one of :data:`IMPORT_KINDS`.
    """
    if kind == "survey":
        return survey_columns(data_dir)
    if kind == "innovations":
        return list(INNOVATIONS_IMPORT_COLUMNS)
    if kind == "infrastructure":
        return list(INFRASTRUCTURE_IMPORT_COLUMNS)
    raise ValueError(f"import kind {kind!r}: expected one of {list(IMPORT_KINDS)}")
