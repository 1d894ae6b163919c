"""Objective-driven frameworks: gradients through the layer reach the LSTM and the capacities,
early stopping on validation revenue, the ablations, the regret loss."""

from dataclasses import replace

import numpy as np
import pytest
import torch

from hand_scenario import TINY
from splitalloc.frameworks import (LayerTraining, ObjectiveDrivenPolicy, ScenarioLP, offline_allocation,
                                   prepare_data, run_framework, train_predictor)


def test_objective_driven_gradient_reaches_lstm_and_capacities(scenario):
    data = prepare_data(scenario, TINY)
    # a predictor fitted on MSE tracks the demand, so that on some slots a demand row binds
    # (gradient to the LSTM) and on others a capacity row (gradient to Ĉ, B̂)
    predictor, _ = train_predictor(scenario, data, replace(TINY, max_steps=120, patience=100), 0)
    policy = ObjectiveDrivenPolicy(predictor, scenario.problem, mu_C=6.0, mu_B=6.0, mean=data.mean,
                                   std=data.std)
    d_star = torch.as_tensor(offline_allocation(policy.lp, scenario, data.Y["train"]))
    d, D_hat = policy(data.X["train"])
    assert d.shape == D_hat.shape == (data.X["train"].shape[0], 2)
    loss = (((d - d_star) / policy.scale) ** 2).mean()
    loss.backward()
    lstm_grad = sum(float(p.grad.abs().sum()) for p in predictor.parameters() if p.grad is not None)
    assert lstm_grad > 0
    cap_grad = float(policy.theta_C.grad.abs().sum() + policy.theta_B.grad.abs().sum())
    assert cap_grad > 0
    # capacities start at the means
    C_hat, B_hat = policy.capacities()
    torch.testing.assert_close(C_hat, torch.full((2,), 6.0, dtype=torch.float64))
    assert isinstance(policy.lp, ScenarioLP)


def test_objective_driven_moves_capacity_estimates(runs):
    attrs = runs["objective-driven"].attrs
    assert not np.allclose(attrs["C_hat"] + attrs["B_hat"], 6.0)
    assert not np.allclose(runs["objective-driven-regret"].attrs["C_hat"], 6.0)


def test_objective_driven_stops_on_validation_revenue(scenario):
    st = replace(TINY, max_steps=60, eval_every=5, patience=4)
    df = run_framework("objective-driven", scenario, seed=0, settings=st)
    tr = df.attrs["training"]
    assert tr["best_step"] <= tr["steps"] <= 60 and len(tr["val_score"]) == tr["steps"] // 5
    assert all(v <= 0 for v in tr["val_score"])                    # minus a revenue
    warm = run_framework("objective-driven-warm", scenario, seed=0, settings=st)
    assert not np.array_equal(warm["D_pred"].to_numpy(), df["D_pred"].to_numpy())


def test_ablations_isolate_forecaster_and_capacities(runs):
    """objective-driven-frozen keeps Ĉ, B̂ at the means (only the forecaster learns through the
    layer); two-stage-fitted keeps the two-stage LSTM's forecast and learns only Ĉ, B̂."""
    frozen = runs["objective-driven-frozen"].attrs
    np.testing.assert_array_equal(frozen["C_hat"] + frozen["B_hat"], [6.0, 6.0, 6.0])
    fitted, lstm = runs["two-stage-fitted"], runs["two-stage-lstm"]
    np.testing.assert_allclose(fitted["D_pred"], lstm["D_pred"], rtol=1e-12)
    assert not np.allclose(fitted.attrs["C_hat"] + fitted.attrs["B_hat"], 6.0)
    assert not np.allclose(runs["objective-driven-frozen"]["D_pred"], lstm["D_pred"])
    with pytest.raises(ValueError, match="at least one of the forecaster and the capacities must learn"):
        LayerTraining(learn_capacities=False, learn_predictor=False)
