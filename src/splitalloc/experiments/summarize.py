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


def moving_block_ci(num: np.ndarray, den: np.ndarray | None = None, *, block: int, n_boot: int = 2000,
                    seed: int = 0, level: float = 0.95) -> tuple[float, float, float]:
    """Mean over seeds of a per-seed ratio of sums over test slots, with a CI that resamples
    both the seeds and the test window.

    ``num`` and ``den`` have shape ``(S, T)``: seeds x test slots (the same slots for every
    seed). The statistic is ``mean_s sum_t num[s, t] / sum_t den[s, t]`` (``den=None``: the
    mean over slots). Each bootstrap replicate draws ``S`` seeds with replacement and a
    moving-block bootstrap of the test slots (Kunsch 1989): ``ceil(T / block)`` blocks of
    ``block`` consecutive slots with uniform starts in ``0..T-block``, cut to ``T`` slots; the
    same slots for every seed, so paired differences stay paired. Returns
    ``(estimate, low, high)``, the percentile interval at ``level``. One seed: only the test
    window is resampled. Seeded (``seed``), so the interval is reproducible.
    """
    num = np.atleast_2d(np.asarray(num, dtype=np.float64))
    den = np.ones_like(num) if den is None else np.atleast_2d(np.asarray(den, dtype=np.float64))
    if num.shape != den.shape or num.ndim != 2 or num.shape[1] < 1:
        raise ValueError(f"moving_block_ci: num and den must be (seeds, slots) arrays of one shape, "
                         f"got {num.shape} and {den.shape}")
    if int(block) != block or block < 1:
        raise ValueError(f"moving_block_ci: block must be a positive integer, got {block!r}")
    S, T = num.shape
    b = min(int(block), T)
    est = float(np.mean(num.sum(1) / den.sum(1)))
    rng = np.random.default_rng(seed)
    n_blocks = -(-T // b)
    starts = rng.integers(0, T - b + 1, size=(n_boot, n_blocks))
    t_idx = (starts[:, :, None] + np.arange(b)).reshape(n_boot, -1)[:, :T]          # (B, T)
    s_idx = rng.integers(0, S, size=(n_boot, S)) if S > 1 else np.zeros((n_boot, 1), dtype=int)
    # per seed and replicate: sums over the resampled slots, via cumulative counts of slots
    counts = np.zeros((n_boot, T))
    np.add.at(counts, (np.arange(n_boot)[:, None], t_idx), 1.0)
    n_sum, d_sum = counts @ num.T, counts @ den.T                                     # (B, S)
    rep = np.take_along_axis(n_sum / d_sum, s_idx, axis=1).mean(1)
    alpha = (1 - level) / 2
    lo, hi = np.quantile(rep, [alpha, 1 - alpha])
    return est, float(lo), float(hi)


#: Said under every interval that :func:`moving_block_ci` computes.
BOOTSTRAP_NOTE = ("95 % CI: seeds and test slots resampled together (moving-block bootstrap, "
                  "blocks of one day on GEANT, one week on Kaggle)")


def _block_for(dataset: str) -> int:
    from .runs import _period_slots

    return _period_slots(str(dataset))


def fig7_table(df: pd.DataFrame) -> pd.DataFrame:
    """Fig. 7's numbers per framework: prediction accuracy ``1 - WAPE`` in percent
    (``mean_accuracy_pct, ci95_low, ci95_high``) and the mean throughput (``mean_throughput``,
    Mb/slot). ``df`` from :func:`fig7_prediction`.

    When ``df`` has the per-slot columns ``slot, D_true, abs_err`` (as :func:`fig7_prediction`
    writes them), the interval combines seeds with a moving-block bootstrap over test slots
    (:func:`moving_block_ci`, blocks of a day on GEANT); otherwise it is a t-interval over
    seeds. ``ci_method`` says which."""
    runs = df.drop_duplicates(["framework", "seed"])
    acc = summarize_with_ci(runs.assign(accuracy=100 * runs["accuracy"]), ["framework"], "accuracy")
    thr = summarize_with_ci(runs, ["framework"], "throughput")
    out = acc[["framework", "mean", "ci95_low", "ci95_high"]].merge(
        thr[["framework", "mean"]], on="framework", suffixes=("_accuracy_pct", "_throughput"))
    out["ci_method"] = "t over seeds"
    if {"slot", "D_true", "abs_err"} <= set(df.columns):
        block = _block_for(df["dataset"].iloc[0]) if "dataset" in df.columns else 96
        for i, fw in enumerate(out["framework"]):
            w = df[df["framework"] == fw]
            err = w.pivot_table(index="seed", columns="slot", values="abs_err", aggfunc="sum")
            tru = w.pivot_table(index="seed", columns="slot", values="D_true", aggfunc="sum")
            m, lo, hi = moving_block_ci(-err.to_numpy(), tru.to_numpy(), block=block)
            out.loc[i, ["mean_accuracy_pct", "ci95_low", "ci95_high"]] = 100 * (1 + np.array([m, lo, hi]))
            out.loc[i, "ci_method"] = BOOTSTRAP_NOTE
    return out


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
    """Per run and slot: totals over services of ``D_true``, ``D_pred``, ``d``, ``served`` and
    ``abs_err`` (the sum over services of ``|D_pred - D_true|``, the numerator of WAPE)."""
    frames = []
    for s, df in results.items():
        df = df.assign(abs_err=(df["D_pred"] - df["D_true"]).abs())
        t = df.groupby("time", sort=True)[["D_true", "D_pred", "d", "served", "abs_err"]].sum().reset_index()
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
