"""Per-slot traces: Fig. 6 (admitted traffic, GEANT), Fig. 7 (prediction) and Fig. 10
(admitted traffic, Kaggle), §V-C and §V-D-3, and :func:`fig7_table` (Fig. 7's numbers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .artefacts import Artefact, Context, label_frameworks, produce, register
from .names import ALL_SPLITTING_FRAMEWORKS, BASELINE_FRAMEWORKS, SPEC_COLUMNS
from .runs import make_spec
from .summarize import (BOOTSTRAP_NOTE, T_NOTE, block_length, moving_block_ci, per_slot_totals, summaries,
                        summarize_with_ci)


def _admitted_work(sc, seeds, dataset):
    specs = [make_spec(sc, dataset=dataset, framework=f, seed=s)
             for s in seeds for f in sc.frameworks(ALL_SPLITTING_FRAMEWORKS, dataset)]
    if sc.synthetic_slots:
        specs += [make_spec(sc, dataset=dataset, framework=f, seed=s, data="synthetic")
                  for s in seeds for f in sc.synthetic_frameworks]
    return specs


def _fig7_work(sc, seeds):
    return [make_spec(sc, dataset="geant", framework=f, seed=s) for s in seeds for f in BASELINE_FRAMEWORKS]


def _per_slot(results, metrics) -> pd.DataFrame:
    """Per-slot totals of every run with the run's ``metrics`` (and bootstrap columns) beside them."""
    summ = summaries(results)
    summ = summ[list(SPEC_COLUMNS) + list(metrics) + [c for c in summ.columns if "_boot" in c]]
    return label_frameworks(per_slot_totals(results).merge(summ, on=list(SPEC_COLUMNS), how="left"))


def _admitted(ctx: Context) -> pd.DataFrame:
    return _per_slot(ctx.results, ["throughput", "utility", "accuracy"])


#: Fig. 6's record (:class:`splitalloc.experiments.artefacts.Artefact`).
FIG6 = register(Artefact(name="fig6", title="Fig. 6: admitted traffic per slot, GEANT",
                         files={"fig6": "fig6_admitted"}, assemble=_admitted,
                         work=lambda sc, seeds: _admitted_work(sc, seeds, "geant")))

#: Fig. 7's record.
FIG7 = register(Artefact(name="fig7", title="Fig. 7: predicted vs true traffic per slot, GEANT",
                         files={"fig7": "fig7_prediction"},
                         assemble=lambda ctx: _per_slot(ctx.results, ["accuracy", "throughput"]),
                         work=_fig7_work))

#: Fig. 10's record.
FIG10 = register(Artefact(name="fig10", title="Fig. 10: admitted traffic per slot, Kaggle",
                          files={"fig10": "fig10_kaggle"}, assemble=_admitted,
                          work=lambda sc, seeds: _admitted_work(sc, seeds, "kaggle")))


def fig6_admitted(*, scale="quick", seeds=None, out_dir=None, workers=1, scheduler=None,
                  progress=True, run_fn=None) -> pd.DataFrame:
    """Fig. 6 (§V-C): admitted traffic (throughput) per test slot on GEANT, all frameworks.

    One row per framework x seed x slot (x data kind: the real 324-slot series and, if the
    scale asks for it, the longer synthetic series fitted to it): per-slot totals over the
    services of reserved ``d``, ``served`` (the throughput of the slot), ``D_true`` and
    ``D_pred``, and the run's mean ``throughput``, ``utility`` and ``accuracy``. Written as
    ``fig6_admitted.csv``.
    """
    return produce(FIG6, scale=scale, seeds=seeds, out_dir=out_dir, workers=workers, scheduler=scheduler,
                   progress=progress, run_fn=run_fn)


