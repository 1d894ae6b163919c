"""One entry point for every framework: :func:`run_framework`.

It looks the name up in the registry (:mod:`splitalloc.frameworks.registry`), checks the
settings and the scenario before any training, prepares the scenario's windows once, calls the
framework's runner, and evaluates its reserved allocation with the one evaluation rule
(:func:`splitalloc.evaluate.serve`) on the test period.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from ..scenario import Scenario
from .lp import serve_on
from .registry import Framework, framework
from .settings import TrainSettings
from .training import prepare_data


def check_framework(record: Framework, scenario: Scenario, settings: TrainSettings) -> None:
    """Raise ``ValueError`` (naming the bad value) when ``record`` cannot run on ``scenario``
    with ``settings``: settings of the wrong type, a window ``L`` that leaves fewer than two
    training samples, a splitting scenario for a non-splitting framework, or the framework's
    own check (its record's ``check``)."""
    if not isinstance(settings, TrainSettings):
        raise ValueError(f"settings must be a TrainSettings, got {type(settings)}")
    L = settings.window
    if L >= scenario.train_end - 1:
        raise ValueError(
            f"window L={L} is too long for dataset {scenario.dataset!r}: the series has "
            f"{scenario.n_slots} slots, of which {scenario.train_end} are training slots; "
            f"need L <= {scenario.train_end - 2} (at least two training samples)"
        )
    if record.non_splitting and scenario.deployment.splitting:
        raise ValueError(f"framework {record.name!r} runs on the non-splitting deployment, but the scenario "
                         "deploys by splitting; build it with make_scenario(..., splitting=False) or "
                         "non_splitting_variant(scenario)")
    if record.checker is not None:
        record.checker(scenario, settings)


def run_framework(name: str, scenario: Scenario, *, seed: int, settings: TrainSettings | None = None,
                  progress: bool = False) -> pd.DataFrame:
    """Run framework ``name`` on ``scenario``; one row per test slot x service.

    Columns: ``framework, seed, time, service, D_true, D_pred, d, served`` (Mb/slot). ``D_pred``
    is the framework's forecast (the true arrivals for ``offline``), ``d`` its reserved
    allocation, ``served`` the evaluation rule (:func:`splitalloc.evaluate.serve`). Extra
    information (chosen quantile, learned capacity estimates, training losses) is in
    ``df.attrs``. Same ``seed`` -> identical output. Bad names and settings raise before any
    training. ``non-splitting`` needs the non-splitting scenario
    (``make_scenario(..., splitting=False)``).
    """
    record = framework(name)
    settings = TrainSettings() if settings is None else settings
    check_framework(record, scenario, settings)
    # Tiny LSTMs and K = 3 LPs gain nothing from intra-op threads, and on a shared 2-core
    # machine (or in a process pool) spinning threads slow them down by orders of magnitude;
    # run single-threaded and restore the caller's setting afterwards.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        data = prepare_data(scenario, settings)
        D_pred, d, extra = record.runner(scenario, data, settings, int(seed), progress)
        return _result_frame(record.name, int(seed), scenario, data.t0["test"], data.Y["test"],
                             D_pred, d, extra)
    finally:
        torch.set_num_threads(threads)


def _result_frame(name: str, seed: int, scenario: Scenario, first_test_slot: int, D_true: np.ndarray,
                  D_pred, d, extra: dict) -> pd.DataFrame:
    """The tidy per-slot frame of :func:`run_framework`, served traffic by the evaluation rule."""
    served = serve_on(scenario, d, D_true)
    times = scenario.arrivals.index[first_test_slot:]
    K = len(scenario.services)
    df = pd.DataFrame({
        "framework": name,
        "seed": seed,
        "time": np.repeat(np.asarray(times), K),
        "service": np.tile(np.asarray(scenario.services, dtype=object), len(times)),
        "D_true": D_true.ravel(),
        "D_pred": np.asarray(D_pred, dtype=np.float64).ravel(),
        "d": np.asarray(d, dtype=np.float64).ravel(),
        "served": served.ravel(),
    })
    df.attrs.update({"dataset": scenario.dataset, "M": scenario.M, "Sigma": scenario.Sigma,
                     "splitting": bool(scenario.deployment.splitting), **extra})
    return df
