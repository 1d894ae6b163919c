"""Fig. 5 (§V-B): splitting vs non-splitting deployment.
"""

from __future__ import annotations


import numpy as np
import pandas as pd

from .names import NAIVE_FRAMEWORKS
from .runs import make_spec
from .summarize import summaries
from .artefact_io import _label, _prepare, _run, _write

def _specs_fig5(sc, seeds):
    return [make_spec(sc, dataset="geant", framework=f, seed=s)
            for s in seeds for f in ("offline", "objective-driven", "two-stage-lstm", *NAIVE_FRAMEWORKS,
                                     "non-splitting")]


def fig5_splitting(*, scale="quick", seeds=None, out_dir=None, workers=1, scheduler=None,
                   progress=True, run_fn=None) -> pd.DataFrame:
    """Fig. 5 (§V-B): mean throughput of splitting vs non-splitting deployment on GEANT.

    One row per framework x seed: ``deployment`` ("splitting" for the objective-driven and
    two-stage LSTM frameworks and the offline optimum on the GUS deployment, "non-splitting"
    for the two-stage framework with each model whole on one server), ``throughput`` (Mb/slot,
    mean over test slots), ``utility`` (% of the offline optimum of the splitting network).
    """
    sc, seeds, out = _prepare(scale, seeds, out_dir)
    res = _run(_specs_fig5(sc, seeds), out, workers, scheduler, progress, run_fn)
    df = _label(summaries(res))
    df.insert(df.columns.get_loc("label") + 1, "deployment",
              np.where(df["framework"] == "non-splitting", "non-splitting", "splitting"))
    return _write(df, out, sc, "fig5_splitting")