def fig7_prediction(*, scale="quick", seeds=None, out_dir=None, workers=1, scheduler=None,
                    progress=True, run_fn=None) -> pd.DataFrame:
    """Fig. 7 (§V-C): predicted vs true traffic per slot on GEANT, with prediction accuracy.

    One row per framework x seed x slot: total ``D_true`` and ``D_pred`` over the services
    (for the offline optimum ``D_pred`` is the truth), and the run's ``accuracy`` (1 - WAPE,
    per service and slot) and ``throughput``. Written as ``fig7_prediction.csv``;
    :func:`fig7_table` gives its numbers per framework.
    """
    return produce(FIG7, scale=scale, seeds=seeds, out_dir=out_dir, workers=workers, scheduler=scheduler,
                   progress=progress, run_fn=run_fn)


def fig10_kaggle(*, scale="quick", seeds=None, out_dir=None, workers=1, scheduler=None,
                 progress=True, run_fn=None) -> pd.DataFrame:
    """Fig. 10 (§V-D-3): admitted traffic per test slot on the Kaggle dataset (as Fig. 6).
    Written as ``fig10_kaggle.csv``."""
    return produce(FIG10, scale=scale, seeds=seeds, out_dir=out_dir, workers=workers, scheduler=scheduler,
                   progress=progress, run_fn=run_fn)


def fig7_table(df: pd.DataFrame) -> pd.DataFrame:
    """Fig. 7's numbers per framework: prediction accuracy ``1 - WAPE`` in percent
    (``mean_accuracy_pct, ci95_low, ci95_high``) and the mean throughput (``mean_throughput``,
    Mb/slot). ``df`` from :func:`fig7_prediction`.

    When ``df`` has the per-slot columns ``slot, D_true, abs_err`` (as :func:`fig7_prediction`
    writes them), the interval combines seeds with a moving-block bootstrap over test slots
    (:func:`splitalloc.experiments.summarize.moving_block_ci`, blocks of a day on GEANT);
    otherwise it is a t-interval over seeds. ``ci_method`` says which."""
    runs = df.drop_duplicates(["framework", "seed"])
    acc = summarize_with_ci(runs.assign(accuracy=100 * runs["accuracy"]), ["framework"], "accuracy")
    thr = summarize_with_ci(runs, ["framework"], "throughput")
    out = acc[["framework", "mean", "ci95_low", "ci95_high"]].merge(
        thr[["framework", "mean"]], on="framework", suffixes=("_accuracy_pct", "_throughput"))
    out["ci_method"] = T_NOTE
    if {"slot", "D_true", "abs_err"} <= set(df.columns):
        block = block_length(df["dataset"].iloc[0]) if "dataset" in df.columns else 96
        for i, fw in enumerate(out["framework"]):
            w = df[df["framework"] == fw]
            err = w.pivot_table(index="seed", columns="slot", values="abs_err", aggfunc="sum")
            tru = w.pivot_table(index="seed", columns="slot", values="D_true", aggfunc="sum")
            m, lo, hi = moving_block_ci(-err.to_numpy(), tru.to_numpy(), block=block)
            out.loc[i, ["mean_accuracy_pct", "ci95_low", "ci95_high"]] = 100 * (1 + np.array([m, lo, hi]))
            out.loc[i, "ci_method"] = BOOTSTRAP_NOTE
    return out


def kaggle_spike_days(data_dir=None) -> list[pd.Timestamp]:
    """The Kaggle days whose raw flow count the arrivals' cap touched (config
    ``arrival_cap_median_multiple``; ``attrs["capped_slots"]`` of the real series): the spike days
    (VGG16 block, 2006-09-17/18)."""
    from ..scenario import scenario_arrivals

    capped = scenario_arrivals("kaggle", data_dir=data_dir).attrs.get("capped_slots", {})
    return sorted({pd.Timestamp(t) for days in capped.values() for t in days})


