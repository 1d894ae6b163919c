"""One scenario: a series of arrivals, one network draw, a deployment and the LP built on them.

A :class:`Scenario` fixes what every framework of a run sees: the arrivals ``D_k(t)`` of each
service (paper §III-B), the true capacities ``C``, ``B`` drawn by eq. (13) on the GEANT
topology, a deployment (GUS, or each model whole on one server: the non-splitting baseline of
§V-A) and the LP (4)-(5) ``max p^T d s.t. G d <= h``, ``h = [C; B; D; 0]``.

This module is the one home of the scenario inputs:

* arrivals of every kind (:data:`DATA_KINDS`): the ``real`` series of a dataset
  (:func:`splitalloc.data.service_arrivals`), the real GEANT series with a seeded random
  node-to-service mapping (``permuted``, :func:`permuted_sources`), and a ``synthetic`` series
  drawn from the generator fitted to the real one (:func:`fitted_synthetic`);
* the mean arrival per service (config ``service_mean_arrival``), read here and passed to the
  data module as an argument;
* the non-splitting deployment, derived from the splitting scenario of the same draw
  (:func:`non_splitting_variant`);
* the :class:`Environment`: the values the paper leaves open (densities, parts, spreads, GUS's
  planned demand, Kaggle's demand, the evaluation rule), today's by default
  (:data:`INDEPENDENT`), a calibrated one for the calibration's members; the network draw and the
  deployment in it (:func:`network_and_deployment`);
* the evaluation protocol, :func:`evaluation_windows`: one chronological split
  (config ``train_fraction``, ``val_fraction``) for the GEANT series and every synthetic one,
  a rolling origin for the real series of the datasets in config ``rolling_origin_datasets``
  (Kaggle: :func:`rolling_origin_windows`, an expanding training window, a new origin every
  ``rolling_origin_step`` slots from ``rolling_origin_first_scored_slot``, validation the
  ``rolling_origin_validation_slots`` slots before each origin). :func:`evaluation_scenarios`
  builds one scenario per window on the same network draw; the arrivals' cap and scale are
  fitted once, on the first window's training period (:func:`arrival_fit_slots`).

Seeds: the network and the GUS deployment come from ``numpy.random.default_rng(seed)``; the
non-splitting deployment from a fresh ``default_rng(seed)``; a permuted mapping from
``default_rng([permuted_mapping_seed, seed])``; a synthetic series from ``.sample(n, seed=seed)``.
None of them touches a global random state.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from . import config
from . import data as _data
from .network import deploy_gus, deploy_non_splitting, draw_network
from .problem import build_problem
from .evaluate import check_gamma
from .profiles import SERVICE_NAMES, check_compute_balance, make_profile

#: Datasets a scenario can be built on (the paper's GEANT week and Kaggle, and the May 2005
#: GEANT subset).
DATASETS: tuple[str, ...] = ("geant", "geant-may", "kaggle")

#: Kinds of arrival series: the ``real`` one, a ``synthetic`` one fitted to it, and ``permuted``:
#: the real GEANT series with a seeded random node-to-service mapping.
DATA_KINDS: tuple[str, ...] = ("real", "synthetic", "permuted")


def _effective(cap, usable) -> np.ndarray:
    cap = np.asarray(cap, dtype=np.float64)
    ok = np.isfinite(cap) & (cap > 0)
    if usable is not None:
        ok &= np.asarray(usable, dtype=bool)
    return np.where(ok, cap, 0.0)


def true_capacities(network) -> tuple[np.ndarray, np.ndarray]:
    """``(C, B)``: the network's true server and link capacities with discarded (negative or
    unusable, §V-D-1) resources at 0, as the evaluation and the offline optimum read them."""
    return (_effective(network.C, getattr(network, "usable_servers", None)),
            _effective(network.B, getattr(network, "usable_links", None)))


def _check_nonneg(name: str, val) -> float:
    try:
        x = float(val)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {val!r}") from None
    if not math.isfinite(x) or x < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {val!r}")
    return x


# ------------------------------------------------------------------------------ environment
@dataclass(frozen=True)
class Environment:
    """The values the paper leaves open (its Table 3 is missing and its evaluation rule unstated),
    as one record a scenario is built in. Every default is today's (config): ``Environment()`` is
    the ``independent`` environment, chosen before any comparison; the calibration
    (:mod:`splitalloc.experiments.calibration`) builds others from the paper's baseline numbers.

    * ``compute_density_total``, ``bandwidth_density_scale``, ``n_parts``, ``compute_balance``:
      the services' densities ``c_j^k``, ``b_j^k`` of eq. (4a) (:func:`splitalloc.profiles.make_profile`;
      ``None``: config);
    * ``sigma_scale_C``, ``sigma_scale_B``: the spreads of eq. (13) as multiples of the scenario's
      ``Sigma`` (``sigma_C = sigma_scale_C * Sigma``), so ``sigma_C`` and ``sigma_B`` may differ;
    * ``deployment_demand_ratio``: the demand GUS plans for, over config ``service_mean_arrival``
      (``None``: config ``deployment_demand``);
    * ``kaggle_demand_ratio``: the Kaggle series' mean arrival over the GEANT week's (its arrivals
      and its GUS plan are scaled by it; 1: both at ``service_mean_arrival``);
    * ``gamma``: the evaluation rule, ``served = min(d, D) f^gamma``
      (:func:`splitalloc.evaluate.served_traffic`; 1 proportional, ``inf`` all-or-nothing).
    """

    name: str = "independent"
    compute_density_total: float | None = None
    bandwidth_density_scale: float | None = None
    n_parts: int | None = None
    compute_balance: float = 0.0
    sigma_scale_C: float = 1.0
    sigma_scale_B: float = 1.0
    deployment_demand_ratio: float | None = None
    kaggle_demand_ratio: float = 1.0
    gamma: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"Environment: name must be a non-empty string, got {self.name!r}")
        for f in ("compute_density_total", "bandwidth_density_scale", "deployment_demand_ratio"):
            v = getattr(self, f)
            if v is not None and _check_nonneg(f"Environment.{f}", v) <= 0:
                raise ValueError(f"Environment.{f} must be > 0, got {v!r}")
        for f in ("sigma_scale_C", "sigma_scale_B", "kaggle_demand_ratio"):
            object.__setattr__(self, f, _check_nonneg(f"Environment.{f}", getattr(self, f)))
        if self.kaggle_demand_ratio <= 0:
            raise ValueError(f"Environment.kaggle_demand_ratio must be > 0, got {self.kaggle_demand_ratio!r}")
        if self.n_parts is not None and (isinstance(self.n_parts, bool) or int(self.n_parts) != self.n_parts
                                         or self.n_parts < 1):
            raise ValueError(f"Environment.n_parts must be a positive integer, got {self.n_parts!r}")
        object.__setattr__(self, "compute_balance", check_compute_balance(self.compute_balance))
        object.__setattr__(self, "gamma", check_gamma(self.gamma))

    def demand_factor(self, dataset: str) -> float:
        """What ``dataset``'s arrivals are scaled by: :attr:`kaggle_demand_ratio` on Kaggle, else 1."""
        return 1.0 if dataset.startswith("geant") else self.kaggle_demand_ratio

    def deployment_demand(self, dataset: str) -> float | None:
        """The per-service demand GUS plans for on ``dataset`` (Mb/slot; ``None``: config's)."""
        factor = self.demand_factor(dataset)
        if self.deployment_demand_ratio is None:
            return None if factor == 1.0 else factor * float(config.value("deployment_demand"))
        return round_derived(self.deployment_demand_ratio * float(config.value("service_mean_arrival")) * factor)

    def profiles(self, services):
        """The :class:`splitalloc.profiles.ServiceProfile` of each of ``services`` in this environment."""
        known = set(SERVICE_NAMES)
        missing = [s for s in services if s not in known]
        if missing:
            raise ValueError(f"arrivals have services {missing} without a profile; known: {list(SERVICE_NAMES)}")
        return [make_profile(s, n_parts=None if self.n_parts is None else int(self.n_parts),
                             compute_density_total=self.compute_density_total,
                             bandwidth_density_scale=self.bandwidth_density_scale,
                             compute_balance=self.compute_balance) for s in services]


