"""The registry of frameworks: every framework's name, defined once, with what it is.

A :class:`Framework` record names a framework, says which family module implements it (one
module of :mod:`splitalloc.frameworks` per family, as PyEPO's ``func/``), its role in the
comparison, the paper's label and a one-line description. Its runner is a function of that
module with one interface::

    runner(scenario, data, settings, seed, progress) -> (D_pred, d, extra)

``data`` is the scenario's windows (:func:`splitalloc.frameworks.training.prepare_data`),
``D_pred`` the forecast of the test period (Mb/slot), ``d`` the reserved allocation, ``extra``
a dict of what else the run learned (kept in the frame's ``attrs``).

This module imports no torch: the experiments layer reads the names from here; the family
module (and torch) is imported when a runner is first asked for.

To add a framework: write its runner in the family module it belongs to (or a new one), add
its record to :data:`REGISTRY` and its label to the book's pages if it is to be shown.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

#: What a framework is in the comparison: one of the paper's frameworks compared in its sweeps
#: (``paper``), the paper's deployment baseline (``deployment``, Fig. 5), a naive forecaster
#: reported beside every LSTM (``naive``), one of our variants (``variant``) or an ablation that
#: isolates one half of the paper's mechanism (``ablation``).
ROLES = ("paper", "deployment", "naive", "variant", "ablation")

#: Family modules of :mod:`splitalloc.frameworks` (one per kind of method).
FAMILIES = ("offline", "two_stage", "objective_driven", "non_splitting", "naive")


@dataclass(frozen=True)
class Framework:
    """One framework: ``name`` (as runs and tables spell it), ``family`` (the module of
    :mod:`splitalloc.frameworks` that implements it), ``function`` (its runner there), ``role``
    (:data:`ROLES`), ``label`` (the paper's legend name, or ours), ``description``,
    ``learns_capacities`` (its runs end with capacity estimates ``Ĉ``, ``B̂`` learned through the
    layer), ``non_splitting`` (it runs on the non-splitting deployment: build its scenario with
    ``splitting=False``) and ``check`` (optional: a function of the family module,
    ``check(scenario, settings)``, that raises ``ValueError`` when the framework cannot run on the
    scenario)."""

    name: str
    family: str
    function: str
    role: str
    label: str
    description: str
    learns_capacities: bool = False
    non_splitting: bool = False
    check: str | None = None

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"framework {self.name!r}: unknown family {self.family!r}; expected one of {FAMILIES}")
        if self.role not in ROLES:
            raise ValueError(f"framework {self.name!r}: unknown role {self.role!r}; expected one of {ROLES}")

    def _module(self):
        return importlib.import_module(f"splitalloc.frameworks.{self.family}")

    @property
    def runner(self) -> Callable:
        """``runner(scenario, data, settings, seed, progress) -> (D_pred, d, extra)``."""
        return getattr(self._module(), self.function)

    @property
    def checker(self) -> Callable | None:
        """``checker(scenario, settings)``, raising ``ValueError``; ``None`` if it has none."""
        return None if self.check is None else getattr(self._module(), self.check)


#: Every framework, in the order tables list them.
REGISTRY: tuple[Framework, ...] = (
    Framework("offline", "offline", "run_offline", "paper", "Offline",
              "the LP with the true arrivals and capacities: the upper bound (served = reserved)"),
    Framework("two-stage-lstm", "two_stage", "run_lstm", "paper", "LSTM",
              "LSTM trained on prediction MSE, then the LP with the forecast and mean capacities"),
    Framework("two-stage-bilstm", "two_stage", "run_bilstm", "paper", "Bi-LSTM",
              "as two-stage-lstm with a bidirectional LSTM"),
    Framework("objective-driven", "objective_driven", "run_proposed", "paper", "Proposed",
              "Algorithm 1: LSTM -> LP layer with learned capacities, trained on MSE to the offline d*",
              learns_capacities=True),
    Framework("non-splitting", "non_splitting", "run_non_splitting", "deployment", "Non-splitting",
              "two-stage LSTM on the non-splitting deployment (each model whole on one server)",
              non_splitting=True),
    Framework("two-stage-persistence", "naive", "run_persistence", "naive", "Persistence (naive)",
              "the LP with mean capacities and the last slot as forecast"),
    Framework("two-stage-seasonal", "naive", "run_seasonal", "naive", "Seasonal naive",
              "the LP with mean capacities and the same slot one season earlier as forecast",
              check="check_seasonal"),
    Framework("two-stage-quantile", "two_stage", "run_quantile", "variant", "Quantile LSTM (ours)",
              "pinball-loss LSTM, the quantile chosen by validation revenue",
              check="check_quantile"),
    Framework("objective-driven-regret", "objective_driven", "run_regret", "variant",
              "Proposed, regret loss (ours)",
              "the objective-driven pipeline trained on realised revenue under the evaluation rule",
              learns_capacities=True),
    Framework("objective-driven-warm", "objective_driven", "run_warm", "variant", "Proposed, warm start (ours)",
              "the objective-driven pipeline started from the trained two-stage LSTM",
              learns_capacities=True),
    Framework("objective-driven-frozen", "objective_driven", "run_frozen", "ablation",
              "Proposed, capacities frozen at μ (ablation)",
              "Algorithm 1 with the capacity estimates frozen at the means: only the forecaster learns"),
    Framework("two-stage-fitted", "objective_driven", "run_fitted", "ablation",
              "LSTM + capacities fitted (ablation)",
              "the two-stage LSTM kept frozen, the capacity estimates fitted through the layer",
              learns_capacities=True),
)

_BY_NAME = {f.name: f for f in REGISTRY}

#: Every framework's name, in registry order.
FRAMEWORKS: tuple[str, ...] = tuple(_BY_NAME)


def framework(name: str) -> Framework:
    """The record of framework ``name``; ``ValueError`` naming the known ones otherwise."""
    try:
        return _BY_NAME[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown framework {name!r}; expected one of {FRAMEWORKS}") from None


def names_with(*, role: str | None = None, learns_capacities: bool | None = None) -> tuple[str, ...]:
    """Names of the frameworks with this ``role`` and/or ``learns_capacities``, in registry order."""
    if role is not None and role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {ROLES}")
    return tuple(f.name for f in REGISTRY
                 if (role is None or f.role == role)
                 and (learns_capacities is None or f.learns_capacities == learns_capacities))


#: The naive two-stage forecasters (persistence and seasonal naive), reported beside every LSTM.
NAIVE_FRAMEWORKS: tuple[str, ...] = names_with(role="naive")
