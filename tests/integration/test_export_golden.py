"""Golden tidy table for a small hand-made survey: every figure worked out by hand.

Hartlepool has 6 providers, Darlington 5 (P7 with two respondents), Middlesbrough one council
respondent. Permission to try (agree = mean answer 4 or more): Hartlepool 3 of 6; Darlington
4 of 5 (P7 averages 4.5), but suppressed because Middlesbrough (1 organisation) is suppressed
and the North East total (8 of 12) minus Hartlepool would otherwise reveal it. Funder support
used: Hartlepool 3 of 5 answering, Darlington 3 of 5 (P7: "used" beats "aware"); the tie on
size is broken by code, so Hartlepool is the secondary suppression. Intervals are Wilson 95 %,
checked against statsmodels below.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from sasci_map.cli import main
from sasci_map.config import DEFAULT_DATA_DIR
from sasci_map.loading import init_database

SURVEY = """\
respondent_id,org_id,org_type,council_code,wave,lead_permission,support_funder
R01,P1,provider,Hartlepool,2025,5,used
R02,P2,provider,Hartlepool,2025,4,used
R03,P3,provider,Hartlepool,2025,4,aware_not_used
R04,P4,provider,Hartlepool,2025,2,not_aware
R05,P5,provider,Hartlepool,2025,1,used
R06,P6,provider,Hartlepool,2025,3,
R07,P7,provider,Darlington,2025,4,aware_not_used
R08,P7,provider,Darlington,2025,5,used
R09,P8,provider,Darlington,2025,4,not_aware
R10,P9,provider,Darlington,2025,4,not_aware
R11,P10,provider,Darlington,2025,4,used
R12,P11,provider,Darlington,2025,2,used
R13,C1,council,E06000002,2025,4,used
"""

SECONDARY = ("suppressed so that another area's suppressed figure cannot be worked out by "
             "subtraction (secondary suppression)")
NO_RESPONSE = "no council or provider organisation in this area took part in wave 2025"
GOLDEN = f"""\
indicator_id,area_code,area_level,period,numerator,denominator,value,lower,upper,status,status_reason,vs_england,synthetic
pct_agree_permission,E92000001,england,2025,8,12,66.66666667,39.06220889,86.18799089,value,,,False
pct_agree_permission,E12000001,region,2025,8,12,66.66666667,39.06220889,86.18799089,value,,similar,False
pct_agree_permission,E06000001,council,2025,3,6,50,18.76163065,81.23836935,value,,similar,False
pct_agree_permission,E06000002,council,2025,,,,,,suppressed,fewer than 5 responding organisations,,False
pct_agree_permission,E06000005,council,2025,,,,,,suppressed,{SECONDARY},,False
pct_agree_permission,E08000025,council,2025,,,,,,no_response,{NO_RESPONSE},,False
support_used_funder,E92000001,england,2025,7,11,63.63636364,35.38011745,84.8335289,value,,,False
support_used_funder,E12000001,region,2025,7,11,63.63636364,35.38011745,84.8335289,value,,similar,False
support_used_funder,E06000001,council,2025,,,,,,suppressed,{SECONDARY},,False
support_used_funder,E06000002,council,2025,,,,,,suppressed,fewer than 5 responding organisations,,False
support_used_funder,E06000005,council,2025,3,5,60,23.07242813,88.23792258,value,,similar,False
support_used_funder,E08000025,council,2025,,,,,,no_response,{NO_RESPONSE},,False
"""  # noqa: E501
AREAS = ["E92000001", "E12000001", "E06000001", "E06000002", "E06000005", "E08000025"]
COLUMNS = GOLDEN.splitlines()[0].split(",")


def test_export_of_a_hand_made_survey_matches_the_golden_table(empty_engine, monkeypatch,
                                                              tmp_path, capsys):
    init_database(empty_engine, DEFAULT_DATA_DIR, demo=False)
    monkeypatch.setenv("DATABASE_URL", empty_engine.url.render_as_string(hide_password=False))
    survey = tmp_path / "survey.csv"
    survey.write_text(SURVEY, encoding="utf-8")
    assert main(["import", "survey", str(survey)]) == 0
    capsys.readouterr()
    assert main(["export", "--out", "-", "--indicator", "pct_agree_permission",
                 "--indicator", "support_used_funder"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype=str, keep_default_na=False)
    assert len(table) == 2 * (153 + 9 + 1)
    excerpt = table[table["area_code"].isin(AREAS)][COLUMNS]
    assert excerpt.to_csv(index=False, lineterminator="\n") == GOLDEN


@pytest.mark.parametrize(("successes", "trials", "lower", "upper"), [
    (8, 12, 39.06220889, 86.18799089), (3, 6, 18.76163065, 81.23836935),
    (7, 11, 35.38011745, 84.8335289), (3, 5, 23.07242813, 88.23792258)])
def test_golden_intervals_are_statsmodels_wilson(successes, trials, lower, upper):
    low, high = proportion_confint(successes, trials, alpha=0.05, method="wilson")
    assert (100 * low, 100 * high) == pytest.approx((lower, upper), rel=1e-9)
