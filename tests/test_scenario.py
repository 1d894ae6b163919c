"""The scenario module: bad input named before any data is read, the GEANT scenario, arrivals of
every kind with today's seeds, the non-splitting variant."""

import numpy as np
import pandas as pd
import pytest

from splitalloc import config
from splitalloc import data as data_module
from splitalloc import scenario as sc


def test_make_scenario_rejects_bad_input_before_loading(monkeypatch):
    # these raise before any data is read: no data directory is needed
    monkeypatch.setenv("SPLITALLOC_DATA_DIR", "/nonexistent-splitalloc-dir")
    with pytest.raises(ValueError, match="unknown dataset 'mnist'"):
        sc.make_scenario("mnist", seed=0)
    with pytest.raises(ValueError, match="Sigma"):
        sc.make_scenario("geant", seed=0, Sigma=-1.0)
    with pytest.raises(ValueError, match="M must be"):
        sc.make_scenario("geant", seed=0, M=0.0)
    with pytest.raises(ValueError, match="unknown data kind 'fake'"):
        sc.make_scenario("geant", seed=0, data="fake")
    with pytest.raises(ValueError, match="synthetic arrivals need n_slots >= 1"):
        sc.make_scenario("geant", seed=0, data="synthetic")
    with pytest.raises(ValueError, match="needs a GEANT dataset, got 'kaggle'"):
        sc.make_scenario("kaggle", seed=0, data="permuted")
    with pytest.raises(ValueError, match="either arrivals="):
        sc.make_scenario("geant", seed=0, data="synthetic", n_slots=10, arrivals=pd.DataFrame())


@pytest.fixture(scope="module")
def geant():
    return sc.make_scenario("geant", seed=0)


def test_make_scenario_on_geant(geant):
    s = geant
    assert s.services == ["AlexNet", "VGG16", "FACE"]
    assert 0 < s.train_end < s.val_end < s.n_slots
    assert s.deployment.splitting
    assert s.problem.G.shape == (23 + 74 + 6, 3)
    assert s.M == 100.0 and s.Sigma == 30.0
    # M, Sigma set both means and both deviations (eqs. 14-15)
    s2 = sc.make_scenario("geant", seed=0, M=60.0, Sigma=0.0)
    assert (s2.network.mu_C, s2.network.mu_B, s2.network.sigma_C, s2.network.sigma_B) == (60, 60, 0, 0)
    np.testing.assert_allclose(s2.C_true[s2.network.usable_servers], 60.0)


def test_non_splitting_variant_is_one_rule(geant):
    ns = sc.non_splitting_variant(geant)
    assert not ns.deployment.splitting and np.all(ns.deployment.b == 0)
    np.testing.assert_array_equal(ns.network.C, geant.network.C)
    assert sc.non_splitting_variant(ns) is ns                          # applying it again changes nothing
    built = sc.make_scenario("geant", seed=0, splitting=False)        # the same rule, not a second one
    np.testing.assert_array_equal(built.deployment.c, ns.deployment.c)
    np.testing.assert_array_equal(built.problem.G, ns.problem.G)
    np.testing.assert_array_equal(built.problem.p, ns.problem.p)


def test_arrivals_of_every_kind_keep_their_seeds(monkeypatch):
    mean = float(config.value("service_mean_arrival"))
    real = sc.scenario_arrivals("geant")
    pd.testing.assert_frame_equal(real, data_module.service_arrivals("geant"))
    assert sc.real_series_length("geant") == len(real)
    permuted = sc.scenario_arrivals("geant", data="permuted", seed=3)
    pd.testing.assert_frame_equal(permuted, data_module.service_arrivals("geant", sources=sc.permuted_sources(3)))
    assert sc.permuted_sources(3) == sc.permuted_sources(3) != sc.permuted_sources(4)
    synth = sc.scenario_arrivals("kaggle", data="synthetic", seed=2, n_slots=40)
    pd.testing.assert_frame_equal(synth, sc.fitted_synthetic("kaggle", mean).sample(40, seed=2))
    assert len(synth) == 40 and synth.attrs["synthetic"]
    # the mean arrival reaches the data module as an argument
    seen = []
    real_fn = data_module.service_arrivals
    monkeypatch.setattr(data_module, "service_arrivals",
                        lambda *a, **k: seen.append(k.get("mean_arrival")) or real_fn(*a, **k))
    sc.scenario_arrivals("kaggle")
    assert seen == [mean]


