"""Statistics over runs: per-run summaries (the evaluation rule of DESIGN.md), paired
improvements, relative gains and Student-t confidence intervals over seeds.

The moving-block bootstrap kept here (:func:`moving_block_ci`, the ``*_boot*`` columns of the
figure tables) only draws the bands of the figures; no verdict and no row of the paper
comparison uses it: those are intervals over seeds (:mod:`splitalloc.experiments.judge`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .names import SPEC_COLUMNS, period_slots
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
    out["ci_method"] = np.where(out["n"] > 1, T_NOTE, "")
    boot = [f"{value}{c}" for c in BOOT_SUFFIXES]
    if level == 0.95 and set(boot) <= set(df.columns):
        # the bootstrap interval of each group (seeds and test slots resampled, see
        # moving_block_ci), where the group is exactly one bootstrap group and its mean is the
        # bootstrap's estimate (a transformed column, e.g. a percentage of a reference, keeps
        # the t-interval)
        b = df.groupby(by, sort=True, dropna=False)[boot].agg(["nunique", "first"]).reset_index(drop=True)
        one = np.ones(len(out), dtype=bool)
        for c in boot:
            one &= (b[(c, "nunique")] == 1).to_numpy()
        est = b[(boot[2], "first")].to_numpy(dtype=float)
        mean = out["mean"].to_numpy(dtype=float)
        ok = one & np.isclose(est, mean, rtol=1e-9, atol=1e-9)
        out.loc[ok, "ci95_low"] = b.loc[ok, (boot[0], "first")].to_numpy(dtype=float)
        out.loc[ok, "ci95_high"] = b.loc[ok, (boot[1], "first")].to_numpy(dtype=float)
        out.loc[ok, "ci_method"] = BOOTSTRAP_NOTE
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
    moving-block bootstrap of the test slots in its circular form (Politis & Romano 1992):
    ``ceil(T / block)`` blocks of ``block`` consecutive slots (wrapping from the last slot to
    the first) with uniform starts in ``0..T-1``, cut to ``T`` slots. The circular form gives
    every slot the same weight; the plain form (starts in ``0..T-block``) under-weights the
    window's ends, badly when a block is most of the window (a day of 96 slots in GEANT's 135).
    The same slots for every seed, so paired differences stay paired. Returns
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
    est = float(np.mean(num.sum(1) / den.sum(1)))
    counts, s_idx = block_resamples(S, T, block=block, n_boot=n_boot, seed=seed)
    n_sum, d_sum = counts @ num.T, counts @ den.T                                     # (B, S)
    rep = np.take_along_axis(n_sum / d_sum, s_idx, axis=1).mean(1)
    alpha = (1 - level) / 2
    lo, hi = np.quantile(rep, [alpha, 1 - alpha])
    return est, float(lo), float(hi)


def block_resamples(S: int, T: int, *, block: int, n_boot: int = 2000, seed: int = 0
                    ) -> tuple[np.ndarray, np.ndarray]:
    """The resampling of :func:`moving_block_ci`: ``(counts, s_idx)`` with ``counts[b, t]`` how
    often test slot ``t`` is drawn in replicate ``b`` (circular moving blocks of ``block`` slots)
    and ``s_idx[b]`` the ``S`` seed positions drawn with replacement (all 0 for one seed).
    Seeded, so the same ``(S, T, block, n_boot, seed)`` give the same draws; statistics that
    use the same draws for several frameworks stay paired (same seeds, same slot blocks)."""
    if int(block) != block or block < 1:
        raise ValueError(f"block_resamples: block must be a positive integer, got {block!r}")
    b = min(int(block), T)
    rng = np.random.default_rng(seed)
    n_blocks = -(-T // b)
    starts = rng.integers(0, T, size=(n_boot, n_blocks))
    t_idx = ((starts[:, :, None] + np.arange(b)) % T).reshape(n_boot, -1)[:, :T]    # (B, T)
    s_idx = rng.integers(0, S, size=(n_boot, S)) if S > 1 else np.zeros((n_boot, 1), dtype=int)
    counts = np.zeros((n_boot, T))
    np.add.at(counts, (np.arange(n_boot)[:, None], t_idx), 1.0)
    return counts, s_idx


#: ``ci_method`` of an interval that is a Student t over seeds (no per-slot data).
T_NOTE = "t over seeds"


#: Said under every interval that :func:`moving_block_ci` computes.
BOOTSTRAP_NOTE = ("95 % CI: seeds and test slots resampled together (moving-block bootstrap, "
                  "blocks of one day on GEANT, one week on Kaggle)")


def block_length(dataset: str) -> int:
    """Block length (slots) of the moving-block bootstrap on ``dataset``: its seasonal period
    (:func:`splitalloc.scenario.period_slots`: a day on GEANT, a week on Kaggle)."""
    return period_slots(str(dataset))


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
    content of the two runs, so figures that share runs do not recompute them.

    Each row also carries, for ``throughput``, ``utility`` and ``accuracy``, the moving-block
    bootstrap interval of its group (the runs that differ only by seed, see
    :func:`bootstrap_columns`): ``<metric>_ci95_boot_low``, ``<metric>_ci95_boot_high`` and
    ``<metric>_boot_mean``; :func:`summarize_with_ci` uses them."""
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
    boot = bootstrap_columns(results, offline)
    out = pd.DataFrame(rows)
    cols = [f"{m}{c}" for m in BOOT_METRICS for c in BOOT_SUFFIXES]
    extra = pd.DataFrame([boot.get(s, {}) for s in results], columns=cols)
    return pd.concat([out, extra], axis=1) if len(out) else out


