"""Tests of ``splitalloc.experiments.summarize``: confidence intervals over seeds and the
helpers the comparison and the claims share."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from splitalloc import experiments as ex
from splitalloc.experiments import summarize


def test_summarize_with_ci_matches_scipy():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"g": np.repeat(["a", "b"], [5, 7]), "v": rng.normal(10, 2, 12)})
    out = ex.summarize_with_ci(df, ["g"], "v").set_index("g")
    for g, grp in df.groupby("g"):
        v = grp["v"].to_numpy()
        lo, hi = stats.t.interval(0.95, len(v) - 1, loc=v.mean(), scale=stats.sem(v))
        assert out.loc[g, "n"] == len(v)
        assert out.loc[g, "mean"] == pytest.approx(v.mean())
        assert out.loc[g, "ci95_low"] == pytest.approx(lo)
        assert out.loc[g, "ci95_high"] == pytest.approx(hi)
        assert out.loc[g, "ci_method"] == summarize.T_NOTE
    single = ex.summarize_with_ci(df.iloc[:1], ["g"], "v")
    assert single["n"].iloc[0] == 1 and np.isnan(single["ci95_low"].iloc[0])


def test_over_seeds_pct_gain_and_block_length():
    m, lo, hi, n, method = ex.paper.over_seeds(pd.Series([1.0, 2.0, 3.0, float("nan")]))
    assert (m, n) == (2.0, 3) and lo < 2.0 < hi and "t over seeds" in method
    assert np.isnan(ex.paper.over_seeds(pd.Series([1.0, 2.0]))[1])   # fewer than 3 seeds: no interval
    df = pd.DataFrame({"dataset": "geant", "data": "real", "M": 1.0, "Sigma": 0.0, "seed": [0, 0],
                       "framework": ["a", "b"], "throughput": [110.0, 100.0]})
    assert list(summarize.pct_gain(df, "throughput", "a", "b")) == pytest.approx([10.0])
    assert summarize.block_length("geant") == 96 and summarize.block_length("kaggle") == 7
