"""Empty XLSX import templates: the data sheet, a data dictionary, typology codes and guidance."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from sasci_map import inventory as inv
from sasci_map import survey_format as fmt
from sasci_map.codebook import MULTI_SEPARATOR, allowed_values, load_codebook
from sasci_map.provenance import ONS_ATTRIBUTION

#: Drop-downs and range checks cover rows 2..this. Excel stores a validation as one range, so
#: the size costs nothing; 5,000 rows holds a full survey wave (every council and provider with
#: several respondents) or an innovation on every one of the 153 councils many times over.
#: Rows below still import; they just get no drop-down.
MAX_TEMPLATE_ROWS = 5000
#: Excel refuses an inline list source ("a,b,c") of 255 characters or more.
MAX_INLINE_LIST = 254
DICTIONARY_SHEET, CODES_SHEET, ABOUT_SHEET = "data dictionary", "codes", "about"
NOT_APPLICABLE = "—"
TABLE_STYLE = "TableStyleMedium2"
SURVEY_DICTIONARY = ("column", "required", "questionnaire", "question or description",
                     "response type", "allowed codes", "code labels", "range",
                     "how several respondents combine", "notes")
INVENTORY_DICTIONARY = ("column", "required", "description", "value type", "allowed codes",
                        "code labels", "range", "notes")
CODES_HEADERS = ("typology", "code", "label", "definition")
ABOUT_HEADERS = ("topic", "guidance")
#: Column widths (characters) of the dictionary, codes and about sheets; others get 16.
WIDTHS = {"column": 30, "question or description": 60, "description": 60, "notes": 60,
          "code labels": 45, "allowed codes": 30, "how several respondents combine": 30,
          "definition": 70, "label": 30, "typology": 18, "code": 26, "topic": 24, "guidance": 100}
COMBINE_TEXT = {
    "mean": "mean of the respondents' answers",
    "max": "the highest answer (for ordered codes, the furthest in the list)",
    "any": "yes if anyone says yes, else no if anyone says no; for several codes, all chosen",
    "most_senior": "the answer of the most senior respondent (by resp_role)",
    "none": "not combined",
}
RESOLVED = ("Type a 2023 GSS code (for example E06000001), an older code, or a council or "
            "district name: each is resolved to one of the 153 councils of 2023 and reported; "
            "ambiguous or unknown names are rejected.")
NEEDED_WITH_COUNCIL = "Needed on every row that has a council_code."
MULTI_NOTE = f"Several codes separated by '{MULTI_SEPARATOR}'; no drop-down list."
#: Notes added to codebook items by response type.
TYPE_NOTES = {"multi_select": MULTI_NOTE, "free_text": "Free text: never shown on the map."}
#: What each non-codebook column holds, per import kind (from data/survey/inventory/README.md).
DESCRIPTIONS = {
    "survey": {
        "respondent_id": "Your identifier for the person who answered, unique within the wave. "
                         "Not a name or an email address.",
        "org_id": "Identifier of the respondent's organisation. Respondents of one organisation "
                  "share it, and their answers are combined.",
        "org_type": "Which questionnaire the respondent answered.",
        "council_code": "The council area of the organisation: a council's own area; for a "
                        "provider, the council area it mainly works in.",
        "wave": "The survey wave: the calendar year fieldwork began (the first SASCI wave: 2023).",
        "synthetic": "true marks synthetic demo data; for real responses write false or leave "
                     "blank. Every row of one wave must agree.",
    },
    "innovations": {
        "innovation_id": "Your short, stable identifier for the innovation (for example "
                         "shared_lives); the same on every row of that innovation.",
        "name": "The name of the innovation or model, as commonly known.",
        "description": "What the innovation is, in a sentence or two of your own words.",
        "innovation_type": "The kind of innovation.",
        "journey": "The SASCI innovation journey it belongs to.",
        "stage": "The furthest stage the innovation has reached.",
        "change": "Whether it adapts an existing way of working or changes the model of care.",
        "lead_actor": "Who leads the innovation.",
        "partner_actors": "Other actors involved; blank if none.",
        "client_groups": "The groups of people the innovation is for.",
        "evidence_level": "The strongest evidence of its effect.",
        "source": "The organisation or publication that describes the innovation, in words; "
                  "no URLs.",
        "synthetic": "true if the innovation record is demo data, false if it is real.",
        "council_code": "A council where the innovation is in use: one row per council. Leave "
                        "blank on the single row of an innovation in use nowhere.",
        "start_year": "The year the innovation started in that council.",
        "end_year": "The year it stopped in that council; blank while still in use.",
        "adoption_source": "Where the fact that this council uses it comes from (a report, a "
                           "council web page in words, or 'synthetic demo data').",
        "adoption_synthetic": "true if this council row is demo data, false if it is real.",
    },
    "infrastructure": {
        "org_id": "Your short, stable identifier for the support organisation; the same on "
                  "every row of that organisation.",
        "name": "The organisation's name.",
        "support_type": "The kind of support infrastructure it is.",
        "functions": "What it does to support innovation.",
        "description": "What the organisation does, in a sentence or two of your own words.",
        "website": "The organisation's own domain, bare (for example scie.org.uk, no https://); "
                   "blank if not certain.",
        "synthetic": "true if the organisation record is demo data, false if it is real.",
        "area_level": "The level of the area this row covers.",
        "area_code": "E92000001 (England) for a national row; an E12 region code for a region "
                     "row; the council's 2023 GSS code for a council row.",
        "coverage_source": "Where the fact that it covers this area comes from, in words.",
        "coverage_synthetic": "true if this coverage row is demo data (for example an "
                              "approximate footprint), false if it is real.",
    },
}
#: Per kind: what the template is for, what one row is, an example of several codes in a cell.
KIND_NOTES = {
    "survey": ("survey responses (either questionnaire)",
               "Respondent. Respondents of one organisation share its org_id. A council row "
               "leaves provider-only items blank, and a provider row council-only items.",
               "meet_demand;prevention"),
    "innovations": ("the innovation inventory",
                    "Innovation × council where it is in use, with the innovation's fields "
                    "repeated (and identical) on each of its rows.",
                    "older_people;carers"),
    "infrastructure": ("the support-infrastructure inventory",
                       "Support organisation × area it covers, with the organisation's fields "
                       "repeated (and identical) on each of its rows.",
                       "funding;evidence_knowledge"),
}
_TYPOLOGY_COLUMNS = {**inv.INNOVATION_CODES, **inv.ORGANISATION_CODES}
_WHOLE = {"wave": (fmt.MIN_WAVE, fmt.MAX_WAVE), "start_year": (inv.MIN_YEAR, inv.MAX_YEAR),
          "end_year": (inv.MIN_YEAR, inv.MAX_YEAR)}
_FIXED_CODES = {
    "org_type": (fmt.ORG_TYPES, ("council questionnaire", "provider questionnaire")),
    "area_level": (inv.AREA_LEVELS, ("England, code E92000001", "a region, E12 code",
                                 "a council, 2023 GSS code")),
}
_BOOLEAN = (("true", "false"), ("synthetic demo data", "real data"))
_NOTES = {("survey", "council_code"): RESOLVED, ("innovations", "council_code"): RESOLVED,
          **{("innovations", c): NEEDED_WITH_COUNCIL
             for c in ("start_year", "adoption_source", "adoption_synthetic")}}


@dataclass(frozen=True)
class ColumnSpec:
    """One column of an import file, as the dictionary describes it and Excel checks it."""

    name: str
    required: bool
    description: str
    value_type: str = "text"
    codes: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None
    multi: bool = False
    typology: str = ""
    questionnaire: str = NOT_APPLICABLE
    combine: str = NOT_APPLICABLE
    notes: str = ""


def _list_formula(codes: tuple[str, ...]) -> str | None:
    """Return an inline list source for a drop-down, or None when Excel cannot hold it."""
    joined = ",".join(codes)
    return f'"{joined}"' if len(joined) <= MAX_INLINE_LIST else None


def _plain_spec(kind: str, column: str, data_dir: Path | str | None) -> ColumnSpec:
    """Describe a column that is not a codebook item: ids, codes, years, flags, text."""
    spec = ColumnSpec(column, column not in fmt.OPTIONAL_CELLS[kind], DESCRIPTIONS[kind][column],
                      notes=_NOTES.get((kind, column), ""))
    if column in _TYPOLOGY_COLUMNS:
        name, is_list, _ = _TYPOLOGY_COLUMNS[column]
        table = inv.typology(name, data_dir)
        note = f"Codes of the {name} typology; definitions on the '{CODES_SHEET}' sheet."
        return replace(spec, value_type="codes" if is_list else "code", multi=is_list,
                       codes=tuple(table["code"]), labels=tuple(table["label"]),
                       typology=name, notes=f"{note} {MULTI_NOTE}" if is_list else note)
    if column in _WHOLE:
        low, high = _WHOLE[column]
        return replace(spec, value_type="whole number", low=low, high=high)
    if column.endswith("synthetic"):
        return replace(spec, value_type="true/false", codes=_BOOLEAN[0], labels=_BOOLEAN[1])
    if column in _FIXED_CODES:
        codes, labels = _FIXED_CODES[column]
        return replace(spec, value_type="code", codes=codes, labels=labels)
    return replace(spec, value_type="code or name" if column == "council_code" else "text")


def _item_spec(item: dict) -> ColumnSpec:
    """Describe one codebook item; every item is optional (blank = not answered)."""
    rtype, rule = item["response_type"], item["combine_rule"]
    labels = item["value_labels"].split("|") if item["value_labels"] else []
    bounds = {} if rtype != "count" else {"low": int(item["min"]), "high": int(item["max"])}
    notes = f"{TYPE_NOTES.get(rtype, '')} {item['notes']}".strip()
    return ColumnSpec(item["item_id"], False, item["question"], rtype, tuple(allowed_values(item)),
                      tuple(labels), multi=rtype == "multi_select", notes=notes,
                      questionnaire=item["questionnaire"],
                      combine=f"{rule}: {COMBINE_TEXT[rule]}", **bounds)


def column_specs(kind: str, data_dir: Path | str | None = None) -> list[ColumnSpec]:
    """Return the description of every column of one import kind, in file order.

    Parameters
    ----------
    kind : {"survey", "innovations", "infrastructure"}
    data_dir : path, optional
        Folder of bundled data (codebook and typologies); defaults to the configured one.

    Returns
    -------
    list of ColumnSpec
        One per column of ``survey_format.import_columns(kind)``, in that order.

    Raises
    ------
    ValueError
        If ``kind`` is not one of :data:`survey_format.IMPORT_KINDS`.
    """
    columns = fmt.import_columns(kind, data_dir)
    items = {} if kind != "survey" else {
        rec["item_id"]: rec for rec in load_codebook(data_dir).to_dict("records")}
    return [_item_spec(items[c]) if c in items and c not in fmt.SURVEY_ID_COLUMNS
            else _plain_spec(kind, c, data_dir) for c in columns]


def _validation(spec: ColumnSpec) -> tuple[str, str, str | None] | None:
    """Return (type, formula1, formula2) of the column's Excel check, or None for none."""
    if spec.low is not None:
        return "whole", str(spec.low), str(spec.high)
    formula = _list_formula(spec.codes) if spec.codes and not spec.multi else None
    return ("list", formula, None) if formula else None


