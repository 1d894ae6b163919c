"""The robustness grid: how each verdict on the paper's claims moves with our assumptions.

One factor is varied at a time around the default operating point (not a full factorial).
Each *cell* is the default with one axis set to another value:

=============  ===============================================================================
axis           values (the first is the default)
=============  ===============================================================================
dataset        GEANT week, GEANT May, Kaggle, fitted synthetic, GEANT week (permuted mapping)
regime         default (M = default), scarce (``robustness_scarce_M``), plateau
               (``robustness_plateau_M``): the average resource of eq. (14)
information    mean (GUS deploys on ``mu_C``, ``mu_B``), true (GUS reads the drawn capacities)
forecaster     trained LSTM, persistence: the two-stage baseline the claims compare with
start          scratch (Algorithm 1), warm (the objective-driven LSTM starts from the two-stage
               one)
=============  ===============================================================================

In every cell the runs are: the offline optimum, the objective-driven framework and the
two-stage baseline at each Sigma of ``robustness_sigma_points`` (eq. 15), and the non-splitting
deployment at the default Sigma, on the cell's dataset; claim 5 compares the cell's dataset with
Kaggle (Kaggle's cell with the GEANT week) under the same variant. Every claim is then judged in
every cell by :func:`splitalloc.experiments.judge.judge` (the one judge: t-intervals over seeds,
the verdict classes of :data:`splitalloc.experiments.judge.VERDICTS`, the paper's effect and
our minimum detectable effect beside the estimate). The default
cell and the cells whose runs are all in the headline Table 4 (Kaggle, persistence, warm start)
share their runs with the headline figures (same specs, same cache, all the scale's seeds); the
other cells use ``robustness_n_seeds`` seeds (``quick_robustness_n_seeds`` at the quick scale). At the quick
scale the non-default cells run claims 1-3 only (:func:`full_cell`), to fit its time budget;
their rows for claims 4-5 read "not run".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import config
from .artefacts import Artefact, Context, Seeds, produce, register
from .claims import CLAIMS
from .judge import CONTRADICTED, INCONCLUSIVE, NOT_COMPARABLE, NOT_RUN, REPRODUCED, SMALLER, judge, read_paper_numbers
from .runs import RunSpec, default_out_dir, make_spec
from .scales import ExperimentScale
from .summarize import summaries

#: The axes of the grid and their values; the first value of each is the default.
AXES: dict[str, tuple[str, ...]] = {
    "dataset": ("GEANT week", "GEANT May", "Kaggle", "fitted synthetic", "GEANT week, permuted mapping"),
    "regime": ("default", "scarce", "plateau"),
    "information": ("mean", "true"),
    "forecaster": ("trained LSTM", "persistence"),
    "start": ("scratch", "warm"),
}

#: Columns of ``robustness.csv`` (one row per claim x axis value).
ROBUSTNESS_COLUMNS = ("claim", "axis", "value", "verdict", "estimate", "ci_low", "ci_high", "paper_effect", "mde",
                      "n_seeds", "unit", "side", "is_default", "text", "ci_method", "note")

_DATASET = {  # value -> (dataset, data kind)
    "GEANT week": ("geant", "real"), "GEANT May": ("geant-may", "real"), "Kaggle": ("kaggle", "real"),
    "fitted synthetic": ("geant", "synthetic"), "GEANT week, permuted mapping": ("geant", "permuted"),
}
_BASELINE = {"trained LSTM": "two-stage-lstm", "persistence": "two-stage-persistence"}
_OD = {"scratch": "objective-driven", "warm": "objective-driven-warm"}


@dataclass(frozen=True)
class Cell:
    """The default operating point with one axis set to ``value``."""

    axis: str
    value: str
    dataset: str
    data: str
    M: float
    information: str
    baseline: str
    od: str

    @property
    def is_default(self) -> bool:
        return self.value == AXES[self.axis][0]


def _regime_M(sc: ExperimentScale, value: str) -> float:
    return {"default": sc.default_M, "scarce": float(config.value("robustness_scarce_M")),
            "plateau": float(config.value("robustness_plateau_M"))}[value]


def cells(sc: ExperimentScale) -> list[Cell]:
    """Every cell of the grid: one per axis value (the default appears once per axis)."""
    out = []
    for axis, values in AXES.items():
        for value in values:
            ds, kind = _DATASET[value] if axis == "dataset" else ("geant", "real")
            out.append(Cell(axis=axis, value=value, dataset=ds, data=kind,
                            M=_regime_M(sc, value) if axis == "regime" else sc.default_M,
                            information=value if axis == "information" else "mean",
                            baseline=_BASELINE[value] if axis == "forecaster" else "two-stage-lstm",
                            od=_OD[value] if axis == "start" else "objective-driven"))
    return out


def sigma_points(sc: ExperimentScale) -> tuple[float, ...]:
    """The Sigma values (eq. 15) of every cell, with the scale's default among them."""
    pts = {float(s) for s in config.value("robustness_sigma_points")} | {float(sc.default_Sigma)}
    return tuple(sorted(pts))


