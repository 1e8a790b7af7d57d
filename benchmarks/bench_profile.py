"""Benchmark the server's work for a council profile page against a cache-less baseline.

Run:  .venv/bin/python benchmarks/bench_profile.py [--councils 20] [--rounds 3] [--seed 7]

Times ``pages.council.layout(code)``: everything the server does for ``/council/<code>``
(identity, every indicator against England and region, spine charts, trends, innovations,
support, neighbours), on the app's database (``DATABASE_URL`` or ``data/sasci.db``; run
``make init`` first). Each round takes a seeded sample of councils, then lays them out

* as the product does: a fresh process cache, so the first council pays for reading and
  benchmarking every figure once (reported apart, "first profile"), and each other council is
  new to the cache ("another council"); then the same councils again ("same council again");
* as the naive baseline: no process cache (``cache.configure(max_entries=0)``), so each page
  reads and benchmarks the figures it shows afresh, as the profile did per council before the
  council-independent work was cached.

Both run in one process, one after the other, on the same councils. Figures are printed, never
asserted: machines differ and are noisy, ratios hold better than absolute times.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import app as app_module  # noqa: E402
from pages import council  # noqa: E402
from sasci_map import cache  # noqa: E402
from sasci_map.config import DEFAULT_CACHE_ENTRIES, DEFAULT_CACHE_SECONDS  # noqa: E402
from sasci_map.geography import councils  # noqa: E402

DEFAULT_COUNCILS = 20
DEFAULT_ROUNDS = 3
DEFAULT_SEED = 7
#: The class of the profile's outer element (anything else is a redirect or not-found page).
PROFILE_CLASS = "council-profile"


def _time_layouts(codes: list[str]) -> list[float]:
    """Lay out each council's profile; return the milliseconds each took."""
    times = []
    for code in codes:
        start = time.perf_counter()
        page = council.layout(code=code)
        times.append((time.perf_counter() - start) * 1000)
        if getattr(page, "className", None) != PROFILE_CLASS:
            raise SystemExit(f"{code}: the page laid out is not a council profile")
    return times


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _row(label: str, times: list[float]) -> str:
    return (f"{label:<38} {statistics.median(times):>8,.0f} {_p95(times):>8,.0f} "
            f"{len(times):>4}")


def main(argv: list[str] | None = None) -> int:
    """Run the rounds and print median and p95 milliseconds per profile, and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=DEFAULT_COUNCILS)
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    codes = list(councils()["code"])
    rng = random.Random(args.seed)
    first, other, again, naive = [], [], [], []
    with app_module.server.test_request_context("/"):
        for _ in range(args.rounds):
            sample = rng.sample(codes, args.councils)
            cache.configure(DEFAULT_CACHE_ENTRIES, DEFAULT_CACHE_SECONDS)
            cache.clear()
            product = _time_layouts(sample)
            first.append(product[0])
            other.extend(product[1:])
            again.extend(_time_layouts(sample[1:]))
            cache.configure(max_entries=0, check_seconds=DEFAULT_CACHE_SECONDS)
            naive.extend(_time_layouts(sample[1:]))
    cache.configure(DEFAULT_CACHE_ENTRIES, DEFAULT_CACHE_SECONDS)
    print(f"council profile, server layout time (ms); {args.rounds} rounds of "
          f"{args.councils} councils, seed {args.seed}")
    print(f"{'':<38} {'median':>8} {'p95':>8} {'n':>4}")
    print(_row("product: first profile (cold cache)", first))
    print(_row("product: another council", other))
    print(_row("product: same council again", again))
    print(_row("baseline: no cache, each council", naive))
    ratio = statistics.median(other) / statistics.median(naive)
    print(f"another council / baseline (medians): x{ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
