"""Sensitivity screening of a function over a calibration space (issue 17): which groups the fit
depends on. SALib is not a dependency here; Morris' elementary effects are a few lines.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

def morris(space, f: Callable[[dict], float], *, r: int = 4, levels: int = 4,
           seed: int = 0) -> pd.DataFrame:
    """Morris elementary-effects screening (Morris 1991; Campolongo et al. 2007's mu*) of ``f`` over the
    free groups, in unit-cube coordinates: ``r`` one-at-a-time trajectories on a ``levels`` grid with
    step ``levels / (2 (levels - 1))``; per group ``mu_star`` (mean |effect|: how much the fit
    depends on it) and ``sigma`` (spread: interactions / non-linearity). ``r (d + 1)`` calls of ``f``."""
    rng = np.random.default_rng(seed)
    d = len(space.free)
    step = levels / (2 * (levels - 1))
    grid = np.arange(levels) / (levels - 1)
    effects = [[] for _ in range(d)]
    for _ in range(r):
        x = rng.choice(grid[grid + step <= 1 + 1e-12], size=d)
        y = f(space.from_unit(x))
        for i in rng.permutation(d):
            x2 = x.copy()
            x2[i] += step
            y2 = f(space.from_unit(x2))
            effects[i].append((y2 - y) / step)
            x, y = x2, y2
    e = [np.asarray(v) for v in effects]
    return pd.DataFrame({"group": [g.name for g in space.free], "mu_star": [np.abs(v).mean() for v in e],
                         "mu": [v.mean() for v in e], "sigma": [v.std(ddof=1) if v.size > 1 else 0.0 for v in e]}
                        ).sort_values("mu_star", ascending=False, ignore_index=True)
