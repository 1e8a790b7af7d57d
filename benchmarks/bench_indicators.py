"""Benchmark the survey indicator engine at 10k, 100k and 1M respondents against a naive loop.

Run:  .venv/bin/python benchmarks/bench_indicators.py [--sizes 10000 100000 1000000]
      [--naive-max 100000]

Times all indicators at all levels (153 councils, 9 regions, England) and every wave, starting
from respondent rows as stored (the shape ``survey_store.read_responses`` returns): stage 1
``aggregate.organisation_answers`` (respondents to one row per wave and organisation), stage 2
``survey_indicators.indicator_values`` (scores, figures, intervals, states, suppression).
Respondents are synthetic: the demo survey tiled by ``demo.scale_survey`` and validated by
``survey_import.validate_survey``; that preparation and writing the rows to a Parquet file are
not timed. Each measurement runs in a fresh Python process that reads the Parquet file, so its
peak memory (``ru_maxrss``) is that pipeline's own plus its input.

The naive baseline shares stage 1 and replaces stage 2 by the obvious implementation: for each
indicator, level, wave and area, filter the organisation frame with a boolean mask, score the
organisations in a Python loop and compute count, sum, mean, sd and the Wilson or t interval
(``sasci_map.stats``) for that one area, then apply the same states and secondary suppression
in Python. It gives one figure per indicator, area and wave, as the engine does. On the
smallest naive size the two outputs are compared. Aim: 1M respondents under 10 s and 3 GB,
cost linear in respondents. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sasci_map import stats  # noqa: E402
from sasci_map.aggregate import organisation_answers  # noqa: E402
from sasci_map.codebook import load_codebook  # noqa: E402
from sasci_map.demo import DEMO_SEED, generate_survey, scale_survey  # noqa: E402
from sasci_map.geography import councils  # noqa: E402
from sasci_map.indicator_registry import LIST_SEP, SUCCESS_PATTERN, load_registry  # noqa: E402
from sasci_map.survey_import import validate_survey  # noqa: E402
from sasci_map.survey_indicators import (  # noqa: E402
    ENGLAND,
    LIKERT_FLIP,
    PERCENT,
    REASON_SECONDARY,
    STATUS_NO_RESPONSE,
    STATUS_SUPPRESSED,
    STATUS_VALUE,
    VALUE_COLUMNS,
    indicator_values,
)
from sasci_map.tabular import Table  # noqa: E402

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
#: The naive baseline loops over indicators x levels x waves x areas x organisations in Python:
#: above this it takes many minutes.
DEFAULT_NAIVE_MAX = 100_000
KB_PER_MB = 1024
#: Status of a figure at a level its indicator is not reported at (registries with ``levels``).
STATUS_MISSING = "missing"
ALL_LEVELS = "council;region;england"
#: Goals for the largest size (1M respondents on the 2-core machine).
AIM_SECONDS, AIM_MB = 10.0, 3000.0


def _peak_mb() -> float:
    """Return the peak resident memory of this process in MB (Linux ru_maxrss is in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KB_PER_MB


def _missing(value: object) -> bool:
    """Return True for an unanswered cell (None, NaN or pd.NA)."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _succeeds(value: object, rule: re.Match) -> bool:
    """Return True when one answered value meets a registry success rule."""
    if rule["number"]:
        return float(value) >= float(rule["number"])
    if rule["codes"]:
        return value in rule["codes"].split(LIST_SEP)
    return rule["code"] in str(value).split(LIST_SEP)


def _naive_score(values: tuple, method: str, rule: re.Match | None,
                 flips: list[bool]) -> float | None:
    """Score one organisation on one indicator from its answers; None if it answered nothing."""
    if method == "mean":
        answers = [LIKERT_FLIP - float(v) if flip else float(v)
                   for v, flip in zip(values, flips, strict=True) if not _missing(v)]
        return sum(answers) / len(answers) if answers else None
    answered = [v for v in values if not _missing(v)]
    if not answered:
        return None
    hits = [_succeeds(v, rule) for v in answered]
    return float(sum(hits)) if method == "mean_count" else float(any(hits))


def _naive_figure(subset: pd.DataFrame, rec, flips: list[bool], level: str, wave: int,
                  area: str, confidence: float) -> dict:
    """Compute one indicator's figure for one area and wave from that area's organisations."""
    rule = SUCCESS_PATTERN.match(rec.success) if rec.method != "mean" else None
    types = rec.org_types.split(LIST_SEP)
    took_part, scores = 0, []
    for org_type, *values in subset.itertuples(index=False, name=None):
        if org_type not in types:
            continue
        took_part += 1
        score = _naive_score(tuple(values), rec.method, rule, flips)
        if score is not None:
            scores.append(score)
    n = len(scores)
    total = float(sum(scores))
    row = {"indicator_id": rec.indicator_id, "area_code": area, "area_level": level,
           "period": str(wave), "numerator": total, "denominator": float(n)}
    if rec.method == "proportion":
        lower, upper = stats.wilson_interval(total, n, confidence)
        row.update(value=total / n * PERCENT if n else math.nan,
                   lower=float(lower) * PERCENT, upper=float(upper) * PERCENT)
    else:
        mean = total / n if n else math.nan
        sd = statistics.stdev(scores) if n >= 2 else math.nan
        half = float(stats.t_half_width(sd, n, confidence))
        row.update(numerator=total if n else math.nan, value=mean, lower=mean - half,
                   upper=mean + half)
    levels = getattr(rec, "levels", ALL_LEVELS) or ALL_LEVELS
    if level not in levels.split(LIST_SEP):
        row.update(status=STATUS_MISSING, status_reason=f"reported for {levels} only")
    elif took_part == 0:
        row.update(status=STATUS_NO_RESPONSE, status_reason=f"no {' or '.join(types)} "
                   f"organisation in this area took part in wave {wave}")
    elif n == 0:
        row.update(status=STATUS_NO_RESPONSE,
                   status_reason="no responding organisation answered this question")
    elif n < rec.min_orgs:
        row.update(status=STATUS_SUPPRESSED,
                   status_reason=f"fewer than {rec.min_orgs} responding organisations")
    else:
        row.update(status=STATUS_VALUE, status_reason="")
    if row["status"] != STATUS_VALUE:
        row.update(numerator=math.nan, denominator=math.nan, value=math.nan, lower=math.nan,
                   upper=math.nan)
    return row


def _naive_secondary(rows: list[dict], parent_of: dict[str, str]) -> None:
    """Within each parent, indicator and wave with exactly one suppressed child, suppress one more.

    The published child with the fewest organisations (then the lowest code) is suppressed too,
    so the parent figure less the published children cannot reveal the suppressed one.
    """
    families: dict[tuple, list[dict]] = {}
    for row in rows:
        key = (row["indicator_id"], row["period"], parent_of[row["area_code"]])
        families.setdefault(key, []).append(row)
    for kids in families.values():
        suppressed = [r for r in kids if r["status"] == STATUS_SUPPRESSED]
        published = [r for r in kids if r["status"] == STATUS_VALUE]
        if len(suppressed) == 1 and published:
            chosen = min(published, key=lambda r: (r["denominator"], r["area_code"]))
            chosen.update(status=STATUS_SUPPRESSED, status_reason=REASON_SECONDARY,
                          numerator=math.nan, denominator=math.nan, value=math.nan,
                          lower=math.nan, upper=math.nan)


def naive_indicator_values(orgs: pd.DataFrame, councils_frame: pd.DataFrame,
                           confidence: float = stats.CONFIDENCE_95) -> pd.DataFrame:
    """Compute every indicator for every area, level and wave one area at a time.

    Parameters
    ----------
    orgs : pandas.DataFrame
        One row per (wave, org_id), as ``aggregate.organisation_answers`` returns.
    councils_frame : pandas.DataFrame
        The councils (``geography.councils``): ``code`` and ``region_code``.
    confidence : float
        Interval level.

    Returns
    -------
    pandas.DataFrame
        The columns of ``survey_indicators.VALUE_COLUMNS``, one row per indicator x area x
        wave: the same figures as ``indicator_values``, computed the slow, obvious way.
    """
    registry = load_registry()
    book = load_codebook().set_index("item_id")
    region_of = dict(zip(councils_frame["code"], councils_frame["region_code"], strict=True))
    orgs = orgs.assign(region=orgs["council_code"].map(region_of), england=ENGLAND)
    levels = {"council": ("council_code", list(councils_frame["code"])),
              "region": ("region", sorted(set(region_of.values()))),
              "england": ("england", [ENGLAND])}
    waves = sorted(int(w) for w in orgs["wave"].unique())
    rows: dict[str, list[dict]] = {level: [] for level in levels}
    for rec in registry.itertuples(index=False):
        items = rec.items.split(LIST_SEP)
        flips = [rec.method == "mean" and book.at[i, "polarity"] == "lower_is_better"
                 and book.at[i, "response_type"] == "likert5" for i in items]
        for level, (column, areas) in levels.items():
            for wave in waves:
                for area in areas:
                    mask = (orgs["wave"] == wave) & (orgs[column] == area)
                    subset = orgs.loc[mask, ["org_type", *items]]
                    rows[level].append(_naive_figure(subset, rec, flips, level, wave, area,
                                                     confidence))
    _naive_secondary(rows["region"], dict.fromkeys(levels["region"][1], ENGLAND))
    _naive_secondary(rows["council"], region_of)
    out = pd.DataFrame([*rows["council"], *rows["region"], *rows["england"]])
    return out[VALUE_COLUMNS]


def _child(method: str, path: str, out: str) -> None:
    """Run one pipeline in this (fresh) process and print stage seconds and peak memory."""
    responses = pd.read_parquet(path)
    councils_frame = councils()
    start_mb = _peak_mb()
    started = time.perf_counter()
    orgs = organisation_answers(responses)
    staged = time.perf_counter()
    if method == "vectorised":
        values = indicator_values(orgs, councils_frame)
    else:
        values = naive_indicator_values(orgs, councils_frame)
    finished = time.perf_counter()
    peak = _peak_mb()
    if out != "-":
        values.to_parquet(out)
    print(json.dumps({"respondents": len(responses), "orgs": len(orgs), "figures": len(values),
                      "orgs_s": staged - started, "indicators_s": finished - staged,
                      "seconds": finished - started, "peak_mb": peak, "start_mb": start_mb}))


def _measure(method: str, path: Path, out: Path | None) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", method, str(path), str(out or "-")],
        capture_output=True, text=True, check=False)
    if result.returncode:
        raise SystemExit(f"{method} run on {path.name} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _prepare(base: pd.DataFrame, size: int, path: Path) -> None:
    """Write ``size`` validated respondent rows (the stored shape) to a Parquet file."""
    frame = scale_survey(base, size)
    table = Table(Path("survey.csv"), frame, np.arange(2, len(frame) + 2), None)
    validate_survey(table, "benchmark", datetime.now(UTC)).responses.to_parquet(path)


def _agreement(vectorised: Path, naive: Path) -> str:
    """Compare the two outputs: values of one indicator per method, and every status."""
    keys = ["indicator_id", "area_code", "period"]
    fast, slow = pd.read_parquet(vectorised), pd.read_parquet(naive)
    both = fast.merge(slow, on=keys, how="outer", suffixes=("", "_naive"), indicator=True)
    registry = load_registry()
    picked = registry.drop_duplicates("method")["indicator_id"].tolist()
    rows = both[both["indicator_id"].isin(picked) & both["status"].eq(STATUS_VALUE)]
    same_values = bool(len(rows)) and bool(np.allclose(
        rows["value"], rows["value_naive"], rtol=1e-9, atol=1e-9, equal_nan=False))
    same_status = (both["_merge"].eq("both").all() and len(fast) == len(slow)
                   and both["status"].eq(both["status_naive"]).all())
    verdict = "yes" if same_values else "no"
    return (f"agree: {verdict} (value of {', '.join(picked)} on {len(rows):,} status=value rows; "
            f"status of all {len(fast):,} figures {'same' if same_status else 'DIFFERENT'})")


def main(argv: list[str] | None = None) -> int:
    """Prepare the respondent files, time both engines, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--naive-max", type=int, default=DEFAULT_NAIVE_MAX)
    parser.add_argument("--child", nargs=3, metavar=("METHOD", "PATH", "OUT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0
    work = Path(tempfile.mkdtemp(prefix="sasci-bench-ind-"))
    base = generate_survey(DEMO_SEED)
    checked = False
    fastest: dict[int, dict] = {}
    print("stage 1 = organisation_answers, stage 2 = indicator_values (all indicators, "
          "all levels, all waves); seconds and peak RSS of a fresh process (input included)")
    print(f"{'respondents':>11} {'orgs':>9} {'figures':>7} {'method':>10} {'stage 1 s':>9} "
          f"{'stage 2 s':>9} {'total s':>8} {'rows/s':>10} {'input MB':>8} {'peak MB':>8} "
          f"{'s per 100k':>10}")
    try:
        for size in args.sizes:
            path = work / f"responses_{size}.parquet"
            _prepare(base, size, path)
            methods = ["vectorised"] + (["naive"] if size <= args.naive_max else [])
            check = "naive" in methods and not checked
            got = {}
            for method in methods:
                out = work / f"values_{method}_{size}.parquet" if check else None
                got[method] = res = _measure(method, path, out)
                print(f"{res['respondents']:>11,} {res['orgs']:>9,} {res['figures']:>7,} "
                      f"{method:>10} {res['orgs_s']:>9.2f} {res['indicators_s']:>9.2f} "
                      f"{res['seconds']:>8.2f} {res['respondents'] / res['seconds']:>10,.0f} "
                      f"{res['start_mb']:>8.0f} {res['peak_mb']:>8.0f} "
                      f"{res['seconds'] / res['respondents'] * 100_000:>10.3f}", flush=True)
            fastest[size] = got["vectorised"]
            if "naive" in got:
                fast, slow = got["vectorised"], got["naive"]
                print(f"{'':>11} naive / vectorised = "
                      f"{slow['indicators_s'] / fast['indicators_s']:.1f}x on stage 2, "
                      f"{slow['seconds'] / fast['seconds']:.1f}x in total")
            if check:
                outputs = [work / f"values_{method}_{size}.parquet" for method in methods]
                print(f"{'':>11} {_agreement(*outputs)}")
                checked = True
            path.unlink()
        sizes = sorted(fastest)
        for small, large in zip(sizes, sizes[1:], strict=False):
            print(f"scaling {small:,} -> {large:,}: x{large / small:g} respondents, "
                  f"x{fastest[large]['seconds'] / fastest[small]['seconds']:.1f} time")
        top = fastest[sizes[-1]]
        print(f"aim at {top['respondents']:,} respondents: {top['seconds']:.2f} s "
              f"(< {AIM_SECONDS:g} s) and {top['peak_mb']:,.0f} MB peak (< {AIM_MB:,.0f} MB)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