def grid_seeds(sc: ExperimentScale, seeds: Seeds) -> Seeds:
    """The grid's seed rule (the seeds of the cells it does not share with the headline
    figures): the reproduction's ``seeds`` if they differ from the scale's own (a caller asked
    for others), else the first ``robustness_n_seeds`` (``quick_robustness_n_seeds`` at the
    quick scale) of the scale's seeds."""
    if tuple(seeds) != tuple(sc.seeds):
        return tuple(seeds)
    n = int(config.value("quick_robustness_n_seeds" if sc.name == "quick" else "robustness_n_seeds"))
    return tuple(sc.seeds[:n])


def _spec(sc: ExperimentScale, cell: Cell, *, dataset: str, data: str, framework: str, seed: int,
          Sigma: float) -> RunSpec:
    s = make_spec(sc, dataset=dataset, framework=framework, seed=seed, M=cell.M, Sigma=Sigma,
                  data="real" if data == "synthetic" else data)
    changes = {"information": cell.information}
    if data == "synthetic":
        changes.update(data="synthetic", n_slots=int(config.value("robustness_synthetic_slots")))
    return dataclasses.replace(s, **changes)


#: Cells whose runs are all among the headline Table 4's (same Sigma points at the quick scale,
#: both datasets, these frameworks), so that they cost nothing beyond the default cell.
_FREE_CELLS = {("dataset", "Kaggle"), ("forecaster", "persistence"), ("start", "warm")}


def full_cell(sc: ExperimentScale, cell: Cell) -> bool:
    """Whether ``cell`` runs every claim: always at the paper scale; at the quick scale the
    default cell and the cells whose runs are the headline Table 4's (Kaggle, persistence, warm
    start: no extra cost); the other cells run claims 1-3 at the default Sigma on their own
    dataset only (config ``quick_robustness_full_cells``)."""
    return (sc.name != "quick" or cell.is_default or (cell.axis, cell.value) in _FREE_CELLS
            or bool(config.value("quick_robustness_full_cells")))


def _side_specs(sc, cell, seeds, dataset, data, with_non_splitting) -> list[RunSpec]:
    sig0 = float(sc.default_Sigma)
    specs = []
    for sg in (sigma_points(sc) if full_cell(sc, cell) else (sig0,)):
        for s in seeds:
            # the scale may skip a framework on a rolling-origin dataset (quick: the chaotic variants)
            for f in sc.frameworks(("offline", cell.od, cell.baseline), dataset if data == "real" else None):
                specs.append(_spec(sc, cell, dataset=dataset, data=data, framework=f, seed=s, Sigma=sg))
            if with_non_splitting and sg == sig0:
                specs.append(_spec(sc, cell, dataset=dataset, data=data, framework="non-splitting",
                                   seed=s, Sigma=sg))
    return specs


def _other(cell: Cell) -> tuple[str, str]:
    """The dataset claim 5 compares the cell's dataset with."""
    return ("geant", "real") if cell.dataset == "kaggle" else ("kaggle", "real")


def headline_cell(cell: Cell) -> bool:
    """Whether the cell's runs are the headline figures' (the default cell and the cells of
    ``_FREE_CELLS``): such a cell uses all the scale's seeds, as the headline verdicts do."""
    return cell.is_default or (cell.axis, cell.value) in _FREE_CELLS