def test_mean_arrival_scales_the_real_series():
    a = data_module.service_arrivals("kaggle")
    b = data_module.service_arrivals("kaggle", mean_arrival=2 * float(config.value("service_mean_arrival")))
    np.testing.assert_allclose(b.to_numpy(), 2 * a.to_numpy(), rtol=1e-12)


def test_period_slots():
    assert sc.period_slots("geant") == 96 and sc.period_slots("geant-may") == 96
    assert sc.period_slots("kaggle") == 7


# ------------------------------------------------------------------ evaluation windows (issue 16)
def test_kaggle_rolling_origin_windows():
    """8 origins 42, 49, ..., 91; validation the 7 days before each; training everything before
    that; the last window scores what is left; every day from 42 on scored once (>= 50)."""
    w = sc.evaluation_windows("kaggle", 92)
    assert [v for _, v, _ in w] == list(range(42, 92, 7)) and len(w) == 8
    assert all(t == v - 7 for t, v, _ in w)
    assert w[0] == (35, 42, 49) and w[-1] == (84, 91, 92)
    scored = [s for _, v, e in w for s in range(v, e)]
    assert scored == list(range(42, 92)) and len(scored) >= 50
    assert sc.arrival_fit_slots("kaggle") == 35 == w[0][0]
    # config is the one source of the protocol
    assert w[0][1] == config.value("rolling_origin_first_scored_slot")
    assert sc.uses_rolling_origin("kaggle") and not sc.uses_rolling_origin("kaggle", "synthetic")


def test_geant_and_synthetic_keep_one_chronological_split():
    from splitalloc.models import split_bounds

    for ds, n in (("geant", 677), ("geant-may", 322), ("kaggle", 3500)):
        data = "synthetic" if ds == "kaggle" else "real"
        tr, va = split_bounds(n, config.value("train_fraction"), config.value("val_fraction"))
        assert sc.evaluation_windows(ds, n, data) == [(tr, va, n)]
        assert sc.arrival_fit_slots(ds, data) is None
    assert sc.evaluation_windows("geant", 677) == [(406, 542, 677)]


@pytest.mark.parametrize("kw, match", [
    (dict(first=7, step=7, validation=7), r"first origin \(slot 7\) must lie after the validation"),
    (dict(first=3, step=7, validation=7), r"first origin .* must lie after"),
    (dict(first=42, step=0, validation=7), r"step between origins must be >= 1"),
    (dict(first=92, step=7, validation=7), r"first origin \(slot 92\) is beyond the series of 92 slots"),
    (dict(first=42, step=7, validation=0), r"validation period must be >= 1"),
])
def test_bad_rolling_origin_settings_are_clear_errors(kw, match):
    with pytest.raises(ValueError, match=match):
        sc.rolling_origin_windows(92, **kw)


def test_bad_rolling_origin_config_is_a_clear_error(monkeypatch):
    p = config.PARAMETERS["rolling_origin_first_scored_slot"]
    monkeypatch.setitem(config.PARAMETERS, p.name, config.Parameter(**{**p.__dict__, "value": 120}))
    with pytest.raises(ValueError, match="beyond the series of 92 slots"):
        sc.evaluation_windows("kaggle", 92)