#: Run metrics that get a moving-block bootstrap interval, and the suffixes of its columns.
BOOT_METRICS = ("throughput", "utility", "accuracy")
BOOT_SUFFIXES = ("_ci95_boot_low", "_ci95_boot_high", "_boot_mean")
_BOOT_MEMO: dict[tuple, dict[str, float]] = {}


def _slot_sums(df: pd.DataFrame) -> pd.DataFrame:
    return (df.assign(abs_err=(df["D_pred"] - df["D_true"]).abs())
              .groupby("time", sort=True)[["served", "D_true", "abs_err"]].sum())


def bootstrap_columns(results: dict[RunSpec, pd.DataFrame],
                      offline: dict[tuple, pd.DataFrame] | None = None) -> dict[RunSpec, dict[str, float]]:
    """Per run: the 95 % interval of its group's seed mean of ``throughput`` (Mb/slot),
    ``utility`` (% of the offline optimum) and ``accuracy`` (1 - WAPE), from
    :func:`moving_block_ci` over the group's seeds and test slots (blocks of a day on GEANT, a
    week on Kaggle). A group is every run with the same framework and scenario except the
    seed; groups whose runs have different numbers of test slots get no interval."""
    if offline is None:
        offline = {s.scenario_key: df for s, df in results.items() if s.framework == "offline"}
    groups: dict[tuple, list[RunSpec]] = {}
    for s in results:
        key = (s.framework,) + tuple(v for i, v in enumerate(s.scenario_key) if i != 3)   # drop the seed
        groups.setdefault(key, []).append(s)
    out: dict[RunSpec, dict[str, float]] = {}
    for key, specs in groups.items():
        specs = sorted(specs, key=lambda s: s.seed)
        memo = (key, tuple((s.seed, _content_hash(results[s]), _content_hash(offline[s.scenario_key]))
                           for s in specs))
        if memo not in _BOOT_MEMO:
            sums = [_slot_sums(results[s]) for s in specs]
            offs = [_slot_sums(offline[s.scenario_key]) for s in specs]
            if len({len(x) for x in sums + offs}) != 1:
                _BOOT_MEMO[memo] = {}
            else:
                arr = lambda frames, c: np.stack([f[c].to_numpy(dtype=float) for f in frames])  # noqa: E731
                block = block_length(specs[0].dataset)
                served, off = arr(sums, "served"), arr(offs, "served")
                vals = {
                    "throughput": moving_block_ci(served, block=block),
                    "utility": tuple(100 * v for v in moving_block_ci(served, off, block=block)),
                    "accuracy": tuple(1 + v for v in moving_block_ci(-arr(sums, "abs_err"), arr(sums, "D_true"),
                                                                     block=block)),
                }
                _BOOT_MEMO[memo] = {f"{m}{c}": v for m, (est, lo, hi) in vals.items()
                                    for c, v in zip(BOOT_SUFFIXES, (lo, hi, est))}
        for s in specs:
            out[s] = _BOOT_MEMO[memo]
    return out


