"""Capacity x support use, and the composite capacity index, for councils or regions."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sasci_map.capacity_index import capacity_index
from sasci_map.codebook import CAPABILITY_CLUSTERS

#: The capacity axis: overall capability score (1-5) with its t interval.
CAPACITY_INDICATOR = "cap_overall"
#: The support-use axis: kinds of innovation support used per organisation (0-10).
SUPPORT_INDICATOR = "support_types_used"
#: Registry id of each cluster score feeding the composite index.
CLUSTER_INDICATORS = {cluster: f"cap_{cluster}" for cluster in CAPABILITY_CLUSTERS}
ENGLAND = "E92000001"
STATUS_VALUE = "value"
#: Quadrant names by (capacity above England, support use above England).
QUADRANTS = {
    (True, True): "higher capacity, more support used",
    (True, False): "higher capacity, less support used",
    (False, True): "lower capacity, more support used",
    (False, False): "lower capacity, less support used",
}
NO_QUADRANT = ""
_AXIS_COLUMNS = ["value", "lower", "upper", "denominator", "status", "status_reason"]


def _axis(values: pd.DataFrame, indicator: str, level: str, period: str) -> pd.DataFrame:
    rows = values[(values["indicator_id"] == indicator) & (values["area_level"] == level)
                  & (values["period"] == period)]
    return rows.set_index("area_code")[_AXIS_COLUMNS]


def _england(values: pd.DataFrame, indicator: str, period: str) -> float:
    rows = values[(values["indicator_id"] == indicator) & (values["area_code"] == ENGLAND)
                  & (values["period"] == period) & (values["status"] == STATUS_VALUE)]
    return float(rows["value"].iloc[0]) if len(rows) else np.nan


def capacity_support(values: pd.DataFrame, level: str, period: str) -> pd.DataFrame:
    """Place each area by capability (x) and support use (y), with intervals and a quadrant.

    Parameters
    ----------
    values : pandas.DataFrame
        Stored survey figures (all levels), as ``db.read_values`` returns them.
    level : {"council", "region"}
    period : str
        Survey wave, e.g. ``"2025"``.

    Returns
    -------
    pandas.DataFrame
        Indexed by area code: ``capacity, capacity_lower, capacity_upper, support,
        support_lower, support_upper, n_orgs, status, status_reason, quadrant``. ``status`` is
        ``value`` only when both axes are values (else the first axis' own status and reason);
        the quadrant splits at the England figures of that wave, and is blank without a value.
    """
    cap = _axis(values, CAPACITY_INDICATOR, level, period)
    sup = _axis(values, SUPPORT_INDICATOR, level, period).reindex(cap.index)
    both = cap["status"].eq(STATUS_VALUE) & sup["status"].eq(STATUS_VALUE)
    status = cap["status"].where(~cap["status"].eq(STATUS_VALUE), sup["status"])
    reason = cap["status_reason"].where(~cap["status"].eq(STATUS_VALUE), sup["status_reason"])
    out = pd.DataFrame({
        "capacity": cap["value"], "capacity_lower": cap["lower"], "capacity_upper": cap["upper"],
        "support": sup["value"], "support_lower": sup["lower"], "support_upper": sup["upper"],
        "n_orgs": cap["denominator"], "status": status.fillna("missing"),
        "status_reason": reason.fillna(""),
    })
    out.loc[~both, ["capacity", "capacity_lower", "capacity_upper", "support", "support_lower",
                    "support_upper", "n_orgs"]] = np.nan
    cap_england = _england(values, CAPACITY_INDICATOR, period)
    sup_england = _england(values, SUPPORT_INDICATOR, period)
    out["quadrant"] = [
        QUADRANTS[(c > cap_england, s > sup_england)] if ok else NO_QUADRANT
        for c, s, ok in zip(out["capacity"], out["support"], both, strict=True)
    ]
    return out


def index_table(values: pd.DataFrame, level: str, period: str,
                weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Return the composite capacity index of every area of one level in one wave.

    Cluster scores come from the stored ``cap_<cluster>`` figures; a suppressed or missing
    cluster counts as no score, so the index then has status ``missing`` with the reason.

    Parameters
    ----------
    values : pandas.DataFrame
        Stored survey figures (all levels).
    level : {"council", "region"}
    period : str
    weights : mapping, optional
        Cluster weights (default equal); see ``capacity_index.normalise_weights``.

    Returns
    -------
    pandas.DataFrame
        ``capacity_index.capacity_index`` output indexed by area code, with ``n_orgs``.
    """
    frame = cluster_scores(values, level, period)
    frame["n_orgs"] = _axis(values, CAPACITY_INDICATOR, level, period)["denominator"]
    return capacity_index(frame, weights)


def cluster_scores(values: pd.DataFrame, level: str, period: str) -> pd.DataFrame:
    """Return the five cluster scores of every area of one level in one wave.

    One column per capability cluster, indexed by area code; a score that is not a value
    (suppressed, no response, missing) is NaN. This is what the capacity index standardises.
    """
    scores = {}
    for cluster, indicator in CLUSTER_INDICATORS.items():
        axis = _axis(values, indicator, level, period)
        scores[cluster] = axis["value"].where(axis["status"].eq(STATUS_VALUE))
    return pd.DataFrame(scores)
