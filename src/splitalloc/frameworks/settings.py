"""How every learned framework is trained: :class:`TrainSettings` (no torch import here).

The settings are one value that travels unchanged from the experiment scale through the run
spec to the training loop (:func:`splitalloc.frameworks.training.fit`); every default comes
from :mod:`splitalloc.config` (group ``training``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .. import config

#: ``global``: standardised inputs only; ``window``: plus the reversible window-level
#: normalisation of :class:`splitalloc.models.TrafficPredictor`; ``auto``: the one with the lower
#: validation prediction loss, per series and seed (see
#: :func:`splitalloc.frameworks.training.train_predictor`).
INPUT_NORMALISATIONS = ("auto", "global", "window")

_POSITIVE_INTEGERS = ("max_steps", "eval_every", "patience", "window", "hidden_size", "batch_size",
                      "num_layers")
_POSITIVE_NUMBERS = ("learning_rate", "capacity_learning_rate")


def _cfg(name: str):
    return field(default_factory=lambda: config.value(name))


@dataclass(frozen=True)
class TrainSettings:
    """Training settings shared by all learned frameworks (defaults from :mod:`splitalloc.config`).

    Every learned model (two-stage LSTM / Bi-LSTM / quantile, objective-driven and its variants)
    gets the same care: Adam on seeded, shuffled mini-batches of the training period for at most
    ``max_steps`` optimiser steps; every ``eval_every`` steps the model is scored on the
    validation period, the best state is kept, and training stops after ``patience`` scores
    without improvement (early stopping). The state restored at the end is the best one.
    ``window`` is the LSTM's input length ``L`` (slots), ``capacity_learning_rate`` the Adam rate
    of the capacity estimates ``Ĉ``, ``B̂``, ``quantile_grid`` the quantiles the quantile LSTM
    chooses from, ``regret_overload_penalty`` the weight of the reserved overload in the regret
    loss, ``lp_warm_start`` whether the LP layer starts each solve from the sample's last basis.
    """

    max_steps: int = _cfg("max_steps")
    eval_every: int = _cfg("eval_every")
    patience: int = _cfg("patience")
    window: int = _cfg("window")
    hidden_size: int = _cfg("hidden_size")
    learning_rate: float = _cfg("learning_rate")
    batch_size: int = _cfg("batch_size")
    num_layers: int = _cfg("num_layers")
    capacity_learning_rate: float = _cfg("capacity_learning_rate")
    quantile_grid: tuple[float, ...] = _cfg("quantile_grid")
    regret_overload_penalty: float = _cfg("regret_overload_penalty")
    input_normalisation: str = _cfg("input_normalisation")
    lp_warm_start: bool = _cfg("lp_warm_start")

    def __post_init__(self) -> None:
        if self.input_normalisation not in INPUT_NORMALISATIONS:
            raise ValueError(f"TrainSettings.input_normalisation must be one of {INPUT_NORMALISATIONS}, "
                             f"got {self.input_normalisation!r}")
        for name in _POSITIVE_INTEGERS:
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"TrainSettings.{name} must be a positive integer, got {v!r}")
        for name in _POSITIVE_NUMBERS:
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise ValueError(f"TrainSettings.{name} must be a finite number > 0, got {v!r}")
        try:
            grid = tuple(float(q) for q in self.quantile_grid)
        except (TypeError, ValueError):
            grid = ()
        if not grid or not all(0 < q < 1 for q in grid):
            raise ValueError(f"TrainSettings.quantile_grid must be non-empty with values in (0, 1), "
                             f"got {self.quantile_grid!r}")
        object.__setattr__(self, "quantile_grid", grid)   # a tuple: the settings stay hashable
        penalty = self.regret_overload_penalty
        if not (isinstance(penalty, (int, float)) and math.isfinite(penalty) and penalty >= 0):
            raise ValueError(f"TrainSettings.regret_overload_penalty must be a finite number >= 0, "
                             f"got {penalty!r}")