def cell_seeds(sc: ExperimentScale, cell: Cell, seeds: Seeds) -> Seeds:
    """The seeds of ``cell``: the reproduction's ``seeds`` for a :func:`headline_cell`,
    :func:`grid_seeds` for the others."""
    return tuple(seeds) if headline_cell(cell) else grid_seeds(sc, seeds)


def cell_specs(sc: ExperimentScale, cell: Cell, seeds: Seeds) -> tuple[list[RunSpec], list[RunSpec]]:
    """``(runs on the cell's dataset, runs on the dataset claim 5 compares with)`` for the
    reproduction's ``seeds`` (the cell's own: :func:`cell_seeds`)."""
    seeds = cell_seeds(sc, cell, seeds)
    main = _side_specs(sc, cell, seeds, cell.dataset, cell.data, True)
    if not full_cell(sc, cell):
        return main, []
    ods, odk = _other(cell)
    return main, _side_specs(sc, cell, seeds, ods, odk, False)


def _work(sc: ExperimentScale, seeds: Seeds) -> list[RunSpec]:
    out: list[RunSpec] = []
    for cell in cells(sc):
        a, b = cell_specs(sc, cell, seeds)
        out += a + b
    return out


def _judged_row(rows: pd.DataFrame, claim: str, dataset: str) -> dict | None:
    """The row of :func:`judge.judge`'s frame that is the cell's verdict on ``claim``: the cell's
    dataset (claim 5: the Kaggle - GEANT row), claim 3's ``both`` part."""
    sel = rows[rows["claim"] == claim]
    sel = sel[sel["part"] == "both"] if claim == "accuracy-paradox" else sel
    sel = sel[sel["dataset"] != "all"] if claim == "kaggle-larger" else sel[sel["dataset"] == dataset]
    return sel.iloc[0].to_dict() if len(sel) else None


def judge_grid(sc: ExperimentScale, results: dict[RunSpec, pd.DataFrame], seeds: Seeds) -> pd.DataFrame:
    """The grid's table from run results (every spec of :func:`cell_specs` for the reproduction's
    ``seeds`` must be in ``results``).

    Every cell is judged by the one judge (:func:`splitalloc.experiments.judge.judge`) on the
    per-seed summaries of its runs (t-intervals over seeds, the paper's effect beside ours),
    against the cell's baseline (``two-stage-lstm`` or ``two-stage-persistence``, judged
    against the paper's vs-LSTM effect); a claim the cell does not run reads ``not run``."""
    summ_cache: dict[tuple, pd.DataFrame] = {}

    def summ(specs):
        key = tuple(specs)
        if key not in summ_cache:
            summ_cache[key] = summaries({s: results[s] for s in specs})
        return summ_cache[key]

    paper = read_paper_numbers()
    nan = float("nan")
    rows = []
    for cell in cells(sc):
        main, other = cell_specs(sc, cell, seeds)
        full = full_cell(sc, cell)
        frame = pd.concat([summ(main), summ(other)] if other else [summ(main)], ignore_index=True)
        judged = judge(frame, paper=paper, sigma0=float(sc.default_Sigma), M0=cell.M,
                       claims=(1, 2, 3, 4, 5) if full else (1, 2, 3), od=cell.od, baselines=(cell.baseline,),
                       equal_info=None)
        for c in CLAIMS:
            r = _judged_row(judged, c.key, cell.dataset)
            note = "" if r is None else r["note"]
            if r is None or not full and c.key in ("grows-with-sigma", "kaggle-larger"):
                r = {"verdict": NOT_RUN, "n_seeds": 0, "unit": "", "side": "", "ci_method": ""}
                note = ("quick scale: this cell runs the default Sigma on its own dataset only (paper scale runs it)"
                        if not full else "not in this cell's runs")
            if c.key == "kaggle-larger" and cell.dataset == "kaggle":
                note = "Kaggle vs the GEANT week, as in the default cell" + (f"; {note}" if note else "")
            rows.append({**{k: r.get(k, nan) for k in ROBUSTNESS_COLUMNS}, "claim": c.key, "axis": cell.axis,
                         "value": cell.value, "is_default": cell.is_default, "text": c.text, "note": note})
    return pd.DataFrame(rows, columns=list(ROBUSTNESS_COLUMNS))


