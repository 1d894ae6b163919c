"""Per-slot traces: Fig. 6 (admitted traffic, GEANT), Fig. 7 (prediction) and Fig. 10
(admitted traffic, Kaggle), §V-C and §V-D-3.
"""

from __future__ import annotations


import pandas as pd

from .names import ALL_SPLITTING_FRAMEWORKS, BASELINE_FRAMEWORKS, SPEC_COLUMNS
from .runs import make_spec
from .summarize import per_slot_totals, summaries
from .artefact_io import _label, _prepare, _run, _write

def _specs_fig6(sc, seeds, dataset="geant"):
    specs = [make_spec(sc, dataset=dataset, framework=f, seed=s)
             for s in seeds for f in sc.frameworks(ALL_SPLITTING_FRAMEWORKS)]
    if sc.synthetic_slots:
        specs += [make_spec(sc, dataset=dataset, framework=f, seed=s, data="synthetic")
                  for s in seeds for f in sc.synthetic_frameworks]
    return specs


def _specs_fig7(sc, seeds):
    return [make_spec(sc, dataset="geant", framework=f, seed=s)
            for s in seeds for f in BASELINE_FRAMEWORKS]


def _specs_fig10(sc, seeds):
    return _specs_fig6(sc, seeds, dataset="kaggle")


def _admitted(sc, seeds, out, workers, scheduler, progress, run_fn, dataset):
    res = _run(_specs_fig6(sc, seeds, dataset), out, workers, scheduler, progress, run_fn)
    tot = per_slot_totals(res)
    summ = summaries(res)
    summ = summ[list(SPEC_COLUMNS) + ["throughput", "utility", "accuracy"]
                + [c for c in summ.columns if "_boot" in c]]
    return _label(tot.merge(summ, on=list(SPEC_COLUMNS), how="left"))


def fig6_admitted(*, scale="quick", seeds=None, out_dir=None, workers=1, scheduler=None,
                  progress=True, run_fn=None) -> pd.DataFrame:
    """Fig. 6 (§V-C): admitted traffic (throughput) per test slot on GEANT, all frameworks.

    One row per framework x seed x slot (x data kind: the real 324-slot series and, if the
    scale asks for it, the longer synthetic series fitted to it): per-slot totals over the
    services of reserved ``d``, ``served`` (the throughput of the slot), ``D_true`` and
    ``D_pred``, and the run's mean ``throughput``, ``utility`` and ``accuracy``.
    """
    sc, seeds, out = _prepare(scale, seeds, out_dir)
    df = _admitted(sc, seeds, out, workers, scheduler, progress, run_fn, "geant")
    return _write(df, out, sc, "fig6_admitted")


def fig7_prediction(*, scale="quick", seeds=None, out_dir=None, workers=1, scheduler=None,
                    progress=True, run_fn=None) -> pd.DataFrame:
    """Fig. 7 (§V-C): predicted vs true traffic per slot on GEANT, with prediction accuracy.

    One row per framework x seed x slot: total ``D_true`` and ``D_pred`` over the services
    (for the offline optimum ``D_pred`` is the truth), and the run's ``accuracy`` (1 - WAPE,
    per service and slot) and ``throughput``.
    """
    sc, seeds, out = _prepare(scale, seeds, out_dir)
    res = _run(_specs_fig7(sc, seeds), out, workers, scheduler, progress, run_fn)
    tot = per_slot_totals(res)
    summ = summaries(res)
    summ = summ[list(SPEC_COLUMNS) + ["accuracy", "throughput"] + [c for c in summ.columns if "_boot" in c]]
    df = _label(tot.merge(summ, on=list(SPEC_COLUMNS), how="left"))
    return _write(df, out, sc, "fig7_prediction")


def fig10_kaggle(*, scale="quick", seeds=None, out_dir=None, workers=1, scheduler=None,
                 progress=True, run_fn=None) -> pd.DataFrame:
    """Fig. 10 (§V-D-3): admitted traffic per test slot on the Kaggle dataset (as Fig. 6)."""
    sc, seeds, out = _prepare(scale, seeds, out_dir)
    df = _admitted(sc, seeds, out, workers, scheduler, progress, run_fn, "kaggle")
    return _write(df, out, sc, "fig10_kaggle")
