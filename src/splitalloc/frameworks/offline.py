"""``offline``: the upper bound of §V-A.

The LP (4)-(5) solved with the true arrivals ``D``, the true capacities ``C``, ``B`` of the
test period: what a controller that knew everything in advance would reserve. It serves what
it reserves, and no framework can earn more revenue on a slot.
"""

from __future__ import annotations

from ..scenario import Scenario
from .lp import ScenarioLP, offline_allocation
from .settings import TrainSettings
from .training import PreparedData


def run_offline(scenario: Scenario, data: PreparedData, settings: TrainSettings, seed: int,
                progress: bool):
    """The offline optimum on the test period; its "forecast" is the true arrivals."""
    D_true = data.Y["test"]
    return D_true.copy(), offline_allocation(ScenarioLP(scenario.problem), scenario, D_true), {}
