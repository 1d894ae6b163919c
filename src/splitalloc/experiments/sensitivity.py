"""Sensitivity screening of a function over a calibration space (issue 17): which groups the fit
depends on, by Morris' elementary effects with SALib (``SALib.sample.morris``,
``SALib.analyze.morris``) in the unit cube of the space's free groups.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.sample import morris as morris_sample


def morris(space, f: Callable[[dict], float], *, r: int = 4, levels: int = 4,
           seed: int = 0) -> pd.DataFrame:
    """Morris elementary-effects screening (Morris 1991; Campolongo et al. 2007's mu*) of ``f`` over the
    free groups of ``space``, in unit-cube coordinates (a categorical group moves by bins): ``r``
    one-at-a-time trajectories on a ``levels`` grid (SALib's sampler, ``seed``), ``r (d + 1)`` calls
    of ``f``. Per group, from SALib's analysis: ``mu_star`` (mean |effect|: how much the fit depends
    on it), ``mu``, ``sigma`` (spread: interactions or non-linearity) and ``mu_star_conf`` (its
    bootstrap 95 % half-width), sorted by ``mu_star``. (SALib's sampler seeds numpy's global
    generator; nothing in this package draws from it.)"""
    names = [g.name for g in space.free]
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    X = morris_sample.sample(problem, N=int(r), num_levels=int(levels), seed=int(seed))
    Y = np.array([f(space.from_unit(x)) for x in X], dtype=float)
    res = morris_analyze.analyze(problem, X, Y, num_levels=int(levels), seed=int(seed), print_to_console=False)
    return pd.DataFrame({"group": names, "mu_star": np.asarray(res["mu_star"], dtype=float),
                         "mu": np.asarray(res["mu"], dtype=float), "sigma": np.asarray(res["sigma"], dtype=float),
                         "mu_star_conf": np.asarray(res["mu_star_conf"], dtype=float)}
                        ).sort_values("mu_star", ascending=False, ignore_index=True)
