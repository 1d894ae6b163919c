"""The calibration's artefacts (issue 17; DESIGN "Calibration"): ``calibration`` (every candidate of
the design, ``calibration.csv``, and the Morris screening of the fit, ``calibration_morris.csv``) and
``heldout`` (every held-out paper number beside ours, ``heldout.csv``).

Their work is not a list of runs: ``calibration`` computes in ``assemble`` from the context
(:func:`splitalloc.experiments.calibration.run_calibration`: forecasts cached under
``<results>/forecasts/``, the tables under ``<results>/calibration/``, keyed by code, config, paper
numbers, seeds, design and training); ``heldout`` reads the paper comparison (ours on the headline
environment) and the calibration (whether the best fit is in the set).
"""

from __future__ import annotations

import pandas as pd

from . import calibration as cal
from .artefacts import Artefact, Context, register


HELDOUT_ENVIRONMENT = "independent"


def heldout_table(comparison: pd.DataFrame, calibration: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every held-out paper number (:func:`heldout_targets`) with ours (the comparison's per-seed mean and
    t interval over seeds), the prediction error (ours - paper) and the environment ours come from:
    ``independent`` (today's) unless the best fit is in the calibrated set (then the headline would be
    ``paper-calibrated``; not wired yet, so ``independent`` is kept and the column says so)."""
    held = cal.heldout_targets()
    keys = ["artefact", "dataset", "framework", "setting", "metric"]
    cols = ["mean", "ci95_low", "ci95_high", "n", "ci_method", "comparable", "note"]
    comp = comparison[comparison.get("data", pd.Series("real", index=comparison.index)) == "real"] if len(comparison) else comparison
    comp = comp.drop_duplicates(keys)[keys + [c for c in cols if c in comp.columns]] if len(comp) else pd.DataFrame(columns=keys + cols)
    comp = comp.astype({k: str for k in keys})
    out = held[keys + ["value", "unit", "where_in_paper"]].rename(columns={"value": "paper"}).merge(comp, on=keys, how="left")
    out = out.rename(columns={"mean": "ours", "ci95_low": "ci_low", "ci95_high": "ci_high", "n": "n_seeds"})
    out["error"] = out["ours"] - out["paper"]
    out["relative_error"] = out["error"] / out["paper"].abs()
    in_set_best = bool(calibration is not None and len(calibration) and cal.best_fit(calibration)["in_set"])
    out["environment"] = HELDOUT_ENVIRONMENT
    out["environment_note"] = ("the best fit is in the calibrated set, but the run path does not take it yet"
                               if in_set_best else "the best fit is not in the calibrated set: the headline "
                               "stays today's environment")
    out["computed"] = out["ours"].notna()
    out["ci_method"] = out["ci_method"].fillna("")
    out["comparable"] = out["comparable"].fillna(False).astype(bool)
    out["note"] = out["note"].fillna("not computed: no run of ours matches this number")
    return out


def fitted_claims(path=None) -> dict[int, str]:
    """The claims whose paper numbers are calibration targets, with the target: on a calibrated
    environment their verdict is :data:`splitalloc.experiments.judge.FITTED` ("fitted, not tested").
    Claim 1 (splitting vs non-splitting) when Fig. 5's non-splitting bar is a target. On today's
    (``independent``) environment the calibration chose nothing, so the judge's verdicts stand."""
    t = set(cal.targets(path)["target"])
    return {1: "fig5:TOTEM:non-splitting"} if "fig5:TOTEM:non-splitting" in t else {}


def _calibration(ctx: Context) -> dict[str, pd.DataFrame]:
    return cal.run_calibration(ctx.scale, ctx.seeds, ctx.out_dir)


def _heldout(ctx: Context) -> pd.DataFrame:
    comparison = ctx.tables.get("comparison", pd.DataFrame())
    return heldout_table(comparison, ctx.tables.get("calibration"))


CALIBRATION = register(Artefact(
    name="calibration", title="The environment calibrated on the paper's baseline numbers (history matching)",
    files={"calibration": "calibration", "calibration_morris": "calibration_morris"}, assemble=_calibration))
HELDOUT = register(Artefact(
    name="heldout", title="Every held-out paper number (the proposed method) beside ours",
    files={"heldout": "heldout"}, assemble=_heldout, reads=("comparison", "calibration")))
