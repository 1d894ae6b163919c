"""Tests of ``splitalloc.experiments.sweeps``: Fig. 8 (M sweep), Fig. 9 and Table 4 (Sigma sweep)."""

from __future__ import annotations

import numpy as np

from splitalloc import experiments as ex

from experiment_fakes import TINY, never_like, fake_run


def test_table4_rows_and_paired_improvements(fake_results):
    _, res = fake_results
    t4 = res["table4"]
    assert set(t4["framework"]) >= {"objective-driven - two-stage-lstm", "two-stage-quantile",
                                    "objective-driven-regret"}
    # utility of the fake runs is 100 * quality (paired with offline), improvement is the difference
    u = t4[(t4.framework == "objective-driven") & (t4.dataset == "geant") & (t4.Sigma == 0)]["value"]
    l = t4[(t4.framework == "two-stage-lstm") & (t4.dataset == "geant") & (t4.Sigma == 0)]["value"]
    imp = t4[(t4.framework == "objective-driven - two-stage-lstm") & (t4.dataset == "geant")
             & (t4.Sigma == 0)]["value"]
    np.testing.assert_allclose(imp.to_numpy(), u.to_numpy() - l.to_numpy())
    wide = ex.table4_wide(t4)
    assert "Sigma=30" in wide.columns and ("geant", "Proposed vs LSTM") in wide.index


def test_figure_functions_hit_the_cache(fake_results, fake_lengths):
    out, _ = fake_results
    df = ex.fig9_deviation(scale=TINY.replace(seeds=(0, 1, 2)), out_dir=out, progress=False,
                           run_fn=never_like(fake_run))
    assert set(df["Sigma"]) == {0.0, 30.0}


def test_fig8_sweeps_M_at_the_default_Sigma(fake_results):
    _, res = fake_results
    f8 = res["fig8"]
    assert set(f8["M"]) == set(TINY.M_sweep) and set(f8["Sigma"]) == {TINY.default_Sigma}
    assert set(f8["framework"]) == set(ex.BASELINE_FRAMEWORKS)
    assert (f8["label"] == f8["framework"].map(ex.PAPER_NAMES)).all()


def test_bootstrap_intervals_reach_table4(fake_results):
    _, res = fake_results
    t4 = res["table4"]
    real = t4[t4["data"] == "real"]
    s = ex.summarize_with_ci(real, ["dataset", "framework", "Sigma"], "value")
    assert (s["ci_method"] == ex.summarize.BOOTSTRAP_NOTE).all()
    assert (s["ci95_low"] <= s["mean"] + 1e-9).all() and (s["mean"] <= s["ci95_high"] + 1e-9).all()
    # a coarser grouping mixes bootstrap groups: the t-interval over its rows, said so
    coarse = ex.summarize_with_ci(real, ["dataset"], "value")
    assert (coarse["ci_method"] == ex.summarize.T_NOTE).all()
