"""Benchmark `sasci-map import survey` at 10k, 100k and 1M rows against a naive row-by-row import.

Run:  .venv/bin/python benchmarks/bench_import.py [--sizes 10000 100000 1000000]
      [--naive-max 100000] [--database-url URL]

Each measurement runs in a fresh Python process (so peak memory is that import's own), on a
fresh SQLite database holding the reference data (`init --no-demo`), or on DATABASE_URL when
set. Files are synthetic respondent rows: the demo survey tiled by `demo.scale_survey`.
The naive baseline validates each row in a Python loop (same rules: ids, org type, wave,
council through the resolver, every item against the codebook) and INSERTs one row at a time
in one transaction: the obvious first implementation. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sasci_map import survey_store  # noqa: E402
from sasci_map.codebook import allowed_values, load_codebook  # noqa: E402
from sasci_map.config import DEFAULT_DATA_DIR, sqlite_url  # noqa: E402
from sasci_map.db import make_engine  # noqa: E402
from sasci_map.demo import DEMO_SEED, generate_survey, scale_survey  # noqa: E402
from sasci_map.importer import import_file  # noqa: E402
from sasci_map.loading import init_database  # noqa: E402
from sasci_map.resolver import resolve_council  # noqa: E402

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
#: The naive baseline is quadratic in nothing but slow in everything: above this it takes minutes.
DEFAULT_NAIVE_MAX = 100_000
BYTES_PER_MB = 1_000_000
KB_PER_MB = 1024


def _peak_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports ru_maxrss in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KB_PER_MB


def naive_import(engine, path: Path) -> int:
    """Validate and insert row by row: the baseline the vectorised importer is compared with."""
    book = load_codebook(DEFAULT_DATA_DIR)
    items = {rec["item_id"]: rec for rec in book.to_dict("records")}
    table = survey_store.responses_table()
    problems, rows = [], []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, record in enumerate(csv.DictReader(handle), start=2):
            if record["org_type"] not in ("council", "provider"):
                problems.append(f"row {number}: org_type")
            found = resolve_council(record["council_code"], DEFAULT_DATA_DIR)
            if not found.code:
                problems.append(f"row {number}: council_code")
            out = {"wave": int(record["wave"]), "respondent_id": record["respondent_id"],
                   "org_id": record["org_id"], "org_type": record["org_type"],
                   "council_code": found.code}
            for item_id, item in items.items():
                value = record.get(item_id, "")
                kind = item["response_type"]
                if value == "" or kind == "free_text":
                    out[item_id] = value or None
                elif kind == "count":
                    out[item_id] = int(value)
                elif kind == "multi_select":
                    codes = allowed_values(item)
                    if any(part not in codes for part in value.split(";")):
                        problems.append(f"row {number}: {item_id}")
                    out[item_id] = value
                else:
                    if value not in allowed_values(item):
                        problems.append(f"row {number}: {item_id}")
                    out[item_id] = int(value) if kind == "likert5" else value
            rows.append(out)
    if problems:
        raise ValueError(problems[:5])
    waves = sorted({r["wave"] for r in rows})
    with engine.begin() as conn:
        conn.execute(table.delete().where(table.c.wave.in_(waves)))
        conn.execute(survey_store.survey_waves_table.delete().where(
            survey_store.survey_waves_table.c.wave.in_(waves)))
        conn.execute(survey_store.survey_waves_table.insert(), [
            {"wave": w, "synthetic": True, "source_file": path.name, "content_hash": "naive",
             "n_respondents": 0, "n_organisations": 0, "n_council_orgs": 0,
             "n_provider_orgs": 0, "n_council_areas": 0,
             "imported_at": survey_store.imported_at()} for w in waves])
        for row in rows:
            conn.execute(table.insert(), row)
    return len(rows)


def _child(method: str, path: str, url: str) -> None:
    """Run one import in this (fresh) process and print seconds and peak memory as JSON."""
    engine = make_engine(url)
    before = _peak_mb()
    started = time.perf_counter()
    if method == "vectorised":
        rows = import_file(engine, "survey", Path(path), data_dir=DEFAULT_DATA_DIR).rows
    else:
        rows = naive_import(engine, Path(path))
    seconds = time.perf_counter() - started
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_mb": _peak_mb(),
                      "start_mb": before}))


def _measure(method: str, path: Path, url: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", method, str(path), url],
        capture_output=True, text=True, check=False)
    if result.returncode:
        raise SystemExit(f"{method} import of {path.name} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Write the files, time both importers, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--naive-max", type=int, default=DEFAULT_NAIVE_MAX)
    parser.add_argument("--database-url", default=None,
                        help="database to use (default: a fresh SQLite file)")
    parser.add_argument("--child", nargs=3, metavar=("METHOD", "PATH", "URL"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0
    work = Path(tempfile.mkdtemp(prefix="sasci-bench-"))
    url = args.database_url or sqlite_url(work / "bench.db")
    engine = make_engine(url)
    init_database(engine, DEFAULT_DATA_DIR, demo=False)
    base = generate_survey(DEMO_SEED)
    print(f"database: {engine.url.render_as_string(hide_password=True)}")
    print(f"{'rows':>10} {'file MB':>8} {'method':>10} {'seconds':>8} {'rows/s':>10} "
          f"{'peak MB':>8} {'s per 100k':>10}")
    for size in args.sizes:
        path = work / f"survey_{size}.csv"
        scale_survey(base, size).to_csv(path, index=False)
        file_mb = path.stat().st_size / BYTES_PER_MB
        methods = ["vectorised"] + (["naive"] if size <= args.naive_max else [])
        timings = {}
        for method in methods:
            got = _measure(method, path, url)
            timings[method] = got["seconds"]
            print(f"{got['rows']:>10,} {file_mb:>8.1f} {method:>10} {got['seconds']:>8.2f} "
                  f"{got['rows'] / got['seconds']:>10,.0f} {got['peak_mb']:>8.0f} "
                  f"{got['seconds'] / got['rows'] * 100_000:>10.2f}", flush=True)
        if "naive" in timings:
            print(f"{'':>10} naive / vectorised = {timings['naive'] / timings['vectorised']:.1f}x")
        path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
