"""``splitalloc.plots.comparison``: the claims in words, the paper's numbers beside ours, the
parameter registry. Verdict classes are read from ``splitalloc.experiments.judge``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from splitalloc import config, plots
from splitalloc.experiments import judge as J
from splitalloc.experiments.judge import CONTRADICTED, NOT_RUN, REPRODUCED, VERDICT_DEFINITIONS

from . import frames


def test_claims_table_shows_estimate_ci_mde_paper_effect_seeds_and_method():
    claims = frames.claims()
    assert list(plots.claim_verdicts(claims.assign(verdict=[None] + list(claims["verdict"][1:])))[:1]) == [NOT_RUN]
    shown = plots.claims_display(claims)
    assert list(shown.columns) == ["claim", "dataset", "vs", "part", "verdict", "ours: estimate [95% CI]", "MDE",
                                   "paper's effect", "seeds", "ci_method", "note"]
    assert len(shown) == len(claims) and set(shown["verdict"]) <= set(J.VERDICTS)
    r = claims[(claims.claim_no == 2) & (claims.dataset == "geant") & (claims.baseline == "two-stage-lstm")].iloc[0]
    row = shown.iloc[r.name]
    assert row["ours: estimate [95% CI]"] == f"{r.estimate:+.2f} [{r.ci_low:+.2f}, {r.ci_high:+.2f}] pp"
    assert row["paper's effect"] == f"{r.paper_effect:+.2f}" and row["seeds"] == 5 and row["verdict"] == REPRODUCED
    assert "ratio" in shown.iloc[0]["ours: estimate [95% CI]"]          # claim 1 also as a ratio
    html = plots.claims_styled(claims).to_html()
    assert plots.VERDICT_COLOURS[REPRODUCED] in html and plots.VERDICT_COLOURS[CONTRADICTED] in html
    assert "equal information" in html and J.T_METHOD in html


def test_verdict_legend_defines_every_class_in_its_colour():
    leg = plots.verdict_legend()
    assert list(leg["verdict"]) == list(J.VERDICTS)
    assert list(leg["meaning"]) == [VERDICT_DEFINITIONS[v] for v in J.VERDICTS]
    html = plots.verdict_legend_styled().to_html()
    assert all(plots.VERDICT_COLOURS[v] in html for v in J.VERDICTS)


def _comparison():
    return pd.DataFrame({"artefact": ["Fig. 5", "Fig. 9"], "dataset": ["geant", "geant"],
                         "framework": ["offline", "objective-driven"], "setting": [None, "Sigma=30"],
                         "metric": ["throughput", "utility"], "unit": ["Mb/slot", "%"],
                         "paper": [200.0, 95.0], "mean": [190.0, np.nan], "ci95_low": [180.0, np.nan],
                         "ci95_high": [200.0, np.nan], "n": [3, 0], "difference": [-10.0, np.nan],
                         "comparable": [True, True], "note": ["", "not run"]})


def test_paper_vs_ours_plot_and_tables():
    fig = plots.plot_paper_vs_ours(_comparison())
    assert len(fig.data[0].y) == 1 and fig.data[0].y[0].startswith("Fig. 5 · geant · offline")
    assert list(fig.data[0].error_x.array) == [10.0]
    html = plots.comparison_styled(_comparison()).to_html()
    assert "190.00 [180.00, 200.00]" in html and "throughput (Mb/slot)" in html and ">yes<" in html


def test_parameter_plots():
    table = config.parameter_table()
    fig = plots.plot_parameter_sources(table)
    assert sum(sum(t.y) for t in fig.data) == len(table)
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
    html = plots.parameters_styled(table).to_html()
    assert "#e8f1fb" in html
