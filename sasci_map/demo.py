"""The seeded synthetic demo survey, its benchmark scaling, and the inventories as import files."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from sasci_map import inventory as inv
from sasci_map.codebook import MULTI_SEPARATOR, allowed_values, items_for, load_codebook
from sasci_map.config import get_settings
from sasci_map.context import context_values
from sasci_map.geography import councils
from sasci_map.survey_format import INFRASTRUCTURE_IMPORT_COLUMNS as INFRASTRUCTURE_COLUMNS
from sasci_map.survey_format import INNOVATIONS_IMPORT_COLUMNS as INNOVATIONS_COLUMNS
from sasci_map.survey_format import SURVEY_ID_COLUMNS, survey_columns

#: Seed of the bundled demo set (the year SASCI fieldwork began).
DEMO_SEED = 2023
#: Where the bundled demo set lives, relative to the data folder.
DEMO_DIR = Path("survey") / "demo"
#: How demo data is labelled wherever it shows.
SYNTHETIC_LABEL = "synthetic demo data"
WAVES = ("2023", "2025")
#: SASCI achieved 51 council and 98 provider responses; each wave aims at that, give or take.
TARGET_COUNCILS, TARGET_PROVIDERS = 51, 98
COUNCIL_JITTER, PROVIDER_JITTER = 4, 8
#: Share of 2023 councils and providers answering again in 2025 (a partial panel).
RETAIN_COUNCILS, RETAIN_PROVIDERS = 0.6, 0.5
#: Respondents per organisation: several staff of one organisation could answer.
RESPONDENTS, RESPONDENT_PROBS = (1, 2, 3), (0.80, 0.15, 0.05)
#: Log-odds weight of standardised log adult population on council response (big councils reply).
POP_RESPONSE = 0.8
#: Council effect on capacity per standard deviation: deprivation lowers it, size raises it.
IMD_EFFECT, POP_EFFECT, COUNCIL_SD = -0.45, 0.25, 0.35
#: Providers feel the local council effect only partly; their own noise is larger.
PROVIDER_LOADING, COUNCIL_ORG_SD, PROVIDER_ORG_SD = 0.6, 0.4, 0.6
PROVIDER_SIZE_EFFECT = {"micro": -0.3, "small": -0.1, "medium": 0.1, "large": 0.35}
#: Average gain in capacity from the 2023 to the 2025 wave (so trends exist), with noise.
WAVE_GAIN, WAVE_SD, CLUSTER_SD, RATER_SD, ITEM_SD = {"2023": 0.0, "2025": 0.25}, 0.3, 0.4, 0.3, 0.7
#: Likert answer = 3 + cluster offset + slope * capacity + noise (resources are scarcest).
LIKERT_SLOPE = 1.0
CLUSTER_OFFSET = {"collaboration": 0.4, "leadership": 0.2, "knowledge": 0.0, "resources": -0.6,
                  "culture": 0.1}
#: P(used) of each support type at average capacity, (council, provider); councils know more.
SUPPORT_USED = {
    "funder": (0.45, 0.25), "network_membership": (0.6, 0.45), "improvement_agency": (0.55, 0.35),
    "health_innovation_network": (0.4, 0.15), "university_research": (0.35, 0.1),
    "regulator": (0.3, 0.35), "consultancy_social_investor": (0.25, 0.1),
    "digital_tech_support": (0.4, 0.3), "peer_learning": (0.5, 0.3),
    "incubator_accelerator": (0.1, 0.05),
}  # fmt: skip
AWARE_NOT_USED = {"council": 0.65, "provider": 0.45}
SUPPORT_SLOPE = 0.8
#: Mean count (council, provider) at average capacity; bigger, abler councils do more.
COUNT_MEAN = {"activity_generated": (3.0, 1.5), "activity_adopted": (5.0, 2.5)}
COUNT_SLOPE, COUNT_POP_SLOPE = 0.5, 0.3
#: Stage of the main innovation: base share and how capacity tilts it (abandoned is not late).
STAGE_BASE = {"idea": 0.10, "adopted": 0.12, "piloting": 0.20, "implemented": 0.25,
              "spreading": 0.12, "sustained": 0.15, "abandoned": 0.06}
STAGE_SCORE = {"idea": -2, "adopted": -1, "piloting": -0.5, "implemented": 0.5, "spreading": 1.5,
               "sustained": 2, "abandoned": -1}
STAGE_TILT = 0.3
#: Whether the main innovation spread: fewer than half say yes at average capacity; some don't know.
SPREAD_LOGIT, SPREAD_SLOPE, SPREAD_DONT_KNOW = -0.3, 0.8, 0.12
REASON_P = {"improve_outcomes": 0.7, "meet_demand": 0.5, "reduce_costs": 0.45, "workforce": 0.4,
            "personalisation": 0.35, "prevention": 0.4, "integration": 0.3,
            "policy_requirement": 0.2, "funding_opportunity": 0.25, "other": 0.05}
BARRIER_P = {"lack_funding": 0.65, "lack_staff_time": 0.55, "workforce_shortages": 0.5,
             "risk_aversion": 0.25, "commissioning": 0.25, "regulation": 0.15,
             "lack_evidence": 0.2, "lack_digital": 0.25, "lack_partners": 0.15, "other": 0.05}
#: Log-odds per standard deviation: barriers rise with deprivation, fall with capacity.
BARRIER_IMD_SLOPE, BARRIER_CAP_SLOPE, REASON_CAP_SLOPE = 0.4, -0.3, 0.2
ROLE_P = {"council": {"director": 0.25, "senior_manager": 0.4, "manager": 0.3,
                      "practitioner": 0.03, "other": 0.02},
          "provider": {"director": 0.4, "senior_manager": 0.2, "manager": 0.28,
                       "practitioner": 0.07, "other": 0.05}}
PROVIDER_TYPE_P = {"residential": 0.3, "nursing": 0.15, "home_care": 0.3, "day_care": 0.07,
                   "supported_living": 0.12, "other": 0.06}
PROVIDER_SIZE_P = {"micro": 0.15, "small": 0.4, "medium": 0.3, "large": 0.15}
#: Item non-response (a few % of cells blank) and how often free text is filled in.
NONRESPONSE, FREE_TEXT_RATE = 0.03, 0.1
#: Domains never blanked at random: role and organisation facts, and free text (mostly blank).
ALWAYS_ANSWERED = ("respondent", "free_text")
FREE_TEXTS = (f"This is {SYNTHETIC_LABEL}: an invented answer, not from a real respondent.",
              f"Placeholder text ({SYNTHETIC_LABEL}); no real organisation is described here.")
#: Inventory columns rendered as true/false and as plain years in the import files.
BOOLEAN_COLUMNS = ("synthetic", "adoption_synthetic", "coverage_synthetic")
YEAR_COLUMNS = ("start_year", "end_year")


def _data_dir(data_dir: Path | str | None) -> Path:
    return Path(get_settings().data_dir if data_dir is None else data_dir).resolve()


@lru_cache(maxsize=8)
def _areas(data_dir: Path) -> pd.DataFrame:
    """Councils with adult population and IMD score, standardised (missing IMD: region median)."""
    table = councils(data_dir)[["code", "region_code"]]
    values = context_values(data_dir)
    for column, indicator in (("adults", "pop_18_plus"), ("imd", "imd_average_score")):
        rows = values[values["indicator_id"] == indicator]
        series = rows.set_index("area_code")["value"].astype(float).rename(column)
        table = table.merge(series, left_on="code", right_index=True, how="left", validate="1:1")
    if table["adults"].isna().any() or (table["adults"] <= 0).any():
        raise ValueError("context indicator pop_18_plus: expected a positive value per council")
    table["imd"] = table["imd"].fillna(table.groupby("region_code")["imd"].transform("median"))
    log_pop = np.log(table["adults"])
    table["z_pop"] = (log_pop - log_pop.mean()) / log_pop.std()
    table["z_imd"] = (table["imd"] - table["imd"].mean()) / table["imd"].std()
    return table


def _top_k(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """Weighted sample of ``k`` positions without replacement (Efraimidis-Spirakis), sorted."""
    keys = np.log(rng.random(len(weights))) / weights
    return np.sort(np.argsort(-keys, kind="stable")[:k])


def _pick(rng: np.random.Generator, probs: dict[str, float], n: int) -> np.ndarray:
    p = np.array(list(probs.values()))
    return np.array(list(probs), dtype=object)[rng.choice(len(p), size=n, p=p / p.sum())]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1.0 - p))


def _organisations(rng: np.random.Generator, areas: pd.DataFrame) -> pd.DataFrame:
    """One row per organisation and wave it answers in, with its latent capacity."""
    n_areas, z_pop = len(areas), areas["z_pop"].to_numpy()
    share = areas["adults"].to_numpy() / areas["adults"].sum()
    effect = (IMD_EFFECT * areas["z_imd"].to_numpy() + POP_EFFECT * z_pop
              + rng.normal(0, COUNCIL_SD, n_areas))
    n_c = TARGET_COUNCILS + rng.integers(-COUNCIL_JITTER, COUNCIL_JITTER + 1, size=2)
    n_p = TARGET_PROVIDERS + rng.integers(-PROVIDER_JITTER, PROVIDER_JITTER + 1, size=2)
    weight = np.exp(POP_RESPONSE * z_pop)
    c23 = _top_k(rng, weight, n_c[0])
    kept = np.sort(rng.choice(c23, size=round(RETAIN_COUNCILS * n_c[0]), replace=False))
    rest = np.setdiff1d(np.arange(n_areas), c23)
    c25 = np.union1d(kept, rest[_top_k(rng, weight[rest], n_c[1] - len(kept))])
    p_kept = np.sort(rng.choice(n_p[0], size=round(RETAIN_PROVIDERS * n_p[0]), replace=False))
    n_prov = n_p[0] + n_p[1] - len(p_kept)
    p_area = rng.choice(n_areas, size=n_prov, p=share)
    size = _pick(rng, PROVIDER_SIZE_P, n_prov)
    provider = pd.DataFrame({
        "org_id": [f"P-{i:04d}" for i in range(1, n_prov + 1)], "org_type": "provider",
        "area": p_area, "provider_type": _pick(rng, PROVIDER_TYPE_P, n_prov),
        "provider_size": size,
        "base": (PROVIDER_LOADING * effect[p_area] + pd.Series(size).map(PROVIDER_SIZE_EFFECT)
                 + rng.normal(0, PROVIDER_ORG_SD, n_prov)),
    })  # fmt: skip
    council = pd.DataFrame({
        "org_id": "C-" + areas["code"], "org_type": "council", "area": np.arange(n_areas),
        "provider_type": "", "provider_size": "",
        "base": effect + rng.normal(0, COUNCIL_ORG_SD, n_areas),
    })  # fmt: skip
    p25 = np.concatenate([p_kept, np.arange(n_p[0], n_prov)])
    waves = [council.iloc[c23], provider.iloc[: n_p[0]], council.iloc[c25], provider.iloc[p25]]
    orgs = pd.concat(waves, keys=[WAVES[0], WAVES[0], WAVES[1], WAVES[1]], names=["wave", None])
    orgs = orgs.reset_index(level=0).reset_index(drop=True)
    orgs["latent"] = (orgs["base"] + orgs["wave"].map(WAVE_GAIN)
                      + rng.normal(0, WAVE_SD, len(orgs)))
    orgs["n_resp"] = rng.choice(RESPONDENTS, size=len(orgs), p=RESPONDENT_PROBS)
    return orgs


def _multi(rng: np.random.Generator, codes: list[str], logits: np.ndarray) -> np.ndarray:
    """Draw multi-select answers (at least one code each) and join them in codebook order."""
    chosen = rng.random(logits.shape) < _sigmoid(logits)
    none = ~chosen.any(axis=1)
    fallback = np.argmax(rng.random(logits.shape) * _sigmoid(logits), axis=1)
    chosen[none, fallback[none]] = True
    unique, inverse = np.unique(chosen, axis=0, return_inverse=True)
    text = [MULTI_SEPARATOR.join(np.array(codes)[row]) for row in unique]
    return np.array(text, dtype=object)[inverse]


def _answer(rng: np.random.Generator, item: pd.Series, resp: pd.DataFrame) -> np.ndarray:
    """Answers of every respondent to one item, as text (blank for the other questionnaire)."""
    n, codes, item_id = len(resp), allowed_values(item), item["item_id"]
    council = (resp["org_type"] == "council").to_numpy()
    cap = resp["latent"].to_numpy()
    rtype, domain = item["response_type"], item["domain"]
    if rtype == "likert5":
        k = resp[f"cap_{item['capability_cluster']}"].to_numpy()
        sign = -1.0 if item["polarity"] == "lower_is_better" else 1.0
        offset = CLUSTER_OFFSET.get(item["capability_cluster"], 0.0) if sign > 0 else 0.0
        y = (3 + offset + sign * LIKERT_SLOPE * k + resp["rater"].to_numpy()
             + rng.normal(0, ITEM_SD, n))
        return np.clip(np.rint(y), 1, 5).astype(int).astype(str).astype(object)
    if rtype == "count":
        mean = np.where(council, *COUNT_MEAN.get(item_id, (2.0, 1.0)))
        size = COUNT_POP_SLOPE * council * resp["z_pop"].to_numpy()
        lam = mean * np.exp(COUNT_SLOPE * cap + size)
        counts = np.clip(rng.poisson(lam), int(item["min"]), int(item["max"]))
        return counts.astype(str).astype(object)
    if rtype == "multi_select":
        probs = REASON_P if domain == "reasons" else BARRIER_P if domain == "barriers" else {}
        shift = (BARRIER_IMD_SLOPE * resp["z_imd"].to_numpy() + BARRIER_CAP_SLOPE * cap
                 if domain == "barriers" else REASON_CAP_SLOPE * cap)
        base = _logit(np.array([probs.get(c, 0.2) for c in codes]))
        return _multi(rng, codes, base + shift[:, None])
    if rtype == "yes_no_dk":
        u, yes = rng.random(n), _sigmoid(SPREAD_LOGIT + SPREAD_SLOPE * cap)
        return np.where(u < SPREAD_DONT_KNOW, "dont_know",
                        np.where(rng.random(n) < yes, "yes", "no")).astype(object)
    if rtype == "free_text":
        text = rng.choice(np.array(FREE_TEXTS, dtype=object), size=n)
        return np.where(rng.random(n) < FREE_TEXT_RATE, text, "")
    if item_id == "resp_role":
        roles = {t: _pick(rng, ROLE_P[t], n) for t in ROLE_P}
        return np.where(council, roles["council"], roles["provider"])
    if item_id in ("resp_provider_type", "resp_provider_size"):
        return resp[item_id.removeprefix("resp_")].to_numpy(dtype=object)
    if item["support_type"] and codes == ["not_aware", "aware_not_used", "used"]:
        used = _logit(np.where(council, *SUPPORT_USED.get(item["support_type"], (0.3, 0.2))))
        aware = _logit(np.where(council, AWARE_NOT_USED["council"], AWARE_NOT_USED["provider"]))
        is_used = rng.random(n) < _sigmoid(used + SUPPORT_SLOPE * cap)
        is_aware = rng.random(n) < _sigmoid(aware + SUPPORT_SLOPE / 2 * cap)
        return np.where(is_used, "used", np.where(is_aware, "aware_not_used", "not_aware"))
    if item_id == "activity_stage" or set(codes) == set(STAGE_BASE):
        base = np.log([STAGE_BASE.get(c, 0.1) for c in codes])
        score = np.array([STAGE_SCORE.get(c, 0.0) for c in codes])
        logits = base + STAGE_TILT * cap[:, None] * score + rng.gumbel(size=(n, len(codes)))
        return np.array(codes, dtype=object)[np.argmax(logits, axis=1)]
    return np.array(codes, dtype=object)[rng.integers(0, len(codes), size=n)]


def generate_survey(seed: int, data_dir: Path | str | None = None) -> pd.DataFrame:
    """Generate the synthetic demo survey: two waves of council and provider respondents.

    Each wave has about 51 of the 153 councils (bigger councils answer more often) and about 98
    providers, placed in councils in proportion to adult population; 2025 repeats about 60% of
    the 2023 councils and 50% of the providers under the same ``org_id``. Answers follow a latent
    capacity per organisation that falls with deprivation, rises with population and improves a
    little by 2025. Every cell is text, blank when not answered; every row is demo data.

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same frame.
    data_dir : path, optional
        Folder of bundled data (codebook, councils, context); defaults to the configured one.

    Returns
    -------
    pandas.DataFrame
        One row per respondent, columns ``survey_columns(data_dir)`` in order, sorted by wave,
        organisation type and ``org_id``; ``synthetic`` is ``"true"`` on every row.

    Raises
    ------
    ValueError
        If the seed is negative or the context data lack a council's adult population.
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed {seed!r}: expected a whole number >= 0")
    root = _data_dir(data_dir)
    rng, areas, book = np.random.default_rng(seed), _areas(root), load_codebook(root)
    orgs = _organisations(rng, areas)
    orgs = orgs.sort_values(["wave", "org_type", "org_id"], ignore_index=True)
    for cluster in CLUSTER_OFFSET:
        orgs[f"cap_{cluster}"] = orgs["latent"] + rng.normal(0, CLUSTER_SD, len(orgs))
    resp = orgs.loc[orgs.index.repeat(orgs["n_resp"])].reset_index(drop=True)
    resp = resp.join(areas[["code", "z_pop", "z_imd"]], on="area")
    resp["rater"] = rng.normal(0, RATER_SD, len(resp))
    number = resp.groupby("wave").cumcount() + 1
    cells = {
        "respondent_id": ("R" + resp["wave"] + "-" + number.map("{:04d}".format)).to_numpy(),
        "org_id": resp["org_id"].to_numpy(), "org_type": resp["org_type"].to_numpy(),
        "council_code": resp["code"].to_numpy(), "wave": resp["wave"].to_numpy(),
        "synthetic": np.full(len(resp), "true", dtype=object),
    }  # fmt: skip
    asked = {t: set(items_for(t, root)["item_id"]) for t in ("council", "provider")}
    for _, item in book.iterrows():
        text = _answer(rng, item, resp)
        rate = 0.0 if item["domain"] in ALWAYS_ANSWERED else NONRESPONSE
        skip = rng.random(len(resp)) < rate
        skip |= ~np.where(cells["org_type"] == "council", item["item_id"] in asked["council"],
                          item["item_id"] in asked["provider"])
        cells[item["item_id"]] = np.where(skip, "", text).astype(object)
    return pd.DataFrame(cells, columns=survey_columns(root)).astype(str)