#: Today's environment: every value from config, chosen before any comparison.
INDEPENDENT = Environment()


def round_derived(x: float) -> float:
    """A derived raw value to 12 significant digits (so ratios of config values give them back)."""
    return float(f"{x:.12g}")


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
    environment: Environment = INDEPENDENT   # the values the paper leaves open (Environment)

    @property
    def gamma(self) -> float:
        """The evaluation rule's family parameter of the scenario's environment (1: proportional)."""
        return self.environment.gamma

    @property
    def window(self) -> Window:
        """``(train_end, val_end, test_end)``: the scenario's evaluation window (test_end is
        the series' length, see :func:`with_window`)."""
        return (int(self.train_end), int(self.val_end), self.n_slots)

    @property
    def services(self) -> list[str]:
        return [str(c) for c in self.arrivals.columns]

    @property
    def n_slots(self) -> int:
        return int(self.arrivals.shape[0])

    @property
    def C_true(self) -> np.ndarray:
        """True server capacities with discarded (negative or unusable) servers at 0."""
        return true_capacities(self.network)[0]

    @property
    def B_true(self) -> np.ndarray:
        """True link capacities with discarded (negative or unusable) links at 0."""
        return true_capacities(self.network)[1]


# --------------------------------------------------------------------------------- arrivals
def period_slots(dataset: str) -> int:
    """Slots in one season of ``dataset``: a day of 15-min slots on GEANT (96), a week of daily
    slots on Kaggle (7)."""
    if dataset.startswith("geant"):
        return 24 * 60 // int(config.value("geant_slot_minutes"))
    return 7


