"""Frameworks on a small hand-built scenario (fast), plus error handling.

The hand-built scenario has the exact shape of the LP (4)-(5): 2 servers, 1 link, 2 services,
``G = [c; b; I; -I]``, with capacities near the demand so that both the demand rows and the
capacity rows bind on some slots.
"""

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import torch

from splitalloc import frameworks as fw
from splitalloc.frameworks import (FRAMEWORKS, ObjectiveDrivenPolicy, Scenario, TrainSettings,
                                   make_scenario, run_framework)

TINY = TrainSettings(max_steps=8, eval_every=2, patience=2, window=4, hidden_size=4,
                     learning_rate=1e-2, batch_size=8, quantile_grid=(0.4, 0.6))


def _hand_scenario(T=48, seed=0, splitting=False):
    rng = np.random.default_rng(seed)
    t = np.arange(T)
    base = np.stack([5 + 2 * np.sin(2 * np.pi * t / 12), 4 + 1.5 * np.cos(2 * np.pi * t / 8)], 1)
    arrivals = pd.DataFrame(np.maximum(base + rng.normal(0, 0.5, base.shape), 0),
                            index=pd.date_range("2005-05-04", periods=T, freq="6h"),   # a season = 4 slots
                            columns=["AlexNet", "VGG16"])
    c = np.array([[1.0, 0.5], [0.5, 1.0]])
    b = np.array([[0.5, 0.5]])
    N, E, K = 2, 1, 2
    G = np.vstack([c, b, np.eye(K), -np.eye(K)])
    network = SimpleNamespace(C=np.array([6.5, 5.0]), B=np.array([4.5]), mu_C=6.0, mu_B=6.0,
                              sigma_C=1.0, sigma_B=1.0, usable_servers=np.array([True, True]),
                              usable_links=np.array([True]))
    deployment = SimpleNamespace(c=c, b=b, splitting=splitting, services=list(arrivals.columns))
    problem = SimpleNamespace(G=G, p=np.array([1.0, 1.2]), n_servers=N, n_links=E, n_services=K)
    return Scenario(dataset="hand", arrivals=arrivals, network=network, deployment=deployment,
                    problem=problem, train_end=28, val_end=38, seed=seed, M=6.0, Sigma=1.0)


@pytest.fixture(scope="module")
def scenario():
    return _hand_scenario()


@pytest.fixture(scope="module")
def runs(scenario):
    return {name: run_framework(name, scenario, seed=3, settings=TINY) for name in FRAMEWORKS}


def test_output_is_tidy_test_period(runs, scenario):
    for name, df in runs.items():
        assert list(df.columns) == ["framework", "seed", "time", "service", "D_true", "D_pred", "d", "served"]
        assert len(df) == (scenario.n_slots - scenario.val_end) * 2
        assert (df["framework"] == name).all()
        assert df["time"].min() == scenario.arrivals.index[scenario.val_end]
        np.testing.assert_allclose(df["D_true"].to_numpy().reshape(-1, 2),
                                   scenario.arrivals.to_numpy()[scenario.val_end:])
        assert np.all(df[["D_pred", "d", "served"]].to_numpy() >= -1e-9)
        assert np.all(df["served"] <= df["D_true"] + 1e-9)


