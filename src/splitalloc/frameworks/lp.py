"""The LP (4)-(5) of a scenario in torch, and the allocations every family builds on it.

``max p^T d s.t. G d <= h`` with ``h = [C; B; D; 0]`` (eq. 4b), solved exactly (and
differentiably in ``h``) by :func:`splitalloc.layer.lp_solve`. Discarded resources (negative
draws, §V-D-1) have capacity 0 in ``h`` and in the evaluation.
"""

from __future__ import annotations

import numpy as np
import torch

from ..evaluate import serve
from ..layer import lp_solve
from ..scenario import Scenario


def as_tensor(x) -> torch.Tensor:
    """A float64 torch copy of ``x``."""
    return torch.tensor(np.asarray(x, dtype=np.float64))


class ScenarioLP:
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


def allocate_with_means(lp: ScenarioLP, scenario: Scenario, D_pred: np.ndarray) -> np.ndarray:
    """Two-stage allocation: LP with predicted D and mean capacities mu_C, mu_B (§V-A; the
    capacities are not observable, §IV-A)."""
    net = scenario.network
    with torch.no_grad():
        d = lp.solve(torch.full((lp.N,), float(net.mu_C), dtype=torch.float64),
                     torch.full((lp.E,), float(net.mu_B), dtype=torch.float64), as_tensor(D_pred))
    return d.numpy()


def offline_allocation(lp: ScenarioLP, scenario: Scenario, D_true: np.ndarray) -> np.ndarray:
    """The offline optimum ``d*``: the LP with the true arrivals and the true capacities."""
    with torch.no_grad():
        return lp.solve(as_tensor(scenario.C_true), as_tensor(scenario.B_true), as_tensor(D_true)).numpy()


def serve_on(scenario: Scenario, d: np.ndarray, D_true: np.ndarray, *, gamma: float | None = None) -> np.ndarray:
    """Served traffic of the reserved ``d`` under the evaluation rule
    (:func:`splitalloc.evaluate.serve`, family parameter ``gamma``; ``None``: the scenario's
    environment's, 1 in today's, the proportional rule) with the scenario's true capacities and
    deployment."""
    dep = scenario.deployment
    gamma = scenario.gamma if gamma is None else gamma
    return serve(d, D_true, scenario.C_true, scenario.B_true, dep.c, dep.b, gamma=gamma)