def permuted_sources(seed: int) -> tuple[tuple[str, ...], ...]:
    """A seeded random node-to-service mapping of the GEANT nodes with the group sizes of
    config ``geant_service_sources`` (the robustness check of that assumption)."""
    groups = config.value("geant_service_sources")
    nodes = [n for g in groups for n in g]
    perm = np.random.default_rng([int(config.value("permuted_mapping_seed")), int(seed)]).permutation(len(nodes))
    shuffled = [nodes[i] for i in perm]
    out, start = [], 0
    for g in groups:
        out.append(tuple(shuffled[start:start + len(g)]))
        start += len(g)
    return tuple(out)


# ------------------------------------------------------------------------ evaluation windows
#: One evaluation window ``(train_end, val_end, test_end)``: train ``[0, train_end)``, validation
#: ``[train_end, val_end)``, test (scored) ``[val_end, test_end)``.
Window = tuple[int, int, int]


def uses_rolling_origin(dataset: str, data: str = "real") -> bool:
    """Whether runs on ``dataset``'s arrivals of kind ``data`` are scored by rolling origin: the
    real series of a dataset in config ``rolling_origin_datasets`` (Kaggle)."""
    return data == "real" and dataset in tuple(config.value("rolling_origin_datasets"))


def rolling_origin_windows(n_slots: int, *, first: int, step: int, validation: int) -> list[Window]:
    """Expanding-window rolling origin over ``n_slots`` slots.

    Origins ``first, first + step, ...`` (each ``< n_slots``); the origin ``o`` trains on
    ``[0, o - validation)``, validates on ``[o - validation, o)`` and scores
    ``[o, min(o + step, n_slots))`` (the last window scores what is left). Every slot from
    ``first`` on is scored exactly once. Raises ``ValueError`` for ``step < 1``,
    ``validation < 1``, ``first <= validation`` (no training slot before the first origin) or
    ``first >= n_slots`` (nothing to score).
    """
    n, first, step, validation = int(n_slots), int(first), int(step), int(validation)
    if step < 1:
        raise ValueError(f"rolling origin: the step between origins must be >= 1 slot, got {step}")
    if validation < 1:
        raise ValueError(f"rolling origin: the validation period must be >= 1 slot, got {validation}")
    if first <= validation:
        raise ValueError(f"rolling origin: the first origin (slot {first}) must lie after the validation "
                         f"period of {validation} slots, so that training [0, {first} - {validation}) "
                         "is not empty")
    if first >= n:
        raise ValueError(f"rolling origin: the first origin (slot {first}) is beyond the series of "
                         f"{n} slots (0-based; nothing left to score)")
    return [(o - validation, o, min(o + step, n)) for o in range(first, n, step)]


