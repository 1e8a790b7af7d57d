"""The `sasci-map` command line: a thin shell over the library."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from sasci_map import __version__, survey_store
from sasci_map.config import get_settings
from sasci_map.db import make_engine, table_counts
from sasci_map.demo import DEMO_SEED, write_demo
from sasci_map.errors import DataValidationError, SasciError
from sasci_map.export_geojson import geojson_bytes
from sasci_map.export_xlsx import workbook_bytes
from sasci_map.exports import TABLES, csv_bytes, table_frame
from sasci_map.geography import N_COUNCILS
from sasci_map.importer import import_file
from sasci_map.loading import init_database
from sasci_map.resolver import resolve_councils_csv
from sasci_map.survey_format import IMPORT_KINDS
from sasci_map.template import write_template

#: Exit status for a failure the message explains (unreachable database, internal error).
EXIT_FAILURE = 1
#: Exit status for input that breaks a rule (a bad import file): fix the file and retry.
EXIT_INVALID = 2
#: Progress lines start only once an import has run this long, so quick imports stay quiet.
PROGRESS_AFTER_SECONDS = 2.0
#: At most one progress line per this many seconds.
PROGRESS_EVERY_SECONDS = 1.0
BYTES_PER_MB = 1_000_000
#: Renderers of ``sasci-map export``: each renders the same export tables.
EXPORT_FORMATS = ("csv", "xlsx", "geojson")


class _Progress:
    """Print progress on stderr for imports that take more than a few seconds."""

    def __init__(self) -> None:
        self.start = self.last = time.monotonic()

    def __call__(self, message: str) -> None:
        now = time.monotonic()
        if now - self.start >= PROGRESS_AFTER_SECONDS and now - self.last >= (
                PROGRESS_EVERY_SECONDS):
            print(f"sasci-map import: {message}", file=sys.stderr, flush=True)
            self.last = now


def _cmd_init(args: argparse.Namespace) -> int:
    settings = get_settings()
    engine = make_engine(settings.database_url)
    report = init_database(engine, settings.data_dir, force=args.force, demo=not args.no_demo)
    print(f"sasci-map init: {report.summary()}")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    settings = get_settings()
    engine = make_engine(settings.database_url)
    limit_mb = settings.max_import_mb if args.max_mb is None else args.max_mb
    report = import_file(engine, args.kind, args.path, data_dir=settings.data_dir,
                         max_bytes=int(limit_mb * BYTES_PER_MB), progress=_Progress())
    print(f"sasci-map import: {report.summary()}")
    return 0


def _cmd_demo_data(args: argparse.Namespace) -> int:
    paths = write_demo(args.out, args.seed, get_settings().data_dir)
    for kind, path in paths.items():
        print(f"sasci-map demo-data: wrote {kind} to {path} "
              f"(synthetic demo data, seed {args.seed})")
    return 0


def _check_export(args: argparse.Namespace) -> None:
    """Refuse option combinations a format cannot honour, with the reason."""
    filters = bool(args.indicator or args.level or args.period)
    if args.format == "csv" and args.table != "indicators" and filters:
        raise ValueError(f"--indicator, --level and --period filter the indicators table; "
                         f"--table {args.table} takes none of them")
    if args.format == "xlsx" and str(args.out) == "-":
        raise ValueError("--format xlsx writes a binary workbook: give a file name to --out, "
                         "not -")
    if args.format != "geojson":
        return
    if args.table != "indicators":
        raise ValueError(f"--format geojson maps the indicators table, not --table {args.table}")
    if len(set(args.indicator or [])) != 1:
        raise ValueError("--format geojson maps one indicator: give exactly one --indicator "
                         f"(got {len(set(args.indicator or []))})")
    if len(set(args.period or [])) > 1:
        raise ValueError("--format geojson maps one period: give at most one --period "
                         "(the latest when none)")
    if set(args.level or ["council"]) != {"council"}:
        raise ValueError("--format geojson maps council figures only: leave out --level, or "
                         "give --level council")


def _cmd_export(args: argparse.Namespace) -> int:
    _check_export(args)
    settings = get_settings()
    engine = make_engine(settings.database_url)
    if args.format == "xlsx":
        data = workbook_bytes(engine, args.indicator, args.level, args.period, settings.data_dir)
        summary = f"wrote a workbook of every table ({', '.join(TABLES)}) to {args.out}"
    elif args.format == "geojson":
        period = args.period[0] if args.period else None
        data = geojson_bytes(engine, args.indicator[0], period, settings.data_dir)
        meta = json.loads(data)["metadata"]
        summary = (f"wrote {N_COUNCILS} council boundaries with {meta['indicator']} "
                   f"(period {meta['period']}) to {args.out}")
    else:
        table = table_frame(engine, args.table, args.indicator, args.level, args.period,
                            settings.data_dir)
        data = csv_bytes(table)
        summary = f"wrote {len(table):,} rows of the {args.table} table to {args.out}"
    if str(args.out) == "-":
        sys.stdout.write(data.decode("utf-8"))
    else:
        Path(args.out).write_bytes(data)
        print(f"sasci-map export: {summary}")
    return 0


def _cmd_template(args: argparse.Namespace) -> int:
    path = write_template(args.kind, args.out, get_settings().data_dir)
    print(f"sasci-map template: wrote an empty {args.kind} template to {path}")
    return 0


def _cmd_resolve(args: argparse.Namespace) -> int:
    values = list(args.values)
    if args.stdin:
        values += [line.rstrip("\n") for line in sys.stdin]
    sys.stdout.write(resolve_councils_csv(values))
    return 0


def _cmd_status(_args: argparse.Namespace) -> int:
    settings = get_settings()
    engine = make_engine(settings.database_url)
    print(f"database: {engine.url.render_as_string(hide_password=True)}")
    survey_store.responses_table()  # registers the codebook-shaped table so it is counted
    for table, count in table_counts(engine).items():
        print(f"{table}: {count}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``sasci-map`` and its sub-commands."""
    parser = argparse.ArgumentParser(
        prog="sasci-map",
        description="SASCI capacity map: set up the database and work with council data. "
        "The database is DATABASE_URL, or SQLite data/sasci.db when unset.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p_init = sub.add_parser("init", help="create or update the database with the bundled data")
    p_init.add_argument("--force", action="store_true", help="reload even unchanged datasets")
    p_init.add_argument("--no-demo", action="store_true",
                        help="load reference and context data only: no synthetic demo survey or "
                        "inventories (and remove any an earlier init loaded)")
    p_init.set_defaults(func=_cmd_init)
    p_import = sub.add_parser(
        "import", help="validate a survey or inventory file (.csv UTF-8 or .xlsx) and load it "
        "all or nothing; a survey replaces each wave it contains. Exit 2 lists every problem")
    p_import.add_argument("kind", choices=IMPORT_KINDS)
    p_import.add_argument("path", type=Path)
    p_import.add_argument("--max-mb", type=float, default=None,
                          help="largest file accepted, in MB (default SASCI_MAX_IMPORT_MB or 500)")
    p_import.set_defaults(func=_cmd_import)
    p_demo = sub.add_parser("demo-data", help="write a seeded synthetic demo survey and the "
                            "inventories as import files (survey.csv, innovations.csv, "
                            "infrastructure.csv)")
    p_demo.add_argument("--seed", type=int, default=DEMO_SEED,
                        help=f"random seed (default {DEMO_SEED}, the bundled demo set)")
    p_demo.add_argument("--out", type=Path, required=True, help="folder to write into")
    p_demo.set_defaults(func=_cmd_demo_data)
    p_export = sub.add_parser(
        "export", help="write an export table as CSV (the tidy indicator table by default: one "
        "row per indicator x area x period with numerator, denominator, interval, method, "
        "status, benchmarks, source and synthetic flag), every table as one XLSX workbook, or "
        "one indicator's council figures as GeoJSON")
    p_export.add_argument("--table", choices=TABLES, default="indicators",
                          help="table to write as CSV (default indicators); xlsx ignores it "
                          "(the workbook holds every table); geojson needs indicators")
    p_export.add_argument("--format", choices=EXPORT_FORMATS, default="csv",
                          help="csv (default); xlsx: a workbook with every table, definitions, "
                          "codebook and notes; geojson: the 153 council boundaries with one "
                          "--indicator's figures (one --period, the latest by default)")
    p_export.add_argument("--out", type=Path, required=True,
                          help="file to write, or - for stdout (csv and geojson)")
    p_export.add_argument("--indicator", action="append", help="keep this indicator (repeatable)")
    p_export.add_argument("--level", action="append", choices=["council", "region", "england"],
                          help="keep this area level (repeatable)")
    p_export.add_argument("--period", action="append", help="keep this period, e.g. 2025")
    p_export.set_defaults(func=_cmd_export)
    p_template = sub.add_parser("template", help="write an empty .xlsx import template with a "
                                "data dictionary")
    p_template.add_argument("kind", choices=IMPORT_KINDS)
    p_template.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
    p_template.set_defaults(func=_cmd_template)
    p_resolve = sub.add_parser(
        "resolve", help="resolve council names or codes (old, district, alias) to 2023 councils; "
        "prints CSV: input,code,name,status,note")
    p_resolve.add_argument("values", nargs="*", help="names or GSS codes, one per argument")
    p_resolve.add_argument("--stdin", action="store_true", help="also read one value per line")
    p_resolve.set_defaults(func=_cmd_resolve)
    p_status = sub.add_parser("status", help="show the database URL and row counts")
    p_status.set_defaults(func=_cmd_status)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; errors print on stderr and return a non-zero status.

    Invalid input (a file breaking a rule) returns 2 with every problem listed; other failures
    (unreachable database, unwritable path) print one line and return 1.
    """
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DataValidationError as exc:
        print(f"sasci-map {args.command}: invalid input: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except SasciError as exc:
        message = f"error: {exc}"
    except SQLAlchemyError as exc:
        message = f"database error: {getattr(exc, 'orig', None) or exc}"
    except (ValueError, OSError) as exc:
        message = f"error: {exc}"
    one_line = " ".join(message.split())  # drivers add tabs and line breaks of their own
    print(f"sasci-map {args.command}: {one_line}", file=sys.stderr)
    return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
