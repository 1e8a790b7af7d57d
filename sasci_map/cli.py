"""The `sasci-map` command line: a thin shell over the library."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from sasci_map import __version__
from sasci_map.config import get_settings
from sasci_map.db import make_engine, table_counts
from sasci_map.errors import SasciError
from sasci_map.loading import init_database
from sasci_map.resolver import resolve_councils_csv

#: Exit status for a failure the message explains (bad input, unreachable database).
EXIT_FAILURE = 1


def _cmd_init(args: argparse.Namespace) -> int:
    settings = get_settings()
    engine = make_engine(settings.database_url)
    report = init_database(engine, settings.data_dir, force=args.force)
    print(f"sasci-map init: {report.summary()}")
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
    p_init.set_defaults(func=_cmd_init)
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
    """Run the command line; errors print one line on stderr and return a non-zero status."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
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