def _dictionary_row(spec: ColumnSpec) -> dict[str, str]:
    notes = spec.notes
    if spec.codes and not spec.multi and _validation(spec) is None:
        notes = f"{notes} No drop-down list: too many codes for Excel's list.".strip()
    na = NOT_APPLICABLE
    return {
        "column": spec.name, "required": "yes" if spec.required else "no",
        "questionnaire": spec.questionnaire, "question or description": spec.description,
        "description": spec.description, "response type": spec.value_type,
        "value type": spec.value_type, "allowed codes": ", ".join(spec.codes) or na,
        "code labels": "; ".join(f"{c} = {lab}" for c, lab in zip(spec.codes, spec.labels,
                                                                  strict=True)) or na,
        "range": na if spec.low is None else f"{spec.low} to {spec.high}",
        "how several respondents combine": spec.combine, "notes": notes or na,
    }


def _about_rows(kind: str, columns: list[str], has_codes: bool) -> list[tuple[str, str]]:
    what, unit, example = KIND_NOTES[kind]
    sheets = f"'{kind}' (fill this in), '{DICTIONARY_SHEET}' (every column explained)"
    if has_codes:
        sheets += f", '{CODES_SHEET}' (every typology code with its definition)"
    rows = [
        ("What this file is", f"An empty import template for {what}. This template contains "
                              "no data."),
        ("Sheets", f"{sheets}, '{ABOUT_SHEET}' (this guidance)."),
        ("One row per", unit),
        ("How to fill it", f"Type or paste one row per record into the '{kind}' sheet from "
                           "row 2 down. Keep row 1 exactly as it is: do not rename, reorder, "
                           "add or remove columns."),
        ("Blank cells", "A blank cell means not answered (or not known); it is never read as "
                        "zero or 'no'. Columns marked required in the data dictionary must be "
                        "filled on every row."),
        ("Several codes in one cell", f"Separate codes with '{MULTI_SEPARATOR}', for example "
                                      f"{example}."),
        ("true/false columns", "Type true or false in lower case."),
        ("Drop-down lists", f"Coded columns offer a drop-down list and whole-number columns "
                            f"a range check in rows 2 to {MAX_TEMPLATE_ROWS}. Excel does not "
                            "check pasted values, but the import checks every cell."),
    ]
    if "council_code" in columns:
        rows.append(("council_code", RESOLVED))
    rows += [
        ("How to import", f"Save the file, then run: sasci-map import {kind} FILE.xlsx"),
        ("Dashes", f"In the '{DICTIONARY_SHEET}' sheet, {NOT_APPLICABLE} means not applicable."),
        ("Licence and attribution", "Area codes are ONS GSS codes. "
                                    f"{ONS_ATTRIBUTION}. Typology and codebook wording: this "
                                    "project's own (MIT)."),
        ("Data", "This template contains no data."),
    ]
    return rows