#: The grid's record (:class:`splitalloc.experiments.artefacts.Artefact`); its seed rule is
#: :func:`grid_seeds`.
ROBUSTNESS = register(Artefact(name="robustness", title="How each verdict moves with our assumptions",
                               files={"robustness": "robustness"}, work=_work, seed_rule=grid_seeds,
                               assemble=lambda ctx: judge_grid(ctx.scale, ctx.results, ctx.seeds)))


def robustness_grid(*, scale="quick", seeds=None, out_dir=None, workers=1, scheduler=None,
                    progress=True, run_fn=None) -> pd.DataFrame:
    """The robustness grid (module docstring): one row per claim x axis value with the verdict
    (:data:`splitalloc.experiments.judge.VERDICTS`), the estimate and its 95 % CI over seeds,
    the paper's effect and our minimum detectable effect, written as
    ``<out_dir>/<scale>/robustness.csv``. Seeds per cell: :func:`cell_seeds`."""
    return produce(ROBUSTNESS, scale=scale, seeds=seeds, out_dir=out_dir, workers=workers,
                   scheduler=scheduler, progress=progress, run_fn=run_fn)


def verdict_changes(paper: pd.DataFrame, quick: pd.DataFrame | None) -> pd.DataFrame:
    """The paper-scale grid with the quick-scale verdict beside it (``quick_verdict``, empty where
    both scales agree or the quick grid is missing)."""
    out = paper.copy()
    out["quick_verdict"] = ""
    if quick is None or quick.empty:
        return out
    q = quick.set_index(["claim", "axis", "value"])["verdict"]
    keys = list(zip(out["claim"], out["axis"], out["value"]))
    qv = [q.get(k, "") for k in keys]
    out["quick_verdict"] = [v if v and v != p else "" for v, p in zip(qv, out["verdict"])]
    return out


def read_grid(out_dir: str | Path | None, scale: str) -> pd.DataFrame | None:
    """``robustness.csv`` of ``scale`` from the results directory, or ``None`` if not there."""
    p = (Path(out_dir) if out_dir is not None else default_out_dir()) / scale / "robustness.csv"
    return pd.read_csv(p) if p.exists() else None


def hinges(grid: pd.DataFrame) -> pd.DataFrame:
    """What each claim's verdict hinges on, read off the grid: the default verdict (with its
    number of seeds), the assumption values under which the claim is *decided otherwise* (a
    decided class, reproduced, smaller than reported or contradicted, other than the default's:
    a real flip), the values under which it is *undecided* (inconclusive or not comparable
    where the default decides; with fewer seeds than the default this can be a loss of power
    rather than a flip), beside the claim's own statement of what it depends on
    (:data:`claims.CLAIMS`)."""
    decided, undecided_classes = {REPRODUCED, SMALLER, CONTRADICTED}, {INCONCLUSIVE, NOT_COMPARABLE}
    rows = []
    for c in CLAIMS:
        g = grid[grid["claim"] == c.key]
        if g.empty:
            continue
        d = g[g["is_default"].astype(bool)]
        default = d["verdict"].iloc[0] if len(d) else NOT_RUN
        n0 = int(d["n_seeds"].iloc[0]) if len(d) else 0
        flips = [f"{r.axis} = {r.value}: {r.verdict}" for r in g.itertuples()
                 if not r.is_default and r.verdict in decided and r.verdict != default]
        undecided = [f"{r.axis} = {r.value}: {r.verdict} ({int(r.n_seeds)} seeds)" for r in g.itertuples()
                     if not r.is_default and r.verdict in undecided_classes and default in decided]
        rows.append({"claim": c.text, "default verdict": f"{default} ({n0} seeds)",
                     "decided otherwise under": "; ".join(flips) if flips else "no tested assumption",
                     "undecided under": "; ".join(undecided) if undecided else "-",
                     "expected to hinge on": c.hinges_on})
    return pd.DataFrame(rows)


def expected_rows() -> int:
    """Rows of ``robustness.csv``: every claim x every axis value."""
    return len(CLAIMS) * sum(len(v) for v in AXES.values())


__all__ = ["AXES", "ROBUSTNESS_COLUMNS", "Cell", "cells", "cell_specs", "cell_seeds", "headline_cell",
           "grid_seeds", "sigma_points",
           "judge_grid", "robustness_grid", "ROBUSTNESS", "verdict_changes", "read_grid", "expected_rows", "hinges"]
