"""The paper's frameworks (§IV, §V-A) and our two extra variants, with one entry point.

A :class:`Scenario` fixes one dataset and one network draw: arrivals ``D_k(t)``, true capacities
``C``, ``B`` (eq. 13), a deployment (GUS or non-splitting) and the LP (4)-(5)
``max p^T d s.t. G d <= h``, ``h = [C; B; D; 0]``. :func:`run_framework` trains what a framework
needs on the training period, chooses what it must on the validation period, and returns the
reserved allocation ``d`` and the served traffic (:func:`splitalloc.evaluate.serve`) for every slot
of the test period.

Frameworks (``FRAMEWORKS``):

``offline``
    the LP with the true ``D``, ``C``, ``B``: the upper bound of §V-A (served = ``d``).
``two-stage-lstm`` / ``two-stage-bilstm``
    "predictive optimization" (§V-A): an LSTM / Bi-LSTM trained on prediction MSE, then the LP
    with the predicted ``D̂`` and the mean capacities ``mu_C``, ``mu_B`` (capacities are not
    observable, §IV-A).
``objective-driven``
    the paper's method (§IV-B, §IV-C, Algorithm 1): LSTM -> ``lp_solve`` with learnable capacity
    estimates ``Ĉ``, ``B̂`` -> ``d``; loss MSE between ``d`` and the offline optimum ``d*``; the
    gradient ``dl/dh`` of eq. (12) updates the LSTM through ``dl/dD`` and the estimates through
    ``dl/dC``, ``dl/dB``.
``non-splitting``
    two-stage LSTM on the non-splitting deployment (each model whole on one server, §V-A).
``two-stage-persistence`` / ``two-stage-seasonal`` (naive baselines, not in the paper)
    the LP with mean capacities and a naive forecast: the last slot (persistence), or the same
    slot one season earlier (:func:`seasonal_period`: a day on GEANT, a week on Kaggle).
``objective-driven-warm`` (a variant, not in the paper)
    the objective-driven pipeline started from the trained two-stage LSTM.
``objective-driven-frozen`` (ablation, not in the paper)
    Algorithm 1 with ``Ĉ``, ``B̂`` frozen at the means ``mu_C``, ``mu_B``: only the forecaster
    learns through the layer, so any gain over two-stage comes from the decision-aware forecast.
``two-stage-fitted`` (ablation, not in the paper)
    the two-stage LSTM (frozen), with ``Ĉ``, ``B̂`` fitted through the same layer and loss as
    Algorithm 1 (MSE to ``d*`` on the training period): the capacity-learning half of the method
    without the decision-aware forecast.
``two-stage-quantile`` (ours, not in the paper)
    pinball-loss LSTM; the quantile is chosen from ``TrainSettings.quantile_grid`` by the
    utility it reaches on the validation period (mean capacities, as two-stage).
``objective-driven-regret`` (ours, not in the paper)
    the objective-driven pipeline trained on realised revenue instead of MSE to ``d*``:
    loss ``-p^T served(d)`` with ``served`` the evaluation rule written in torch, plus
    ``regret_overload_penalty`` times the normalised reserved overload. Like the paper's MSE
    target ``d*``, this loss uses the training period's true arrivals and true capacities
    (the realised outcome of a slot); at test time both objective-driven frameworks see only
    past arrivals and their learned ``Ĉ``, ``B̂``.

Choices of ours, stated once:

* arrivals are standardised per service with the training period's mean and standard
  deviation; the predictor (LSTM layers, then a linear head) works in those units and its output
  is mapped back to Mb/slot and clamped at 0 (``D_k >= 0``, eq. 1) before the LP;
* every learned model is trained the same way (:func:`_fit`): a budget of ``max_steps`` Adam
  steps, early stopping on the validation period (prediction loss for two-stage forecasters,
  revenue under the evaluation rule for the objective-driven ones), best state restored;
* the capacity estimates are ``Ĉ = mu_C * exp(theta_C)``, ``B̂ = mu_B * exp(theta_B)`` with
  ``theta = 0`` at the start: positive by construction, initialised at the means, and updated
  in relative (scale-free) steps; they get their own Adam learning rate
  (``capacity_learning_rate``);
* ``objective-driven`` starts from scratch and trains through the layer only, as Algorithm 1
  does; ``objective-driven-warm`` (a variant) starts from the trained two-stage LSTM;
* two-stage forecasters do not depend on the network, ``M`` or ``Sigma``: one training per
  (series, settings, seed) is cached in the process and reused (deterministic, so no number moves);
* discarded resources (negative draws, §V-D-1) have capacity 0 in ``h`` and in the evaluation.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import torch
from tqdm.auto import tqdm

from splitalloc import config
from splitalloc import data as _data
from splitalloc.evaluate import serve
from splitalloc.layer import lp_solve
from splitalloc.models import TrafficPredictor, make_windows, split_bounds
from splitalloc.network import deploy_gus, deploy_non_splitting, draw_network
from splitalloc.problem import build_problem
from splitalloc.profiles import default_profiles

DATASETS: tuple[str, ...] = ("geant", "geant-may", "kaggle")
#: The naive two-stage forecasters (persistence and seasonal naive), reported beside every LSTM.
NAIVE_FRAMEWORKS: tuple[str, ...] = ("two-stage-persistence", "two-stage-seasonal")
FRAMEWORKS: tuple[str, ...] = (
    "offline", "two-stage-lstm", "two-stage-bilstm", "objective-driven", "non-splitting",
    *NAIVE_FRAMEWORKS, "two-stage-quantile", "objective-driven-regret", "objective-driven-warm",
    "objective-driven-frozen", "two-stage-fitted",
)


# --------------------------------------------------------------------------------- scenario
@dataclass(frozen=True)
class Scenario:
    """One dataset x one network draw (see the module docstring).

    ``arrivals``: time-indexed frame, one column per service, Mb/slot. ``train_end`` and
    ``val_end`` cut it chronologically: train ``[0, train_end)``, validation
    ``[train_end, val_end)``, test ``[val_end, T)``. ``network``, ``deployment`` and ``problem``
    are the :mod:`splitalloc.network` / :mod:`splitalloc.problem` objects.
    """

    dataset: str
    arrivals: pd.DataFrame
    network: Any
    deployment: Any
    problem: Any
    train_end: int
    val_end: int
    seed: int
    M: float
    Sigma: float
    information: str = "mean"   # what the deployment read: mean capacities or the true draws

    @property
    def services(self) -> list[str]:
        return [str(c) for c in self.arrivals.columns]

    @property
    def n_slots(self) -> int:
        return int(self.arrivals.shape[0])

    @property
    def C_true(self) -> np.ndarray:
        """True server capacities with discarded (negative or unusable) servers at 0."""
        return _effective(self.network.C, getattr(self.network, "usable_servers", None))

    @property
    def B_true(self) -> np.ndarray:
        """True link capacities with discarded (negative or unusable) links at 0."""
        return _effective(self.network.B, getattr(self.network, "usable_links", None))


def _effective(cap, usable) -> np.ndarray:
    cap = np.asarray(cap, dtype=np.float64)
    ok = np.isfinite(cap) & (cap > 0)
    if usable is not None:
        ok &= np.asarray(usable, dtype=bool)
    return np.where(ok, cap, 0.0)


def _check_nonneg(name: str, val) -> float:
    try:
        x = float(val)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {val!r}") from None
    if not math.isfinite(x) or x < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {val!r}")
    return x


def make_scenario(dataset: str, *, seed: int, M: float | None = None, Sigma: float | None = None,
                  splitting: bool = True, arrivals: pd.DataFrame | None = None,
                  data_dir=None, information: str | None = None) -> Scenario:
    """Build a :class:`Scenario`.

    ``dataset`` is ``"geant"`` or ``"kaggle"`` (arrivals from
    :func:`splitalloc.data.service_arrivals`); with ``arrivals`` given (e.g. a synthetic series)
    the name is only a label. ``M`` and ``Sigma`` are the paper's average resource and average
    deviation, eqs. (14)-(15): ``M = (mu_C + mu_B)/2``, ``Sigma = (sigma_C + sigma_B)/2``; we
    set ``mu_C = mu_B = M`` and ``sigma_C = sigma_B = Sigma``. ``None`` takes ``mu_C``, ``mu_B``,
    ``sigma_C``, ``sigma_B`` from :mod:`splitalloc.config`. The network is drawn from
    ``numpy.random.default_rng(seed)`` (eq. 13) on the GEANT topology, then the services are
    deployed by GUS (``splitting=True``) or whole on one server each, deciding from
    ``information`` (default config ``deployment_information``): ``"mean"`` capacities and the
    resources that exist, or the ``"true"`` draws (a labelled variant), see
    :func:`splitalloc.network.known_capacities`.
    """
    if arrivals is None and dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; expected one of {DATASETS} "
                         "(or pass `arrivals=` with your own series)")
    if M is not None and _check_nonneg("M", M) <= 0:
        raise ValueError(f"M must be > 0, got {M!r}")
    if Sigma is not None:
        _check_nonneg("Sigma", Sigma)
    mu_C, mu_B = (config.value("mu_C"), config.value("mu_B")) if M is None else (float(M), float(M))
    sigma_C, sigma_B = ((config.value("sigma_C"), config.value("sigma_B")) if Sigma is None
                        else (float(Sigma), float(Sigma)))
    for name, v in (("sigma_C", sigma_C), ("sigma_B", sigma_B)):
        _check_nonneg(name, v)

    if arrivals is None:
        arrivals = _data.service_arrivals(dataset, data_dir=data_dir)
    arrivals = _check_arrivals(arrivals)
    train_end, val_end = split_bounds(arrivals.shape[0], config.value("train_fraction"),
                                      config.value("val_fraction"))
    topology = _data.load_geant_topology(data_dir)
    rng = np.random.default_rng(seed)
    network = draw_network(topology, mu_C=mu_C, sigma_C=sigma_C, mu_B=mu_B, sigma_B=sigma_B, rng=rng)
    profiles = _profiles_for(default_profiles(), list(arrivals.columns))
    information = config.value("deployment_information") if information is None else str(information)
    deploy = deploy_gus if splitting else deploy_non_splitting
    deployment = deploy(network, profiles, rng=rng, information=information)
    problem = build_problem(network, deployment, r=config.value("r"), q_C=config.value("q_C"),
                            q_B=config.value("q_B"))
    return Scenario(dataset=dataset, arrivals=arrivals, network=network, deployment=deployment,
                    problem=problem, train_end=train_end, val_end=val_end, seed=int(seed),
                    M=(mu_C + mu_B) / 2, Sigma=(sigma_C + sigma_B) / 2, information=information)


def _profiles_for(profiles, services):
    by_name = {p.name: p for p in profiles}
    missing = [s for s in services if s not in by_name]
    if missing:
        raise ValueError(f"arrivals have services {missing} without a profile; known: {list(by_name)}")
    return [by_name[s] for s in services]


def _check_arrivals(arrivals: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(arrivals, pd.DataFrame):
        raise ValueError(f"arrivals must be a pandas DataFrame (time x service), got {type(arrivals)}")
    vals = arrivals.to_numpy(dtype=np.float64)
    if vals.ndim != 2 or vals.shape[1] < 1 or vals.shape[0] < 3:
        raise ValueError(f"arrivals must have >= 3 slots and >= 1 service column, got shape {vals.shape}")
    if not np.all(np.isfinite(vals)) or np.any(vals < 0):
        raise ValueError("arrivals must be finite and >= 0")
    return arrivals


def non_splitting_variant(scenario: Scenario) -> Scenario:
    """The same arrivals and network draw with each model deployed whole on one server (§V-A),
    placed from the same information as the scenario's GUS deployment (``scenario.information``)."""
    if not scenario.deployment.splitting:
        return scenario
    profiles = _profiles_for(default_profiles(), scenario.services)
    deployment = deploy_non_splitting(scenario.network, profiles,
                                      rng=np.random.default_rng(scenario.seed),
                                      information=scenario.information)
    problem = build_problem(scenario.network, deployment, r=config.value("r"),
                            q_C=config.value("q_C"), q_B=config.value("q_B"))
    return replace(scenario, deployment=deployment, problem=problem)