def _add_table(ws: Worksheet, name: str, headers: tuple[str, ...] | list[str],
               rows: list[list[str]]) -> None:
    """Write a header row and rows as one styled Excel table with a frozen, bold header."""
    ws.append(list(headers))
    for row in rows:
        ws.append(row)
    last = get_column_letter(len(headers))
    ws.add_table(Table(displayName=name, ref=f"A1:{last}{max(len(rows), 1) + 1}",
                       tableStyleInfo=TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)))
    ws.freeze_panes = "A2"
    for cell in ws[1]:
        cell.font = Font(bold=True)


def _add_reference_sheet(wb: Workbook, title: str, table: str, headers: tuple[str, ...],
                         rows: list[list[str]]) -> None:
    ws = wb.create_sheet(title)
    _add_table(ws, table, headers, rows)
    for number, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(number)].width = WIDTHS.get(header, 16)
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _add_data_sheet(ws: Worksheet, kind: str, specs: list[ColumnSpec]) -> None:
    _add_table(ws, f"{kind}_data", [s.name for s in specs], [])
    checks: dict[tuple[str, str, str | None], DataValidation] = {}
    for number, spec in enumerate(specs, start=1):
        letter = get_column_letter(number)
        dimension = ws.column_dimensions[letter]
        dimension.width = max(len(spec.name) + 4, 10)  # room for the filter button
        if spec.low is None and not (spec.codes and all(c.isdigit() for c in spec.codes)):
            dimension.number_format = "@"  # keep ids, codes and "true" as typed text
        key = _validation(spec)
        if key is None:
            continue
        if key not in checks:
            kind_of, first, second = key
            checks[key] = DataValidation(
                type=kind_of, operator="between" if kind_of == "whole" else None,
                formula1=first, formula2=second, allow_blank=True, showErrorMessage=True,
                errorTitle="Not allowed here",
                error=("Choose a code from the list" if kind_of == "list" else
                       f"Type a whole number from {first} to {second}")
                + f"; see the '{DICTIONARY_SHEET}' sheet.")
            ws.add_data_validation(checks[key])
        checks[key].add(f"{letter}2:{letter}{MAX_TEMPLATE_ROWS}")