def improvement_bootstrap(results: dict[RunSpec, pd.DataFrame], better: str, worse: str) -> pd.DataFrame:
    """Utility improvement of framework ``better`` over ``worse`` in percentage points, paired
    by seed on the same scenario, with the moving-block bootstrap interval of its seed mean
    (:func:`moving_block_ci` on ``served_better - served_worse`` over the offline served).
    One row per scenario (``dataset, data, M, Sigma``): ``value_ci95_boot_low``,
    ``value_ci95_boot_high``, ``value_boot_mean`` (the column names
    :func:`summarize_with_ci` reads for a column ``value``)."""
    offline = {s.scenario_key: df for s, df in results.items() if s.framework == "offline"}
    by_key = {(s.framework, s.scenario_key): s for s in results}
    groups: dict[tuple, list[tuple[RunSpec, RunSpec]]] = {}
    for s in results:
        if s.framework != better or (worse, s.scenario_key) not in by_key or s.scenario_key not in offline:
            continue
        gkey = tuple(v for i, v in enumerate(s.scenario_key) if i != 3)
        groups.setdefault(gkey, []).append((s, by_key[(worse, s.scenario_key)]))
    rows = []
    for pairs in groups.values():
        pairs.sort(key=lambda p: p[0].seed)
        a = [_slot_sums(results[x]) for x, _ in pairs]
        b = [_slot_sums(results[y]) for _, y in pairs]
        o = [_slot_sums(offline[x.scenario_key]) for x, _ in pairs]
        if len({len(f) for f in a + b + o}) != 1:
            continue
        stack = lambda frames: np.stack([f["served"].to_numpy(dtype=float) for f in frames])  # noqa: E731
        est, lo, hi = moving_block_ci(stack(a) - stack(b), stack(o), block=block_length(pairs[0][0].dataset))
        s0 = pairs[0][0]
        rows.append({"dataset": s0.dataset, "data": s0.data, "M": s0.M, "Sigma": s0.Sigma,
                     "value_ci95_boot_low": 100 * lo, "value_ci95_boot_high": 100 * hi,
                     "value_boot_mean": 100 * est})
    return pd.DataFrame(rows, columns=["dataset", "data", "M", "Sigma", "value_ci95_boot_low",
                                       "value_ci95_boot_high", "value_boot_mean"])


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


def run_level(df: pd.DataFrame, cols: Sequence[str]) -> pd.DataFrame:
    """Per-run rows of a per-slot figure frame (metrics repeated over slots)."""
    return df.drop_duplicates(list(SPEC_COLUMNS))[list(SPEC_COLUMNS) + list(cols)]


def pct_gain(df: pd.DataFrame, metric: str, better: str, worse: str, by=("dataset", "data", "M", "Sigma")):
    """Per-seed relative gain in % of ``metric``: 100 (better / worse - 1)."""
    keys = list(by) + ["seed"]
    a = df[df["framework"] == better].set_index(keys)[metric]
    b = df[df["framework"] == worse].set_index(keys)[metric]
    return (100.0 * (a / b - 1.0)).dropna()