# --------------------------------------------------------------------------------- settings
#: ``global``: standardised inputs only; ``window``: plus the reversible window-level
#: normalisation of :class:`splitalloc.models.TrafficPredictor`; ``auto``: the one with the lower
#: validation prediction loss, per series and seed (see :func:`_train_predictor`).
INPUT_NORMALISATIONS = ("auto", "global", "window")


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
        for name in ("max_steps", "eval_every", "patience", "window", "hidden_size", "batch_size",
                     "num_layers"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"TrainSettings.{name} must be a positive integer, got {v!r}")
        for name in ("learning_rate", "capacity_learning_rate"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise ValueError(f"TrainSettings.{name} must be a finite number > 0, got {v!r}")
        if not self.quantile_grid or not all(0 < float(q) < 1 for q in self.quantile_grid):
            raise ValueError(f"TrainSettings.quantile_grid must be non-empty with values in (0, 1), "
                             f"got {self.quantile_grid!r}")
        _check_nonneg("TrainSettings.regret_overload_penalty", self.regret_overload_penalty)


# --------------------------------------------------------------------------------- helpers
@dataclass
class _Data:
    """Windows of one scenario, standardised with training-period statistics.

    ``mean``/``std`` (K,) are each service's mean and standard deviation over the training
    period only (Mb/slot); inputs ``X`` are ``(D - mean) / std``. ``Y`` holds the true arrivals
    of each period's target slots (Mb/slot), ``t0`` the first target slot, ``series`` the whole
    series (Mb/slot; the naive forecasters read its past slots).
    """

    mean: np.ndarray
    std: np.ndarray
    series: np.ndarray
    X: dict[str, torch.Tensor | None]
    Y: dict[str, np.ndarray | None]
    t0: dict[str, int]

    @property
    def scale(self) -> np.ndarray:
        """Per-service training mean: the unit in which decision losses are normalised."""
        return self.mean

    def z(self, period: str) -> torch.Tensor:
        """Standardised targets of ``period`` (float32), the two-stage regression target."""
        return torch.as_tensor((self.Y[period] - self.mean) / self.std, dtype=torch.float32)

    def to_volume(self, z: torch.Tensor) -> torch.Tensor:
        """Predicted arrivals in Mb/slot from standardised outputs, clamped at 0 (``D_k >= 0``)."""
        m = torch.as_tensor(self.mean, dtype=z.dtype)
        s = torch.as_tensor(self.std, dtype=z.dtype)
        return torch.clamp(m + s * z, min=0.0)


def _prepare(scenario: Scenario, settings: TrainSettings) -> _Data:
    series = scenario.arrivals.to_numpy(dtype=np.float64)
    train = series[: scenario.train_end]
    mean = train.mean(axis=0)
    mean = np.where(mean > 0, mean, 1.0)
    std = train.std(axis=0)
    std = np.where(std > 1e-9 * mean, std, mean)      # a constant training series: scale by its mean
    norm = (series - mean) / std
    bounds = {"train": (0, scenario.train_end), "val": (scenario.train_end, scenario.val_end),
              "test": (scenario.val_end, scenario.n_slots)}
    X, Y, t0 = {}, {}, {}
    for period, (a, b) in bounds.items():
        t0[period] = max(a, settings.window)
        if b <= t0[period]:
            X[period], Y[period] = None, None
            continue
        x, _ = make_windows(norm, settings.window, a, b)
        X[period] = torch.as_tensor(x, dtype=torch.float32)
        Y[period] = series[t0[period]: b]
    return _Data(mean=mean, std=std, series=series, X=X, Y=Y, t0=t0)


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


def _validate(name: str, scenario: Scenario, settings: TrainSettings) -> None:
    if name not in FRAMEWORKS:
        raise ValueError(f"unknown framework {name!r}; expected one of {FRAMEWORKS}")
    if not isinstance(settings, TrainSettings):
        raise ValueError(f"settings must be a TrainSettings, got {type(settings)}")
    L = settings.window
    if L >= scenario.train_end - 1:
        raise ValueError(
            f"window L={L} is too long for dataset {scenario.dataset!r}: the series has "
            f"{scenario.n_slots} slots, of which {scenario.train_end} are training slots; "
            f"need L <= {scenario.train_end - 2} (at least two training samples)"
        )
    if scenario.val_end - scenario.train_end < 1 and name == "two-stage-quantile":
        raise ValueError("two-stage-quantile needs a non-empty validation period")
    if name == "two-stage-seasonal":
        period = seasonal_period(scenario.arrivals.index)
        first = max(scenario.val_end, L)
        if period > first:
            raise ValueError(f"two-stage-seasonal: the lag of {period} slots reaches before the series "
                             f"start from the first test slot {first}")


class _LP:
    """The LP (4)-(5) of a scenario as torch tensors, solved with :func:`splitalloc.layer.lp_solve`."""

    def __init__(self, problem) -> None:
        self.G = torch.tensor(np.asarray(problem.G, dtype=np.float64))
        self.p = torch.tensor(np.asarray(problem.p, dtype=np.float64))
        self.N = int(problem.n_servers)
        self.E = int(problem.n_links)
        self.K = int(problem.n_services)
        if self.G.shape != (self.N + self.E + 2 * self.K, self.K):
            raise ValueError(f"LPProblem.G has shape {tuple(self.G.shape)}, expected "
                             f"({self.N + self.E + 2 * self.K}, {self.K}) (eq. 4a)")

    def h(self, C: torch.Tensor, B: torch.Tensor, D: torch.Tensor) -> torch.Tensor:
        """``h = [C; B; D; 0]`` of eq. (4b) for a batch of demands ``D`` (n, K)."""
        n = D.shape[0]
        return torch.cat([C.expand(n, self.N), B.expand(n, self.E), D, torch.zeros_like(D)], dim=1)

    def solve(self, C, B, D, *, memory: torch.Tensor | None = None, idx: torch.Tensor | None = None) -> torch.Tensor:
        """``d*`` (n, K) for a batch. ``memory`` (int64, one working set per sample, see
        :meth:`memory`): the solves start from rows ``idx`` of it (all rows when ``idx`` is None)
        and leave their optimal working sets there (``lp_solve``'s warm start)."""
        h = self.h(C, B, D)
        if memory is None:
            return lp_solve(self.p, self.G, h)
        rows = memory if idx is None else memory[idx]
        d, basis = lp_solve(self.p, self.G, h, warm_start=rows, return_basis=True)
        if idx is None:
            memory.copy_(basis)
        else:
            memory[idx] = basis
        return d

    def memory(self, n: int) -> torch.Tensor:
        """An empty working-set memory for ``n`` samples (rows of -1: the first solve is cold)."""
        return torch.full((n, self.K), -1, dtype=torch.long)


def _t(x) -> torch.Tensor:
    return torch.tensor(np.asarray(x, dtype=np.float64))


def _served_torch(d, D, cap, dens, on_path):
    """The evaluation rule of :mod:`splitalloc.evaluate` in torch (differentiable a.e.)."""
    load = d @ dens.T                                                     # (n, R)
    ratio = torch.where(load > cap, cap / load.clamp_min(1e-12), torch.ones_like(load))
    factor = torch.where(on_path[None], ratio[:, :, None], torch.ones_like(ratio)[:, :, None]).amin(1)
    return torch.minimum(d, D) * factor, load


@dataclass
class TrainLog:
    """What one training run did: steps taken, the step whose state was kept, the training loss
    averaged over each ``eval_every`` block and the validation score (lower is better) at each
    evaluation. ``stopped_early`` is True when patience ran out before ``max_steps``."""

    steps: int = 0
    best_step: int = 0
    train_loss: list[float] = field(default_factory=list)
    val_score: list[float] = field(default_factory=list)
    stopped_early: bool = False
    input_normalisation: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"steps": self.steps, "best_step": self.best_step, "train_loss": self.train_loss,
                "val_score": self.val_score, "stopped_early": self.stopped_early,
                "input_normalisation": self.input_normalisation}