def write_template(kind: str, out: Path | str, data_dir: Path | str | None = None) -> Path:
    """Write an empty import template for one kind of file, with a data dictionary.

    Parameters
    ----------
    kind : {"survey", "innovations", "infrastructure"}
        Which import file the template is for (see ``survey_format.IMPORT_KINDS``).
    out : path
        The ``.xlsx`` file to write; its folder must exist. An existing file is overwritten.
    data_dir : path, optional
        Folder of bundled data (codebook and typologies); defaults to the configured one.

    Returns
    -------
    Path
        ``out``, as written. Sheets: the data sheet (named ``kind``: the header row only,
        with drop-downs), ``data dictionary``, ``codes`` (inventories only) and ``about``.

    Raises
    ------
    ValueError
        If ``kind`` is not an import kind or ``out`` does not end with ``.xlsx``.
    FileNotFoundError
        If the folder of ``out`` does not exist.
    """
    if kind not in fmt.IMPORT_KINDS:
        raise ValueError(f"import kind {kind!r}: expected one of {list(fmt.IMPORT_KINDS)}")
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise ValueError(f"{out}: a template must be an .xlsx file (name ending in .xlsx)")
    if not out.parent.is_dir():
        raise FileNotFoundError(f"{out}: folder {out.parent} does not exist; create it first")
    specs = column_specs(kind, data_dir)
    wb = Workbook()
    ws = wb.active
    ws.title = kind
    _add_data_sheet(ws, kind, specs)
    headers = SURVEY_DICTIONARY if kind == "survey" else INVENTORY_DICTIONARY
    rows = [_dictionary_row(s) for s in specs]
    _add_reference_sheet(wb, DICTIONARY_SHEET, f"{kind}_dictionary", headers,
                         [[row[h] for h in headers] for row in rows])
    used = dict.fromkeys(s.typology for s in specs if s.typology)
    if used:
        codes = [[name, *rec] for name in used for rec in
                 inv.typology(name, data_dir)[["code", "label", "definition"]].itertuples(
                     index=False, name=None)]
        _add_reference_sheet(wb, CODES_SHEET, f"{kind}_codes", CODES_HEADERS, codes)
    about = _about_rows(kind, [s.name for s in specs], bool(used))
    _add_reference_sheet(wb, ABOUT_SHEET, f"{kind}_about", ABOUT_HEADERS,
                         [list(r) for r in about])
    wb.save(out)
    return out
