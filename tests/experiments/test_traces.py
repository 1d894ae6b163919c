"""Tests of ``splitalloc.experiments.traces``: the per-slot frames of Figs. 6, 7, 10 and Fig. 7's
table."""

from __future__ import annotations

import pandas as pd
import pytest

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


def test_origin_report_per_origin_and_without_spike_days(data_dir):
    """Per rolling origin, then all days and all days without the spike days: utilities and the
    paired gain. Proposed serves 90 % of the offline optimum, the LSTM 80 %, except on the two
    spike days (2006-09-17/18, origin 77) where Proposed serves 50 %."""
    from splitalloc.experiments import traces
    from splitalloc.scenario import scenario_arrivals

    spikes = traces.kaggle_spike_days()
    assert [str(d.date()) for d in spikes] == ["2006-09-17", "2006-09-18"]
    days = scenario_arrivals("kaggle").index[42:]
    share = {"offline": 1.0, "two-stage-lstm": 0.8, "objective-driven": 0.9}
    rows = [{"data": "real", "framework": fw, "seed": s, "M": 100.0, "Sigma": 30.0, "time": t,
             "D_true": 200.0, "served": 100.0 * (0.5 if fw == "objective-driven" and t in spikes else q) * (1 + s / 100)}
            for fw, q in share.items() for s in range(3) for t in days]
    rep = traces.origin_report(pd.DataFrame(rows))
    assert list(rep["scope"]) == [f"origin {o}" for o in range(42, 92, 7)] + ["all", "all without spike days"]
    assert list(rep["n_days"]) == [7] * 7 + [1, 50, 48]
    assert list(rep["n_spike_days"]) == [0] * 5 + [2, 0, 0, 2, 0]
    at = rep.set_index("scope")
    assert at.loc["origin 42", "gain_pp"] == pytest.approx(10.0)
    assert at.loc["origin 77", "gain_pp"] == pytest.approx((5 * 10 - 2 * 30) / 7)
    assert at.loc["all without spike days", "gain_pp"] == pytest.approx(10.0)
    assert at.loc["all", "two-stage-lstm"] == pytest.approx(80.0)
    assert at.loc["all", "offline_admitted_pct"] == pytest.approx(50.0 * (1 + 0.01), rel=0.02)
    assert (rep["n_seeds"] == 3).all()
    with pytest.raises(ValueError, match="no 'two-stage-lstm' rows"):
        traces.origin_report(pd.DataFrame(rows).query("framework != 'two-stage-lstm'"))
