"""Objective-driven frameworks: a forecaster trained through the LP layer (§IV-B, §IV-C).

``objective-driven``
    the paper's method (Algorithm 1): LSTM -> ``lp_solve`` with learnable capacity estimates
    ``Ĉ``, ``B̂`` -> ``d``; loss MSE between ``d`` and the offline optimum ``d*``; the gradient
    ``dl/dh`` of eq. (12) updates the LSTM through ``dl/dD`` and the estimates through
    ``dl/dC``, ``dl/dB``. It starts from scratch and trains through the layer only, as
    Algorithm 1 does.
``objective-driven-warm`` (a variant, not in the paper)
    the same pipeline started from the trained two-stage LSTM.
``objective-driven-regret`` (ours, not in the paper)
    the pipeline trained on realised revenue instead of MSE to ``d*``: loss ``-p^T served(d)``
    with ``served`` the evaluation rule (:func:`splitalloc.evaluate.served_traffic`, the same
    code the evaluation runs, here on torch tensors), plus ``regret_overload_penalty`` times the
    normalised reserved overload. Like the paper's MSE target ``d*``, this loss uses the
    training period's true arrivals and true capacities (the realised outcome of a slot); at
    test time every objective-driven framework sees only past arrivals and its learned ``Ĉ``,
    ``B̂``.
``objective-driven-frozen`` (ablation, not in the paper)
    Algorithm 1 with ``Ĉ``, ``B̂`` frozen at the means ``mu_C``, ``mu_B``: only the forecaster
    learns through the layer, so any gain over two-stage comes from the decision-aware forecast.
``two-stage-fitted`` (ablation, not in the paper)
    the two-stage LSTM (frozen), with ``Ĉ``, ``B̂`` fitted through the same layer and loss as
    Algorithm 1 (MSE to ``d*`` on the training period): the capacity-learning half of the method
    without the decision-aware forecast. Its forecaster is the two-stage one, but everything it
    trains goes through the layer, so it lives here.

The capacity estimates are ``Ĉ = mu_C * exp(theta_C)``, ``B̂ = mu_B * exp(theta_B)`` with
``theta = 0`` at the start: positive by construction, initialised at the means, and updated in
relative (scale-free) steps with their own Adam learning rate (``capacity_learning_rate``).
Early stopping scores the validation revenue under the evaluation rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from ..evaluate import reserved_load, served_traffic
from ..models import TrafficPredictor
from ..scenario import Scenario
from .lp import ScenarioLP, as_tensor, offline_allocation, serve_on
from .settings import TrainSettings
from .training import PreparedData, chosen_normalisation, fit, train_predictor


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
        self.lp = ScenarioLP(problem)
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
        for the LP layer (:meth:`ScenarioLP.solve`)."""
        D_hat = self.demand(X)
        C_hat, B_hat = self.capacities()
        return self.lp.solve(C_hat, B_hat, D_hat, memory=memory, idx=idx), D_hat


@dataclass(frozen=True)
class LayerTraining:
    """What an objective-driven framework trains and how (Algorithm 1 and its variants).

    ``regret``: loss ``-p^T served(d)`` plus the overload penalty instead of MSE to ``d*``;
    ``warm_start``: start from the two-stage LSTM instead of from scratch;
    ``learn_capacities=False`` keeps ``Ĉ = mu_C``, ``B̂ = mu_B`` (``theta = 0``);
    ``learn_predictor=False`` (with ``warm_start``) keeps the two-stage LSTM and fits only ``Ĉ``, ``B̂``.
    """

    regret: bool = False
    warm_start: bool = False
    learn_capacities: bool = True
    learn_predictor: bool = True

    def __post_init__(self) -> None:
        if not (self.learn_capacities or self.learn_predictor):
            raise ValueError("objective-driven: at least one of the forecaster and the capacities must learn")

    @property
    def desc(self) -> str:
        return "objective-driven" + ("-regret" if self.regret else "") + ("-warm" if self.warm_start else "")


def _mse_to_offline_loss(policy: ObjectiveDrivenPolicy, scenario: Scenario, data: PreparedData):
    """MSE between the layer's ``d`` and the offline optimum ``d*`` of the training slots,
    per service in units of its training mean (§IV-C)."""
    d_star = torch.as_tensor(offline_allocation(policy.lp, scenario, data.Y["train"]))

    def loss(d, idx):
        return (((d - d_star[idx]) / policy.scale) ** 2).mean()
    return loss


def _regret_loss(policy: ObjectiveDrivenPolicy, scenario: Scenario, data: PreparedData, penalty: float):
    """Minus the realised revenue under the evaluation rule (true arrivals and capacities of the
    training slots), normalised by the total training mean, plus ``penalty`` times each
    resource's reserved overload in units of its typical load. The rule is the scenario's
    (:attr:`~splitalloc.scenario.Scenario.gamma`); all-or-nothing has no gradient, so there the
    loss uses the proportional rule as its differentiable surrogate."""
    dep = scenario.deployment
    gamma = scenario.gamma if math.isfinite(scenario.gamma) else 1.0
    D_true = as_tensor(data.Y["train"])
    cap = torch.cat([as_tensor(scenario.C_true), as_tensor(scenario.B_true)])
    dens = torch.cat([as_tensor(dep.c), as_tensor(dep.b)])
    norm = float(policy.scale.sum())
    dens_scale = (dens.abs() @ policy.scale).clamp_min(1e-12)     # typical load of each resource

    def loss(d, idx):
        served = served_traffic(d, D_true[idx], cap, dens, gamma=gamma)
        overload = torch.relu(reserved_load(d, dens) - cap) / dens_scale
        return (-(served @ policy.lp.p) / norm + penalty * overload.sum(1)).mean()
    return loss


