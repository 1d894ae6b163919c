"""How much of §V to run: :class:`ExperimentScale`, the named scales ``quick``/``paper`` and :func:`get_scale`.

The operating point is the average resource ``M`` of eq. (14) and the average deviation
``Sigma`` of eq. (15); every value comes from :mod:`splitalloc.config`.

Each scale runs a fixed number of seeds (a seed is one capacity draw and one training run, the
unit of every interval and verdict, :mod:`splitalloc.experiments.judge`): **quick 3 seeds**
(``quick_n_seeds``; the fewest the judge accepts), **paper 10 seeds** (``n_seeds``; the issue
asks for at least 10). The robustness grid's own cells run ``quick_robustness_n_seeds`` (3) and
``robustness_n_seeds`` (5) seeds. The judge refuses fewer than 3 seeds.
"""

from __future__ import annotations

from collections.abc import Sequence
import dataclasses
from dataclasses import dataclass, field
import math
from typing import Any

import numpy as np

from .. import config
from ..frameworks.settings import TrainSettings
from ..scenario import uses_rolling_origin
from .names import ALL_DATASETS, DATASETS, PAPER_FRAMEWORKS


def check_dataset(dataset: str, where: str) -> None:
    """Raise ``ValueError`` (prefixed by ``where``) unless ``dataset`` is one a run may use."""
    if dataset not in ALL_DATASETS:
        raise ValueError(f"{where}: unknown dataset {dataset!r}; expected one of {list(ALL_DATASETS)}")


def check_sigma(Sigma: float, where: str) -> None:
    """Raise ``ValueError`` (prefixed by ``where``) unless ``Sigma`` (eq. 15) is finite and >= 0."""
    if not (isinstance(Sigma, (int, float, np.floating, np.integer)) and math.isfinite(Sigma) and Sigma >= 0):
        raise ValueError(f"{where}: Sigma (eq. 15) must be a finite number >= 0, got {Sigma!r}")


def check_M(M: float, where: str) -> None:
    """Raise ``ValueError`` (prefixed by ``where``) unless ``M`` (eq. 14) is finite and > 0."""
    if not (isinstance(M, (int, float, np.floating, np.integer)) and math.isfinite(M) and M > 0):
        raise ValueError(f"{where}: M (eq. 14) must be a finite number > 0, got {M!r}")


@dataclass(frozen=True)
class ExperimentScale:
    """How much of §V to run: seeds, sweeps, training settings.

    ``M`` is the average resource of eq. (14), ``Sigma`` the average standard deviation of
    eq. (15). ``default_M``/``default_Sigma`` are the operating point of Figs. 5-7 and 10
    (and of the M sweep / Sigma sweep respectively). ``synthetic_slots`` (if not ``None``)
    adds, to Figs. 6 and 10, runs on the seeded synthetic series fitted to each real series,
    of that many slots, labelled ``data="synthetic"``. ``skipped_frameworks``: our variants
    this scale does not run (see the config entry ``quick_skipped_frameworks``). ``training``:
    the :class:`splitalloc.frameworks.TrainSettings` of every run at this scale (built once,
    passed unchanged to each :class:`~splitalloc.experiments.RunSpec`).
    """

    name: str
    seeds: tuple[int, ...]
    training: TrainSettings
    sigma_sweep: tuple[float, ...]
    M_sweep: tuple[float, ...]
    default_M: float
    default_Sigma: float
    datasets: tuple[str, ...] = DATASETS
    synthetic_slots: int | None = None
    synthetic_frameworks: tuple[str, ...] = PAPER_FRAMEWORKS
    skipped_frameworks: tuple[str, ...] = ()
    rolling_origin_sigma_sweep: tuple[float, ...] | None = None
    skipped_on_rolling_origin: tuple[str, ...] = ()

    def frameworks(self, names, dataset: str | None = None) -> tuple[str, ...]:
        """``names`` without the frameworks this scale skips (``skipped_frameworks``), and on a
        dataset scored by rolling origin also without ``skipped_on_rolling_origin``."""
        skip = set(self.skipped_frameworks)
        if dataset is not None and uses_rolling_origin(dataset):
            skip |= set(self.skipped_on_rolling_origin)
        return tuple(f for f in names if f not in skip)

    def sigmas(self, dataset: str) -> tuple[float, ...]:
        """The Sigma sweep (eq. 15) on ``dataset``'s real series: ``rolling_origin_sigma_sweep``
        on a dataset scored by rolling origin (Kaggle: every run retrains at 8 origins, see config
        ``paper_rolling_origin_sigma_sweep``) when the scale sets one, else ``sigma_sweep``."""
        if self.rolling_origin_sigma_sweep is not None and uses_rolling_origin(dataset):
            return self.rolling_origin_sigma_sweep
        return self.sigma_sweep

    def __post_init__(self) -> None:
        if not self.seeds:
            raise ValueError(f"ExperimentScale {self.name!r}: seeds must not be empty")
        if not isinstance(self.training, TrainSettings):
            raise ValueError(f"ExperimentScale {self.name!r}: training must be a TrainSettings, "
                             f"got {type(self.training).__name__}")
        for s in (*self.sigma_sweep, *(self.rolling_origin_sigma_sweep or ()), self.default_Sigma):
            check_sigma(s, f"ExperimentScale {self.name!r}")
        for m in (*self.M_sweep, self.default_M):
            check_M(m, f"ExperimentScale {self.name!r}")
        for ds in self.datasets:
            check_dataset(ds, f"ExperimentScale {self.name!r}")
        if self.synthetic_slots is not None and self.synthetic_slots < 1:
            raise ValueError(f"ExperimentScale {self.name!r}: synthetic_slots must be >= 1 or None")

    def replace(self, **changes: Any) -> "ExperimentScale":
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def with_training(self, **changes: Any) -> "ExperimentScale":
        """A copy whose training settings have some fields changed (e.g. ``max_steps=8``)."""
        return self.replace(training=dataclasses.replace(self.training, **changes))


