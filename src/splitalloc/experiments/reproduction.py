"""Every artefact at once: :data:`FIGURES`, :func:`all_specs` and :func:`reproduce`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from .scales import ExperimentScale, get_scale
from .runs import RunSpec, default_out_dir, run_specs
from .artefact_io import _seeds, _write
from .splitting import _specs_fig5, fig5_splitting
from .traces import _specs_fig10, _specs_fig6, _specs_fig7, fig10_kaggle, fig6_admitted, fig7_prediction
from .sweeps import _specs_fig8, _specs_fig9, _specs_table4, fig8_resource, fig9_deviation, table4_utility
from .capacities import _specs_capacities, capacity_estimates
from .paper import compare_with_paper
from .summarize import per_slot_totals
from .regime import _specs_admitted, admitted_fractions
from .robustness import _specs_robustness, robustness_grid

SPEC_BUILDERS: dict[str, Callable] = {
    "fig5": _specs_fig5, "fig6": _specs_fig6, "fig7": _specs_fig7, "fig8": _specs_fig8,
    "fig9": _specs_fig9, "fig10": _specs_fig10, "table4": _specs_table4,
    "capacities": _specs_capacities, "robustness": _specs_robustness, "admitted": _specs_admitted,
}


#: Every artefact: the paper's figures and Table 4, then ours (the learned capacity estimates
#: of the Sigma sweep, the robustness grid of the claims, the offline admitted fractions).
FIGURES: dict[str, Callable[..., pd.DataFrame]] = {
    "fig5": fig5_splitting, "fig6": fig6_admitted, "fig7": fig7_prediction, "fig8": fig8_resource,
    "fig9": fig9_deviation, "fig10": fig10_kaggle, "table4": table4_utility,
    "capacities": capacity_estimates, "robustness": robustness_grid, "admitted": admitted_fractions,
}


def all_specs(scale: str | ExperimentScale, *, seeds=None, only: Sequence[str] | None = None) -> list[RunSpec]:
    """Every distinct run that the figures ``only`` (default: all) need, shared runs once."""
    sc = get_scale(scale)
    seeds = _seeds(sc, seeds)
    names = list(only) if only is not None else list(FIGURES)
    for n in names:
        if n not in FIGURES:
            raise ValueError(f"unknown experiment {n!r}; expected some of {list(FIGURES)}")
    specs: list[RunSpec] = []
    for n in names:
        specs += SPEC_BUILDERS[n](sc, seeds)
    return list(dict.fromkeys(specs))


def reproduce(scale: str | ExperimentScale = "quick", *, workers: int | None = None, scheduler=None,
              out_dir: str | Path | None = None, seeds=None, only: Sequence[str] | None = None,
              progress: bool = True, run_fn=None) -> dict[str, pd.DataFrame]:
    """Run every experiment of §V at ``scale`` and write all CSVs under ``out_dir``.

    All distinct runs of all figures are validated first, then executed once (shared runs
    are not repeated) on a process pool of ``workers`` (``None``: all cores) or on the dask
    cluster at ``scheduler``; the figure tables are then assembled from the run cache.
    Also writes ``comparison.csv`` and ``claims.csv`` (:func:`compare_with_paper`, with every
    run's per-slot totals so that their CIs come from the moving-block bootstrap), and
    ``capacity_estimates.csv``, ``robustness.csv`` (the grid of the claims' verdicts) and
    ``admitted.csv`` (the regime: the offline optimum's admitted fractions).
    Returns ``{"fig5": ..., ..., "table4": ..., "capacities": ..., "robustness": ...,
    "comparison": ..., "claims": ...}``.
    """
    sc = get_scale(scale)
    out = Path(out_dir) if out_dir is not None else default_out_dir()
    names = list(only) if only is not None else list(FIGURES)
    specs = all_specs(sc, seeds=seeds, only=names)
    runs = run_specs(specs, out_dir=out, workers=workers, scheduler=scheduler, progress=progress, run_fn=run_fn)
    results = {n: FIGURES[n](scale=sc, seeds=seeds, out_dir=out, workers=1, progress=False, run_fn=run_fn)
               for n in names}
    # per-slot totals of the runs of the frames without per-slot columns (Figs. 5, 8, Table 4;
    # not the robustness variants, whose spec columns repeat the default runs'): the claims'
    # and gains' CIs resample seeds and test slots
    own = list(dict.fromkeys(s for n in ("fig5", "fig8", "table4") if n in names
                             for s in SPEC_BUILDERS[n](sc, _seeds(sc, seeds))))
    slots = per_slot_totals({s: runs[s] for s in own}) if own else None
    comparison, claims = compare_with_paper(results, slots=slots)
    _write(comparison, out, sc, "comparison")
    _write(claims, out, sc, "claims")
    results["comparison"] = comparison
    results["claims"] = claims
    return results
