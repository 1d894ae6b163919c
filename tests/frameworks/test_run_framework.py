"""run_framework: the tidy output of every framework on the hand-built scenario, the offline
bound, determinism, errors before any training, threads and progress."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from hand_scenario import TINY, hand_scenario
from splitalloc.frameworks import TrainSettings, run_framework


def test_output_is_tidy_test_period(runs, scenario):
    for name, df in runs.items():
        assert list(df.columns) == ["framework", "seed", "time", "service", "D_true", "D_pred", "d", "served"]
        assert len(df) == (scenario.n_slots - scenario.val_end) * 2
        assert (df["framework"] == name).all()
        assert df["time"].min() == scenario.arrivals.index[scenario.val_end]
        np.testing.assert_allclose(df["D_true"].to_numpy().reshape(-1, 2),
                                   scenario.arrivals.to_numpy()[scenario.val_end:])
        assert np.all(df[["D_pred", "d", "served"]].to_numpy() >= -1e-9)
        assert np.all(df["served"] <= df["D_true"] + 1e-9)


def test_offline_serves_its_allocation_and_is_never_beaten(runs, scenario):
    off = runs["offline"]
    np.testing.assert_allclose(off["served"], off["d"], rtol=1e-9, atol=1e-9)
    p = np.tile(scenario.problem.p, len(off) // 2)
    off_rev = (p * off["served"].to_numpy()).reshape(-1, 2).sum(1)
    for name, df in runs.items():
        rev = (p * df["served"].to_numpy()).reshape(-1, 2).sum(1)
        assert np.all(rev <= off_rev + 1e-7 * (1 + off_rev)), name


def test_same_seed_identical_different_seed_differs(scenario):
    for name in ("objective-driven", "two-stage-quantile"):
        a = run_framework(name, scenario, seed=5, settings=TINY)
        b = run_framework(name, scenario, seed=5, settings=TINY)
        pd.testing.assert_frame_equal(a, b)
    a2 = run_framework("objective-driven", scenario, seed=5, settings=TINY)
    c = run_framework("objective-driven", scenario, seed=6, settings=TINY)
    assert not np.array_equal(a2["D_pred"].to_numpy(), c["D_pred"].to_numpy())


def test_unknown_framework_and_bad_settings_raise(scenario):
    with pytest.raises(ValueError, match="unknown framework 'nope'"):
        run_framework("nope", scenario, seed=0, settings=TINY)
    with pytest.raises(ValueError, match="window L=40"):
        run_framework("two-stage-lstm", scenario, seed=0,
                      settings=TrainSettings(max_steps=1, window=40, hidden_size=4,
                                             learning_rate=1e-2, batch_size=8))
    with pytest.raises(ValueError, match="settings must be a TrainSettings"):
        run_framework("offline", scenario, seed=0, settings={"window": 4})


def test_framework_checks_run_before_training():
    base = hand_scenario()
    no_validation = replace(base, val_end=base.train_end)
    with pytest.raises(ValueError, match="two-stage-quantile needs a non-empty validation period"):
        run_framework("two-stage-quantile", no_validation, seed=0, settings=TINY)
    # 3-hour slots: a season (a day) is 8 slots, more than the first test slot (7) has before it
    three_hourly = base.arrivals.set_axis(pd.date_range("2005-05-04", periods=base.n_slots, freq="3h"))
    early_test = replace(base, arrivals=three_hourly, train_end=6, val_end=7)
    with pytest.raises(ValueError, match="lag of 8 slots reaches before the series start"):
        run_framework("two-stage-seasonal", early_test, seed=0, settings=TINY)


def test_progress_bar_and_thread_setting_restored(scenario, capsys):
    before = torch.get_num_threads()
    df = run_framework("two-stage-lstm", scenario, seed=0, settings=TINY, progress=True)
    assert len(df) > 0
    assert "two-stage-lstm" in capsys.readouterr().err      # tqdm writes to stderr
    assert torch.get_num_threads() == before
