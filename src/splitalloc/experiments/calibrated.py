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


def _calibration(ctx: Context) -> dict[str, pd.DataFrame]:
    return cal.run_calibration(ctx.scale, ctx.seeds, ctx.out_dir)


def _heldout(ctx: Context) -> pd.DataFrame:
    comparison = ctx.tables.get("comparison", pd.DataFrame())
    return cal.heldout_table(comparison, ctx.tables.get("calibration"))


CALIBRATION = register(Artefact(
    name="calibration", title="The environment calibrated on the paper's baseline numbers (history matching)",
    files={"calibration": "calibration", "calibration_morris": "calibration_morris"}, assemble=_calibration))
HELDOUT = register(Artefact(
    name="heldout", title="Every held-out paper number (the proposed method) beside ours",
    files={"heldout": "heldout"}, assemble=_heldout, reads=("comparison", "calibration")))
