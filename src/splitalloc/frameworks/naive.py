"""The naive two-stage forecasters (not in the paper): ``two-stage-persistence`` and
``two-stage-seasonal``.

The LP with mean capacities ``mu_C``, ``mu_B`` (as two-stage) and a naive forecast: the last
slot (persistence), or the same slot one season earlier (:func:`seasonal_period`: a day on
GEANT, a week on Kaggle). They are reported beside every LSTM so that a weak trained model
cannot pass for a baseline.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..scenario import Scenario
from .lp import ScenarioLP, allocate_with_means
from .settings import TrainSettings
from .training import PreparedData


def naive_forecast(series: np.ndarray, targets: np.ndarray, lag: int) -> np.ndarray:
    """The naive forecast ``D̂(t) = D(t - lag)`` for each target slot ``t`` (rows of ``series``).

    ``lag = 1``: persistence (the last observed slot); ``lag =`` :func:`seasonal_period`: seasonal
    naive (the same slot a day earlier on 15-min data, a week earlier on daily data). Only slots
    before ``t`` are read, all observed at the start of slot ``t`` (§III-B).
    """
    targets = np.asarray(targets, dtype=np.int64)
    if int(lag) != lag or lag < 1:
        raise ValueError(f"naive_forecast: lag must be a positive integer, got {lag!r}")
    if targets.size and targets.min() - lag < 0:
        raise ValueError(f"naive_forecast: target slot {int(targets.min())} minus lag {lag} is before the series")
    return np.asarray(series, dtype=np.float64)[targets - int(lag)]


def seasonal_period(index: pd.Index) -> int:
    """Slots in one season of a regular time index: one day for sub-daily slots (GEANT: 96 of
    15 min), one week for daily slots (Kaggle: 7). The seasonal-naive forecaster's lag."""
    if not isinstance(index, pd.DatetimeIndex) or len(index) < 2:
        raise ValueError("seasonal naive needs arrivals with a regular DatetimeIndex of >= 2 slots, "
                         f"got {type(index).__name__} of length {len(index)}")
    step = pd.Timedelta(index[1] - index[0])
    day = pd.Timedelta(days=1)
    if step <= pd.Timedelta(0):
        raise ValueError(f"arrivals' time index must increase, got a step of {step}")
    if step < day and day % step == pd.Timedelta(0):
        return int(day // step)
    if step == day:
        return 7
    raise ValueError(f"no seasonal period for a slot of {step}: expected a divisor of one day or one day")


def _run_naive(scenario: Scenario, data: PreparedData, lag: int):
    targets = np.arange(data.t0["test"], scenario.n_slots)
    D_pred = naive_forecast(data.series, targets, lag)
    return D_pred, allocate_with_means(ScenarioLP(scenario.problem), scenario, D_pred), {"lag": int(lag)}


def run_persistence(scenario: Scenario, data: PreparedData, settings: TrainSettings, seed: int,
                    progress: bool):
    """Persistence: the last observed slot as forecast."""
    return _run_naive(scenario, data, 1)


def run_seasonal(scenario: Scenario, data: PreparedData, settings: TrainSettings, seed: int,
                 progress: bool):
    """Seasonal naive: the same slot one season earlier as forecast."""
    return _run_naive(scenario, data, seasonal_period(scenario.arrivals.index))


def check_seasonal(scenario: Scenario, settings: TrainSettings) -> None:
    """The season's lag must not reach before the series start from the first test slot."""
    period = seasonal_period(scenario.arrivals.index)
    first = max(scenario.val_end, settings.window)
    if period > first:
        raise ValueError(f"two-stage-seasonal: the lag of {period} slots reaches before the series "
                         f"start from the first test slot {first}")
