"""``non-splitting`` (§V-A): the two-stage LSTM on the non-splitting deployment.

Each AI model is deployed whole on one server instead of being split along a path. The
scenario of this framework is the non-splitting variant of the splitting scenario of the same
network draw (:func:`splitalloc.scenario.non_splitting_variant`, applied once, when the run's
scenario is built: ``make_scenario(..., splitting=False)``); the framework itself is the
two-stage LSTM of :mod:`splitalloc.frameworks.two_stage` on that scenario.
"""

from __future__ import annotations

from ..scenario import Scenario
from .settings import TrainSettings
from .training import PreparedData
from .two_stage import two_stage


def run_non_splitting(scenario: Scenario, data: PreparedData, settings: TrainSettings, seed: int,
                      progress: bool):
    """The two-stage LSTM on a non-splitting scenario (checked by ``run_framework``)."""
    return two_stage(scenario, data, settings, seed, progress, desc="non-splitting")
