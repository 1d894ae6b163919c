"""Plumbing shared by the artefact modules: seeds, output directory, CSV writing, labels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .names import PAPER_NAMES
from .scales import ExperimentScale, get_scale
from .runs import default_out_dir, run_specs

def _seeds(scale: ExperimentScale, seeds) -> tuple[int, ...]:
    if seeds is None:
        return scale.seeds
    if isinstance(seeds, (int, np.integer)):
        if seeds < 1:
            raise ValueError(f"seeds must be >= 1, got {seeds}")
        return tuple(range(int(seeds)))
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError("seeds must not be empty")
    return seeds


def _prepare(scale, seeds, out_dir):
    sc = get_scale(scale)
    out = Path(out_dir) if out_dir is not None else default_out_dir()
    return sc, _seeds(sc, seeds), out


def _write(df: pd.DataFrame, out_dir: Path, sc: ExperimentScale, name: str) -> pd.DataFrame:
    d = out_dir / sc.name
    d.mkdir(parents=True, exist_ok=True)
    df.to_csv(d / f"{name}.csv", index=False)
    return df


def _run(specs, out, workers, scheduler, progress, run_fn):
    return run_specs(specs, out_dir=out, workers=workers, scheduler=scheduler, progress=progress, run_fn=run_fn)


def _label(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df.insert(df.columns.get_loc("framework") + 1, "label", df["framework"].map(PAPER_NAMES))
    return df