def scale_survey(frame: pd.DataFrame, n_rows: int, seed: int = 0) -> pd.DataFrame:
    """Tile a survey to exactly ``n_rows`` rows for benchmarks, keeping organisations whole.

    The first replicate is the whole survey; later ones hold its provider organisations only
    (a council answers as one organisation per wave, so councils cannot repeat), each in a
    fresh random order. Ids get the suffix ``-<replicate>`` (``org_id`` too, so an
    organisation keeps its respondents, type, council and waves). The last replicate is cut
    at ``n_rows``, possibly inside an organisation.

    Parameters
    ----------
    frame : pandas.DataFrame
        A survey such as :func:`generate_survey` returns (unique ``respondent_id``).
    n_rows : int
        Number of rows wanted, 0 or more.
    seed : int, default 0
        Seed of the organisation order within each replicate.

    Returns
    -------
    pandas.DataFrame
        ``n_rows`` rows, the columns of ``frame``, unique ``respondent_id``.

    Raises
    ------
    ValueError
        If ``n_rows`` is negative, ``frame`` is empty while rows are asked for, an id column is
        missing or ``respondent_id`` repeats.
    """
    if n_rows < 0:
        raise ValueError(f"n_rows {n_rows!r}: expected a whole number >= 0")
    missing = [c for c in SURVEY_ID_COLUMNS[:5] if c not in frame.columns]
    if missing or frame["respondent_id"].duplicated().any():
        raise ValueError(f"survey frame: expected id columns {list(SURVEY_ID_COLUMNS[:5])} "
                         f"(missing: {missing}) and unique respondent_id values")
    if frame.empty and n_rows:
        raise ValueError(f"survey frame is empty: cannot make {n_rows} rows")
    if n_rows == 0:
        return frame.iloc[:0].copy()
    first = _tile(frame, min(n_rows, len(frame)), seed, start=0)
    providers = frame[frame["org_type"] == "provider"]
    if n_rows <= len(frame):
        return first
    if providers.empty:
        raise ValueError("survey frame has no provider rows to replicate beyond one copy")
    rest = _tile(providers, n_rows - len(frame), seed, start=1)
    return pd.concat([first, rest], ignore_index=True)


