"""Checks of the LP layer on one instance: reference solve, active set, gradient check.

These back the method page: they solve ``max p^T d  s.t.  G d <= h`` (eqs. 4-5) with
:func:`splitalloc.layer.lp_solve` and compare it with independent computations:

* :func:`compare_with_highs` -- the optimum against SciPy's HiGHS simplex;
* :func:`active_constraints` -- the rows with a positive multiplier (eqs. 7-8);
* :func:`finite_difference_check` -- the layer's gradient ``d(p^T d*)/dh`` (implicit
  differentiation of the KKT system, eqs. 9-12) against central finite differences of the
  optimal revenue, and against the multipliers (by LP duality the gradient of the optimal
  value with respect to ``h`` equals ``lambda``).

All take NumPy arrays (``p`` (K,), ``G`` (m, K), ``h`` (m,)) and return tidy DataFrames.
Module order: after :mod:`splitalloc.layer` and :mod:`splitalloc.problem`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
import torch

from . import layer

__all__ = ["HighsComparison", "compare_with_highs", "active_constraints", "finite_difference_check",
           "gradient_check_summary"]


def _arrays(p, G, h) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    p = np.asarray(p, dtype=float)
    G = np.asarray(G, dtype=float)
    h = np.asarray(h, dtype=float)
    if p.ndim != 1 or G.ndim != 2 or h.ndim != 1:
        raise ValueError(f"expected p (K,), G (m, K), h (m,); got shapes p {p.shape}, G {G.shape}, h {h.shape}")
    if G.shape != (h.shape[0], p.shape[0]):
        raise ValueError(f"G must have shape (len(h), len(p)) = ({h.shape[0]}, {p.shape[0]}), got {G.shape}")
    for name, a in (("p", p), ("G", G), ("h", h)):
        if not np.isfinite(a).all():
            raise ValueError(f"{name} contains non-finite values")
    return p, G, h


def _labels(labels: Sequence[str] | None, m: int) -> list[str]:
    if labels is None:
        return [f"row {i}" for i in range(m)]
    labels = [str(x) for x in labels]
    if len(labels) != m:
        raise ValueError(f"labels must have one entry per row of h ({m}), got {len(labels)}")
    return labels


@dataclass(frozen=True)
class HighsComparison:
    """Result of :func:`compare_with_highs`: per-service optima and the two objectives."""

    allocation: pd.DataFrame      # service, d_layer, d_highs
    objective_layer: float
    objective_highs: float
    rtol: float

    @property
    def objectives_agree(self) -> bool:
        """``|p^T d_layer - p^T d_highs| <= rtol * max(1, |p^T d_highs|)``."""
        return abs(self.objective_layer - self.objective_highs) <= self.rtol * max(1.0, abs(self.objective_highs))


def compare_with_highs(p, G, h, *, services: Sequence[str] | None = None, rtol: float = 1e-9) -> HighsComparison:
    """Solve eq. (5) with the layer and with SciPy's HiGHS (``linprog``, free variables; the
    bounds ``0 <= d <= D`` of (1) are rows of ``G``) and return both optima.

    The optimal vertex need not be unique, so agreement is judged on the objective
    ``p^T d`` (relative tolerance ``rtol``); the allocations are shown side by side.
    """
    from scipy.optimize import linprog

    p, G, h = _arrays(p, G, h)
    K = p.shape[0]
    names = [f"service {k}" for k in range(K)] if services is None else [str(s) for s in services]
    if len(names) != K:
        raise ValueError(f"services must name the {K} services, got {len(names)}")
    with torch.no_grad():
        d = layer.lp_solve(torch.tensor(p), torch.tensor(G), torch.tensor(h[None, :]))[0].numpy()
    ref = linprog(-p, A_ub=G, b_ub=h, bounds=[(None, None)] * K, method="highs")
    if ref.status != 0:
        raise RuntimeError(f"HiGHS did not find an optimum (status {ref.status}: {ref.message})")
    table = pd.DataFrame({"service": names, "d_layer": d, "d_highs": ref.x})
    return HighsComparison(table, float(p @ d), float(-ref.fun), float(rtol))


def active_constraints(p, G, h, *, labels: Sequence[str] | None = None, tol: float = 1e-9) -> pd.DataFrame:
    """Rows of ``G d <= h`` whose optimal multiplier exceeds ``tol`` (eqs. 7-8).

    Returns columns ``row`` (index into ``h``), ``label`` (``labels[row]``, e.g. from
    :meth:`splitalloc.problem.LPProblem.row_labels`), ``lam`` (the multiplier: revenue gained
    per unit of extra ``h_row``), ``slack`` (``h - G d*``, zero on an active row).
    """
    p, G, h = _arrays(p, G, h)
    names = _labels(labels, h.shape[0])
    with torch.no_grad():
        d, lam = layer.lp_solve(torch.tensor(p), torch.tensor(G), torch.tensor(h[None, :]), return_dual=True)
    lam = lam[0].numpy()
    slack = h - G @ d[0].numpy()
    rows = np.flatnonzero(lam > tol)
    return pd.DataFrame({"row": rows, "label": [names[i] for i in rows], "lam": lam[rows], "slack": slack[rows]})


def finite_difference_check(p, G, h, *, step: float, labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Gradient of the optimal revenue ``p^T d*(h)`` with respect to ``h``, three ways.

    * ``autograd``: backward pass of :func:`splitalloc.layer.lp_solve` (KKT implicit
      differentiation on the active set, eqs. 9-12);
    * ``finite_difference``: central differences ``(R(h + e_i eps_i) - R(h - e_i eps_i)) /
      (2 eps_i)`` with ``eps_i = step * max(1, |h_i|)`` (relative step), all ``2m`` perturbed
      LPs solved as one batch;
    * ``multiplier``: the optimal dual ``lambda_i`` (eqs. 7-8), which equals the gradient of the
      optimal value wherever the vertex is non-degenerate (LP sensitivity).

    Returns one row per row of ``h``: ``row``, ``label``, ``h``, ``eps``, ``autograd``,
    ``finite_difference``, ``multiplier``, ``abs_error`` (``|autograd - finite_difference|``).
    ``step`` must be positive and small enough that ``h - eps`` keeps the LP feasible.
    """
    p, G, h = _arrays(p, G, h)
    if not (np.isfinite(step) and step > 0):
        raise ValueError(f"step must be a positive finite relative step, got {step!r}")
    m = h.shape[0]
    names = _labels(labels, m)
    pt, Gt = torch.tensor(p), torch.tensor(G)
    ht = torch.tensor(h[None, :], requires_grad=True)
    d, lam = layer.lp_solve(pt, Gt, ht, return_dual=True)
    (d[0] @ pt).backward()
    grad = ht.grad[0].numpy()
    eps = step * np.maximum(1.0, np.abs(h))
    H = np.repeat(h[None, :], 2 * m, axis=0)
    H[np.arange(m), np.arange(m)] += eps
    H[m + np.arange(m), np.arange(m)] -= eps
    with torch.no_grad():
        rev = (layer.lp_solve(pt, Gt, torch.tensor(H)) @ pt).numpy()
    fd = (rev[:m] - rev[m:]) / (2 * eps)
    return pd.DataFrame({"row": np.arange(m), "label": names, "h": h, "eps": eps, "autograd": grad,
                         "finite_difference": fd, "multiplier": lam[0].detach().numpy(),
                         "abs_error": np.abs(grad - fd)})


def gradient_check_summary(df: pd.DataFrame, *, fd_atol: float = 1e-6, dual_atol: float = 1e-9,
                           zero_tol: float = 1e-12) -> dict:
    """Verdicts on a :func:`finite_difference_check` frame: ``n_rows`` (m), ``n_nonzero``
    (rows with ``|autograd| > zero_tol``), ``max_abs_error`` (autograd vs finite differences),
    ``matches_finite_difference`` (``max_abs_error < fd_atol``) and ``equals_multipliers``
    (autograd within ``dual_atol`` of lambda on every row, the LP sensitivity result)."""
    need = {"autograd", "finite_difference", "multiplier", "abs_error"}
    if need - set(df.columns):
        raise ValueError(f"gradient_check_summary: missing columns {sorted(need - set(df.columns))}; "
                         "expected the frame of finite_difference_check")
    err = float(df["abs_error"].max())
    return dict(n_rows=int(len(df)), n_nonzero=int((df["autograd"].abs() > zero_tol).sum()),
                max_abs_error=err, matches_finite_difference=bool(err < fd_atol),
                equals_multipliers=bool(np.allclose(df["autograd"], df["multiplier"], rtol=0, atol=dual_atol)))
