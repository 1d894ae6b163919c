"""Helpers of the experiments and config modules that the notebooks call instead of computing
inline: scale overrides, run summaries, Fig. 7's table, the parameter table filter, the
moving-block CI. The presentation functions are tested in ``tests/plots/``, one file per module
of ``splitalloc.plots``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from splitalloc import config, experiments as ex


def test_get_scale_overrides():
    base = ex.get_scale("quick")
    sc = ex.get_scale("quick", M_values=[40, 80], Sigma_values=["0", 30], datasets=["kaggle"])
    assert sc.M_sweep == (40.0, 80.0) and sc.sigma_sweep == (0.0, 30.0) and sc.datasets == ("kaggle",)
    assert sc.seeds == base.seeds
    assert ex.get_scale("quick") is base and ex.get_scale(base) is base
    with pytest.raises(ValueError, match="M_values"):
        ex.get_scale("quick", M_values=["lots"])
    with pytest.raises(ValueError, match="datasets"):
        ex.get_scale("quick", datasets="kaggle")
    with pytest.raises(ValueError, match="unknown scale"):
        ex.get_scale("huge", M_values=[1])


def _per_slot(n_slots=4):
    rows = []
    for fw, thr in (("offline", 10.0), ("objective-driven", 8.0)):
        for seed in range(3):
            for t in range(n_slots):
                rows.append(dict(data="real", framework=fw, seed=seed, slot=t, throughput=thr + seed,
                                 accuracy=0.9 + 0.01 * seed))
    return pd.DataFrame(rows)


def test_summarize_runs_counts_runs_not_slots():
    s = ex.summarize_runs(_per_slot(), ["data", "framework"], "throughput")
    assert list(s["n"]) == [3, 3]
    assert s.set_index("framework").loc["offline", "mean"] == pytest.approx(11.0)
    with pytest.raises(KeyError, match="seed"):
        ex.summarize_runs(_per_slot().drop(columns="seed"), ["framework"], "throughput")


def test_fig7_table_accuracy_in_percent():
    t = ex.fig7_table(_per_slot()).set_index("framework")
    assert list(t.columns) == ["mean_accuracy_pct", "ci95_low", "ci95_high", "mean_throughput", "ci_method"]
    assert (t["ci_method"] == "t over seeds").all()           # no per-slot columns in this frame
    assert t.loc["objective-driven", "mean_accuracy_pct"] == pytest.approx(91.0)
    assert t.loc["objective-driven", "mean_throughput"] == pytest.approx(9.0)
    assert t.loc["offline", "ci95_low"] < 91.0 < t.loc["offline", "ci95_high"]


def test_parameter_table_group_filter():
    full = config.parameter_table()
    g = full["group"].iloc[0]
    sub = config.parameter_table(g)
    assert len(sub) == (full["group"] == g).sum() and set(sub["group"]) == {g}
    with pytest.raises(ValueError, match="not a parameter group"):
        config.parameter_table("no-such-group")


def test_moving_block_ci_resamples_seeds_and_the_test_window():
    rng = np.random.default_rng(0)
    T = 200
    slots = rng.normal(10, 2, size=T)
    same = np.tile(slots, (3, 1))                                 # three identical seeds
    m, lo, hi = ex.summarize.moving_block_ci(same, block=10)
    assert m == pytest.approx(slots.mean())
    assert lo < m < hi                                            # the window's own noise is in the CI
    se = slots.std(ddof=1) / np.sqrt(T)
    assert 2.5 * se < hi - lo < 6 * se                            # ~ 2 x 1.96 se for iid slots
    # circular blocks weigh every slot alike: the interval is centred on the estimate even
    # when one block is most of the window
    # (traffic only in the window's middle: plain moving blocks of 96 of 135 slots always cover
    # the middle, so their interval sits almost entirely above the estimate)
    t = np.arange(135)
    mid = np.where((t >= 40) & (t < 95), 1.0, 0.0) + rng.normal(0, 0.05, 135)
    m, lo, hi = ex.summarize.moving_block_ci(mid[None, :], block=96)
    assert lo < m - 0.2 * (hi - lo) and hi > m + 0.2 * (hi - lo)
    # ratio of sums per seed, then the mean over seeds
    num, den = rng.uniform(1, 2, (4, 50)), rng.uniform(2, 3, (4, 50))
    m, lo, hi = ex.summarize.moving_block_ci(num, den, block=5)
    assert m == pytest.approx(np.mean(num.sum(1) / den.sum(1))) and lo < m < hi
    # constant slots and identical seeds: nothing to resample
    m, lo, hi = ex.summarize.moving_block_ci(np.ones((2, 30)), block=7)
    assert m == lo == hi == 1.0
    # a slow trend: day-long blocks keep neighbouring slots together, so the CI is wider than
    # with blocks of one slot (which treats the slots as independent)
    trend = np.sin(np.linspace(0, 6 * np.pi, 300))[None, :] + rng.normal(0, 0.1, (1, 300))
    w1 = np.subtract(*ex.summarize.moving_block_ci(trend, block=1)[2:0:-1])
    w50 = np.subtract(*ex.summarize.moving_block_ci(trend, block=50)[2:0:-1])
    assert w50 > 2 * w1
    assert ex.summarize.moving_block_ci(trend, block=50) == ex.summarize.moving_block_ci(trend, block=50)
    with pytest.raises(ValueError, match="one shape"):
        ex.summarize.moving_block_ci(np.ones((2, 3)), np.ones((3, 3)), block=2)
    with pytest.raises(ValueError, match="block must be a positive integer"):
        ex.summarize.moving_block_ci(np.ones((2, 3)), block=0)


def test_fig7_table_bootstraps_over_slots_when_it_has_them():
    rng = np.random.default_rng(1)
    rows = []
    for fw in ("offline", "two-stage-lstm"):
        for seed in range(3):
            for t in range(40):
                d = 100 + 10 * np.sin(t / 5)
                err = 0.0 if fw == "offline" else abs(rng.normal(0, 5))
                rows.append(dict(dataset="geant", framework=fw, seed=seed, slot=t, D_true=d, abs_err=err,
                                 throughput=90.0, accuracy=np.nan))
    df = pd.DataFrame(rows)
    run_acc = df.groupby(["framework", "seed"]).apply(lambda g: 1 - g.abs_err.sum() / g.D_true.sum())
    df["accuracy"] = [run_acc[(f, s)] for f, s in zip(df.framework, df.seed)]
    t = ex.fig7_table(df).set_index("framework")
    lstm = t.loc["two-stage-lstm"]
    assert lstm["mean_accuracy_pct"] == pytest.approx(100 * run_acc["two-stage-lstm"].mean())
    assert lstm["ci95_low"] < lstm["mean_accuracy_pct"] < lstm["ci95_high"]
    assert "moving-block bootstrap" in lstm["ci_method"]
    assert t.loc["offline", "ci95_low"] == t.loc["offline", "ci95_high"] == 100.0
