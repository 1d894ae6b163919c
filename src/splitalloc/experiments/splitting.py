"""Fig. 5 (§V-B): splitting vs non-splitting deployment.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .artefacts import Artefact, Context, label_frameworks, produce, register
from .names import NAIVE_FRAMEWORKS
from .runs import make_spec
from .summarize import summaries


def _work(sc, seeds):
    return [make_spec(sc, dataset="geant", framework=f, seed=s)
            for s in seeds for f in ("offline", "objective-driven", "two-stage-lstm", *NAIVE_FRAMEWORKS,
                                     "non-splitting")]


def _assemble(ctx: Context) -> pd.DataFrame:
    df = label_frameworks(summaries(ctx.results))
    df.insert(df.columns.get_loc("label") + 1, "deployment",
              np.where(df["framework"] == "non-splitting", "non-splitting", "splitting"))
    return df


#: Fig. 5's record (:class:`splitalloc.experiments.artefacts.Artefact`).
FIG5 = register(Artefact(name="fig5", title="Fig. 5: splitting vs non-splitting deployment",
                         files={"fig5": "fig5_splitting"}, work=_work, assemble=_assemble))


def fig5_splitting(*, scale="quick", seeds=None, out_dir=None, workers=1, scheduler=None,
                   progress=True, run_fn=None) -> pd.DataFrame:
    """Fig. 5 (§V-B): mean throughput of splitting vs non-splitting deployment on GEANT.

    One row per framework x seed: ``deployment`` ("splitting" for the objective-driven and
    two-stage LSTM frameworks and the offline optimum on the GUS deployment, "non-splitting"
    for the two-stage framework with each model whole on one server), ``throughput`` (Mb/slot,
    mean over test slots), ``utility`` (% of the offline optimum of the splitting network).
    Written as ``fig5_splitting.csv``.
    """
    return produce(FIG5, scale=scale, seeds=seeds, out_dir=out_dir, workers=workers, scheduler=scheduler,
                   progress=progress, run_fn=run_fn)