def _initial_predictor(scenario, data, settings, seed, progress, how: LayerTraining):
    """The forecaster training starts from and its input normalisation: the trained two-stage
    LSTM (warm start) or a fresh one reading its inputs as the scenario's two-stage LSTM does."""
    if how.warm_start:
        predictor, _ = train_predictor(scenario, data, settings, seed, progress=progress,
                                       desc="warm start (two-stage LSTM)")
        return predictor, "window" if predictor.window_level else "global"
    mode = chosen_normalisation(scenario, data, settings, seed).input_normalisation
    predictor = TrafficPredictor(data.mean.shape[0], settings.hidden_size, num_layers=settings.num_layers,
                                 seed=seed, window_level=mode == "window")
    return predictor, mode


def _trainable(policy: ObjectiveDrivenPolicy, settings: TrainSettings, how: LayerTraining) -> list[dict]:
    """Adam parameter groups; what does not learn is frozen."""
    params = []
    if how.learn_predictor:
        params.append({"params": policy.predictor.parameters(), "lr": settings.learning_rate})
    else:
        policy.predictor.requires_grad_(False)
    if how.learn_capacities:
        params.append({"params": [policy.theta_C, policy.theta_B], "lr": settings.capacity_learning_rate})
    else:
        policy.theta_C.requires_grad_(False)
        policy.theta_B.requires_grad_(False)
    return params


def _validation_revenue(policy: ObjectiveDrivenPolicy, scenario: Scenario, data: PreparedData, memory):
    """Minus the validation period's revenue under the evaluation rule (lower is better), or
    ``None`` without a validation period."""
    if data.X["val"] is None:
        return None
    Xv, Yv = data.X["val"], data.Y["val"]
    p = np.asarray(scenario.problem.p, dtype=np.float64)

    def score():
        policy.eval()
        d, _ = policy(Xv, memory)
        policy.train()
        return -float(np.sum(p * serve_on(scenario, d.numpy(), Yv)))
    return score


def train_through_layer(scenario: Scenario, data: PreparedData, settings: TrainSettings, seed: int,
                        progress: bool, how: LayerTraining):
    """Algorithm 1 (§IV-C) as ``how`` says: train the forecaster and/or the capacity estimates
    through the LP layer on the training period, early-stopped on validation revenue; returns
    the test-period forecast, the allocation with the learned ``Ĉ``, ``B̂`` and what was learned."""
    net = scenario.network
    predictor, mode = _initial_predictor(scenario, data, settings, seed, progress, how)
    policy = ObjectiveDrivenPolicy(predictor, scenario.problem, mu_C=net.mu_C, mu_B=net.mu_B,
                                   mean=data.mean, std=data.std)
    lp = policy.lp
    X = data.X["train"]
    loss_of = (_regret_loss(policy, scenario, data, settings.regret_overload_penalty) if how.regret
               else _mse_to_offline_loss(policy, scenario, data))
    # warm starts (config lp_warm_start): each training sample's LP starts from its optimal
    # working set of the previous epoch, each validation sample's from the previous evaluation
    mem_train = lp.memory(X.shape[0]) if settings.lp_warm_start else None
    mem_val = lp.memory(data.X["val"].shape[0]) if settings.lp_warm_start and data.X["val"] is not None else None

    def loss_fn(idx):
        d, _ = policy(X[idx], mem_train, idx if mem_train is not None else None)
        return loss_of(d, idx)

    gen = torch.Generator().manual_seed(seed + 1)
    log = fit(policy, _trainable(policy, settings, how), loss_fn, X.shape[0], settings, gen,
              _validation_revenue(policy, scenario, data, mem_val), progress, how.desc)
    policy.eval()
    with torch.no_grad():
        D_pred = policy.demand(data.X["test"]).numpy()
        C_hat, B_hat = policy.capacities()
        d = lp.solve(C_hat, B_hat, as_tensor(D_pred)).numpy()
    log.input_normalisation = mode
    return D_pred, d, {"C_hat": C_hat.numpy().tolist(), "B_hat": B_hat.numpy().tolist(),
                       "train_loss": log.train_loss, "training": log.as_dict()}


def run_proposed(scenario, data, settings, seed, progress):
    """``objective-driven``: Algorithm 1 from scratch, MSE to ``d*``."""
    return train_through_layer(scenario, data, settings, seed, progress, LayerTraining())


def run_regret(scenario, data, settings, seed, progress):
    """``objective-driven-regret``: realised-revenue loss."""
    return train_through_layer(scenario, data, settings, seed, progress, LayerTraining(regret=True))


def run_warm(scenario, data, settings, seed, progress):
    """``objective-driven-warm``: Algorithm 1 from the trained two-stage LSTM."""
    return train_through_layer(scenario, data, settings, seed, progress, LayerTraining(warm_start=True))


def run_frozen(scenario, data, settings, seed, progress):
    """``objective-driven-frozen``: capacities frozen at the means."""
    return train_through_layer(scenario, data, settings, seed, progress,
                               LayerTraining(learn_capacities=False))


def run_fitted(scenario, data, settings, seed, progress):
    """``two-stage-fitted``: the two-stage LSTM frozen, capacities fitted through the layer."""
    return train_through_layer(scenario, data, settings, seed, progress,
                               LayerTraining(warm_start=True, learn_predictor=False))