def test_evaluation_scenarios_share_one_network_draw(data_dir):
    """Kaggle: one scenario per origin, same network and deployment, arrivals cut at the window's
    test end; GEANT: one scenario equal to make_scenario's."""
    kg = sc.evaluation_scenarios("kaggle", seed=3)
    full = sc.make_scenario("kaggle", seed=3)
    assert [s.window for s in kg] == sc.evaluation_windows("kaggle", 92)
    for s in kg:
        assert s.network is kg[0].network and s.deployment is kg[0].deployment
        np.testing.assert_array_equal(s.C_true, full.C_true)
        np.testing.assert_array_equal(s.B_true, full.B_true)
        pd.testing.assert_frame_equal(s.arrivals, full.arrivals.iloc[:s.n_slots])
    (g,) = sc.evaluation_scenarios("geant", seed=3)
    ref = sc.make_scenario("geant", seed=3)
    assert g.window == ref.window == (406, 542, 677)
    np.testing.assert_array_equal(g.C_true, ref.C_true)
    pd.testing.assert_frame_equal(g.arrivals, ref.arrivals)
    with pytest.raises(ValueError, match="must satisfy 1 <= train_end <= val_end < test_end"):
        sc.with_window(full, (40, 30, 50))


# ------------------------------------------------------------------------------ environments
def test_todays_environment_is_the_default(geant):
    """``Environment()`` is today's: a scenario built in it (under any name) is the default scenario."""
    renamed = sc.make_scenario("geant", seed=0, environment=sc.Environment(name="renamed"))
    for a, b in ((renamed.network.C, geant.network.C), (renamed.network.B, geant.network.B),
                 (renamed.deployment.c, geant.deployment.c), (renamed.deployment.b, geant.deployment.b),
                 (renamed.problem.G, geant.problem.G)):
        np.testing.assert_array_equal(a, b)
    assert geant.environment == sc.INDEPENDENT and geant.gamma == 1.0


def test_an_environment_sets_what_it_names(geant):
    env = sc.Environment(name="test", sigma_scale_C=2.0, sigma_scale_B=0.5, n_parts=2, compute_balance=1.0,
                         gamma=float("inf"), kaggle_demand_ratio=2.0, deployment_demand_ratio=0.5)
    s = sc.make_scenario("geant", seed=0, Sigma=20.0, environment=env)
    assert (s.network.sigma_C, s.network.sigma_B) == (40.0, 10.0) and s.Sigma == 25.0
    assert s.gamma == float("inf") and s.environment is env
    assert [len(p.c) for p in env.profiles(s.services)] == [2, 2, 2]          # two parts per model
    assert [len(p.c) for p in sc.INDEPENDENT.profiles(s.services)] == [4, 4, 4]
    np.testing.assert_allclose(env.profiles(["VGG16"])[0].c, config.value("compute_density_total") / 2)  # balanced
    pd.testing.assert_frame_equal(s.arrivals, geant.arrivals)  # the GEANT week keeps its demand
    assert env.deployment_demand("geant") == 0.5 * config.value("service_mean_arrival")
    assert env.deployment_demand("kaggle") == 2 * 0.5 * config.value("service_mean_arrival")
    k1 = sc.scenario_arrivals("kaggle")
    k2 = sc.scenario_arrivals("kaggle", environment=env)
    np.testing.assert_allclose(k2.to_numpy(), 2.0 * k1.to_numpy(), rtol=1e-12)
    ns = sc.non_splitting_variant(s)                           # the variant keeps the environment
    assert ns.environment is env and not ns.deployment.splitting


@pytest.mark.parametrize("kw, match", [
    ({"gamma": 0.5}, "gamma must be a number >= 1 or inf"),
    ({"n_parts": 0}, "Environment.n_parts must be a positive integer"),
    ({"sigma_scale_C": -1.0}, "Environment.sigma_scale_C must be a finite number >= 0"),
    ({"compute_balance": 2.0}, "compute_balance must be a number in \\[0, 1\\]"),
    ({"kaggle_demand_ratio": 0.0}, "Environment.kaggle_demand_ratio must be > 0"),
    ({"compute_density_total": float("nan")}, "Environment.compute_density_total must be a finite number"),
    ({"name": ""}, "Environment: name must be a non-empty string"),
])
def test_a_bad_environment_value_is_named(kw, match):
    with pytest.raises(ValueError, match=match):
        sc.Environment(**kw)
    with pytest.raises(ValueError, match="environment must be a splitalloc.scenario.Environment"):
        sc.make_scenario("geant", seed=0, environment={"gamma": 2.0})
