"""Sweeps of the operating point: Fig. 8 (average resource ``M``, eq. 14), Fig. 9 and
Table 4 (average deviation ``Sigma``, eq. 15), §V-D.
"""

from __future__ import annotations


import numpy as np
import pandas as pd

from .names import (ALL_SPLITTING_FRAMEWORKS, BASELINE_FRAMEWORKS, IMPROVEMENTS,
                    PAPER_NAMES, SPEC_COLUMNS)
from .names import ABLATION_FRAMEWORKS
from .runs import make_spec
from .summarize import BOOT_SUFFIXES, improvement_bootstrap, paired_improvement, summaries, summarize_with_ci
from .artefact_io import _label, _prepare, _run, _write

def _specs_fig8(sc, seeds):
    return [make_spec(sc, dataset="geant", framework=f, seed=s, M=m)
            for m in sc.M_sweep for s in seeds for f in BASELINE_FRAMEWORKS]


def _specs_fig9(sc, seeds):
    return [make_spec(sc, dataset="geant", framework=f, seed=s, Sigma=sg)
            for sg in sc.sigma_sweep for s in seeds for f in BASELINE_FRAMEWORKS]


def _specs_table4(sc, seeds):
    return [make_spec(sc, dataset=ds, framework=f, seed=s, Sigma=sg)
            for ds in sc.datasets for sg in sc.sigma_sweep for s in seeds
            for f in sc.frameworks((*ALL_SPLITTING_FRAMEWORKS, *ABLATION_FRAMEWORKS))]


def fig8_resource(*, scale="quick", seeds=None, out_dir=None, workers=1, scheduler=None,
                  progress=True, run_fn=None) -> pd.DataFrame:
    """Fig. 8 (§V-D-1): mean throughput vs the average resource ``M`` (eq. 14) on GEANT.

    One row per framework x M x seed: ``throughput`` (Mb/slot), ``utility`` (%), ``accuracy``;
    ``Sigma`` at the scale's default.
    """
    sc, seeds, out = _prepare(scale, seeds, out_dir)
    res = _run(_specs_fig8(sc, seeds), out, workers, scheduler, progress, run_fn)
    return _write(_label(summaries(res)), out, sc, "fig8_resource")


def fig9_deviation(*, scale="quick", seeds=None, out_dir=None, workers=1, scheduler=None,
                   progress=True, run_fn=None) -> pd.DataFrame:
    """Fig. 9 (§V-D-2): utility (% of offline) vs the average deviation ``Sigma`` (eq. 15), GEANT.

    One row per framework x Sigma x seed.
    """
    sc, seeds, out = _prepare(scale, seeds, out_dir)
    res = _run(_specs_fig9(sc, seeds), out, workers, scheduler, progress, run_fn)
    return _write(_label(summaries(res)), out, sc, "fig9_deviation")


def table4_utility(*, scale="quick", seeds=None, out_dir=None, workers=1, scheduler=None,
                   progress=True, run_fn=None) -> pd.DataFrame:
    """Table 4 (§V-D-4): utility (% of offline) for each ``Sigma`` on both datasets.

    Tidy, one row per dataset x Sigma x row x seed, ``metric`` = ``utility`` for the
    frameworks (the paper's three, the offline optimum and our two variants), and
    ``utility improvement`` (percentage points, paired by seed) for the improvement rows
    "objective-driven - two-stage-lstm" and "objective-driven - two-stage-bilstm".
    :func:`table4_wide` turns it into the paper's layout with means and CIs.
    """
    sc, seeds, out = _prepare(scale, seeds, out_dir)
    res = _run(_specs_table4(sc, seeds), out, workers, scheduler, progress, run_fn)
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
    df = df[["dataset", "data", "framework", "label", "metric", "seed", "M", "Sigma", "value",
             "value_ci95_boot_low", "value_ci95_boot_high", "value_boot_mean"]]
    return _write(df, out, sc, "table4_utility")


def table4_wide(table4: pd.DataFrame, *, decimals: int = 2) -> pd.DataFrame:
    """Table 4 in the paper's layout: rows dataset x label, columns Sigma, cells "mean ± half-CI"."""
    s = summarize_with_ci(table4, ["dataset", "label", "Sigma"], "value")
    half = (s["ci95_high"] - s["mean"]).fillna(float("nan"))
    s["cell"] = [f"{m:.{decimals}f}" + ("" if not np.isfinite(h) else f" ± {h:.{decimals}f}")
                 for m, h in zip(s["mean"], half)]
    wide = s.pivot(index=["dataset", "label"], columns="Sigma", values="cell")
    wide.columns = [f"Sigma={c:g}" for c in wide.columns]
    return wide
