"""The per-slot resource allocation LP of the paper, in the form of eqs. (4)-(5).

Problem (3) maximises ``sum_k p_k d_k`` subject to the admission bounds (1) and the server
and link capacities (2a), (2b). Stacking the constraints gives ``max p^T d  s.t.  G d <= h``
(eq. 5) with (eq. 4)::

    G = [ c   ]  (N rows: servers,  c[i, k] = c_i^k)          h = [ C ]
        [ b   ]  (E rows: links,    b[e, k] = b_(i,j)^k)          [ B ]
        [ I   ]  (K rows: d_k <= D_k)                              [ D ]
        [ -I  ]  (K rows: -d_k <= 0)                               [ 0 ]

    p_k = r_k - q_C sum_i c_i^k - q_B sum_(i,j) b_(i,j)^k          (eq. 4c)

``G`` and ``p`` depend only on the deployment and prices; ``h`` changes every slot (and is
what the objective-driven layer differentiates through), so :class:`LPProblem` stores
``G`` and ``p`` and builds ``h`` on demand with :meth:`LPProblem.h`, broadcasting over any
leading batch dimensions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from .network import Deployment, Network

__all__ = ["LPProblem", "build_problem"]


@dataclass(frozen=True)
class LPProblem:
    """``max p^T d  s.t.  G d <= h`` (eqs. 4-5), rows ordered ``[C (N); B (E); D (K); 0 (K)]``."""

    G: np.ndarray
    p: np.ndarray
    n_servers: int
    n_links: int
    n_services: int

    def __post_init__(self) -> None:
        N, E, K = self.n_servers, self.n_links, self.n_services
        if min(N, E, K) < 0 or K == 0:
            raise ValueError(f"need n_servers, n_links >= 0 and n_services >= 1, got N={N}, E={E}, K={K}")
        G = np.asarray(self.G, dtype=float)
        p = np.asarray(self.p, dtype=float)
        if G.shape != (N + E + 2 * K, K):
            raise ValueError(f"G must have shape (N + E + 2K, K) = ({N + E + 2 * K}, {K}), got {G.shape}")
        if p.shape != (K,):
            raise ValueError(f"p must have shape ({K},), got {p.shape}")
        if not (np.isfinite(G).all() and np.isfinite(p).all()):
            raise ValueError("G and p must be finite")
        G.setflags(write=False)
        p.setflags(write=False)
        object.__setattr__(self, "G", G)
        object.__setattr__(self, "p", p)

    # row blocks of G and h -------------------------------------------------------------
    @property
    def m(self) -> int:
        """Number of constraints, ``N + E + 2K``."""
        return self.n_servers + self.n_links + 2 * self.n_services

    @property
    def rows_C(self) -> slice:
        """Rows of the server capacities (2a)."""
        return slice(0, self.n_servers)

    @property
    def rows_B(self) -> slice:
        """Rows of the link capacities (2b)."""
        return slice(self.n_servers, self.n_servers + self.n_links)

    @property
    def rows_D(self) -> slice:
        """Rows of the upper admission bounds ``d <= D`` (1)."""
        s = self.n_servers + self.n_links
        return slice(s, s + self.n_services)

    @property
    def rows_0(self) -> slice:
        """Rows of the lower bounds ``-d <= 0`` (1)."""
        s = self.n_servers + self.n_links + self.n_services
        return slice(s, s + self.n_services)

    @property
    def c(self) -> np.ndarray:
        """The (N, K) compute densities block of ``G``."""
        return self.G[self.rows_C]

    @property
    def b(self) -> np.ndarray:
        """The (E, K) bandwidth densities block of ``G``."""
        return self.G[self.rows_B]

    def row_labels(self, services: Sequence[str] | None = None) -> list[str]:
        """A readable name for each of the ``m`` rows of ``G`` and ``h`` (eq. 4a-4b), in order:
        server capacities ``C_i`` (2a), link capacities ``B_e`` (2b), the admission bounds
        ``d_k <= D_k`` and the non-negativity rows ``-d_k <= 0`` (1).

        ``services`` names the K services (e.g. ``Scenario.services``); ``None`` numbers them
        ``service 0 .. K-1``. A wrong length raises ``ValueError``.
        """
        K = self.n_services
        if services is None:
            names = [f"service {k}" for k in range(K)]
        else:
            names = [str(s) for s in services]
            if len(names) != K:
                raise ValueError(f"row_labels: services must name the {K} services, got {len(names)}: {names}")
        return ([f"server {i} capacity C_{i}" for i in range(self.n_servers)]
                + [f"link {e} capacity B_{e}" for e in range(self.n_links)]
                + [f"demand bound of {s}" for s in names]
                + [f"non-negativity of {s}" for s in names])

    def h(self, C: Any, B: Any, D: Any) -> Any:
        """Right-hand side ``h = [C; B; D; 0]`` (eq. 4b), broadcast over leading dimensions.

        ``C`` has shape ``(..., N)``, ``B`` ``(..., E)``, ``D`` ``(..., K)``; the leading
        dimensions broadcast against each other (e.g. fixed capacities with a batch of
        demands). Returns shape ``(..., m)``. NumPy in, NumPy out; if any argument is a
        ``torch.Tensor`` the result is a float64 tensor that keeps the autograd graph (so
        learnable capacity estimates and predicted demands flow through, eq. 12).
        """
        N, E, K = self.n_servers, self.n_links, self.n_services
        parts = {"C": (C, N), "B": (B, E), "D": (D, K)}
        is_torch = any(type(v).__module__.startswith("torch") for v, _ in parts.values())
        if is_torch:
            import torch

            arrays = {k: v.to(torch.float64) if isinstance(v, torch.Tensor)
                      else torch.from_numpy(np.array(v, dtype=float)) for k, (v, _) in parts.items()}
        else:
            arrays = {k: np.asarray(v, dtype=float) for k, (v, _) in parts.items()}
        for name, (_, size) in parts.items():
            a = arrays[name]
            if a.ndim == 0 or a.shape[-1] != size:
                raise ValueError(f"h(): {name} must have last dimension {size}, got shape {tuple(a.shape)}")
            finite = bool(torch.isfinite(a).all()) if is_torch else bool(np.isfinite(a).all())
            if not finite:
                raise ValueError(f"h(): {name} contains non-finite values")
        try:
            lead = tuple(np.broadcast_shapes(*(tuple(a.shape[:-1]) for a in arrays.values())))
        except ValueError:
            raise ValueError(
                "h(): leading dimensions of C, B, D do not broadcast: "
                + ", ".join(f"{k} {tuple(a.shape)}" for k, a in arrays.items())
            ) from None
        if is_torch:
            blocks = [arrays[k].expand(*lead, arrays[k].shape[-1]) for k in ("C", "B", "D")]
            blocks.append(torch.zeros(*lead, K, dtype=torch.float64, device=blocks[0].device))
            return torch.cat(blocks, dim=-1)
        blocks = [np.broadcast_to(arrays[k], (*lead, arrays[k].shape[-1])) for k in ("C", "B", "D")]
        blocks.append(np.zeros((*lead, K)))
        return np.concatenate(blocks, axis=-1)


def _price(name: str, v: Any, K: int) -> np.ndarray:
    a = np.asarray(v, dtype=float)
    if a.ndim == 0:
        a = np.full(K, float(a))
    if a.shape != (K,):
        raise ValueError(f"{name} must be a scalar or have shape ({K},) (one per service), got shape {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} must be finite, got {a}")
    return a


def build_problem(network: Network, deployment: Deployment, *, r: float | Sequence[float], q_C: float,
                  q_B: float) -> LPProblem:
    """Assemble ``G`` (eq. 4a) and ``p`` (eq. 4c) for a deployed network.

    ``r`` is the income per admitted Mb, a scalar or one per service; ``q_C`` and ``q_B``
    are the costs per reserved unit of compute and bandwidth (finite, >= 0). ``p_k`` may
    come out negative (then the LP admits nothing of service ``k``).
    """
    if not isinstance(network, Network):
        raise TypeError(f"network must be a Network, got {type(network).__name__}")
    if not isinstance(deployment, Deployment):
        raise TypeError(f"deployment must be a Deployment, got {type(deployment).__name__}")
    N, E = network.n_servers, network.n_links
    c, b = np.asarray(deployment.c, float), np.asarray(deployment.b, float)
    K = len(deployment.services)
    if c.shape != (N, K) or b.shape != (E, K):
        raise ValueError(
            f"deployment densities do not match the network: c {c.shape} (expected ({N}, {K})), "
            f"b {b.shape} (expected ({E}, {K}))"
        )
    if (c < 0).any() or (b < 0).any() or not (np.isfinite(c).all() and np.isfinite(b).all()):
        raise ValueError("deployment densities c, b must be finite and >= 0")
    if (c[~np.asarray(network.usable_servers)] != 0).any():
        raise ValueError("deployment places parts on unusable (discarded) servers")
    if (b[~np.asarray(network.usable_links)] != 0).any():
        raise ValueError("deployment routes cuts over unusable (discarded) links")
    r_ = _price("r", r, K)
    for name, q in (("q_C", q_C), ("q_B", q_B)):
        if isinstance(q, bool) or not isinstance(q, (int, float, np.integer, np.floating)) \
                or not math.isfinite(q) or q < 0:
            raise ValueError(f"{name} must be a finite number >= 0, got {q!r}")
    G = np.vstack([c, b, np.eye(K), -np.eye(K)])  # eq. (4a)
    p = r_ - q_C * c.sum(axis=0) - q_B * b.sum(axis=0)  # eq. (4c)
    return LPProblem(G, p, N, E, K)