def test_offline_serves_its_allocation_and_is_never_beaten(runs, scenario):
    off = runs["offline"]
    np.testing.assert_allclose(off["served"], off["d"], rtol=1e-9, atol=1e-9)
    p = np.tile(scenario.problem.p, len(off) // 2)
    off_rev = (p * off["served"].to_numpy()).reshape(-1, 2).sum(1)
    for name, df in runs.items():
        rev = (p * df["served"].to_numpy()).reshape(-1, 2).sum(1)
        assert np.all(rev <= off_rev + 1e-7 * (1 + off_rev)), name


def test_two_stage_allocates_with_predicted_demand_and_mean_capacities(runs, scenario):
    # reference: HiGHS on the same LP with h = [mu_C; mu_B; D_pred; 0] (eq. 4b), slot by slot
    from scipy.optimize import linprog

    pr = scenario.problem
    for name in ("two-stage-lstm", "two-stage-bilstm", "two-stage-quantile"):
        df = runs[name]
        D_pred = df["D_pred"].to_numpy().reshape(-1, 2)
        d = df["d"].to_numpy().reshape(-1, 2)
        for t in range(D_pred.shape[0]):
            h = np.concatenate([[6.0, 6.0], [6.0], D_pred[t], [0.0, 0.0]])
            ref = linprog(-pr.p, A_ub=pr.G, b_ub=h, bounds=(None, None), method="highs")
            assert ref.status == 0
            assert pr.p @ d[t] == pytest.approx(-ref.fun, rel=1e-9, abs=1e-9)
            assert np.all(pr.G @ d[t] <= h + 1e-9)


def test_quantile_choice_recorded(runs):
    assert runs["two-stage-quantile"].attrs["quantile"] in TINY.quantile_grid


def test_same_seed_identical_different_seed_differs(scenario):
    for name in ("objective-driven", "two-stage-quantile"):
        a = run_framework(name, scenario, seed=5, settings=TINY)
        b = run_framework(name, scenario, seed=5, settings=TINY)
        pd.testing.assert_frame_equal(a, b)
    a2 = run_framework("objective-driven", scenario, seed=5, settings=TINY)
    c = run_framework("objective-driven", scenario, seed=6, settings=TINY)
    assert not np.array_equal(a2["D_pred"].to_numpy(), c["D_pred"].to_numpy())


def test_objective_driven_gradient_reaches_lstm_and_capacities(scenario):
    data = fw._prepare(scenario, TINY)
    # a predictor fitted on MSE tracks the demand, so that on some slots a demand row binds
    # (gradient to the LSTM) and on others a capacity row (gradient to Ĉ, B̂)
    predictor, _ = fw._train_predictor(scenario, data, replace(TINY, max_steps=120, patience=100), 0)
    policy = ObjectiveDrivenPolicy(predictor, scenario.problem, mu_C=6.0, mu_B=6.0, mean=data.mean,
                                   std=data.std)
    d_star = torch.as_tensor(fw._offline(policy.lp, scenario, data.Y["train"]))
    d, D_hat = policy(data.X["train"])
    assert d.shape == D_hat.shape == (data.X["train"].shape[0], 2)
    loss = (((d - d_star) / policy.scale) ** 2).mean()
    loss.backward()
    lstm_grad = sum(float(p.grad.abs().sum()) for p in predictor.parameters() if p.grad is not None)
    assert lstm_grad > 0
    cap_grad = float(policy.theta_C.grad.abs().sum() + policy.theta_B.grad.abs().sum())
    assert cap_grad > 0
    # capacities start at the means
    C_hat, B_hat = policy.capacities()
    torch.testing.assert_close(C_hat, torch.full((2,), 6.0, dtype=torch.float64))


def test_objective_driven_moves_capacity_estimates(runs):
    attrs = runs["objective-driven"].attrs
    assert not np.allclose(attrs["C_hat"] + attrs["B_hat"], 6.0)


def test_unknown_framework_and_bad_settings_raise(scenario):
    with pytest.raises(ValueError, match="unknown framework 'nope'"):
        run_framework("nope", scenario, seed=0, settings=TINY)
    with pytest.raises(ValueError, match="window L=40"):
        run_framework("two-stage-lstm", scenario, seed=0,
                      settings=TrainSettings(max_steps=1, window=40, hidden_size=4,
                                             learning_rate=1e-2, batch_size=8))
    with pytest.raises(ValueError, match="hidden_size"):
        TrainSettings(max_steps=1, window=4, hidden_size=0, learning_rate=1e-2, batch_size=8)
    with pytest.raises(ValueError, match="learning_rate"):
        TrainSettings(max_steps=1, window=4, hidden_size=4, learning_rate=-1.0, batch_size=8)
    with pytest.raises(ValueError, match="max_steps"):
        TrainSettings(max_steps=0)
    with pytest.raises(ValueError, match="patience"):
        TrainSettings(patience=1.5)
    with pytest.raises(ValueError, match="quantile_grid"):
        TrainSettings(quantile_grid=(0.5, 1.5))


def test_make_scenario_rejects_bad_input_before_loading(monkeypatch):
    # these raise before any data is read: no data directory is needed
    monkeypatch.setenv("SPLITALLOC_DATA_DIR", "/nonexistent-splitalloc-dir")
    with pytest.raises(ValueError, match="unknown dataset 'mnist'"):
        make_scenario("mnist", seed=0)
    with pytest.raises(ValueError, match="Sigma"):
        make_scenario("geant", seed=0, Sigma=-1.0)
    with pytest.raises(ValueError, match="M must be"):
        make_scenario("geant", seed=0, M=0.0)


@pytest.fixture(scope="module")
def geant():
    return make_scenario("geant", seed=0)


def test_make_scenario_on_geant(geant):
    s = geant
    assert s.services == ["AlexNet", "VGG16", "FACE"]
    assert 0 < s.train_end < s.val_end < s.n_slots
    assert s.deployment.splitting
    assert s.problem.G.shape == (23 + 74 + 6, 3)
    assert s.M == 100.0 and s.Sigma == 30.0
    # our torch h equals the problem's own h (eq. 4b)
    lp = fw._LP(s.problem)
    D = np.abs(np.random.default_rng(0).normal(100, 10, (4, 3)))
    h = lp.h(torch.tensor(s.C_true), torch.tensor(s.B_true), torch.tensor(D)).numpy()
    np.testing.assert_allclose(h, s.problem.h(s.C_true, s.B_true, D))
    # M, Sigma set both means and both deviations (eqs. 14-15)
    s2 = make_scenario("geant", seed=0, M=60.0, Sigma=0.0)
    assert (s2.network.mu_C, s2.network.mu_B, s2.network.sigma_C, s2.network.sigma_B) == (60, 60, 0, 0)
    np.testing.assert_allclose(s2.C_true[s2.network.usable_servers], 60.0)


def test_geant_non_splitting_and_offline_bound(geant):
    ns = fw.non_splitting_variant(geant)
    assert not ns.deployment.splitting and np.all(ns.deployment.b == 0)
    np.testing.assert_array_equal(ns.network.C, geant.network.C)
    tiny = TrainSettings(max_steps=4, eval_every=2, window=4, hidden_size=4, learning_rate=1e-2,
                         batch_size=64)
    off = run_framework("offline", geant, seed=0, settings=tiny)
    for name in ("non-splitting", "objective-driven"):
        df = run_framework(name, geant, seed=0, settings=tiny)
        assert np.all(df.groupby("time")["served"].sum().to_numpy()
                      <= off.groupby("time")["served"].sum().to_numpy() + 1e-6)
        assert df.attrs["splitting"] == (name != "non-splitting")


def test_progress_bar_and_thread_setting_restored(scenario, capsys):
    before = torch.get_num_threads()
    df = run_framework("two-stage-lstm", scenario, seed=0, settings=TINY, progress=True)
    assert len(df) > 0
    assert "two-stage-lstm" in capsys.readouterr().err      # tqdm writes to stderr
    assert torch.get_num_threads() == before


def test_naive_forecasters_read_the_past_only(runs, scenario):
    series = scenario.arrivals.to_numpy()
    t = np.arange(scenario.val_end, scenario.n_slots)
    pers = runs["two-stage-persistence"]["D_pred"].to_numpy().reshape(-1, 2)
    seas = runs["two-stage-seasonal"]["D_pred"].to_numpy().reshape(-1, 2)
    np.testing.assert_array_equal(pers, series[t - 1])
    np.testing.assert_array_equal(seas, series[t - 4])            # 6-hour slots: a day = 4 slots
    assert runs["two-stage-seasonal"].attrs["lag"] == 4
    with pytest.raises(ValueError, match="lag must be a positive integer"):
        fw.naive_forecast(series, t, 0)
    with pytest.raises(ValueError, match="before the series"):
        fw.naive_forecast(series, np.array([2]), 3)


def test_seasonal_period_day_or_week():
    assert fw.seasonal_period(pd.date_range("2005-01-01", periods=3, freq="15min")) == 96
    assert fw.seasonal_period(pd.date_range("2006-07-01", periods=3, freq="1D")) == 7
    with pytest.raises(ValueError, match="no seasonal period for a slot of 7 days"):
        fw.seasonal_period(pd.date_range("2006-07-01", periods=3, freq="7D"))
    with pytest.raises(ValueError, match="DatetimeIndex"):
        fw.seasonal_period(pd.RangeIndex(5))


def test_standardisation_uses_the_training_period_only(scenario):
    data = fw._prepare(scenario, TINY)
    train = scenario.arrivals.to_numpy()[: scenario.train_end]
    np.testing.assert_allclose(data.mean, train.mean(0))
    np.testing.assert_allclose(data.std, train.std(0))
    moved = replace(scenario, arrivals=scenario.arrivals.assign(
        AlexNet=np.r_[scenario.arrivals["AlexNet"].to_numpy()[: scenario.train_end],
                      np.full(scenario.n_slots - scenario.train_end, 99.0)]))
    data2 = fw._prepare(moved, TINY)
    np.testing.assert_array_equal(data.mean, data2.mean)
    np.testing.assert_array_equal(data.std, data2.std)


def test_early_stopping_keeps_the_best_validation_state(scenario):
    st = replace(TINY, max_steps=400, eval_every=5, patience=3)
    data = fw._prepare(scenario, st)
    fw._PREDICTOR_CACHE.clear()
    model, log = fw._train_predictor(scenario, data, st, 0)
    assert log.stopped_early and log.steps < 400
    assert log.steps == 5 * len(log.val_score) and log.best_step % 5 == 0
    best = int(np.argmin(log.val_score))
    assert log.best_step == 5 * (best + 1) and len(log.val_score) - 1 - best == 3   # patience ran out
    z = model(data.X["val"]).detach()
    assert float(((data.z("val") - z) ** 2).mean()) == pytest.approx(min(log.val_score), rel=1e-5)
    # the cache returns the same trained model, and so the same numbers
    again, log2 = fw._train_predictor(scenario, data, st, 0)
    torch.testing.assert_close(again(data.X["val"]), z)
    assert log2.as_dict() == log.as_dict()


def test_objective_driven_stops_on_validation_revenue(scenario):
    st = replace(TINY, max_steps=60, eval_every=5, patience=4)
    df = run_framework("objective-driven", scenario, seed=0, settings=st)
    tr = df.attrs["training"]
    assert tr["best_step"] <= tr["steps"] <= 60 and len(tr["val_score"]) == tr["steps"] // 5
    assert all(v <= 0 for v in tr["val_score"])                    # minus a revenue
    warm = run_framework("objective-driven-warm", scenario, seed=0, settings=st)
    assert not np.array_equal(warm["D_pred"].to_numpy(), df["D_pred"].to_numpy())


def test_auto_normalisation_keeps_the_better_validation_fit(scenario):
    st = replace(TINY, max_steps=40, eval_every=5, patience=3)
    data = fw._prepare(scenario, st)
    fits = {m: fw._train_predictor(scenario, data, replace(st, input_normalisation=m), 1)[1]
            for m in ("global", "window")}
    model, log = fw._train_predictor(scenario, data, st, 1)
    best = min(fits, key=lambda m: min(fits[m].val_score))
    assert log.input_normalisation == best and model.window_level == (best == "window")
    with pytest.raises(ValueError, match="input_normalisation must be one of"):
        TrainSettings(input_normalisation="robust")


def test_ablations_isolate_forecaster_and_capacities(runs):
    """objective-driven-frozen keeps Ĉ, B̂ at the means (only the forecaster learns through the
    layer); two-stage-fitted keeps the two-stage LSTM's forecast and learns only Ĉ, B̂."""
    frozen = runs["objective-driven-frozen"].attrs
    np.testing.assert_array_equal(frozen["C_hat"] + frozen["B_hat"], [6.0, 6.0, 6.0])
    fitted, lstm = runs["two-stage-fitted"], runs["two-stage-lstm"]
    np.testing.assert_allclose(fitted["D_pred"], lstm["D_pred"], rtol=1e-12)
    assert not np.allclose(fitted.attrs["C_hat"] + fitted.attrs["B_hat"], 6.0)
    assert not np.allclose(runs["objective-driven-frozen"]["D_pred"], lstm["D_pred"])
