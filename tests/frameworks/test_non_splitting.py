"""non-splitting: the two-stage LSTM on the non-splitting variant of the same draw, the variant
built once (when the run's scenario is built), never again inside the framework."""

import numpy as np
import pandas as pd
import pytest

from hand_scenario import TINY
from splitalloc import scenario as scenario_module
from splitalloc.frameworks import TrainSettings, run_framework
from splitalloc.scenario import make_scenario, non_splitting_variant


@pytest.fixture(scope="module")
def geant():
    return make_scenario("geant", seed=0)


def test_geant_non_splitting_and_offline_bound(geant):
    ns = non_splitting_variant(geant)
    tiny = TrainSettings(max_steps=4, eval_every=2, window=4, hidden_size=4, learning_rate=1e-2,
                         batch_size=64)
    off = run_framework("offline", geant, seed=0, settings=tiny)
    for name, sc in (("non-splitting", ns), ("objective-driven", geant)):
        df = run_framework(name, sc, seed=0, settings=tiny)
        assert np.all(df.groupby("time")["served"].sum().to_numpy()
                      <= off.groupby("time")["served"].sum().to_numpy() + 1e-6)
        assert df.attrs["splitting"] == (name != "non-splitting")


def test_non_splitting_refuses_a_splitting_scenario(geant):
    with pytest.raises(ValueError, match="'non-splitting' runs on the non-splitting deployment"):
        run_framework("non-splitting", geant, seed=0, settings=TINY)


def test_run_one_builds_the_non_splitting_variant_exactly_once(monkeypatch):
    """The run path derives the variant once, in the scenario module; the framework receives
    the non-splitting scenario and does not derive it again."""
    from splitalloc.experiments import runs

    calls, seen = [], []
    real = scenario_module.non_splitting_variant

    def counting(sc):
        calls.append(sc.deployment.splitting)
        return real(sc)

    def fake_run_framework(name, sc, *, seed, settings, progress):
        seen.append(sc.deployment.splitting)
        t = sc.arrivals.index[sc.val_end:]
        return pd.DataFrame({"framework": name, "seed": seed, "time": np.repeat(t, 3),
                             "service": np.tile(sc.services, len(t)), "D_true": 1.0, "D_pred": 1.0,
                             "d": 1.0, "served": 1.0})

    monkeypatch.setattr(scenario_module, "non_splitting_variant", counting)
    monkeypatch.setattr("splitalloc.frameworks.run.run_framework", fake_run_framework)
    spec = runs.RunSpec(dataset="geant", framework="non-splitting", seed=1, M=100.0, Sigma=30.0,
                        training=TINY)
    runs.run_one(spec)
    assert calls == [True] and seen == [False]
    runs.run_one(runs.RunSpec(**{**spec.as_dict(), "framework": "two-stage-lstm"}))
    assert calls == [True] and seen == [False, True]


@pytest.mark.parametrize("seed, hosts", [(0, [12, 21, 5]), (1, [16, 0, 9]), (2, [14, 22, 10])])
def test_non_splitting_deployment_is_the_recorded_one(seed, hosts):
    """Servers hosting each whole model on GEANT (M = 100, Sigma = 30), as recorded before the
    scenario module existed (frameworks.non_splitting_variant of the GUS scenario)."""
    ns = make_scenario("geant", seed=seed, M=100.0, Sigma=30.0, splitting=False)
    assert not ns.deployment.splitting and np.all(ns.deployment.b == 0)
    assert [int(np.flatnonzero(ns.deployment.c[:, k])[0]) for k in range(3)] == hosts
