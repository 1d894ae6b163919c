"""Evaluation of reserved allocations against what actually arrived (DESIGN.md "Evaluation rule").

Every framework reserves ``d_k(t)`` *before* slot ``t`` (paper §III-B). At the end of the slot
the true arrivals ``D*_k(t)`` and the true capacities ``C_i``, ``B_(i,j)`` decide what is served:

1. service ``k`` can serve at most what it reserved and what arrived: ``min(d_k, D*_k)``;
2. every server ``i`` (link ``(i,j)``) carries the *reserved* load ``sum_k c_i^k d_k``
   (``sum_k b_(i,j)^k d_k``), the left-hand sides of constraints (2a)/(2b); where that load exceeds
   the true capacity, the resource serves all services using it in proportion ``cap / load``;
3. a service is slowed by the worst such over-subscription on its path (every server/link with a
   non-zero density for it), so ``served_k = min(d_k, D*_k) * min(1, min_{r in path_k} cap_r / load_r)``.

Throughput is ``sum_k served_k``; revenue ``p^T served`` with ``p`` from eq. (4c); utility is served
traffic as a percentage of the offline optimum (the LP (3) solved with the true ``D``, ``C``, ``B``);
prediction accuracy is ``1 - WAPE = 1 - sum |D̂ - D*| / sum D*``.

The rule is written once (:func:`served_traffic`, with :func:`reserved_load` and
:func:`bottleneck_factor`) for numpy arrays and torch tensors alike: :func:`serve` evaluates every
framework with it in numpy, and the training path (the regret loss of
:mod:`splitalloc.frameworks.objective_driven`) differentiates the same code in torch.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

_KEYS = ("time", "service")

#: All-or-nothing (``gamma = inf``): a path whose worst capacity / load ratio is within this of 1
#: counts as not overloaded, so that an allocation that fills a resource exactly (the offline
#: optimum does) is not zeroed by the last bit of rounding.
ALL_OR_NOTHING_TOLERANCE = 1e-9


def _as_2d(x, name: str, width: int | None = None) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2:
        raise ValueError(f"serve: {name} must be 1-D or 2-D (slots, ...), got shape {a.shape}")
    if width is not None and a.shape[1] != width:
        raise ValueError(f"serve: {name} has {a.shape[1]} columns, expected {width}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"serve: {name} contains non-finite values")
    return a


def serve(d, D_true, C_true, B_true, c, b, *, gamma: float = 1.0) -> np.ndarray:
    """Served traffic per slot and service under the evaluation rule (module docstring).

    Parameters
    ----------
    d, D_true:
        reserved allocation and true arrivals, shape ``(T, K)`` or ``(K,)`` (Mb/slot).
    C_true, B_true:
        true server and link capacities, shape ``(N,)`` / ``(E,)`` or per slot ``(T, N)`` /
        ``(T, E)``. Negative values (discarded resources, §V-D-1) count as zero capacity.
    c, b:
        density matrices ``[c_i^k]`` ``(N, K)`` and ``[b_(i,j)^k]`` ``(E, K)`` of eq. (4a).
    gamma:
        the rule's family parameter (:func:`served_traffic`): 1 (default) is the proportional
        rule, ``inf`` all-or-nothing.

    Returns served traffic with the shape of ``d``. Vectorised over slots, no Python loop.
    """
    gamma = check_gamma(gamma)
    squeeze = np.ndim(d) == 1
    c = np.asarray(c, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if c.ndim != 2 or b.ndim != 2 or c.shape[1] != b.shape[1]:
        raise ValueError(f"serve: c must be (N, K) and b (E, K) with the same K; got {c.shape}, {b.shape}")
    K = c.shape[1]
    d = np.maximum(_as_2d(d, "d", K), 0.0)
    D_true = _as_2d(D_true, "D_true", K)
    if D_true.shape != d.shape:
        raise ValueError(f"serve: d {d.shape} and D_true {D_true.shape} differ in shape")
    if np.any(D_true < 0):
        raise ValueError("serve: D_true contains negative arrivals")
    cap = np.concatenate([_as_2d(C_true, "C_true", c.shape[0]),
                          _as_2d(B_true, "B_true", b.shape[0])], axis=1)      # (T or 1, R)
    cap = np.maximum(cap, 0.0)
    dens = np.concatenate([c, b], axis=0)                                        # (R, K)
    served = served_traffic(d, D_true, cap, dens, gamma=gamma)
    return served[0] if squeeze else served


def check_gamma(gamma) -> float:
    """``gamma`` as a float, or ``ValueError`` naming it: a number >= 1 or ``inf``."""
    try:
        g = float(gamma)
    except (TypeError, ValueError):
        raise ValueError(f"evaluation rule: gamma must be a number >= 1 or inf, got {gamma!r}") from None
    if isinstance(gamma, bool) or not g >= 1:  # NaN fails too
        raise ValueError(f"evaluation rule: gamma must be a number >= 1 or inf, got {gamma!r}")
    return g


def _array_namespace(x):
    """``torch`` for a torch tensor, ``numpy`` otherwise (torch is never imported here: a
    tensor exists only once torch is)."""
    torch = sys.modules.get("torch")
    return torch if torch is not None and isinstance(x, torch.Tensor) else np


def reserved_load(d, dens):
    """Load of every resource under the reservations ``d`` (n, K): ``d @ dens.T`` (n, R), the
    left-hand sides of constraints (2a)/(2b), with ``dens`` the stacked densities ``[c; b]``."""
    return d @ dens.T


def bottleneck_factor(load, cap, dens):
    """Per slot and service, the worst over-subscription on the service's path:
    ``min(1, min_{r: dens[r, k] > 0} cap_r / load_r)`` (n, K); step 3 of the module docstring.

    ``load`` (n, R) from :func:`reserved_load`, ``cap`` (R,) or (n, R) the true capacities
    (>= 0). numpy or torch; in torch it is differentiable wherever a resource is overloaded.
    """
    xp = _array_namespace(load)
    over = load > cap
    ratio = xp.where(over, cap / xp.where(over, load, 1.0), 1.0)               # (n, R)
    on_path = dens > 0                                                           # (R, K)
    return xp.amin(xp.where(on_path[None], ratio[:, :, None], 1.0), 1)          # (n, K)


def served_traffic(d, D_true, cap, dens, *, gamma: float = 1.0):
    """The evaluation rule: ``min(d, D*) * f**gamma`` (n, K) with ``f`` the
    :func:`bottleneck_factor`, on arrays already validated (see :func:`serve` for the checked
    entry point).

    ``gamma`` spans a family of rules that the paper leaves open: ``1`` (the default) is the
    proportional rule of the module docstring; larger values punish an over-subscribed path
    harder; ``inf`` is all-or-nothing (a service whose path has any overloaded resource serves
    nothing that slot; a factor within :data:`ALL_OR_NOTHING_TOLERANCE` of 1 counts as 1).
    ``gamma = 1`` takes the same operations as before the family existed, so its numbers are
    bit-identical.

    ``d``, ``D_true`` (n, K) reserved and arrived traffic, ``cap`` (R,) or (n, R) true capacities
    (>= 0), ``dens`` (R, K) the densities ``[c; b]``. Works on numpy arrays and on float64 torch
    tensors with the same operations, so that the evaluation and the training path share it.
    """
    xp = _array_namespace(d)
    factor = bottleneck_factor(reserved_load(d, dens), cap, dens)
    if gamma == math.inf:
        factor = xp.where(factor < 1.0 - ALL_OR_NOTHING_TOLERANCE, 0.0 * factor, 1.0 + 0.0 * factor)
    elif gamma != 1.0:
        factor = factor ** gamma
    return xp.minimum(d, D_true) * factor


def _check_frame(df: pd.DataFrame, name: str, cols: Sequence[str]) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"summarize: {name} lacks columns {missing}; has {list(df.columns)}")


def _p_series(p, services: Sequence[str]) -> pd.Series:
    if isinstance(p, Mapping) or isinstance(p, pd.Series):
        s = pd.Series(dict(p), dtype=float)
        missing = [k for k in services if k not in s.index]
        if missing:
            raise ValueError(f"summarize: p has no unit revenue for services {missing}")
        return s.loc[list(services)]
    arr = np.asarray(p, dtype=float).ravel()
    if arr.shape[0] != len(services):
        raise ValueError(
            f"summarize: p has {arr.shape[0]} entries but there are {len(services)} services "
            f"{list(services)} (give p in that order, or as a mapping service -> p_k)"
        )
    return pd.Series(arr, index=list(services))


def summarize(per_slot: pd.DataFrame, offline: pd.DataFrame, p) -> dict:
    """Throughput, revenue, utility and prediction accuracy of one framework run.

    ``per_slot`` and ``offline`` are tidy frames from ``run_framework`` (one row per slot and
    service with ``time, service, D_true, D_pred, d, served``) over the same slots. ``p`` is a
    mapping service -> ``p_k`` (eq. 4c) or an array in the order services first appear in
    ``offline``.

    Returns a dict with ``throughput`` and ``revenue`` (means per slot, summed over services),
    ``offline_throughput``, ``utility`` (served / offline served, in %), ``revenue_utility`` (%),
    ``accuracy`` (1 - WAPE of ``D_pred``) and ``n_slots``.
    """
    cols = ("time", "service", "D_true", "D_pred", "d", "served")
    _check_frame(per_slot, "per_slot", cols)
    _check_frame(offline, "offline", ("time", "service", "served"))
    services = list(pd.unique(offline["service"]))
    ps = _p_series(p, services)
    a = per_slot.set_index(list(_KEYS)).sort_index()
    o = offline.set_index(list(_KEYS)).sort_index()
    if not a.index.equals(o.index):
        raise ValueError("summarize: per_slot and offline do not cover the same (time, service) rows")
    n_slots = a.index.get_level_values("time").nunique()
    served = a["served"].to_numpy(float)
    off = o["served"].to_numpy(float)
    pk = ps.reindex(a.index.get_level_values("service")).to_numpy(float)
    revenue = float(np.sum(pk * served))
    off_revenue = float(np.sum(pk * off))
    D_true = a["D_true"].to_numpy(float)
    D_pred = a["D_pred"].to_numpy(float)
    total_true = float(np.sum(D_true))
    accuracy = 1.0 - float(np.sum(np.abs(D_pred - D_true))) / total_true if total_true > 0 else np.nan
    off_total = float(np.sum(off))
    return {
        "throughput": float(np.sum(served)) / n_slots,
        "revenue": revenue / n_slots,
        "offline_throughput": off_total / n_slots,
        "utility": 100.0 * float(np.sum(served)) / off_total if off_total > 0 else np.nan,
        "revenue_utility": 100.0 * revenue / off_revenue if off_revenue > 0 else np.nan,
        "accuracy": accuracy,
        "n_slots": int(n_slots),
    }