def _fit(module: torch.nn.Module, params: list[dict], loss_fn: Callable[[torch.Tensor], torch.Tensor],
         n: int, settings: TrainSettings, gen: torch.Generator,
         val_fn: Callable[[], float] | None, progress: bool, desc: str) -> TrainLog:
    """Adam for at most ``settings.max_steps`` steps on seeded, shuffled mini-batches of the
    ``n`` training samples, with early stopping on ``val_fn`` (lower is better, evaluated every
    ``settings.eval_every`` steps; ``None``: no validation period, the full budget is used).
    ``module`` ends in its best-scoring state."""
    opt = torch.optim.Adam(params)
    log = TrainLog()
    best, best_state, bad, block = math.inf, None, 0, []
    bar = tqdm(total=settings.max_steps, desc=desc, disable=not progress, leave=False)
    try:
        while log.steps < settings.max_steps:
            for idx in torch.randperm(n, generator=gen).split(settings.batch_size):
                loss = loss_fn(idx)
                opt.zero_grad()
                loss.backward()
                opt.step()
                log.steps += 1
                bar.update(1)
                block.append(float(loss.detach()))
                if log.steps % settings.eval_every and log.steps < settings.max_steps:
                    continue
                log.train_loss.append(float(np.mean(block)))
                block = []
                if val_fn is None:
                    continue
                with torch.no_grad():
                    score = float(val_fn())
                log.val_score.append(score)
                if score < best - 1e-9 * max(1.0, abs(best)) or best_state is None:
                    best, bad, log.best_step = score, 0, log.steps
                    best_state = copy.deepcopy(module.state_dict())
                else:
                    bad += 1
                if bad >= settings.patience:
                    log.stopped_early = True
                    break
                if log.steps >= settings.max_steps:
                    break
            if log.stopped_early:
                break
    finally:
        bar.close()
    if best_state is not None:
        module.load_state_dict(best_state)
    else:
        log.best_step = log.steps
    return log


