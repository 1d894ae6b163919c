"""``splitalloc.plots.calibration``: the verdicts across environments (figure and table), built from a
small ``environments.csv``-shaped frame."""

from __future__ import annotations

import math

import pandas as pd

from splitalloc import plots
from splitalloc.experiments import calibrated
from splitalloc.experiments.judge import INCONCLUSIVE, REPRODUCED, SMALLER


def _environments() -> pd.DataFrame:
    """Two claims in four environments; the best fit's verdict is drawn last, as in real tables."""
    rows = []
    for env, kind, verdicts in (("independent", "independent", (INCONCLUSIVE, INCONCLUSIVE)),
                                ("independent, all-or-nothing", "rule", (REPRODUCED, INCONCLUSIVE)),
                                ("best fit", "best fit", (SMALLER, INCONCLUSIVE)),
                                ("member 1", "member", (REPRODUCED, INCONCLUSIVE))):
        for (claim_no, base), verdict in zip(((2, "two-stage-lstm"), (2, "two-stage-fitted")), verdicts):
            rows.append({"environment": env, "kind": kind, "in_set": kind == "member", "max_implausibility": 2.0,
                         "sq_error": 1.0, "gamma": math.inf if kind == "rule" else 1.0, "claim_no": claim_no,
                         "claim": "beats-baselines", "dataset": "geant", "baseline": base, "part": math.nan,
                         "verdict": verdict, "estimate": 5.0, "ci_low": 1.0, "ci_high": 9.0,
                         "paper_effect": 10.24, "mde": 2.0, "n_seeds": 5, "unit": "pp", "note": ""})
    return pd.DataFrame(rows, columns=list(calibrated.ENVIRONMENT_COLUMNS))


def test_environments_figure_keeps_the_tables_environment_order():
    fig = plots.environments_figure(_environments())
    assert list(fig.layout.xaxis.categoryarray) == ["independent", "independent, all-or-nothing", "best fit",
                                                   "member 1"]
    assert fig.layout.xaxis4.title.text == "environment" and fig.layout.yaxis.title.text == "pp"
    # one legend entry per verdict class, a paper line in each panel that has rows
    assert sorted(t.name for t in fig.data if t.showlegend) == sorted({INCONCLUSIVE, REPRODUCED, SMALLER})


def test_environment_verdicts_count_the_members():
    table = plots.environment_verdicts(_environments()).set_index("claim")
    first = table.iloc[0]
    assert (first["today"], first["all-or-nothing"], first["best fit"]) == (INCONCLUSIVE, REPRODUCED, SMALLER)
    assert first["members"] == 1 and first["across the set"] == f"{REPRODUCED}: 1"
    assert table.iloc[2]["across the set"] == "no member"     # claim 3 has no rows here
