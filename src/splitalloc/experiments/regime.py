"""The operating regime: how much of the arrivals the offline optimum admits.

The paper works near saturation (§V-D-1: throughput stabilises once resources exceed the
requirements; Fig. 8 gains little from its default to M = 120). Whether forecasts can matter
depends on that regime: when capacities bind everywhere, every framework admits what the
capacities allow. :func:`admitted_fractions` measures, from the offline runs (which know the
true arrivals and capacities, §V-A), the admitted fraction ``sum_t,k d*_k(t) / sum_t,k D_k(t)``
over the test period, for every dataset at the default point and along Fig. 8's ``M`` sweep on
the GEANT week. The regime knob is ``service_mean_arrival`` (see :mod:`splitalloc.config`).
"""

from __future__ import annotations

import pandas as pd

from .artefacts import Artefact, Context, produce, register
from .runs import make_spec
from .summarize import summarize_with_ci

#: Datasets whose admitted fraction the parameters page prints.
REGIME_DATASETS = ("geant", "geant-may", "kaggle")


def _work(sc, seeds):
    specs = [make_spec(sc, dataset=ds, framework="offline", seed=s) for ds in REGIME_DATASETS for s in seeds]
    specs += [make_spec(sc, dataset="geant", framework="offline", seed=s, M=m) for m in sc.M_sweep for s in seeds]
    return specs


def _assemble(ctx: Context) -> pd.DataFrame:
    return pd.DataFrame([{"dataset": s.dataset, "data": s.data, "M": s.M, "Sigma": s.Sigma, "seed": s.seed,
                          "default_point": s.M == ctx.scale.default_M,
                          "admitted": float(df["d"].sum() / df["D_true"].sum())}
                         for s, df in ctx.results.items()])


#: The admitted fractions' record (:class:`splitalloc.experiments.artefacts.Artefact`).
ADMITTED = register(Artefact(name="admitted", title="The offline optimum's admitted fraction (the regime)",
                             files={"admitted": "admitted"}, work=_work, assemble=_assemble))


def admitted_fractions(*, scale="quick", seeds=None, out_dir=None, workers=1, scheduler=None,
                       progress=True, run_fn=None) -> pd.DataFrame:
    """One row per offline run: ``dataset, M, Sigma, seed, admitted`` (fraction of the test
    period's arrivals the offline optimum admits, 0-1), for every dataset of
    :data:`REGIME_DATASETS` at the default point and for the GEANT week along the scale's ``M``
    sweep. Written as ``admitted.csv``; :func:`admitted_summary` gives means and CIs."""
    return produce(ADMITTED, scale=scale, seeds=seeds, out_dir=out_dir, workers=workers, scheduler=scheduler,
                   progress=progress, run_fn=run_fn)


def admitted_summary(df: pd.DataFrame) -> pd.DataFrame:
    """Mean admitted fraction (in %) and its 95 % CI over seeds, per dataset and ``M``."""
    d = df.assign(admitted_pct=100.0 * df["admitted"])
    return summarize_with_ci(d, ["dataset", "M"], "admitted_pct")
