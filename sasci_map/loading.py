"""`sasci-map init`: create the schema and load the bundled datasets, idempotently."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine

from sasci_map import context, db, survey_store
from sasci_map.config import get_settings
from sasci_map.demo import DEMO_DIR
from sasci_map.geography import councils, regions
from sasci_map.importer import file_digest, import_file
from sasci_map.survey_loading import DATASET_KEY, refresh_survey_indicators

#: Files whose change must reload every context dataset (registry and council list).
SHARED_CONTEXT_FILES = (Path("context") / "indicators.csv", Path("lookups") / "councils.csv")
#: Files of the bundled synthetic demo set (``DEMO_DIR``, written by ``sasci-map demo-data``)
#: in load order: inventories first, then the survey.
DEMO_FILES = {"innovations": "innovations.csv", "infrastructure": "infrastructure.csv",
              "survey": "survey.csv"}
DEFINITION_FIELDS = ("indicator_id", "title", "short_title", "definition", "domain", "source",
                     "unit", "polarity", "method", "period")


@dataclass
class InitReport:
    """What ``init`` did: which datasets it loaded and which were already up to date."""

    geography_changed: bool = False
    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Return a one-line, human-readable summary."""
        parts = ["councils and regions " + ("loaded" if self.geography_changed else "unchanged")]
        if self.loaded:
            parts.append("loaded: " + ", ".join(self.loaded))
        if self.unchanged:
            parts.append("unchanged: " + ", ".join(self.unchanged))
        if self.removed:
            parts.append("removed: " + ", ".join(self.removed))
        return "; ".join(parts)


def context_dataset_objects(data_dir: Path | None = None) -> list[db.Dataset]:
    """Return the bundled context sources (population, IMD, ASCOF) as loadable Datasets."""
    data_dir = Path(data_dir or get_settings().data_dir)
    definitions = context.context_definitions(data_dir)
    definitions["sort_order"] = range(len(definitions))
    values = context.context_values(data_dir)
    out = []
    for meta in context.context_datasets():
        file = Path(meta["file"])
        mine = definitions.loc[definitions["file"] == file.name]
        if mine.empty:
            raise ValueError(f"{data_dir / SHARED_CONTEXT_FILES[0]}: no indicator reads {file}")
        out.append(db.Dataset(
            key=file.stem, title=meta["title"], source=meta["source"],
            publisher=meta["publisher"], vintage=meta["vintage"], licence=meta["licence"],
            files=(data_dir / file, *(data_dir / f for f in SHARED_CONTEXT_FILES)),
            definitions=mine[[*DEFINITION_FIELDS, "sort_order"]],
            values=values.loc[values["indicator_id"].isin(mine["indicator_id"])],
        ))
    return out


def _load_demo(engine: Engine, data_dir: Path, report: InitReport, force: bool) -> None:
    for kind, name in DEMO_FILES.items():
        done = import_file(engine, kind, data_dir / DEMO_DIR / name, data_dir=data_dir,
                           skip_unchanged=not force)
        (report.unchanged if done.unchanged else report.loaded).append(f"demo {kind}")


def _remove_demo(engine: Engine, data_dir: Path, report: InitReport) -> None:
    """Remove demo data an earlier plain ``init`` loaded: synthetic waves, demo inventories."""
    report.removed += [f"synthetic survey wave {w}"
                       for w in survey_store.remove_synthetic_waves(engine)]
    for kind in ("innovations", "infrastructure"):
        digest = file_digest(data_dir / DEMO_DIR / DEMO_FILES[kind])
        if survey_store.stored_inventory_hash(engine, kind) == digest:
            survey_store.clear_inventory(engine, kind)
            report.removed.append(f"demo {kind}")


def init_database(engine: Engine, data_dir: Path | None = None, *, force: bool = False,
                  demo: bool = True) -> InitReport:
    """Create the schema and load councils, regions and every bundled dataset.

    Each dataset loads in its own transaction, all or nothing, and only when its files
    changed since the last load (or ``force``), so running ``init`` twice changes nothing.

    Parameters
    ----------
    engine : Engine
    data_dir : Path, optional
        Bundled data folder (default: the configured one).
    force : bool
        Reload every dataset even if unchanged.
    demo : bool
        Also load the bundled synthetic demo survey and inventories (``data/survey/demo/``).
        With False, only reference and context data are loaded, and demo data loaded by an
        earlier ``init`` are removed so they cannot mix with a real import.

    Returns
    -------
    InitReport
    """
    data_dir = Path(data_dir or get_settings().data_dir)
    db.create_schema(engine)
    survey_store.create_survey_schema(engine)
    report = InitReport()
    report.geography_changed = db.load_geography(engine, councils(data_dir), regions(data_dir))
    for dataset in context_dataset_objects(data_dir):
        changed = db.load_dataset(engine, dataset, force=force)
        (report.loaded if changed else report.unchanged).append(dataset.key)
    if demo:
        _load_demo(engine, data_dir, report, force)
    else:
        _remove_demo(engine, data_dir, report)
    outcome = refresh_survey_indicators(engine, data_dir, force=force)
    if outcome in ("loaded", "unchanged"):
        getattr(report, outcome).append(DATASET_KEY)
    elif outcome == "removed":
        report.removed.append(DATASET_KEY)
    return report