def evaluation_windows(dataset: str, n_slots: int, data: str = "real") -> list[Window]:
    """The windows ``(train_end, val_end, test_end)`` on which a run on ``dataset``'s arrivals of
    kind ``data`` (``n_slots`` slots) is trained, validated and scored: the one place of the
    evaluation protocol.

    Rolling-origin datasets (:func:`uses_rolling_origin`, Kaggle's real series): the
    :func:`rolling_origin_windows` of config ``rolling_origin_first_scored_slot``,
    ``rolling_origin_step`` and ``rolling_origin_validation_slots`` (92 days: 8 origins
    42, 49, ..., 91, 50 scored days). Every other series: one chronological split
    (:func:`splitalloc.models.split_bounds` with config ``train_fraction``, ``val_fraction``)
    scored to its end.
    """
    from .models import split_bounds   # here, not at the top: models imports torch, this module does not

    if uses_rolling_origin(dataset, data):
        return rolling_origin_windows(n_slots, first=config.value("rolling_origin_first_scored_slot"),
                                      step=config.value("rolling_origin_step"),
                                      validation=config.value("rolling_origin_validation_slots"))
    train_end, val_end = split_bounds(int(n_slots), config.value("train_fraction"), config.value("val_fraction"))
    return [(train_end, val_end, int(n_slots))]


def arrival_fit_slots(dataset: str, data: str = "real") -> int | None:
    """Leading slots of the real ``dataset`` series on which the arrivals' cap and Mb scale
    (:func:`splitalloc.data.service_arrivals`) are fitted: the first origin's training period
    (``rolling_origin_first_scored_slot - rolling_origin_validation_slots``, 35 days on Kaggle)
    for a rolling-origin dataset, frozen for every origin, so that a level shift later in the
    series does not change the scale between origins; ``None`` (the chronological split's
    training period) otherwise."""
    if not uses_rolling_origin(dataset, data):
        return None
    return int(config.value("rolling_origin_first_scored_slot")) - int(config.value("rolling_origin_validation_slots"))


def _real_arrivals(dataset: str, *, data_dir=None, sources=None, mean_arrival: float) -> pd.DataFrame:
    return _data.service_arrivals(dataset, data_dir=data_dir, sources=sources, mean_arrival=mean_arrival,
                                  fit_slots=arrival_fit_slots(dataset))


@functools.lru_cache(maxsize=8)
def fitted_synthetic(dataset: str, mean_arrival: float):
    """The synthetic generator (:func:`splitalloc.synthetic.fit_synthetic`) fitted to the real
    ``dataset`` series at ``mean_arrival`` Mb/slot (as :func:`scenario_arrivals` gives it), with
    the season of :func:`period_slots`. Cached per process (fitting is deterministic)."""
    from .synthetic import fit_synthetic

    real = _real_arrivals(dataset, mean_arrival=mean_arrival)
    return fit_synthetic(real, period_slots=period_slots(dataset))


