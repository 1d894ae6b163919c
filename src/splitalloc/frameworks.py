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

* arrivals are normalised per service by their training-period mean; the predictor works in
  those units and its output is scaled back to Mb/slot before the LP;
* the capacity estimates are ``Ĉ = mu_C * exp(theta_C)``, ``B̂ = mu_B * exp(theta_B)`` with
  ``theta = 0`` at the start: positive by construction, initialised at the means, and updated
  in relative (scale-free) steps; they get their own Adam learning rate
  (``capacity_learning_rate``);
* the objective-driven frameworks can warm-start: with ``od_warm_start_epochs > 0`` the LSTM is
  first fitted on prediction MSE for that many epochs (the two-stage objective), then trained
  end-to-end through the layer for ``epochs`` epochs. The default, 0, trains through the layer
  only, as Algorithm 1 does (a warm start changed utility by under a point in our runs);
* discarded resources (negative draws, §V-D-1) have capacity 0 in ``h`` and in the evaluation.
"""

from __future__ import annotations

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

DATASETS: tuple[str, ...] = ("geant", "kaggle")
FRAMEWORKS: tuple[str, ...] = (
    "offline", "two-stage-lstm", "two-stage-bilstm", "objective-driven", "non-splitting",
    "two-stage-quantile", "objective-driven-regret",
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
def _cfg(name: str):
    return field(default_factory=lambda: config.value(name))


@dataclass(frozen=True)
class TrainSettings:
    """Training settings shared by all learned frameworks (defaults from :mod:`splitalloc.config`)."""

    epochs: int = _cfg("epochs")
    window: int = _cfg("window")
    hidden_size: int = _cfg("hidden_size")
    learning_rate: float = _cfg("learning_rate")
    batch_size: int = _cfg("batch_size")
    num_layers: int = _cfg("num_layers")
    od_warm_start_epochs: int = _cfg("od_warm_start_epochs")
    capacity_learning_rate: float = _cfg("capacity_learning_rate")
    quantile_grid: tuple[float, ...] = _cfg("quantile_grid")
    regret_overload_penalty: float = _cfg("regret_overload_penalty")

    def __post_init__(self) -> None:
        for name in ("epochs", "window", "hidden_size", "batch_size", "num_layers"):
            v = getattr(self, name)
            if isinstance(v, bool) or int(v) != v or v < 1:
                raise ValueError(f"TrainSettings.{name} must be a positive integer, got {v!r}")
        if int(self.od_warm_start_epochs) != self.od_warm_start_epochs or self.od_warm_start_epochs < 0:
            raise ValueError(f"TrainSettings.od_warm_start_epochs must be an integer >= 0, "
                             f"got {self.od_warm_start_epochs!r}")
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
    """Windows of one scenario in normalised units (see module docstring)."""

    scale: np.ndarray            # (K,) training-period mean per service, Mb/slot
    X: dict[str, torch.Tensor]   # period -> (n, L, K) float32
    Y: dict[str, np.ndarray]     # period -> (n, K) Mb/slot (true arrivals of target slots)
    t0: dict[str, int]           # period -> first target slot


def _prepare(scenario: Scenario, settings: TrainSettings) -> _Data:
    series = scenario.arrivals.to_numpy(dtype=np.float64)
    scale = series[: scenario.train_end].mean(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    norm = series / scale
    bounds = {"train": (0, scenario.train_end), "val": (scenario.train_end, scenario.val_end),
              "test": (scenario.val_end, scenario.n_slots)}
    X, Y, t0 = {}, {}, {}
    for period, (a, b) in bounds.items():
        if b <= max(a, settings.window):
            X[period], Y[period], t0[period] = None, None, max(a, settings.window)
            continue
        x, _ = make_windows(norm, settings.window, a, b)
        X[period] = torch.as_tensor(x, dtype=torch.float32)
        Y[period] = series[max(a, settings.window): b]
        t0[period] = max(a, settings.window)
    return _Data(scale=scale, X=X, Y=Y, t0=t0)


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

    def solve(self, C, B, D) -> torch.Tensor:
        return lp_solve(self.p, self.G, self.h(C, B, D))


def _t(x) -> torch.Tensor:
    return torch.tensor(np.asarray(x, dtype=np.float64))


def _served_torch(d, D, cap, dens, on_path):
    """The evaluation rule of :mod:`splitalloc.evaluate` in torch (differentiable a.e.)."""
    load = d @ dens.T                                                     # (n, R)
    ratio = torch.where(load > cap, cap / load.clamp_min(1e-12), torch.ones_like(load))
    factor = torch.where(on_path[None], ratio[:, :, None], torch.ones_like(ratio)[:, :, None]).amin(1)
    return torch.minimum(d, D) * factor, load


def _fit(params: list[dict], loss_fn: Callable[[torch.Tensor], torch.Tensor], n: int,
         epochs: int, batch_size: int, gen: torch.Generator, progress: bool, desc: str) -> list[float]:
    """Adam over ``epochs`` epochs of seeded, shuffled mini-batches (training period only)."""
    opt = torch.optim.Adam(params)
    history = []
    for _ in tqdm(range(epochs), desc=desc, disable=not progress, leave=False):
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for idx in perm.split(batch_size):
            loss = loss_fn(idx)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        history.append(total / n)
    return history


def _predict(model: TrafficPredictor, X: torch.Tensor, scale: np.ndarray) -> np.ndarray:
    model.eval()
    with torch.no_grad():
        out = model(X).double().numpy() * scale
    model.train()
    return out


def _train_predictor(data: _Data, settings: TrainSettings, seed: int, *, bidirectional=False,
                     quantile: float | None = None, epochs: int | None = None,
                     progress=False, desc="") -> TrafficPredictor:
    """Two-stage training: MSE (or pinball loss at ``quantile``) on normalised arrivals."""
    K = data.scale.shape[0]
    model = TrafficPredictor(K, settings.hidden_size, num_layers=settings.num_layers,
                             bidirectional=bidirectional, seed=seed)
    X = data.X["train"]
    Y = torch.as_tensor(data.Y["train"] / data.scale, dtype=torch.float32)

    def loss_fn(idx):
        err = Y[idx] - model(X[idx])
        if quantile is None:
            return (err ** 2).mean()
        return torch.maximum(quantile * err, (quantile - 1) * err).mean()   # pinball loss

    gen = torch.Generator().manual_seed(seed)
    _fit([{"params": model.parameters(), "lr": settings.learning_rate}], loss_fn, X.shape[0],
         settings.epochs if epochs is None else epochs, settings.batch_size, gen, progress, desc)
    return model


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


def _two_stage(scenario, data, settings, seed, progress, *, bidirectional=False, desc=""):
    lp = _LP(scenario.problem)
    model = _train_predictor(data, settings, seed, bidirectional=bidirectional,
                             progress=progress, desc=desc)
    D_pred = _predict(model, data.X["test"], data.scale)
    return D_pred, _allocate_mean(lp, scenario, D_pred), {}


def _quantile(scenario, data, settings, seed, progress):
    lp = _LP(scenario.problem)
    best = None
    scores = {}
    for q in tqdm(settings.quantile_grid, desc="quantile grid", disable=not progress, leave=False):
        model = _train_predictor(data, settings, seed, quantile=float(q))
        D_val = _predict(model, data.X["val"], data.scale)
        served = _serve(scenario, _allocate_mean(lp, scenario, D_val), data.Y["val"])
        scores[float(q)] = float(np.sum(np.asarray(scenario.problem.p) * served))
        if best is None or scores[float(q)] > scores[best[0]]:
            best = (float(q), model)
    q, model = best
    D_pred = _predict(model, data.X["test"], data.scale)
    return D_pred, _allocate_mean(lp, scenario, D_pred), {"quantile": q, "val_revenue": scores}


class ObjectiveDrivenPolicy(torch.nn.Module):
    """LSTM -> LP layer with learnable capacity estimates (Fig. 3, §IV-B; Algorithm 1).

    ``forward(X)`` maps windows ``X`` (n, L, K) of normalised arrivals to the allocation
    ``d = argmax {p^T d : G d <= [Ĉ; B̂; D̂; 0]}`` (n, K) with ``D̂ = scale * predictor(X)``
    (Mb/slot), solved by :func:`splitalloc.layer.lp_solve`. Back-propagating a loss on ``d``
    gives ``dl/dh`` (eq. 12), whose ``D`` block trains the predictor and whose ``C`` and ``B``
    blocks train ``Ĉ = mu_C exp(theta_C)`` and ``B̂ = mu_B exp(theta_B)``.
    """

    def __init__(self, predictor: TrafficPredictor, problem, *, mu_C: float, mu_B: float,
                 scale: np.ndarray) -> None:
        super().__init__()
        self.predictor = predictor
        self.lp = _LP(problem)
        self.theta_C = torch.nn.Parameter(torch.zeros(self.lp.N, dtype=torch.float64))
        self.theta_B = torch.nn.Parameter(torch.zeros(self.lp.E, dtype=torch.float64))
        self.mu_C, self.mu_B = float(mu_C), float(mu_B)
        self.register_buffer("scale", torch.as_tensor(np.asarray(scale, dtype=np.float64)))

    def capacities(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Current estimates ``(Ĉ, B̂)``: positive, equal to the means at initialisation."""
        return self.mu_C * torch.exp(self.theta_C), self.mu_B * torch.exp(self.theta_B)

    def forward(self, X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Returns ``(d, D̂)``, both (n, K) float64 in Mb/slot."""
        D_hat = self.predictor(X).double() * self.scale
        C_hat, B_hat = self.capacities()
        return self.lp.solve(C_hat, B_hat, D_hat), D_hat


def _objective_driven(scenario, data, settings, seed, progress, *, regret: bool):
    """Algorithm 1 (``regret=False``) or our realised-revenue variant (``regret=True``)."""
    net = scenario.network
    K = data.scale.shape[0]
    if settings.od_warm_start_epochs > 0:
        predictor = _train_predictor(data, settings, seed, epochs=settings.od_warm_start_epochs,
                                     progress=progress, desc="warm start (MSE)")
    else:
        predictor = TrafficPredictor(K, settings.hidden_size, num_layers=settings.num_layers, seed=seed)
    policy = ObjectiveDrivenPolicy(predictor, scenario.problem, mu_C=net.mu_C, mu_B=net.mu_B,
                                   scale=data.scale)
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

    def loss_fn(idx):
        d, _ = policy(X[idx])
        if not regret:
            return (((d - d_star[idx]) / scale) ** 2).mean()        # MSE to d* (§IV-C)
        served, load = _served_torch(d, D_true[idx], cap, dens, on_path)
        overload = torch.relu(load - cap) / dens_scale
        return (-(served @ lp.p) / norm + settings.regret_overload_penalty * overload.sum(1)).mean()

    gen = torch.Generator().manual_seed(seed + 1)
    params = [{"params": policy.predictor.parameters(), "lr": settings.learning_rate},
              {"params": [policy.theta_C, policy.theta_B], "lr": settings.capacity_learning_rate}]
    history = _fit(params, loss_fn, X.shape[0], settings.epochs, settings.batch_size, gen, progress,
                   "objective-driven-regret" if regret else "objective-driven")
    D_pred = _predict(policy.predictor, data.X["test"], data.scale)
    with torch.no_grad():
        C_hat, B_hat = policy.capacities()
        d = lp.solve(C_hat, B_hat, _t(D_pred)).numpy()
    return D_pred, d, {"C_hat": C_hat.numpy().tolist(), "B_hat": B_hat.numpy().tolist(),
                       "train_loss": history}


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
    elif name == "two-stage-quantile":
        D_pred, d, extra = _quantile(scenario, data, settings, seed, progress)
    else:
        D_pred, d, extra = _objective_driven(scenario, data, settings, seed, progress,
                                             regret=name == "objective-driven-regret")
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
