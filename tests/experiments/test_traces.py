"""Tests of ``splitalloc.experiments.traces``: the per-slot frames of Figs. 6, 7, 10 and Fig. 7's
table."""

from __future__ import annotations

from splitalloc import experiments as ex
from splitalloc.experiments import traces


def test_fig6_has_one_row_per_framework_seed_and_slot(fake_results):
    _, res = fake_results
    f6 = res["fig6"]
    assert set(f6["framework"]) >= {"two-stage-quantile", "objective-driven-regret"}
    assert len(f6) == f6.groupby(["framework", "seed"]).ngroups * 6
    assert {"slot", "d", "served", "D_true", "D_pred", "throughput", "utility", "accuracy"} <= set(f6.columns)
    assert set(res["fig10"]["dataset"]) == {"kaggle"} and set(f6["dataset"]) == {"geant"}


def test_fig7_frame_and_table(fake_results):
    _, res = fake_results
    f7 = res["fig7"]
    assert set(f7["framework"]) == set(ex.BASELINE_FRAMEWORKS)
    assert {"slot", "D_true", "D_pred", "abs_err", "accuracy", "throughput"} <= set(f7.columns)
    t = ex.fig7_table(f7)
    assert ex.fig7_table is traces.fig7_table
    assert set(t["framework"]) == set(ex.BASELINE_FRAMEWORKS)
    assert (t["ci_method"] == ex.summarize.BOOTSTRAP_NOTE).all()
