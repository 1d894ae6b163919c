"""Two-stage ("predictive optimization", §V-A): forecast first, then allocate.

``two-stage-lstm`` / ``two-stage-bilstm``
    an LSTM / Bi-LSTM trained on prediction MSE (:func:`splitalloc.frameworks.training.train_predictor`),
    then the LP with the predicted ``D̂`` and the mean capacities ``mu_C``, ``mu_B`` (capacities
    are not observable, §IV-A).
``two-stage-quantile`` (ours, not in the paper)
    a pinball-loss LSTM; the quantile is chosen from ``TrainSettings.quantile_grid`` by the
    revenue it reaches on the validation period (mean capacities, as two-stage).

The LSTM + fitted-capacities ablation (``two-stage-fitted``) keeps this forecaster but trains
the capacity estimates through the LP layer: it lives with that machinery in
:mod:`splitalloc.frameworks.objective_driven`.
"""

from __future__ import annotations

import numpy as np
from tqdm.auto import tqdm

from ..scenario import Scenario
from .lp import ScenarioLP, allocate_with_means, serve_on
from .settings import TrainSettings
from .training import PreparedData, chosen_normalisation, predict, train_predictor


def two_stage(scenario: Scenario, data: PreparedData, settings: TrainSettings, seed: int, progress: bool,
              *, bidirectional: bool = False, desc: str = ""):
    """The trained forecaster's test-period forecast and its allocation with mean capacities."""
    model, log = train_predictor(scenario, data, settings, seed, bidirectional=bidirectional,
                                 progress=progress, desc=desc)
    D_pred = predict(model, data.X["test"], data)
    lp = ScenarioLP(scenario.problem)
    return D_pred, allocate_with_means(lp, scenario, D_pred), {"training": log.as_dict()}


def run_lstm(scenario: Scenario, data: PreparedData, settings: TrainSettings, seed: int, progress: bool):
    """``two-stage-lstm``."""
    return two_stage(scenario, data, settings, seed, progress, desc="two-stage-lstm")


def run_bilstm(scenario: Scenario, data: PreparedData, settings: TrainSettings, seed: int, progress: bool):
    """``two-stage-bilstm``."""
    return two_stage(scenario, data, settings, seed, progress, bidirectional=True, desc="two-stage-bilstm")


def run_quantile(scenario: Scenario, data: PreparedData, settings: TrainSettings, seed: int, progress: bool):
    """``two-stage-quantile``: one pinball-loss LSTM per quantile of the grid; the one whose
    allocations earn the most revenue on the validation period is kept."""
    lp = ScenarioLP(scenario.problem)
    settings = chosen_normalisation(scenario, data, settings, seed)
    p = np.asarray(scenario.problem.p)
    best = None
    scores = {}
    for q in tqdm(settings.quantile_grid, desc="quantile grid", disable=not progress, leave=False):
        model, log = train_predictor(scenario, data, settings, seed, quantile=float(q))
        D_val = predict(model, data.X["val"], data)
        served = serve_on(scenario, allocate_with_means(lp, scenario, D_val), data.Y["val"])
        scores[float(q)] = float(np.sum(p * served))
        if best is None or scores[float(q)] > scores[best[0]]:
            best = (float(q), model, log)
    q, model, log = best
    D_pred = predict(model, data.X["test"], data)
    return D_pred, allocate_with_means(lp, scenario, D_pred), {"quantile": q, "val_revenue": scores,
                                                               "training": log.as_dict()}


def check_quantile(scenario: Scenario, settings: TrainSettings) -> None:
    """The quantile is chosen on the validation period, which must not be empty."""
    if scenario.val_end - scenario.train_end < 1:
        raise ValueError("two-stage-quantile needs a non-empty validation period")
