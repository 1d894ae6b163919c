"""The on-disk cache of two-stage forecasts that the calibration reuses (issue 17).

The two-stage forecasters (LSTM, Bi-LSTM) are trained on MSE of *standardised* series, so their
standardised test forecasts do not depend on the environment (capacities, spreads, deployment,
evaluation rule): each is trained once per (dataset, seed, framework, training settings) through
the normal run path and stored as ``forecast-<key>.npz``; a calibration candidate maps it back to
Mb/slot with its own demand scale (:meth:`Forecast.D_pred`) and then costs LP solves only. The key
hashes the run code and config (:func:`splitalloc.experiments.runs.code_fingerprint`), so a change
to either never reuses a stale forecast.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from ..scenario import evaluation_scenarios
from .runs import config_fingerprint, source_files

#: The two-stage baselines whose forecasts are cached, with the paper's names.
BASELINES = {"two-stage-lstm": "LSTM", "two-stage-bilstm": "Bi-LSTM"}


@dataclass(frozen=True)
class Forecast:
    """One two-stage forecaster's forecast of every scored slot in standardised units ``z`` (n, K),
    with the training statistics ``mean``/``std`` of the window that scored each slot ((n, K): a
    rolling origin standardises each window with its own training period) and the true arrivals
    ``D_true`` at the reference mean arrival. :meth:`D_pred` maps back exactly as
    :func:`splitalloc.frameworks.training.predict`."""

    dataset: str
    seed: int
    framework: str
    z: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    D_true: np.ndarray

    def D_pred(self, factor: float = 1.0) -> np.ndarray:
        import torch

        pred = torch.clamp(torch.as_tensor(self.mean) + torch.as_tensor(self.std) * torch.as_tensor(self.z),
                           min=0.0).numpy()
        return pred if factor == 1.0 else factor * pred


def forecast_fingerprint() -> str:
    """sha256 of the config parameters a run depends on and of the source of the modules a
    forecaster's training executes (data, models, frameworks, scenario)."""
    h = hashlib.sha256(config_fingerprint().encode())
    for mod in ("data", "models", "frameworks", "scenario"):
        for name, path in source_files(mod):
            h.update(name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def forecast_key(dataset: str, seed: int, framework: str, settings) -> str:
    """The cache file name of one forecaster: dataset, seed, framework, settings and code."""
    payload = json.dumps({"dataset": dataset, "seed": int(seed), "framework": framework,
                          "settings": dataclasses.astuple(settings), "code": forecast_fingerprint()}, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


def two_stage_forecast(dataset: str, seed: int, framework: str, *, settings, cache_dir=None,
                       data_dir=None) -> Forecast:
    """Train (or read from ``cache_dir``) the two-stage forecaster ``framework`` on ``dataset``'s real
    series for ``seed`` through the normal run path: on every evaluation window of the run
    (:func:`splitalloc.scenario.evaluation_scenarios`: the chronological split on GEANT, each rolling
    origin on Kaggle, trained from scratch after ``torch.manual_seed(seed)`` as :func:`~splitalloc.
    experiments.runs.run_one` does), with :func:`~splitalloc.frameworks.training.train_predictor`
    (the forecaster never sees the network), the windows' scored slots concatenated in time order."""
    if framework not in BASELINES:
        raise ValueError(f"framework {framework!r} is not a two-stage baseline; expected one of {list(BASELINES)}")
    path = None
    if cache_dir is not None:
        path = Path(cache_dir) / f"forecast-{forecast_key(dataset, seed, framework, settings)}.npz"
        if path.exists():
            with np.load(path) as f:
                return Forecast(dataset, int(seed), framework, f["z"], f["mean"], f["std"], f["D_true"])
    import torch

    from ..frameworks.training import prepare_data, train_predictor   # torch: imported only when training

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    parts = []
    try:
        for scenario in evaluation_scenarios(dataset, seed=int(seed), data_dir=data_dir):
            torch.manual_seed(int(seed))
            data = prepare_data(scenario, settings)
            model, _ = train_predictor(scenario, data, settings, int(seed),
                                       bidirectional=framework == "two-stage-bilstm")
            model.eval()
            with torch.no_grad():
                z = model(data.X["test"]).double().numpy()
            model.train()
            parts.append((z, np.broadcast_to(data.mean, z.shape), np.broadcast_to(data.std, z.shape),
                          data.Y["test"]))
    finally:
        torch.set_num_threads(threads)
    z, mean, std, D_true = (np.concatenate([p[i] for p in parts]) for i in range(4))
    fc = Forecast(dataset, int(seed), framework, z, mean, std, D_true)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, z=z, mean=mean, std=std, D_true=D_true)
        tmp.replace(path)   # atomic: a reader never sees half a file
    return fc


def load_forecasts(seeds: Sequence[int], *, settings, datasets=("geant", "kaggle"), cache_dir=None,
                   data_dir=None) -> dict:
    """``{(dataset, seed, framework): Forecast}`` for both two-stage baselines."""
    return {(ds, int(s), fw): two_stage_forecast(ds, s, fw, settings=settings, cache_dir=cache_dir,
                                                 data_dir=data_dir)
            for ds in datasets for s in seeds for fw in BASELINES}
