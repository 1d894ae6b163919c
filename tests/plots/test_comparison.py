"""``splitalloc.plots.comparison``: the claims in words, the paper's numbers beside ours, the
parameter registry. Verdict words are read from ``splitalloc.experiments.claims``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from splitalloc import config, plots
from splitalloc.experiments.claims import INCONCLUSIVE, NOT_RUN, NOT_SUPPORTED, SUPPORTED


def test_claim_verdicts_are_words():
    claims = pd.DataFrame({"claim": ["a", "b", "c"], "supported": [True, False, None]})
    assert list(plots.claim_verdicts(claims)) == [SUPPORTED, plots.NOT_SUPPORTED_OR_INCONCLUSIVE, NOT_RUN]
    worded = claims.assign(verdict=[SUPPORTED, INCONCLUSIVE, None])
    assert list(plots.claim_verdicts(worded)) == [SUPPORTED, INCONCLUSIVE, NOT_RUN]
    html = plots.claims_styled(worded).to_html()
    assert f">{INCONCLUSIVE}<" in html and "True" not in html and "False" not in html
    assert plots.VERDICT_COLOURS[INCONCLUSIVE] in html


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
    claims = pd.DataFrame({"claim": ["a", "b"], "supported": [True, False]})
    html = plots.claims_styled(claims).to_html()
    assert plots.VERDICT_COLOURS[SUPPORTED] in html and plots.VERDICT_COLOURS[NOT_SUPPORTED] in html


def test_parameter_plots():
    table = config.parameter_table()
    fig = plots.plot_parameter_sources(table)
    assert sum(sum(t.y) for t in fig.data) == len(table)
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
    html = plots.parameters_styled(table).to_html()
    assert "#e8f1fb" in html
