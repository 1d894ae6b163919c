"""Statistics over runs: per-run summaries (the evaluation rule of DESIGN.md), paired
improvements, relative gains and Student-t confidence intervals over seeds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .names import SPEC_COLUMNS
from .runs import RunSpec

def summarize_with_ci(df: pd.DataFrame, by: Sequence[str], value: str, *, level: float = 0.95) -> pd.DataFrame:
    """Mean and ``level`` confidence interval (Student t over the rows of each group).

    Rows are independent replicates (seeds). Returns ``by`` + ``mean, std, n, ci95_low,
    ci95_high``; a group of one row has a NaN interval (no spread to estimate).
    """
    from scipy import stats

    by = list(by)
    if value not in df.columns:
        raise KeyError(f"summarize_with_ci: column {value!r} not in {list(df.columns)}")
    g = df.groupby(by, sort=True, dropna=False)[value]
    out = g.agg(mean="mean", std="std", n="count").reset_index()
    half = stats.t.ppf(0.5 + level / 2, out["n"] - 1) * out["std"] / np.sqrt(out["n"])
    half = half.where(out["n"] > 1)
    out["ci95_low"] = out["mean"] - half
    out["ci95_high"] = out["mean"] + half
    return out


def summarize_runs(df: pd.DataFrame, by: Sequence[str], value: str, *, level: float = 0.95) -> pd.DataFrame:
    """:func:`summarize_with_ci` over runs: a per-slot frame repeats each run's summary
    (throughput, utility, accuracy) on every row, so keep one row per ``by`` x ``seed`` first
    (seeds are the replicates)."""
    missing = [c for c in [*by, "seed", value] if c not in df.columns]
    if missing:
        raise KeyError(f"summarize_runs: columns {missing} not in {list(df.columns)}")
    return summarize_with_ci(df.drop_duplicates([*by, "seed"]), by, value, level=level)


def fig7_table(df: pd.DataFrame) -> pd.DataFrame:
    """Fig. 7's numbers per framework: prediction accuracy ``1 - WAPE`` in percent (mean and
    95 % CI over seeds: ``mean_accuracy_pct, ci95_low, ci95_high``) and the mean throughput
    (``mean_throughput``, Mb/slot). ``df`` from :func:`fig7_prediction`."""
    runs = df.drop_duplicates(["framework", "seed"])
    acc = summarize_with_ci(runs.assign(accuracy=100 * runs["accuracy"]), ["framework"], "accuracy")
    thr = summarize_with_ci(runs, ["framework"], "throughput")
    return acc[["framework", "mean", "ci95_low", "ci95_high"]].merge(
        thr[["framework", "mean"]], on="framework", suffixes=("_accuracy_pct", "_throughput"))


def run_summary(per_slot: pd.DataFrame, offline: pd.DataFrame) -> dict[str, float]:
    """Throughput, revenue, utility (% of offline) and accuracy (1 - WAPE) of one run.

    Uses :func:`splitalloc.evaluate.summarize` (the evaluation rule of DESIGN.md) with the
    services' unit revenues ``p`` (eq. 4c) stored in the run.
    """
    from ..evaluate import summarize

    services = list(dict.fromkeys(per_slot["service"]))
    pmap = per_slot.drop_duplicates("service").set_index("service")["p"]
    p = np.array([pmap[s] for s in services], dtype=float)
    res = summarize(per_slot, offline, p)
    return {k: float(v) for k, v in res.items()}


_SUMMARY_MEMO: dict[tuple, dict[str, float]] = {}


def _content_hash(df: pd.DataFrame) -> int:
    return int(pd.util.hash_pandas_object(df, index=False).sum())


def summaries(results: dict[RunSpec, pd.DataFrame]) -> pd.DataFrame:
    """One row per run: spec columns and :func:`run_summary` (utility against the offline run
    of the same scenario, which must be among ``results``). Summaries are memoised on the
    content of the two runs, so figures that share runs do not recompute them."""
    offline = {s.scenario_key: df for s, df in results.items() if s.framework == "offline"}
    rows = []
    for s, df in results.items():
        off = offline.get(s.scenario_key)
        if off is None:
            raise ValueError(f"no offline run for the scenario of {s}; utility needs it")
        memo_key = (s, _content_hash(df), _content_hash(off))
        if memo_key not in _SUMMARY_MEMO:
            _SUMMARY_MEMO[memo_key] = run_summary(df, off)
        rows.append({**{c: getattr(s, c) for c in SPEC_COLUMNS}, **_SUMMARY_MEMO[memo_key]})
    return pd.DataFrame(rows)


def per_slot_totals(results: dict[RunSpec, pd.DataFrame]) -> pd.DataFrame:
    """Per run and slot: totals over services of ``D_true``, ``D_pred``, ``d``, ``served``."""
    frames = []
    for s, df in results.items():
        t = df.groupby("time", sort=True)[["D_true", "D_pred", "d", "served"]].sum().reset_index()
        t.insert(0, "slot", np.arange(len(t)))
        for c in reversed(SPEC_COLUMNS):
            t.insert(0, c, getattr(s, c))
        frames.append(t)
    return pd.concat(frames, ignore_index=True)


def paired_improvement(summary: pd.DataFrame, better: str, worse: str, metric: str,
                       by: Sequence[str] = ("dataset", "data", "M", "Sigma")) -> pd.DataFrame:
    """``metric(better) - metric(worse)`` per seed, paired on the same scenario."""
    keys = list(by) + ["seed"]
    a = summary[summary["framework"] == better].set_index(keys)[metric]
    b = summary[summary["framework"] == worse].set_index(keys)[metric]
    diff = (a - b).dropna().rename(metric).reset_index()
    diff.insert(0, "framework", f"{better} - {worse}")
    return diff


def _ci(values: pd.Series) -> tuple[float, float, float, int]:
    v = pd.Series(values, dtype=float).dropna()
    s = summarize_with_ci(pd.DataFrame({"g": 0, "v": v}), ["g"], "v")
    if s.empty:
        return (float("nan"),) * 3 + (0,)
    r = s.iloc[0]
    return float(r["mean"]), float(r["ci95_low"]), float(r["ci95_high"]), int(r["n"])


def _run_level(df: pd.DataFrame, cols: Sequence[str]) -> pd.DataFrame:
    """Per-run rows of a per-slot figure frame (metrics repeated over slots)."""
    return df.drop_duplicates(list(SPEC_COLUMNS))[list(SPEC_COLUMNS) + list(cols)]


def _pct_gain(df: pd.DataFrame, metric: str, better: str, worse: str, by=("dataset", "data", "M", "Sigma")):
    """Per-seed relative gain in % of ``metric``: 100 (better / worse - 1)."""
    keys = list(by) + ["seed"]
    a = df[df["framework"] == better].set_index(keys)[metric]
    b = df[df["framework"] == worse].set_index(keys)[metric]
    return (100.0 * (a / b - 1.0)).dropna()