def check_data_kind(dataset: str, data: str, n_slots: int | None) -> None:
    """Raise ``ValueError`` unless arrivals of kind ``data`` can be built for ``dataset``: a
    known kind, ``n_slots >= 1`` for a synthetic series, a GEANT dataset for a permuted mapping."""
    if data not in DATA_KINDS:
        raise ValueError(f"unknown data kind {data!r}; expected one of {list(DATA_KINDS)}")
    if data == "synthetic" and (n_slots is None or int(n_slots) < 1):
        raise ValueError(f"synthetic arrivals need n_slots >= 1, got {n_slots!r}")
    if data == "permuted" and not dataset.startswith("geant"):
        raise ValueError(f"data 'permuted' (a permuted node-to-service mapping) needs a GEANT dataset, "
                         f"got {dataset!r}")


def scenario_arrivals(dataset: str, *, data: str = "real", seed: int = 0, n_slots: int | None = None,
                      data_dir=None, environment: Environment = INDEPENDENT) -> pd.DataFrame:
    """Per-service arrivals ``D_k(t)`` (Mb/slot) of kind ``data`` (:data:`DATA_KINDS`).

    ``real``: :func:`splitalloc.data.service_arrivals`; ``permuted``: the same with the nodes
    of :func:`permuted_sources(seed) <permuted_sources>`; ``synthetic``: ``n_slots`` slots drawn
    with ``seed`` from :func:`fitted_synthetic`. Every kind is scaled to the mean arrival of
    config ``service_mean_arrival`` over the real series' training period (the first origin's on
    a rolling-origin dataset, :func:`arrival_fit_slots`), times the ``environment``'s
    :meth:`Environment.demand_factor` (Kaggle's demand relative to the GEANT week's).
    """
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; expected one of {DATASETS}")
    check_data_kind(dataset, data, n_slots)
    mean_arrival = float(config.value("service_mean_arrival"))
    factor = environment.demand_factor(dataset)
    mean_arrival = mean_arrival if factor == 1.0 else mean_arrival * factor
    if data == "real":
        return _real_arrivals(dataset, data_dir=data_dir, mean_arrival=mean_arrival)
    if data == "permuted":
        return _real_arrivals(dataset, data_dir=data_dir, sources=permuted_sources(seed), mean_arrival=mean_arrival)
    return fitted_synthetic(dataset, mean_arrival).sample(int(n_slots), seed=seed)


@functools.lru_cache(maxsize=None)
def real_series_length(dataset: str) -> int:
    """Number of slots of the real series of ``dataset`` (a permuted mapping keeps them; a
    synthetic series has the length it is drawn with). Cached per process."""
    return len(scenario_arrivals(dataset))


