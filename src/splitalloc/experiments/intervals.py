"""Intervals over seeds (issue 16; DESIGN.md "Verdicts"): the seed (one capacity draw and one
training run) is the unit. :func:`seed_interval` is the Student t interval over per-seed values with
the minimum detectable effect beside it; :func:`coverage_check` proves it keeps its 95 % promise on
simulated per-seed values with a known mean (and rejects a deliberately narrowed interval), and
:func:`skewed_coverage` reports where it stops keeping it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

T_METHOD = "t over seeds (n - 1 df)"

@dataclass(frozen=True)
class SeedInterval:
    """Mean over seeds with its t-interval, standard error and minimum detectable effect.

    The fields are floats for one set of seeds, arrays for a batch (:func:`seed_interval`)."""

    estimate: float
    ci_low: float
    ci_high: float
    se: float
    mde: float
    n: int
    ci_method: str = T_METHOD


def seed_interval(values, *, level: float = 0.95, power: float = 0.80) -> SeedInterval:
    """Student t interval over per-seed values, with the minimum detectable effect.

    ``values``: one number per seed (1-D), or a batch of independent sets (2-D, one set per
    row; every field of the result is then an array). ``SE = s / sqrt(n)``, the interval is
    ``mean -+ t_{(1+level)/2, n-1} SE`` and ``MDE = (t_{(1+level)/2, n-1} + t_{power, n-1}) SE``:
    the smallest true effect a two-sided test at ``1 - level`` detects with probability
    ``power``. Fewer than 3 seeds, NaN or infinite values raise one ValueError that says which.
    """
    a = np.asarray(values, dtype=float)
    if a.ndim not in (1, 2):
        raise ValueError(f"seed_interval: values must be 1-D (seeds) or 2-D (sets x seeds), got shape {a.shape}")
    n = a.shape[-1]
    if n < 3:
        raise ValueError(f"seed_interval: needs at least 3 seeds, got {n} (no verdict from fewer than 3 seeds)")
    bad = ~np.isfinite(a)
    if bad.any():
        where = np.argwhere(bad)[:5].tolist()
        raise ValueError(f"seed_interval: {int(np.isnan(a).sum())} NaN and {int(np.isinf(a).sum())} infinite "
                         f"value(s) among the per-seed values (positions {where}); every seed needs a finite value")
    if not (0 < level < 1 and 0 < power < 1):
        raise ValueError(f"seed_interval: level and power must lie in (0, 1), got {level}, {power}")
    m = a.mean(-1)
    se = a.std(-1, ddof=1) / np.sqrt(n)
    t_crit = stats.t.ppf(0.5 + level / 2, n - 1)
    mde = (t_crit + stats.t.ppf(power, n - 1)) * se
    out = (m, m - t_crit * se, m + t_crit * se, se, mde)
    if a.ndim == 1:
        out = tuple(float(x) for x in out)
    return SeedInterval(*out, n=n)


def narrowed(interval_fn: Callable[..., SeedInterval], factor: float) -> Callable[..., SeedInterval]:
    """``interval_fn`` with every interval's half-width multiplied by ``factor`` (a deliberately
    wrong interval, which the coverage check must reject)."""
    def fn(values, **kw):
        iv = interval_fn(values, **kw)
        half = factor * (np.asarray(iv.ci_high) - np.asarray(iv.ci_low)) / 2
        mid = (np.asarray(iv.ci_high) + np.asarray(iv.ci_low)) / 2
        return SeedInterval(iv.estimate, mid - half, mid + half, iv.se, iv.mde, iv.n, f"{iv.ci_method} x {factor:g}")
    return fn


#: Distributions of the coverage check: a sampler ``(rng, shape) -> array`` and the true mean.
COVERAGE_DISTRIBUTIONS: dict[str, tuple[Callable, float]] = {
    "normal": (lambda rng, shape: rng.normal(2.0, 3.0, shape), 2.0),
    "t3": (lambda rng, shape: 2.0 + rng.standard_t(3, shape), 2.0),
    "lognormal": (lambda rng, shape: rng.lognormal(0.0, 1.0, shape), float(np.exp(0.5))),
}


def interval_coverage(interval_fn: Callable[..., SeedInterval] = seed_interval, distribution: str = "normal", *,
                      n: int = 10, reps: int = 2000, seed: int = 0) -> float:
    """Share of ``reps`` simulated sets of ``n`` per-seed values (drawn from ``distribution``
    of :data:`COVERAGE_DISTRIBUTIONS`, whose mean is known) whose interval covers the mean.
    ``interval_fn`` gets the ``(reps, n)`` batch at once (as :func:`seed_interval` takes it)."""
    draw, mean = COVERAGE_DISTRIBUTIONS[distribution]
    iv = interval_fn(draw(np.random.default_rng(seed), (reps, n)))
    return float(np.mean((np.asarray(iv.ci_low) <= mean) & (mean <= np.asarray(iv.ci_high))))


def coverage_check(interval_fn: Callable[..., SeedInterval] = seed_interval, *, n: int = 10, reps: int = 10000,
                   bounds: tuple[float, float] = (0.93, 0.97), seed: int = 0) -> tuple[bool, dict[str, float]]:
    """Whether ``interval_fn`` keeps its 95 % promise: coverage within ``bounds`` for normal and
    t (3 df) per-seed values at ``n`` seeds. Returns ``(passed, {distribution: coverage})``."""
    cov = {d: interval_coverage(interval_fn, d, n=n, reps=reps, seed=seed + i) for i, d in enumerate(("normal", "t3"))}
    return all(bounds[0] <= c <= bounds[1] for c in cov.values()), cov


def skewed_coverage(n: int = 10, reps: int = 10000, seed: int = 0) -> float:
    """Coverage of :func:`seed_interval` on lognormal(0, 1) per-seed values (strongly skewed):
    reported, not asserted, to show where the t-interval stops keeping its promise."""
    return interval_coverage(seed_interval, "lognormal", n=n, reps=reps, seed=seed)
