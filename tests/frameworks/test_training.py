"""The shared training machinery: standardisation, early stopping, the forecaster cache, the
choice of input normalisation."""

from dataclasses import replace

import numpy as np
import pytest
import torch

from hand_scenario import TINY
from splitalloc.frameworks import clear_predictor_cache, prepare_data, train_predictor


def test_standardisation_uses_the_training_period_only(scenario):
    data = prepare_data(scenario, TINY)
    train = scenario.arrivals.to_numpy()[: scenario.train_end]
    np.testing.assert_allclose(data.mean, train.mean(0))
    np.testing.assert_allclose(data.std, train.std(0))
    moved = replace(scenario, arrivals=scenario.arrivals.assign(
        AlexNet=np.r_[scenario.arrivals["AlexNet"].to_numpy()[: scenario.train_end],
                      np.full(scenario.n_slots - scenario.train_end, 99.0)]))
    data2 = prepare_data(moved, TINY)
    np.testing.assert_array_equal(data.mean, data2.mean)
    np.testing.assert_array_equal(data.std, data2.std)


def test_early_stopping_keeps_the_best_validation_state(scenario):
    st = replace(TINY, max_steps=400, eval_every=5, patience=3)
    data = prepare_data(scenario, st)
    clear_predictor_cache()
    model, log = train_predictor(scenario, data, st, 0)
    assert log.stopped_early and log.steps < 400
    assert log.steps == 5 * len(log.val_score) and log.best_step % 5 == 0
    best = int(np.argmin(log.val_score))
    assert log.best_step == 5 * (best + 1) and len(log.val_score) - 1 - best == 3   # patience ran out
    z = model(data.X["val"]).detach()
    assert float(((data.z("val") - z) ** 2).mean()) == pytest.approx(min(log.val_score), rel=1e-5)
    # the cache returns the same trained model, and so the same numbers
    again, log2 = train_predictor(scenario, data, st, 0)
    torch.testing.assert_close(again(data.X["val"]), z)
    assert log2.as_dict() == log.as_dict()


def test_auto_normalisation_keeps_the_better_validation_fit(scenario):
    st = replace(TINY, max_steps=40, eval_every=5, patience=3)
    data = prepare_data(scenario, st)
    fits = {m: train_predictor(scenario, data, replace(st, input_normalisation=m), 1)[1]
            for m in ("global", "window")}
    model, log = train_predictor(scenario, data, st, 1)
    best = min(fits, key=lambda m: min(fits[m].val_score))
    assert log.input_normalisation == best and model.window_level == (best == "window")
