"""Build data/survey/inventory/ adoption and coverage tables: real rows plus seeded demo rows."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO_ROOT / "data"
INVENTORY = Path("survey", "inventory")
ADOPTION_FILE = "innovation_councils.csv"
COVERAGE_FILE = "support_coverage.csv"

#: Fixed seed: re-running the builder must reproduce the committed files byte for byte.
SEED = 20231
SYNTHETIC_SOURCE = "synthetic demo data"
NATIONAL_CODE = "E92000001"
ADOPTION_COLUMNS = ["innovation_id", "council_code", "start_year", "end_year", "source",
                    "synthetic"]
COVERAGE_COLUMNS = ["org_id", "area_level", "area_code", "source", "synthetic"]
#: Demo adoption years: the SASCI period of interest; "now" caps demo end years.
FIRST_YEAR, LAST_YEAR = 2010, 2024
#: Share of demo adoptions that have ended, and how long those lasted (years).
END_SHARE = 0.08
MAX_DURATION = 5

#: Council adoptions known from a public source (innovation, council, start, end, source).
REAL_ADOPTIONS = [
    ("inn_wigan_deal", "E08000010", 2011, None,
     "The King's Fund, A citizen-led approach to health and care: lessons from the Wigan Deal"),
]
#: Demo adoption: innovation -> (min councils, max councils, earliest start year).
ADOPTION_PLAN = {
    "inn_shared_lives": (45, 60, FIRST_YEAR),
    "inn_homeshare": (8, 20, 2016),
    "inn_local_area_coordination": (8, 15, 2012),
    "inn_community_circles": (5, 15, 2014),
    "inn_family_group_conferencing_adults": (10, 25, 2012),
    "inn_three_conversations": (20, 35, 2014),
    "inn_wellbeing_teams": (5, 10, 2017),
    "inn_buurtzorg_neighbourhood_care": (5, 12, 2015),
    "inn_community_micro_enterprises": (15, 30, 2012),
    "inn_proactive_care_technology": (20, 45, 2018),
    "inn_making_safeguarding_personal": (40, 60, 2013),
    "inn_individual_service_funds": (15, 35, FIRST_YEAR),
    "inn_discharge_to_assess": (40, 60, 2016),
    "inn_wigan_deal": (5, 10, 2016),
    "inn_trusted_assessors": (20, 40, 2017),
}
#: National remit of national bodies (real): the organisation's own public description.
NATIONAL_SOURCE = "national remit, from the organisation's public description"
#: ADASS's nine regional branches follow the nine ONS regions of England (real).
REGIONAL_BRANCHES = {"org_adass": "ADASS regional branches"}
#: Health Innovation Network -> approximate region(s). Their exact footprints follow ICB
#: boundaries, not regions, so these rows are demo data until mapped to councils.
HIN_REGIONS = {
    "hin_east": ["E12000006"],
    "hin_east_midlands": ["E12000004"],
    "hin_kent_surrey_sussex": ["E12000008"],
    "hin_manchester": ["E12000002"],
    "hin_north_east_north_cumbria": ["E12000001", "E12000002"],
    "hin_north_west_coast": ["E12000002"],
    "hin_oxford_thames_valley": ["E12000008"],
    "hin_south_london": ["E12000007"],
    "hin_south_west": ["E12000009"],
    "hin_wessex": ["E12000008", "E12000009"],
    "hin_west_midlands": ["E12000005"],
    "hin_west_of_england": ["E12000009"],
    "hin_yorkshire_humber": ["E12000003"],
    "hin_uclpartners": ["E12000007", "E12000006"],
    "hin_imperial_college_health_partners": ["E12000007"],
}
#: Organisations that work with individual councils: demo council-level coverage (min, max).
COUNCIL_PLAN = {"org_community_catalysts": (10, 25), "org_research_in_practice": (40, 70)}


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def build_adoption(innovation_ids: list[str], council_codes: list[str],
                   rng: np.random.Generator) -> pd.DataFrame:
    """Return real and demo innovation × council rows, sorted by innovation and council."""
    rows = [{"innovation_id": i, "council_code": c, "start_year": s,
             "end_year": "" if e is None else e, "source": src, "synthetic": "false"}
            for i, c, s, e, src in REAL_ADOPTIONS]
    real = {(r["innovation_id"], r["council_code"]) for r in rows}
    for innovation_id in innovation_ids:
        low, high, earliest = ADOPTION_PLAN[innovation_id]
        pool = [c for c in council_codes if (innovation_id, c) not in real]
        n = int(rng.integers(low, high + 1))
        for code in sorted(rng.choice(pool, size=n, replace=False).tolist()):
            start = int(rng.integers(earliest, LAST_YEAR + 1))
            end = ""
            if start < LAST_YEAR and rng.random() < END_SHARE:
                end = min(start + int(rng.integers(1, MAX_DURATION + 1)), LAST_YEAR)
            rows.append({"innovation_id": innovation_id, "council_code": code,
                         "start_year": start, "end_year": end, "source": SYNTHETIC_SOURCE,
                         "synthetic": "true"})
    frame = pd.DataFrame(rows, columns=ADOPTION_COLUMNS)
    return frame.sort_values(["innovation_id", "council_code"], ignore_index=True)


def build_coverage(orgs: pd.DataFrame, council_codes: list[str], region_codes: list[str],
                   rng: np.random.Generator) -> pd.DataFrame:
    """Return org × area rows: real national and regional remits, demo HIN and council rows."""
    rows = []
    for org_id in orgs["org_id"]:
        if org_id in HIN_REGIONS:
            rows += [(org_id, "region", code, SYNTHETIC_SOURCE, "true")
                     for code in HIN_REGIONS[org_id]]
            continue
        rows.append((org_id, "national", NATIONAL_CODE, NATIONAL_SOURCE, "false"))
        if org_id in REGIONAL_BRANCHES:
            rows += [(org_id, "region", code, REGIONAL_BRANCHES[org_id], "false")
                     for code in region_codes]
        if org_id in COUNCIL_PLAN:
            low, high = COUNCIL_PLAN[org_id]
            n = int(rng.integers(low, high + 1))
            rows += [(org_id, "council", code, SYNTHETIC_SOURCE, "true")
                     for code in sorted(rng.choice(council_codes, size=n, replace=False).tolist())]
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help="data folder holding lookups/ and survey/inventory/ seed tables")
    parser.add_argument("--out-dir", type=Path, default=None,
                        help="where to write the two tables (default: DATA_DIR/survey/inventory)")
    args = parser.parse_args(argv)
    data_dir = args.data_dir
    out_dir = args.out_dir or data_dir / INVENTORY
    councils = sorted(_read(data_dir / "lookups" / "councils.csv")["code"])
    regions = sorted(_read(data_dir / "lookups" / "regions.csv")["code"])
    innovations = _read(data_dir / INVENTORY / "innovations.csv")
    orgs = _read(data_dir / INVENTORY / "support_organisations.csv")
    missing = set(innovations["innovation_id"]) ^ set(ADOPTION_PLAN)
    if missing:
        print(f"ADOPTION_PLAN and innovations.csv differ on {sorted(missing)}", file=sys.stderr)
        return 1
    rng = np.random.default_rng(SEED)
    adoption = build_adoption(list(innovations["innovation_id"]), councils, rng)
    coverage = build_coverage(orgs, councils, regions, rng)
    out_dir.mkdir(parents=True, exist_ok=True)
    for frame, name in [(adoption, ADOPTION_FILE), (coverage, COVERAGE_FILE)]:
        frame.to_csv(out_dir / name, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        print(f"wrote {out_dir / name}: {len(frame)} rows, "
              f"{(frame['synthetic'] == 'true').sum()} synthetic")
    return 0


if __name__ == "__main__":
    sys.exit(main())
