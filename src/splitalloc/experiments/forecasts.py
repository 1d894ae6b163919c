"""The two-stage forecasts that the calibration reuses (issue 17), taken from the runs themselves.

The two-stage forecasters (LSTM, Bi-LSTM) are trained on MSE of *standardised* series and never see
the network, so their forecasts do not depend on the environment (capacities, spreads, deployment,
evaluation rule), and a demand scale applied to the series scales the forecast by the same factor.
The calibration therefore takes each forecast from the normal run of that baseline at the default
operating point (:func:`forecast_specs`: one :class:`~splitalloc.experiments.runs.RunSpec` per
dataset, seed and baseline, cached like every run and shared with the headline figures; on Kaggle
the run covers its 8 rolling origins) and maps it to a candidate's demand with
:meth:`Forecast.D_pred`; a candidate then costs LP solves only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from .. import config
from ..profiles import SERVICE_NAMES
from .runs import RunSpec, run_specs

#: The two-stage baselines whose forecasts are reused, with the paper's names.
BASELINES = {"two-stage-lstm": "LSTM", "two-stage-bilstm": "Bi-LSTM"}


@dataclass(frozen=True)
class Forecast:
    """One two-stage forecaster's forecast of every scored slot of its run, ``D_ref`` (n, K) in Mb/slot
    at the reference mean arrival (config ``service_mean_arrival``), with the true arrivals ``D_true``
    (n, K) of the same slots."""

    dataset: str
    seed: int
    framework: str
    D_ref: np.ndarray
    D_true: np.ndarray

    def D_pred(self, factor: float = 1.0) -> np.ndarray:
        """The forecast on a series whose demand is ``factor`` times the reference's (the forecaster is
        trained on the standardised series, so its forecast scales with the series)."""
        return self.D_ref if factor == 1.0 else factor * self.D_ref


def forecast_specs(seeds: Sequence[int], *, settings, datasets=("geant", "kaggle")) -> list[RunSpec]:
    """The runs the forecasts come from: each baseline of :data:`BASELINES` on each dataset's real
    series for each seed, with ``settings``, at config ``mu_C`` and ``sigma_C`` (the forecast does not
    depend on them), in today's environment."""
    M, Sigma = float(config.value("mu_C")), float(config.value("sigma_C"))
    return [RunSpec(dataset=ds, framework=fw, seed=int(s), M=M, Sigma=Sigma, training=settings)
            for ds in datasets for s in seeds for fw in BASELINES]


def forecast_of(spec: RunSpec, run: pd.DataFrame) -> Forecast:
    """The :class:`Forecast` of one run's per-slot frame (``time, service, D_pred, D_true``), slots in
    time order, services in :data:`splitalloc.profiles.SERVICE_NAMES` order (the deployment's)."""
    services = list(SERVICE_NAMES)
    if sorted(pd.unique(run["service"])) != sorted(services):
        raise ValueError(f"run {spec.framework!r} on {spec.dataset!r} (seed {spec.seed}) has services "
                         f"{list(pd.unique(run['service']))}; expected {services}")
    wide = run.pivot(index="time", columns="service", values=["D_pred", "D_true"]).sort_index()
    return Forecast(spec.dataset, spec.seed, spec.framework, wide["D_pred"][services].to_numpy(dtype=np.float64),
                    wide["D_true"][services].to_numpy(dtype=np.float64))


def load_forecasts(seeds: Sequence[int], *, settings, datasets=("geant", "kaggle"), out_dir=None, workers=1,
                   progress: bool = False) -> dict:
    """``{(dataset, seed, framework): Forecast}`` for both two-stage baselines: their runs
    (:func:`forecast_specs`) read from the run cache under ``out_dir``, or run there."""
    specs = forecast_specs(seeds, settings=settings, datasets=datasets)
    runs = run_specs(specs, out_dir=out_dir, workers=workers, progress=progress)
    return {(s.dataset, s.seed, s.framework): forecast_of(s, runs[s]) for s in specs}