def _predict(model: TrafficPredictor, X: torch.Tensor, data: _Data) -> np.ndarray:
    """Forecast in Mb/slot (clamped at 0) from standardised windows ``X``."""
    model.eval()
    with torch.no_grad():
        out = data.to_volume(model(X).double()).numpy()
    model.train()
    return out


#: Trained two-stage predictors, keyed by everything they depend on (series, split, settings,
#: seed, kind). A two-stage forecaster never sees the network, M or Sigma, so the sweeps reuse
#: one training per (series, seed); training is deterministic, so reuse changes no number.
_PREDICTOR_CACHE: dict[tuple, tuple[dict, TrainLog]] = {}
_PREDICTOR_CACHE_SIZE = 64


def _series_key(scenario: Scenario) -> str:
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(scenario.arrivals.to_numpy(dtype=np.float64)).tobytes())
    h.update(str(list(scenario.arrivals.index[[0, -1]])).encode())
    return h.hexdigest()[:20]


def _train_predictor(scenario: Scenario, data: _Data, settings: TrainSettings, seed: int, *,
                     bidirectional=False, quantile: float | None = None,
                     progress=False, desc="") -> tuple[TrafficPredictor, TrainLog]:
    """Two-stage training (§V-A): MSE (or pinball loss at ``quantile``) on standardised arrivals,
    early-stopped on the same loss over the validation period. Cached (see ``_PREDICTOR_CACHE``).

    With ``settings.input_normalisation == "auto"`` both input normalisations are trained and
    the one with the lower best validation loss is kept (``global`` when there is no
    validation period); ``log.input_normalisation`` records the choice.
    """
    if settings.input_normalisation == "auto":
        fits = []
        for mode in ("global", "window"):
            st = dataclasses.replace(settings, input_normalisation=mode)
            model, log = _train_predictor(scenario, data, st, seed, bidirectional=bidirectional,
                                          quantile=quantile, progress=progress, desc=f"{desc} ({mode})")
            fits.append((min(log.val_score) if log.val_score else math.inf, mode != "global", model, log))
            if data.X["val"] is None:
                break
        _, _, model, log = min(fits, key=lambda f: (f[0], f[1]))
        return model, log
    K = data.mean.shape[0]
    model = TrafficPredictor(K, settings.hidden_size, num_layers=settings.num_layers,
                             bidirectional=bidirectional, seed=seed,
                             window_level=settings.input_normalisation == "window")
    key = (_series_key(scenario), scenario.train_end, scenario.val_end, dataclasses.astuple(settings),
           int(seed), bool(bidirectional), quantile)
    if key in _PREDICTOR_CACHE:
        state, log = _PREDICTOR_CACHE[key]
        model.load_state_dict(state)
        return model, copy.deepcopy(log)

    def loss_on(X, Z):
        err = Z - model(X)
        if quantile is None:
            return (err ** 2).mean()
        return torch.maximum(quantile * err, (quantile - 1) * err).mean()   # pinball loss

    X, Z = data.X["train"], data.z("train")
    val_fn = None
    if data.X["val"] is not None:
        Xv, Zv = data.X["val"], data.z("val")

        def val_fn():
            model.eval()
            out = float(loss_on(Xv, Zv))
            model.train()
            return out

    gen = torch.Generator().manual_seed(seed)
    log = _fit(model, [{"params": model.parameters(), "lr": settings.learning_rate}],
               lambda idx: loss_on(X[idx], Z[idx]), X.shape[0], settings, gen, val_fn, progress, desc)
    log.input_normalisation = settings.input_normalisation
    if len(_PREDICTOR_CACHE) >= _PREDICTOR_CACHE_SIZE:
        _PREDICTOR_CACHE.pop(next(iter(_PREDICTOR_CACHE)))
    _PREDICTOR_CACHE[key] = (copy.deepcopy(model.state_dict()), copy.deepcopy(log))
    return model, log


