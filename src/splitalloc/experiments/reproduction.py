"""Every artefact at once: :func:`all_specs` (the plan) and :func:`reproduce` (plan, run, assemble).

Importing this module imports every artefact module, in the order of :data:`ARTEFACTS`: the
paper's figures and Table 4, then ours (the learned capacity estimates, the robustness grid,
the offline admitted fractions), then the paper comparison that reads the figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .artefacts import ARTEFACTS, Artefact, Context, Seeds, resolve_out_dir, resolve_seeds
from .runs import RunSpec, run_specs
from .scales import ExperimentScale, get_scale
from . import splitting, traces, sweeps, capacities, robustness, regime, paper, calibrated  # noqa: F401 - they register


def select(only: Sequence[str] | None = None) -> list[Artefact]:
    """The artefacts of a reproduction, in registry order: those named in ``only`` (default:
    all) and every artefact that reads one of the selected (it is assembled from whichever of
    them ran; e.g. ``only=["fig9"]`` brings the comparison and the held-out table, not the
    verdicts across environments, which read only the calibration)."""
    if only is None:
        return list(ARTEFACTS.values())
    if isinstance(only, str):
        raise ValueError(f"only must be a list of artefact names such as ['fig5'], got the string {only!r}")
    unknown = [n for n in only if n not in ARTEFACTS]
    if unknown:
        raise ValueError(f"unknown experiment {unknown[0]!r}; expected some of {list(ARTEFACTS)}")
    chosen: list[Artefact] = []
    for a in ARTEFACTS.values():   # registry order: an artefact is registered after those it reads
        if a.name in only or any(r in {c.name for c in chosen} for r in a.reads):
            chosen.append(a)
    return chosen


def _plan(arts: list[Artefact], sc: ExperimentScale, seeds: Seeds) -> dict[str, list[RunSpec]]:
    return {a.name: a.specs(sc, seeds) for a in arts}


def all_specs(scale: str | ExperimentScale, *, seeds=None, only: Sequence[str] | None = None) -> list[RunSpec]:
    """Every distinct run that the artefacts ``only`` (default: all) need, shared runs once."""
    sc = get_scale(scale)
    plan = _plan(select(only), sc, resolve_seeds(sc, seeds))
    return list(dict.fromkeys(s for specs in plan.values() for s in specs))


def reproduce(scale: str | ExperimentScale = "quick", *, workers: int | None = None, scheduler=None,
              out_dir: str | Path | None = None, seeds=None, only: Sequence[str] | None = None,
              progress: bool = True, run_fn=None) -> dict[str, pd.DataFrame]:
    """Run every experiment of §V at ``scale`` and write all CSVs under ``out_dir``.

    The scale and the seeds are resolved once; every artefact's work (:data:`ARTEFACTS`; those
    of ``only``) is planned, validated and executed once (shared runs are not repeated) on a
    process pool of ``workers`` (``None``: all cores) or on the dask cluster at ``scheduler``;
    each artefact is then assembled from the results and written. The paper comparison writes
    ``comparison.csv`` and ``claims.csv`` (:func:`compare_with_paper`: the one judge on the
    figures' real-data runs, intervals over seeds; bad input, e.g. fewer than 3 seeds, raises
    its error). Returns every table by its result key: ``{"fig5": ..., ..., "table4": ...,
    "capacities": ..., "robustness": ..., "admitted": ..., "comparison": ..., "claims": ...,
    "calibration": ..., "calibration_morris": ..., "heldout": ...}``.
    """
    sc = get_scale(scale)
    seeds = resolve_seeds(sc, seeds)
    out = resolve_out_dir(out_dir)
    arts = select(only)
    plan = _plan(arts, sc, seeds)
    runs = run_specs(list(dict.fromkeys(s for specs in plan.values() for s in specs)), out_dir=out,
                     workers=workers, scheduler=scheduler, progress=progress, run_fn=run_fn)
    tables: dict[str, pd.DataFrame] = {}
    for a in arts:
        read = [ARTEFACTS[n] for n in a.reads if n in plan]
        ctx = Context(scale=sc, seeds=seeds, out_dir=out, results={s: runs[s] for s in plan[a.name]},
                      tables={k: tables[k] for r in read for k in r.files},
                      runs={r.name: {s: runs[s] for s in plan[r.name]} for r in read},
                      workers=workers, scheduler=scheduler, progress=progress, run_fn=run_fn)
        built = a.build(ctx)
        a.write(built, out, sc)
        tables.update(built)
    return tables