def _tile(frame: pd.DataFrame, n_rows: int, seed: int, start: int) -> pd.DataFrame:
    """Repeat ``frame`` to ``n_rows`` rows, organisations shuffled per replicate, ids suffixed."""
    block = frame.groupby(["wave", "org_id"], sort=False).ngroup().to_numpy()
    n_reps = -(-n_rows // len(frame))
    rep, row = np.repeat(np.arange(n_reps), len(frame)), np.tile(np.arange(len(frame)), n_reps)
    priority = np.random.default_rng(seed).random((n_reps, block.max() + 1))[rep, block[row]]
    take = np.lexsort((row, priority, rep))[:n_rows]
    label = np.char.mod("-%06d", np.arange(start, start + n_reps)).astype(object)[rep[take]]
    out = frame.iloc[row[take]].reset_index(drop=True)
    for column in ("respondent_id", "org_id"):
        out[column] = pd.Series(out[column].to_numpy(dtype=object) + label, dtype=str)
    return out


def _text(values: pd.Series) -> pd.Series:
    """Booleans as true/false, whole numbers as digits, missing as blank; everything as str."""
    if values.name in BOOLEAN_COLUMNS:
        values = values.map({True: "true", False: "false"})
    elif values.name in YEAR_COLUMNS:
        values = values.astype("Int64").astype("string")
    return values.fillna("").astype(str)


def inventory_import_frames(data_dir: Path | str | None = None,
                            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Flatten the bundled inventories into the innovations and infrastructure import formats.

    Parameters
    ----------
    data_dir : path, optional
        Folder of bundled data; defaults to the configured one.

    Returns
    -------
    innovations : pandas.DataFrame
        ``INNOVATIONS_IMPORT_COLUMNS``: one row per innovation x council in use (adoption
        ``source``/``synthetic`` as ``adoption_source``/``adoption_synthetic``); an innovation
        in use nowhere has one row with those and the council and year cells blank. Sorted by
        ``innovation_id`` and ``council_code``.
    infrastructure : pandas.DataFrame
        ``INFRASTRUCTURE_IMPORT_COLUMNS``: one row per organisation x coverage row; an
        organisation without coverage has one row with the four coverage cells blank. Sorted by
        ``org_id``, area level (national, region, council) and ``area_code``.

    Raises
    ------
    DataValidationError
        If an inventory file breaks a rule (see :mod:`sasci_map.inventory`).
    """
    root = _data_dir(data_dir)
    adoption = inv.innovation_councils(root).rename(
        columns={"source": "adoption_source", "synthetic": "adoption_synthetic"})
    inn = inv.innovations(root).merge(adoption, on="innovation_id", how="left", validate="1:m")
    inn = inn.sort_values(["innovation_id", "council_code"], na_position="first")
    coverage = inv.support_coverage(root).rename(
        columns={"source": "coverage_source", "synthetic": "coverage_synthetic"})
    infra = inv.support_organisations(root).merge(coverage, on="org_id", how="left", validate="1:m")
    level = infra["area_level"].map({lv: i for i, lv in enumerate(inv.AREA_LEVELS)})
    infra = infra.assign(_level=level).sort_values(["org_id", "_level", "area_code"])
    flat = [pd.DataFrame({c: _text(table[c]) for c in columns}).reset_index(drop=True)
            for table, columns in ((inn, INNOVATIONS_COLUMNS), (infra, INFRASTRUCTURE_COLUMNS))]
    return flat[0], flat[1]


def write_demo(out_dir: Path | str, seed: int, data_dir: Path | str | None = None,
               ) -> dict[str, Path]:
    """Write the demo survey and the inventory import files as CSV into ``out_dir``.

    Parameters
    ----------
    out_dir : path
        Folder to write to; created if missing. Existing files of the same names are replaced.
    seed : int
        Seed of the survey (the bundled set uses :data:`DEMO_SEED`).
    data_dir : path, optional
        Folder of bundled data; defaults to the configured one.

    Returns
    -------
    dict of str to Path
        ``{"survey": ..., "innovations": ..., "infrastructure": ...}``, the files written
        (UTF-8, comma-separated, newline line endings, header row). The same seed and data give
        byte-identical files.

    Raises
    ------
    ValueError
        As :func:`generate_survey`.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    frames = dict(zip(("survey", "innovations", "infrastructure"),
                      (generate_survey(seed, data_dir), *inventory_import_frames(data_dir)),
                      strict=True))
    for name, frame in frames.items():
        frame.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\n")
    return {name: folder / f"{name}.csv" for name in frames}
