"""Does the LP layer learn the true capacities? The estimates Ĉ, B̂ of the objective-driven runs.

The paper credits its gain to an "effective approximation of unobservable resources" (§IV-B):
the layer's capacity estimates ``Ĉ = mu_C exp(theta_C)``, ``B̂ = mu_B exp(theta_B)`` move with
the gradient ``dl/dh`` of eq. (12). Each run that learns them saves them beside its cache file
(:func:`splitalloc.experiments.runs.run_capacities`); this module collects them for the
Sigma sweep of Fig. 9 (GEANT) and compares, on the resources the deployment uses, the error of
the estimate ``|Ĉ - C|`` with the error of the mean ``|mu - C|`` that the two-stage baselines
allocate with. An estimate closer to ``C`` than the mean says the layer learns the true
capacity; an estimate that moves but not towards ``C`` is an "effective" capacity (a knob
that trades allocations against the loss, not a measurement).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .artefacts import Artefact, Context, produce, register
from .names import LEARNS_CAPACITIES
from .runs import run_capacities
from .sweeps import FIG9

#: Columns of ``capacity_estimates.csv``.
CAPACITY_COLUMNS = ("dataset", "data", "framework", "seed", "M", "Sigma", "information", "kind", "index",
                    "used", "usable", "mu", "true", "estimate", "err_estimate", "err_mean")


def _work(sc, seeds):
    return [s for s in FIG9.work(sc, seeds) if s.framework in LEARNS_CAPACITIES]


def _assemble(ctx: Context) -> pd.DataFrame:
    df = run_capacities(ctx.results, out_dir=ctx.out_dir, run_fn=ctx.run_fn)
    if df.empty:
        return pd.DataFrame(columns=list(CAPACITY_COLUMNS))
    df["err_estimate"] = (df["estimate"] - df["true"]).abs()
    df["err_mean"] = (df["mu"] - df["true"]).abs()
    return df[list(CAPACITY_COLUMNS)]


#: The capacity estimates' record (:class:`splitalloc.experiments.artefacts.Artefact`).
CAPACITIES = register(Artefact(name="capacities", title="Learned capacity estimates against the truth",
                               files={"capacities": "capacity_estimates"}, work=_work, assemble=_assemble))


def capacity_estimates(*, scale="quick", seeds=None, out_dir=None, workers=1, scheduler=None,
                       progress=True, run_fn=None) -> pd.DataFrame:
    """Ĉ and B̂ of every capacity-learning run of Fig. 9's Sigma sweep (GEANT), one row per run x
    server/link: ``used`` (by the deployment), ``usable``, ``mu``, ``true``, ``estimate``,
    ``err_estimate = |estimate - true|`` and ``err_mean = |mu - true|`` (resource units or Mb per
    slot). Written as ``capacity_estimates.csv``."""
    return produce(CAPACITIES, scale=scale, seeds=seeds, out_dir=out_dir, workers=workers,
                   scheduler=scheduler, progress=progress, run_fn=run_fn)


def capacity_summary(df: pd.DataFrame) -> pd.DataFrame:
    """Per framework x Sigma x kind, over the used resources of all seeds: mean ``err_estimate``
    and ``err_mean``, the share of resources whose estimate is closer to the truth than the
    mean (``closer_share``), the correlation of the estimate's move ``estimate - mu`` with the
    truth's deviation ``true - mu`` (``corr_move_truth``; near 1: the layer learns the true
    capacities, near 0 or negative: an effective capacity) and the mean ``estimate / mu``."""
    if df.empty:
        return pd.DataFrame(columns=["framework", "Sigma", "kind", "n", "err_estimate", "err_mean",
                                     "closer_share", "corr_move_truth", "estimate_over_mu"])
    used = df[df["used"].astype(bool)]
    rows = []
    for (fw, sg, kind), g in used.groupby(["framework", "Sigma", "kind"], sort=True):
        move, dev = g["estimate"] - g["mu"], g["true"] - g["mu"]
        corr = float(np.corrcoef(move, dev)[0, 1]) if len(g) > 2 and move.std() > 0 and dev.std() > 0 else float("nan")
        rows.append({"framework": fw, "Sigma": sg, "kind": kind, "n": len(g),
                     "err_estimate": float(g["err_estimate"].mean()), "err_mean": float(g["err_mean"].mean()),
                     "closer_share": float((g["err_estimate"] < g["err_mean"]).mean()),
                     "corr_move_truth": corr, "estimate_over_mu": float((g["estimate"] / g["mu"]).mean())})
    return pd.DataFrame(rows)
