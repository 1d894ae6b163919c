"""The paper's frameworks (§IV, §V-A), our variants and ablations, behind one interface.

Every framework is a record of the registry (:mod:`splitalloc.frameworks.registry`): its name
(defined there once), its family module and its runner, which all share one signature::

    runner(scenario, data, settings, seed, progress) -> (D_pred, d, extra)

:func:`run_framework` looks the name up, trains what the framework needs on the training
period of a :class:`splitalloc.scenario.Scenario`, chooses what it must on the validation
period, and returns the reserved allocation ``d`` and the served traffic
(:func:`splitalloc.evaluate.serve`) for every slot of the test period.

===========================  ======================================================================
module                       what is in it
===========================  ======================================================================
``registry``                 :class:`Framework`, :data:`REGISTRY`, :data:`FRAMEWORKS`, the roles
``settings``                 :class:`TrainSettings` (how every learned model is trained)
``training``                 windows (:func:`prepare_data`), the loop (:func:`fit`), the forecaster
``lp``                       the LP (4)-(5) in torch, allocation with mean capacities, offline ``d*``
``offline``                  ``offline``: the upper bound
``two_stage``                ``two-stage-lstm``, ``two-stage-bilstm``, ``two-stage-quantile``
``naive``                    ``two-stage-persistence``, ``two-stage-seasonal``
``non_splitting``            ``non-splitting``: the two-stage LSTM on the non-splitting deployment
``objective_driven``         ``objective-driven`` (Algorithm 1), ``-warm``, ``-regret``, ``-frozen``,
                             ``two-stage-fitted``
``run``                      :func:`run_framework`
===========================  ======================================================================

Each family module's docstring says what its frameworks do and which choices are ours.

Importing this package loads only the registry and the settings (no torch): the experiments
layer reads the names from here at import time; everything else is imported on first use
(``from splitalloc.frameworks import run_framework`` works as usual).
"""

from __future__ import annotations

import importlib

from .registry import FRAMEWORKS, NAIVE_FRAMEWORKS, REGISTRY, ROLES, Framework, framework, names_with
from .settings import INPUT_NORMALISATIONS, TrainSettings

#: Public names defined in the torch-using modules, imported on first access.
_LAZY = {
    "run_framework": "run", "check_framework": "run",
    "TrainLog": "training", "PreparedData": "training", "prepare_data": "training", "fit": "training",
    "predict": "training", "train_predictor": "training", "chosen_normalisation": "training",
    "clear_predictor_cache": "training",
    "ScenarioLP": "lp", "allocate_with_means": "lp", "offline_allocation": "lp", "serve_on": "lp",
    "naive_forecast": "naive", "seasonal_period": "naive",
    "ObjectiveDrivenPolicy": "objective_driven", "LayerTraining": "objective_driven",
    "train_through_layer": "objective_driven",
}

#: Names kept here for code written before the scenario had its own module (documented there).
_FROM_SCENARIO = ("Scenario", "make_scenario", "non_splitting_variant", "DATASETS")


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    elif name in _FROM_SCENARIO:
        value = getattr(importlib.import_module("splitalloc.scenario"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | set(_FROM_SCENARIO))


__all__ = [
    "FRAMEWORKS", "NAIVE_FRAMEWORKS", "REGISTRY", "ROLES", "Framework", "framework", "names_with",
    "INPUT_NORMALISATIONS", "TrainSettings", *_LAZY,
]