# --------------------------------------------------------------------------------- scenario
def make_scenario(dataset: str, *, seed: int, M: float | None = None, Sigma: float | None = None,
                  splitting: bool = True, data: str = "real", n_slots: int | None = None,
                  arrivals: pd.DataFrame | None = None, data_dir=None,
                  information: str | None = None, environment: Environment = INDEPENDENT) -> Scenario:
    """Build a :class:`Scenario`.

    ``dataset`` is one of :data:`DATASETS`; the arrivals are :func:`scenario_arrivals` of kind
    ``data`` (``seed`` also draws a permuted mapping or a synthetic series of ``n_slots``
    slots). With ``arrivals`` given (your own series) ``dataset`` is only a label.
    ``M`` and ``Sigma`` are the paper's average resource and average deviation, eqs. (14)-(15):
    ``M = (mu_C + mu_B)/2``, ``Sigma = (sigma_C + sigma_B)/2``; we set ``mu_C = mu_B = M`` and
    ``sigma_C = sigma_B = Sigma``. ``None`` takes ``mu_C``, ``mu_B``, ``sigma_C``, ``sigma_B``
    from :mod:`splitalloc.config`. The network is drawn from ``numpy.random.default_rng(seed)``
    (eq. 13) on the GEANT topology, then the services are deployed by GUS, deciding from
    ``information`` (default config ``deployment_information``): ``"mean"`` capacities and the
    resources that exist, or the ``"true"`` draws (a labelled variant), see
    :func:`splitalloc.network.known_capacities`. ``splitting=False`` returns
    :func:`non_splitting_variant` of that scenario (same draw, each model whole on one server).
    ``environment`` (:class:`Environment`, default today's) sets the densities, the spreads
    ``sigma_C = sigma_scale_C * Sigma``, ``sigma_B = sigma_scale_B * Sigma``, GUS's planned demand,
    Kaggle's demand and the evaluation rule (:attr:`Scenario.gamma`).

    The scenario covers the whole series with one chronological split (config
    ``train_fraction``, ``val_fraction``); the experiments train and score on the windows of
    :func:`evaluation_scenarios` (the same split on GEANT, a rolling origin on Kaggle).
    """
    from .models import split_bounds   # here, not at the top: models imports torch, this module does not

    if arrivals is None and dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; expected one of {DATASETS} "
                         "(or pass `arrivals=` with your own series)")
    if arrivals is not None and data != "real":
        raise ValueError(f"pass either arrivals= (your own series) or data={data!r}, not both")
    if M is not None and _check_nonneg("M", M) <= 0:
        raise ValueError(f"M must be > 0, got {M!r}")
    if Sigma is not None:
        _check_nonneg("Sigma", Sigma)
    if not isinstance(environment, Environment):
        raise ValueError(f"environment must be a splitalloc.scenario.Environment, got {type(environment).__name__}")
    mu_C, mu_B = (config.value("mu_C"), config.value("mu_B")) if M is None else (float(M), float(M))
    sigma_C, sigma_B = ((config.value("sigma_C"), config.value("sigma_B")) if Sigma is None
                        else (float(Sigma), float(Sigma)))
    for name, v in (("sigma_C", sigma_C), ("sigma_B", sigma_B)):
        _check_nonneg(name, v)
    sigma_C, sigma_B = environment.sigma_scale_C * sigma_C, environment.sigma_scale_B * sigma_B

    if arrivals is None:
        arrivals = scenario_arrivals(dataset, data=data, seed=seed, n_slots=n_slots, data_dir=data_dir,
                                     environment=environment)
    arrivals = _check_arrivals(arrivals)
    train_end, val_end = split_bounds(arrivals.shape[0], config.value("train_fraction"),
                                      config.value("val_fraction"))
    information = config.value("deployment_information") if information is None else str(information)
    network, deployment = network_and_deployment(
        dataset, seed=seed, mu_C=mu_C, sigma_C=sigma_C, mu_B=mu_B, sigma_B=sigma_B,
        services=list(arrivals.columns), environment=environment, information=information, data_dir=data_dir)
    scenario = Scenario(dataset=dataset, arrivals=arrivals, network=network, deployment=deployment,
                        problem=lp_problem(network, deployment), train_end=train_end, val_end=val_end,
                        seed=int(seed), M=(mu_C + mu_B) / 2, Sigma=(sigma_C + sigma_B) / 2,
                        information=information, environment=environment)
    return scenario if splitting else non_splitting_variant(scenario)


@functools.lru_cache(maxsize=4)
def _topology(data_dir):
    return _data.load_geant_topology(data_dir)


