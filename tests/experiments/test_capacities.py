"""Tests of ``splitalloc.experiments.capacities``: the learned capacity estimates of the
objective-driven runs against the truth."""

from __future__ import annotations

import numpy as np
import pandas as pd

from splitalloc import experiments as ex

from experiment_fakes import TINY, fake_run, never_like


def fake_with_caps(spec):
    df = fake_run(spec)
    if spec.framework.startswith("objective"):
        rng = np.random.default_rng(spec.seed)
        true = rng.uniform(50, 150, 5)
        df.attrs["capacities"] = pd.DataFrame({
            "kind": ["server"] * 3 + ["link"] * 2, "index": [0, 1, 2, 0, 1],
            "used": [True, True, False, True, False], "usable": True, "mu": 100.0,
            "true": true, "estimate": 100.0 + 0.5 * (true - 100.0)})
    return df


def test_capacity_estimates_are_saved_with_each_run(tmp_path, fake_lengths):
    sc = TINY.replace(seeds=(0, 1))
    df = ex.capacity_estimates(scale=sc, out_dir=tmp_path, progress=False, run_fn=fake_with_caps)
    assert tuple(df.columns) == ex.capacities.CAPACITY_COLUMNS
    assert set(df["framework"]) == {"objective-driven"} and set(df["Sigma"]) == {0.0, 30.0}
    assert len(df) == 2 * 2 * 5  # seeds x Sigma x resources
    np.testing.assert_allclose(df["err_estimate"], (df["estimate"] - df["true"]).abs())
    np.testing.assert_allclose(df["err_mean"], (df["mu"] - df["true"]).abs())
    assert (tmp_path / "tiny" / "capacity_estimates.csv").exists()
    summ = ex.capacity_summary(df)
    assert (summ["closer_share"] == 1.0).all() and (summ["err_estimate"] < summ["err_mean"]).all()
    # from the cache: the same table, no run
    again = ex.capacity_estimates(scale=sc, out_dir=tmp_path, progress=False, run_fn=never_like(fake_with_caps))
    pd.testing.assert_frame_equal(df, again)


def test_no_estimates_give_an_empty_table_with_the_columns(tmp_path, fake_lengths):
    df = ex.capacity_estimates(scale=TINY, out_dir=tmp_path, progress=False, run_fn=fake_run)
    assert df.empty and tuple(df.columns) == ex.capacities.CAPACITY_COLUMNS
    assert ex.capacity_summary(df).empty


def test_capacity_runs_are_fig9s_capacity_learning_runs():
    fig9 = set(ex.all_specs(TINY, only=["fig9"]))
    caps = ex.all_specs(TINY, only=["capacities"])
    assert caps and set(caps) <= fig9
    assert {s.framework for s in caps} <= set(ex.capacities.LEARNS_CAPACITIES)