# --------------------------------------------------------------------------------- frameworks
def _allocate_mean(lp: _LP, scenario: Scenario, D_pred: np.ndarray) -> np.ndarray:
    """Two-stage allocation: LP with predicted D and mean capacities mu_C, mu_B (§V-A)."""
    net = scenario.network
    with torch.no_grad():
        d = lp.solve(torch.full((lp.N,), float(net.mu_C), dtype=torch.float64),
                     torch.full((lp.E,), float(net.mu_B), dtype=torch.float64), _t(D_pred))
    return d.numpy()


def _offline(lp: _LP, scenario: Scenario, D_true: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return lp.solve(_t(scenario.C_true), _t(scenario.B_true), _t(D_true)).numpy()


def _serve(scenario: Scenario, d: np.ndarray, D_true: np.ndarray) -> np.ndarray:
    dep = scenario.deployment
    return serve(d, D_true, scenario.C_true, scenario.B_true, dep.c, dep.b)


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


def _naive(scenario, data, lag: int):
    lp = _LP(scenario.problem)
    targets = np.arange(data.t0["test"], scenario.n_slots)
    D_pred = naive_forecast(data.series, targets, lag)
    return D_pred, _allocate_mean(lp, scenario, D_pred), {"lag": int(lag)}


def _two_stage(scenario, data, settings, seed, progress, *, bidirectional=False, desc=""):
    lp = _LP(scenario.problem)
    model, log = _train_predictor(scenario, data, settings, seed, bidirectional=bidirectional,
                                  progress=progress, desc=desc)
    D_pred = _predict(model, data.X["test"], data)
    return D_pred, _allocate_mean(lp, scenario, D_pred), {"training": log.as_dict()}


def _chosen_normalisation(scenario, data, settings, seed) -> TrainSettings:
    """``settings`` with ``input_normalisation`` resolved: under ``auto``, the choice made on
    validation for the two-stage LSTM of the same series and seed (cached), so that every
    framework of a scenario reads its inputs the same way."""
    if settings.input_normalisation != "auto":
        return settings
    _, log = _train_predictor(scenario, data, settings, seed)
    return dataclasses.replace(settings, input_normalisation=log.input_normalisation)


def _quantile(scenario, data, settings, seed, progress):
    lp = _LP(scenario.problem)
    settings = _chosen_normalisation(scenario, data, settings, seed)
    best = None
    scores = {}
    for q in tqdm(settings.quantile_grid, desc="quantile grid", disable=not progress, leave=False):
        model, log = _train_predictor(scenario, data, settings, seed, quantile=float(q))
        D_val = _predict(model, data.X["val"], data)
        served = _serve(scenario, _allocate_mean(lp, scenario, D_val), data.Y["val"])
        scores[float(q)] = float(np.sum(np.asarray(scenario.problem.p) * served))
        if best is None or scores[float(q)] > scores[best[0]]:
            best = (float(q), model, log)
    q, model, log = best
    D_pred = _predict(model, data.X["test"], data)
    return D_pred, _allocate_mean(lp, scenario, D_pred), {"quantile": q, "val_revenue": scores,
                                                          "training": log.as_dict()}


class ObjectiveDrivenPolicy(torch.nn.Module):
    """LSTM -> LP layer with learnable capacity estimates (Fig. 3, §IV-B; Algorithm 1).

    ``forward(X)`` maps standardised windows ``X`` (n, L, K) to the allocation
    ``d = argmax {p^T d : G d <= [Ĉ; B̂; D̂; 0]}`` (n, K) with ``D̂ = max(0, mean + std * predictor(X))``
    (Mb/slot, training-period statistics), solved by :func:`splitalloc.layer.lp_solve`.
    Back-propagating a loss on ``d`` gives ``dl/dh`` (eq. 12), whose ``D`` block trains the
    predictor and whose ``C`` and ``B`` blocks train ``Ĉ = mu_C exp(theta_C)`` and
    ``B̂ = mu_B exp(theta_B)``.
    """

    def __init__(self, predictor: TrafficPredictor, problem, *, mu_C: float, mu_B: float,
                 mean: np.ndarray, std: np.ndarray) -> None:
        super().__init__()
        self.predictor = predictor
        self.lp = _LP(problem)
        self.theta_C = torch.nn.Parameter(torch.zeros(self.lp.N, dtype=torch.float64))
        self.theta_B = torch.nn.Parameter(torch.zeros(self.lp.E, dtype=torch.float64))
        self.mu_C, self.mu_B = float(mu_C), float(mu_B)
        self.register_buffer("mean", torch.as_tensor(np.asarray(mean, dtype=np.float64)))
        self.register_buffer("std", torch.as_tensor(np.asarray(std, dtype=np.float64)))

    @property
    def scale(self) -> torch.Tensor:
        """Per-service training mean (Mb/slot): the unit of the decision loss."""
        return self.mean

    def capacities(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Current estimates ``(Ĉ, B̂)``: positive, equal to the means at initialisation."""
        return self.mu_C * torch.exp(self.theta_C), self.mu_B * torch.exp(self.theta_B)

    def demand(self, X: torch.Tensor) -> torch.Tensor:
        """Predicted arrivals ``D̂`` (n, K), float64, Mb/slot."""
        return torch.clamp(self.mean + self.std * self.predictor(X).double(), min=0.0)

    def forward(self, X: torch.Tensor, memory: torch.Tensor | None = None,
                idx: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Returns ``(d, D̂)``, both (n, K) float64 in Mb/slot; ``memory``, ``idx``: warm starts
        for the LP layer (:meth:`_LP.solve`)."""
        D_hat = self.demand(X)
        C_hat, B_hat = self.capacities()
        return self.lp.solve(C_hat, B_hat, D_hat, memory=memory, idx=idx), D_hat


def _objective_driven(scenario, data, settings, seed, progress, *, regret: bool = False,
                      warm_start: bool = False, learn_capacities: bool = True,
                      learn_predictor: bool = True):
    """Algorithm 1 (§IV-C): train LSTM and capacity estimates through the LP layer.

    ``regret=False``: loss = MSE between the layer's ``d`` and the offline optimum ``d*`` (the
    paper). ``regret=True``: our realised-revenue variant. ``warm_start=True``: start from the
    two-stage LSTM (same training procedure and budget) instead of from scratch (a variant; the
    paper's Algorithm 1 starts from scratch). Early stopping on validation revenue under the
    evaluation rule (the realised outcome of past slots, as the training labels ``d*``).

    Ablations: ``learn_capacities=False`` keeps ``Ĉ = mu_C``, ``B̂ = mu_B`` (``theta = 0``);
    ``learn_predictor=False`` (with ``warm_start=True``) keeps the two-stage LSTM and fits only
    ``Ĉ``, ``B̂`` through the layer.
    """
    if not (learn_capacities or learn_predictor):
        raise ValueError("objective-driven: at least one of the forecaster and the capacities must learn")
    net = scenario.network
    K = data.mean.shape[0]
    if warm_start:
        predictor, _ = _train_predictor(scenario, data, settings, seed, progress=progress,
                                        desc="warm start (two-stage LSTM)")
        mode = "window" if predictor.window_level else "global"
    else:
        mode = _chosen_normalisation(scenario, data, settings, seed).input_normalisation
        predictor = TrafficPredictor(K, settings.hidden_size, num_layers=settings.num_layers, seed=seed,
                                     window_level=mode == "window")
    policy = ObjectiveDrivenPolicy(predictor, scenario.problem, mu_C=net.mu_C, mu_B=net.mu_B,
                                   mean=data.mean, std=data.std)
    lp = policy.lp
    scale = policy.scale
    X = data.X["train"]
    D_true = _t(data.Y["train"])
    if regret:
        dep = scenario.deployment
        cap = torch.cat([_t(scenario.C_true), _t(scenario.B_true)])
        dens = torch.cat([_t(dep.c), _t(dep.b)])
        on_path = dens > 0
        norm = float(scale.sum())
        dens_scale = (dens.abs() @ scale).clamp_min(1e-12)     # typical load of each resource
    else:
        d_star = torch.as_tensor(_offline(lp, scenario, data.Y["train"]))

    # warm starts (config lp_warm_start): each training sample's LP starts from its optimal
    # working set of the previous epoch, each validation sample's from the previous evaluation
    mem_train = lp.memory(X.shape[0]) if settings.lp_warm_start else None
    mem_val = lp.memory(data.X["val"].shape[0]) if settings.lp_warm_start and data.X["val"] is not None else None

    def loss_fn(idx):
        d, _ = policy(X[idx], mem_train, idx if mem_train is not None else None)
        if not regret:
            return (((d - d_star[idx]) / scale) ** 2).mean()        # MSE to d* (§IV-C)
        served, load = _served_torch(d, D_true[idx], cap, dens, on_path)
        overload = torch.relu(load - cap) / dens_scale
        return (-(served @ lp.p) / norm + settings.regret_overload_penalty * overload.sum(1)).mean()

    val_fn = None
    if data.X["val"] is not None:
        Xv, Yv = data.X["val"], data.Y["val"]
        p = np.asarray(scenario.problem.p, dtype=np.float64)

        def val_fn():                                   # minus validation revenue
            policy.eval()
            d, _ = policy(Xv, mem_val)
            policy.train()
            return -float(np.sum(p * _serve(scenario, d.numpy(), Yv)))

    gen = torch.Generator().manual_seed(seed + 1)
    params = []
    if learn_predictor:
        params.append({"params": policy.predictor.parameters(), "lr": settings.learning_rate})
    else:
        policy.predictor.requires_grad_(False)
    if learn_capacities:
        params.append({"params": [policy.theta_C, policy.theta_B], "lr": settings.capacity_learning_rate})
    else:
        policy.theta_C.requires_grad_(False)
        policy.theta_B.requires_grad_(False)
    desc = "objective-driven" + ("-regret" if regret else "") + ("-warm" if warm_start else "")
    log = _fit(policy, params, loss_fn, X.shape[0], settings, gen, val_fn, progress, desc)
    policy.eval()
    with torch.no_grad():
        D_pred = policy.demand(data.X["test"]).numpy()
        C_hat, B_hat = policy.capacities()
        d = lp.solve(C_hat, B_hat, _t(D_pred)).numpy()
    log.input_normalisation = mode
    return D_pred, d, {"C_hat": C_hat.numpy().tolist(), "B_hat": B_hat.numpy().tolist(),
                       "train_loss": log.train_loss, "training": log.as_dict()}


def run_framework(name: str, scenario: Scenario, *, seed: int, settings: TrainSettings | None = None,
                  progress: bool = False) -> pd.DataFrame:
    """Run framework ``name`` on ``scenario``; one row per test slot x service.

    Columns: ``framework, seed, time, service, D_true, D_pred, d, served`` (Mb/slot). ``D_pred``
    is the framework's forecast (the true arrivals for ``offline``), ``d`` its reserved
    allocation, ``served`` the evaluation rule (:func:`splitalloc.evaluate.serve`). Extra
    information (chosen quantile, learned capacity estimates, training losses) is in
    ``df.attrs``. Same ``seed`` -> identical output. Bad names and settings raise before any
    training.
    """
    settings = TrainSettings() if settings is None else settings
    _validate(name, scenario, settings)
    # Tiny LSTMs and K = 3 LPs gain nothing from intra-op threads, and on a shared 2-core
    # machine (or in a process pool) spinning threads slow them down by orders of magnitude;
    # run single-threaded and restore the caller's setting afterwards.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _run(name, scenario, seed=int(seed), settings=settings, progress=progress)
    finally:
        torch.set_num_threads(threads)


def _run(name: str, scenario: Scenario, *, seed: int, settings: TrainSettings,
         progress: bool) -> pd.DataFrame:
    if name == "non-splitting":
        scenario = non_splitting_variant(scenario)
    data = _prepare(scenario, settings)
    D_true = data.Y["test"]
    if name == "offline":
        D_pred, d, extra = D_true.copy(), _offline(_LP(scenario.problem), scenario, D_true), {}
    elif name in ("two-stage-lstm", "non-splitting"):
        D_pred, d, extra = _two_stage(scenario, data, settings, seed, progress, desc=name)
    elif name == "two-stage-bilstm":
        D_pred, d, extra = _two_stage(scenario, data, settings, seed, progress,
                                      bidirectional=True, desc=name)
    elif name == "two-stage-persistence":
        D_pred, d, extra = _naive(scenario, data, 1)
    elif name == "two-stage-seasonal":
        D_pred, d, extra = _naive(scenario, data, seasonal_period(scenario.arrivals.index))
    elif name == "two-stage-quantile":
        D_pred, d, extra = _quantile(scenario, data, settings, seed, progress)
    else:
        D_pred, d, extra = _objective_driven(scenario, data, settings, seed, progress,
                                             regret=name == "objective-driven-regret",
                                             warm_start=name in ("objective-driven-warm", "two-stage-fitted"),
                                             learn_capacities=name != "objective-driven-frozen",
                                             learn_predictor=name != "two-stage-fitted")
    served = _serve(scenario, d, D_true)
    times = scenario.arrivals.index[data.t0["test"]:]
    K = len(scenario.services)
    df = pd.DataFrame({
        "framework": name,
        "seed": seed,
        "time": np.repeat(np.asarray(times), K),
        "service": np.tile(np.asarray(scenario.services, dtype=object), len(times)),
        "D_true": D_true.ravel(),
        "D_pred": np.asarray(D_pred, dtype=np.float64).ravel(),
        "d": np.asarray(d, dtype=np.float64).ravel(),
        "served": served.ravel(),
    })
    df.attrs.update({"dataset": scenario.dataset, "M": scenario.M, "Sigma": scenario.Sigma,
                     "splitting": bool(scenario.deployment.splitting), **extra})
    return df