def network_and_deployment(dataset: str, *, seed: int, mu_C: float, sigma_C: float, mu_B: float,
                           sigma_B: float, services=SERVICE_NAMES, environment: Environment = INDEPENDENT,
                           information: str = "mean", splitting: bool = True, data_dir=None):
    """``(network, deployment)`` of one scenario: the draw of eq. (13) on the GEANT topology from
    ``numpy.random.default_rng(seed)``, then GUS (``splitting``, on the same generator) or each
    model whole on one server (from a fresh ``default_rng(seed)``, :func:`non_splitting_variant`),
    both planning for the ``environment``'s demand on ``dataset`` and its densities. The one
    place a network is drawn and deployed on (:func:`make_scenario` and the calibration;
    :func:`lp_problem` builds the LP on them)."""
    rng = np.random.default_rng(seed)
    network = draw_network(_topology(data_dir), mu_C=mu_C, sigma_C=sigma_C, mu_B=mu_B, sigma_B=sigma_B, rng=rng)
    return network, _deploy(network, environment, dataset, list(services), int(seed), rng, information, splitting)


def _deploy(network, environment: Environment, dataset: str, services, seed: int, rng, information: str,
            splitting: bool):
    profiles = environment.profiles(services)
    demand = environment.deployment_demand(dataset)
    if splitting:
        return deploy_gus(network, profiles, rng=rng, demand=demand, information=information)
    return deploy_non_splitting(network, profiles, rng=np.random.default_rng(seed), demand=demand,
                                information=information)


def with_window(scenario: Scenario, window: Window) -> Scenario:
    """``scenario`` evaluated on ``window = (train_end, val_end, test_end)``: the same network
    draw and deployment, the arrivals cut at ``test_end`` (nothing after the scored period is
    seen), training ``[0, train_end)``, validation ``[train_end, val_end)``, test
    ``[val_end, test_end)``. Raises ``ValueError`` unless
    ``1 <= train_end <= val_end < test_end <= scenario.n_slots``."""
    try:
        train_end, val_end, test_end = (int(w) for w in window)
    except (TypeError, ValueError):
        raise ValueError(f"window must be (train_end, val_end, test_end), got {window!r}") from None
    if not 1 <= train_end <= val_end < test_end <= scenario.n_slots:
        raise ValueError(f"window {window!r} must satisfy 1 <= train_end <= val_end < test_end <= "
                         f"{scenario.n_slots} (the series' slots)")
    if (train_end, val_end, test_end) == scenario.window:
        return scenario
    return replace(scenario, arrivals=scenario.arrivals.iloc[:test_end], train_end=train_end, val_end=val_end)


def evaluation_scenarios(dataset: str, *, seed: int, windows=None, **kwargs) -> list[Scenario]:
    """One :class:`Scenario` per evaluation window of the run (:func:`evaluation_windows`): the
    scenario of :func:`make_scenario` (``dataset``, ``seed`` and ``kwargs`` as there) built once,
    so every window sees the same network draw and deployment, then cut by :func:`with_window`.
    A GEANT series gives one scenario (its chronological split); Kaggle's real series one per
    origin. ``windows`` replaces the protocol's windows (your own; with ``arrivals=`` given
    the default is the chronological split of that series)."""
    scenario = make_scenario(dataset, seed=seed, **kwargs)
    if windows is None:
        own = kwargs.get("arrivals") is not None
        windows = (evaluation_windows(dataset, scenario.n_slots, kwargs.get("data", "real")) if not own
                   else evaluation_windows("", scenario.n_slots, "own"))
    return [with_window(scenario, w) for w in windows]


def lp_problem(network, deployment):
    """The LP (4)-(5) of a deployment, with the revenue parameters ``r``, ``q_C``, ``q_B`` of
    eq. (4c) from config."""
    return build_problem(network, deployment, r=config.value("r"), q_C=config.value("q_C"),
                         q_B=config.value("q_B"))


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
    placed from the same information as the scenario's GUS deployment (``scenario.information``).
    A scenario that is already non-splitting is returned as it is."""
    if not scenario.deployment.splitting:
        return scenario
    deployment = _deploy(scenario.network, scenario.environment, scenario.dataset, scenario.services,
                         scenario.seed, None, scenario.information, splitting=False)
    return replace(scenario, deployment=deployment, problem=lp_problem(scenario.network, deployment))