def origin_report(df: pd.DataFrame, *, better: str = "objective-driven", worse: str = "two-stage-lstm",
                  spike_days=None, dataset: str = "kaggle", data_dir=None) -> pd.DataFrame:
    """How the rolling origin's windows, the level shift and the spike days move Fig. 10's result.

    ``df``: per-slot rows of the real series (:func:`fig10_kaggle`; columns ``data, framework,
    seed, time, served``; one operating point). One row per evaluation window of ``dataset``
    (:func:`splitalloc.scenario.evaluation_windows`: Kaggle's rolling origins), then ``all``
    (every scored day) and ``all without spike days`` (:func:`kaggle_spike_days` unless
    ``spike_days`` is given). Columns: ``scope``, ``origin`` (the window's first scored slot),
    ``first_day``, ``last_day``, ``n_days``, ``n_spike_days``, the utility of each framework
    (% of the offline optimum's served traffic over the scope's days, mean over seeds, one
    column per framework), ``offline_admitted_pct`` (offline served / arrivals, %), and the
    paired gain ``better - worse`` in utility points: ``gain_pp`` (mean over seeds),
    ``gain_ci95_low``, ``gain_ci95_high`` (Student t over seeds), ``n_seeds``.
    """
    from ..scenario import evaluation_windows, scenario_arrivals

    need = {"data", "framework", "seed", "time", "served", "D_true"}
    missing = sorted(need - set(df.columns))
    if missing:
        raise ValueError(f"origin_report: the frame lacks columns {missing}")
    real = df[df["data"] == "real"].copy()
    for col in ("M", "Sigma"):
        if col in real.columns and real[col].nunique() > 1:
            raise ValueError(f"origin_report: one operating point expected, got several {col} values")
    frameworks = list(dict.fromkeys(real["framework"]))
    for name in ("offline", better, worse):
        if name not in frameworks:
            raise ValueError(f"origin_report: no {name!r} rows in the frame (frameworks: {frameworks})")
    real["time"] = pd.to_datetime(real["time"])
    index = scenario_arrivals(dataset, data_dir=data_dir).index
    spikes = set(pd.to_datetime(list(kaggle_spike_days(data_dir) if spike_days is None else spike_days)))
    scopes = [(f"origin {v}", v, index[v:e]) for _, v, e in evaluation_windows(dataset, len(index))]
    scored = index[scopes[0][1]:]
    scopes += [("all", np.nan, scored), ("all without spike days", np.nan, scored[~scored.isin(spikes)])]
    per_seed = real.groupby(["framework", "seed", "time"])[["served", "D_true"]].sum()
    rows = []
    for scope, origin, days in scopes:
        t = per_seed[per_seed.index.get_level_values("time").isin(days)].groupby(["framework", "seed"]).sum()
        off = t.loc["offline"]
        util = 100 * t["served"].div(off["served"], level="seed")
        gain = (util.loc[better] - util.loc[worse]).dropna()
        g = summarize_with_ci(pd.DataFrame({"k": 0, "gain": gain}), ["k"], "gain").iloc[0]
        rows.append({"scope": scope, "origin": origin, "first_day": days.min().date(), "last_day": days.max().date(),
                     "n_days": len(days), "n_spike_days": int(days.isin(spikes).sum()),
                     **{fw: float(util.loc[fw].mean()) for fw in frameworks},
                     "offline_admitted_pct": float(100 * (off["served"] / off["D_true"]).mean()),
                     "gain_pp": float(g["mean"]), "gain_ci95_low": float(g["ci95_low"]),
                     "gain_ci95_high": float(g["ci95_high"]), "n_seeds": int(g["n"])})
    return pd.DataFrame(rows)


def evaluation_window_table(datasets=("geant", "kaggle"), data_dir=None) -> pd.DataFrame:
    """The evaluation windows of each dataset's real series (:func:`splitalloc.scenario.evaluation_windows`,
    computed from config): one row per window with ``dataset``, ``window`` (1-based),
    ``train`` / ``validation`` / ``test`` as half-open slot ranges ``[a, b)``, the test period's
    ``first_day`` and ``last_day``, and ``n_test`` (scored slots)."""
    from ..scenario import evaluation_windows, scenario_arrivals

    rows = []
    for ds in datasets:
        index = scenario_arrivals(ds, data_dir=data_dir).index
        for i, (t, v, e) in enumerate(evaluation_windows(ds, len(index)), start=1):
            rows.append({"dataset": ds, "window": i, "train": f"[0, {t})", "validation": f"[{t}, {v})",
                         "test": f"[{v}, {e})", "first_day": str(index[v]), "last_day": str(index[e - 1]),
                         "n_test": e - v})
    return pd.DataFrame(rows)
