"""Shared by the tests of ``splitalloc.experiments``: a tiny scale and a deterministic stand-in
for a framework run (``fake_run``, module level so that spawned workers can import it), so that
runner, artefact and claim tests need no training.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from splitalloc import experiments as ex
from splitalloc.frameworks import TrainSettings

TINY = ex.ExperimentScale(
    name="tiny", seeds=(0, 1),
    training=TrainSettings(max_steps=4, window=4, hidden_size=4, learning_rate=0.01, batch_size=16),
    sigma_sweep=(0.0, 30.0), M_sweep=(60.0, 100.0), default_M=100.0, default_Sigma=30.0,
)
FAKE_QUALITY = {"offline": 1.0, "objective-driven": 0.95, "objective-driven-regret": 0.93,
                "two-stage-lstm": 0.85, "two-stage-bilstm": 0.84, "two-stage-quantile": 0.88,
                "non-splitting": 0.25, "two-stage-persistence": 0.86, "two-stage-seasonal": 0.8,
                "objective-driven-warm": 0.94, "objective-driven-frozen": 0.9, "two-stage-fitted": 0.87}


def fake_run(spec: ex.RunSpec) -> pd.DataFrame:
    """Deterministic stand-in for a framework run: arrivals from the spec's seed, a served
    fraction that depends on the framework, Sigma and the seed (so CIs are non-trivial)."""
    rng = np.random.default_rng([spec.seed, int(spec.M), int(spec.Sigma), spec.dataset == "kaggle"])
    n = 6
    D = rng.uniform(50, 150, size=(n, 3))
    q = FAKE_QUALITY[spec.framework]
    if spec.framework != "offline":
        # baselines lose more with Sigma than the proposed framework, twice as much on Kaggle
        slope = 0.0005 if spec.framework.startswith("objective") else 0.003
        q = q - slope * spec.Sigma * (1 + (spec.dataset == "kaggle")) \
            + 0.004 * np.random.default_rng([spec.seed, zlib.crc32(spec.framework.encode())]).standard_normal()
    acc_noise = 0.02 if spec.framework.startswith("objective") else 0.005
    D_pred = D * (1 + acc_noise * rng.standard_normal(D.shape))
    served = D * q
    times = pd.date_range("2005-05-04", periods=n, freq="15min")
    return pd.DataFrame({
        "time": np.repeat(times, 3), "service": np.tile(["AlexNet", "VGG16", "FACE"], n),
        "D_true": D.ravel(), "D_pred": D_pred.ravel(), "d": served.ravel(), "served": served.ravel(),
        "p": 1.0,
    })


def fake_len(spec) -> int:
    """Series length for validation without loading data."""
    return 100


def tiny_specs(n_seeds: int = 3) -> list[ex.RunSpec]:
    return [ex.make_spec(TINY, dataset="geant", framework=f, seed=s)
            for s in range(n_seeds) for f in ("offline", "objective-driven")]


def run_fake(specs, tmp, **kw):
    return ex.run_specs(specs, out_dir=tmp, run_fn=fake_run, progress=False, series_length=fake_len, **kw)


def never_like(run_fn):
    """A run function that fails if called, with ``run_fn``'s cache salt: proves a cache hit."""
    def never(spec):
        raise AssertionError("should be cached")
    never.__module__, never.__qualname__ = run_fn.__module__, run_fn.__qualname__
    return never


def fake_forecasts(seeds, **kw) -> dict:
    """No forecasters: :func:`fake_evaluate` does not read them."""
    return {}


def fake_evaluate(point, *, seeds, sigmas, forecasts, space=None, data_dir=None, fig8=True) -> pd.DataFrame:
    """A calibration candidate without LP solves: each target at the paper's value times a smooth function
    of the groups (exact at rho_C = 1, cv_C = 0.2), with a small seed spread."""
    from splitalloc.experiments import calibration as cal

    t = cal.targets()
    t = t[((t["kind"] != "utility") | t["sigma"].isin([float(s) for s in sigmas])) & (fig8 | (t["role"] != "check"))]
    f = 1.0 + 0.1 * np.log(point["rho_C"]) - 0.2 * (point["cv_C"] - 0.2) + 0.01 * point["n_parts"]
    rows = [(tid, s, v * f * (1 + 0.005 * (s - 1))) for tid, v in zip(t["target"], t["value"]) for s in seeds]
    df = pd.DataFrame(rows, columns=["target", "seed", "value"])
    df.attrs.update({"demand_scale": 1.0 / f, "demand": 35.0 / f, "M": 100.0 / f})
    return df
