"""Sweeps of the operating point: Fig. 8 (average resource ``M``, eq. 14), Fig. 9 and
Table 4 (average deviation ``Sigma``, eq. 15), §V-D.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .artefacts import Artefact, Context, label_frameworks, produce, register
from .names import (ABLATION_FRAMEWORKS, ALL_SPLITTING_FRAMEWORKS, BASELINE_FRAMEWORKS, IMPROVEMENTS,
                    PAPER_NAMES, SPEC_COLUMNS)
from .runs import make_spec
from .summarize import BOOT_SUFFIXES, improvement_bootstrap, paired_improvement, summaries, summarize_with_ci


def _fig8_work(sc, seeds):
    return [make_spec(sc, dataset="geant", framework=f, seed=s, M=m)
            for m in sc.M_sweep for s in seeds for f in BASELINE_FRAMEWORKS]


def _fig9_work(sc, seeds):
    return [make_spec(sc, dataset="geant", framework=f, seed=s, Sigma=sg)
            for sg in sc.sigma_sweep for s in seeds for f in BASELINE_FRAMEWORKS]


def _table4_work(sc, seeds):
    return [make_spec(sc, dataset=ds, framework=f, seed=s, Sigma=sg)
            for ds in sc.datasets for sg in sc.sigmas(ds) for s in seeds
            for f in sc.frameworks((*ALL_SPLITTING_FRAMEWORKS, *ABLATION_FRAMEWORKS), ds)]


def _table4(ctx: Context) -> pd.DataFrame:
    res = ctx.results
    summ = summaries(res)
    boot = [f"utility{c}" for c in BOOT_SUFFIXES]
    main = summ[list(SPEC_COLUMNS) + ["utility", *boot]].rename(
        columns={c: c.replace("utility", "value", 1) for c in ["utility", *boot]})
    main.insert(main.columns.get_loc("framework") + 1, "metric", "utility")
    imps = []
    for better, worse in IMPROVEMENTS:
        d = paired_improvement(summ, better, worse, "utility").rename(columns={"utility": "value"})
        d = d.merge(improvement_bootstrap(res, better, worse), on=["dataset", "data", "M", "Sigma"], how="left")
        d.insert(1, "metric", "utility improvement")
        imps.append(d)
    df = pd.concat([main, *imps], ignore_index=True)
    df.insert(df.columns.get_loc("framework") + 1, "label",
              df["framework"].map(lambda f: PAPER_NAMES.get(f) or
                                  "Proposed vs " + PAPER_NAMES[f.split(" - ")[1]]))
    return df[["dataset", "data", "framework", "label", "metric", "seed", "M", "Sigma", "value",
               "value_ci95_boot_low", "value_ci95_boot_high", "value_boot_mean"]]


def _labelled_summaries(ctx: Context) -> pd.DataFrame:
    return label_frameworks(summaries(ctx.results))


#: Fig. 8's record (:class:`splitalloc.experiments.artefacts.Artefact`).
FIG8 = register(Artefact(name="fig8", title="Fig. 8: throughput vs the average resource M",
                         files={"fig8": "fig8_resource"}, work=_fig8_work, assemble=_labelled_summaries))

#: Fig. 9's record.
FIG9 = register(Artefact(name="fig9", title="Fig. 9: utility vs the average deviation Sigma",
                         files={"fig9": "fig9_deviation"}, work=_fig9_work, assemble=_labelled_summaries))

#: Table 4's record.
TABLE4 = register(Artefact(name="table4", title="Table 4: utility for each Sigma on both datasets",
                           files={"table4": "table4_utility"}, work=_table4_work, assemble=_table4))


def fig8_resource(*, scale="quick", seeds=None, out_dir=None, workers=1, scheduler=None,
                  progress=True, run_fn=None) -> pd.DataFrame:
    """Fig. 8 (§V-D-1): mean throughput vs the average resource ``M`` (eq. 14) on GEANT.

    One row per framework x M x seed: ``throughput`` (Mb/slot), ``utility`` (%), ``accuracy``;
    ``Sigma`` at the scale's default. Written as ``fig8_resource.csv``.
    """
    return produce(FIG8, scale=scale, seeds=seeds, out_dir=out_dir, workers=workers, scheduler=scheduler,
                   progress=progress, run_fn=run_fn)


def fig9_deviation(*, scale="quick", seeds=None, out_dir=None, workers=1, scheduler=None,
                   progress=True, run_fn=None) -> pd.DataFrame:
    """Fig. 9 (§V-D-2): utility (% of offline) vs the average deviation ``Sigma`` (eq. 15), GEANT.

    One row per framework x Sigma x seed. Written as ``fig9_deviation.csv``.
    """
    return produce(FIG9, scale=scale, seeds=seeds, out_dir=out_dir, workers=workers, scheduler=scheduler,
                   progress=progress, run_fn=run_fn)


def table4_utility(*, scale="quick", seeds=None, out_dir=None, workers=1, scheduler=None,
                   progress=True, run_fn=None) -> pd.DataFrame:
    """Table 4 (§V-D-4): utility (% of offline) for each ``Sigma`` on both datasets.

    Tidy, one row per dataset x Sigma x row x seed, ``metric`` = ``utility`` for the
    frameworks (the paper's three, the offline optimum and our two variants), and
    ``utility improvement`` (percentage points, paired by seed) for the improvement rows
    "objective-driven - two-stage-lstm" and "objective-driven - two-stage-bilstm".
    :func:`table4_wide` turns it into the paper's layout with means and CIs. Written as
    ``table4_utility.csv``.
    """
    return produce(TABLE4, scale=scale, seeds=seeds, out_dir=out_dir, workers=workers, scheduler=scheduler,
                   progress=progress, run_fn=run_fn)


def table4_wide(table4: pd.DataFrame, *, decimals: int = 2) -> pd.DataFrame:
    """Table 4 in the paper's layout: rows dataset x label, columns Sigma, cells "mean ± half-CI"."""
    s = summarize_with_ci(table4, ["dataset", "label", "Sigma"], "value")
    half = (s["ci95_high"] - s["mean"]).fillna(float("nan"))
    s["cell"] = [f"{m:.{decimals}f}" + ("" if not np.isfinite(h) else f" ± {h:.{decimals}f}")
                 for m, h in zip(s["mean"], half)]
    wide = s.pivot(index=["dataset", "label"], columns="Sigma", values="cell")
    wide.columns = [f"Sigma={c:g}" for c in wide.columns]
    return wide