def default_point() -> tuple[float, float]:
    """The default operating point ``(M, Sigma)`` from config: the average resource of eq. (14),
    mean of ``mu_C`` and ``mu_B``, and the average deviation of eq. (15), mean of ``sigma_C`` and
    ``sigma_B``."""
    M = (float(config.value("mu_C")) + float(config.value("mu_B"))) / 2.0  # eq. (14)
    Sigma = (float(config.value("sigma_C")) + float(config.value("sigma_B"))) / 2.0  # eq. (15)
    return M, Sigma


def _make_scales() -> dict[str, ExperimentScale]:
    sig = tuple(float(s) for s in config.value("sigma_sweep"))
    msw = tuple(float(m) for m in config.value("M_sweep"))
    dM, dS = default_point()
    common = dict(
        default_M=dM,
        default_Sigma=dS,
    )
    quick = ExperimentScale(
        name="quick",
        seeds=tuple(range(int(config.value("quick_n_seeds")))),
        training=TrainSettings(max_steps=int(config.value("quick_max_steps"))),
        sigma_sweep=tuple(float(s) for s in config.value("quick_sigma_sweep")),
        M_sweep=tuple(float(m) for m in config.value("quick_M_sweep")),
        skipped_frameworks=tuple(config.value("quick_skipped_frameworks")),
        skipped_on_rolling_origin=tuple(config.value("quick_skipped_on_rolling_origin")),
        **common,
    )
    paper = ExperimentScale(
        name="paper",
        seeds=tuple(range(int(config.value("n_seeds")))),
        training=TrainSettings(),
        sigma_sweep=sig,
        M_sweep=msw,
        synthetic_slots=int(config.value("synthetic_slots")),
        rolling_origin_sigma_sweep=tuple(float(s) for s in config.value("paper_rolling_origin_sigma_sweep")),
        **common,
    )
    return {"quick": quick, "paper": paper}


#: The two named scales: ``quick`` (3 seeds, <= 4 min on 2 cores) and ``paper`` (all figures, ``n_seeds`` seeds: 10).
SCALES: dict[str, ExperimentScale] = _make_scales()


def get_scale(scale: str | ExperimentScale, *, M_values: Sequence[float] | None = None,
              Sigma_values: Sequence[float] | None = None,
              datasets: Sequence[str] | None = None) -> ExperimentScale:
    """Resolve a scale name (``"quick"``/``"paper"``) or pass an :class:`ExperimentScale` through.

    The optional overrides (the notebooks' page parameters) replace the scale's sweep of the
    average resource ``M`` (eq. 14, ``M_sweep``), of the average deviation ``Sigma`` (eq. 15,
    ``sigma_sweep``) or its ``datasets``; ``None`` keeps the scale's own.
    """
    if isinstance(scale, ExperimentScale):
        sc = scale
    else:
        try:
            sc = SCALES[scale]
        except (KeyError, TypeError):
            raise ValueError(f"unknown scale {scale!r}; expected one of {sorted(SCALES)} "
                             "or an ExperimentScale") from None
    changes: dict[str, Any] = {}
    for name, field, values in (("M_values", "M_sweep", M_values), ("Sigma_values", "sigma_sweep", Sigma_values)):
        if values is not None:
            try:
                changes[field] = tuple(float(v) for v in values)
            except (TypeError, ValueError):
                raise ValueError(f"get_scale: {name} must be a list of numbers, got {values!r}") from None
    if datasets is not None:
        if isinstance(datasets, str):
            raise ValueError(f"get_scale: datasets must be a list such as ['kaggle'], got the string {datasets!r}")
        changes["datasets"] = tuple(str(d) for d in datasets)
    return sc.replace(**changes) if changes else sc
