"""splitalloc.synthetic: recovery of known parameters, determinism, labelling, bad input,
and fits to the two real arrival series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from splitalloc import data
from splitalloc.synthetic import fit_synthetic

PERIOD = 24


def _known_series(n_periods=60, seed=0, phi=0.6, sigma=0.15, spike_rate=0.02, spike_mult=4.0):
    """Two services with a known sinusoidal profile, AR(1) log-noise and bursts."""
    rng = np.random.default_rng(seed)
    n = PERIOD * n_periods
    t = np.arange(n)
    cols = {}
    for k, (level, amp) in enumerate([(100.0, 0.5), (50.0, 0.2)]):
        profile = amp * np.sin(2 * np.pi * t / PERIOD + k)
        x = np.zeros(n)
        a = rng.standard_normal(n) * sigma * np.sqrt(1 - phi ** 2)
        x[0] = rng.standard_normal() * sigma
        for i in range(1, n):
            x[i] = phi * x[i - 1] + a[i]
        spikes = rng.random(n) < spike_rate
        cols[f"s{k}"] = level * np.exp(profile + x) * np.where(spikes, spike_mult, 1.0)
    idx = pd.date_range("2020-01-01", periods=n, freq="1h", name="time")
    df = pd.DataFrame(cols, index=idx)
    df.attrs = {"dataset": "toy", "unit": "Mb/slot", "slot": "1h", "synthetic": False, "files": {"x": "y"}}
    return df


def _deseasonalised_lag1(series: pd.Series) -> float:
    """Lag-1 autocorrelation of log(series) minus its per-phase mean (the noise's memory)."""
    y = np.log(series.to_numpy())
    phase = np.arange(len(y)) % PERIOD
    means = np.array([y[phase == j].mean() for j in range(PERIOD)])
    return float(pd.Series(y - means[phase]).autocorr())


@pytest.fixture(scope="module")
def toy():
    return _known_series()


@pytest.fixture(scope="module")
def toy_model(toy):
    return fit_synthetic(toy, period_slots=PERIOD)


def test_fit_recovers_known_parameters(toy_model):
    t = np.arange(PERIOD)
    s0, s1 = toy_model.services
    for fit, amp, shift in [(s0, 0.5, 0), (s1, 0.2, 1)]:
        truth = amp * np.sin(2 * np.pi * t / PERIOD + shift)
        assert np.corrcoef(fit.profile, truth)[0, 1] > 0.97
        assert np.ptp(fit.profile) == pytest.approx(2 * amp, rel=0.25)
        assert fit.sigma == pytest.approx(0.15, rel=0.2)
        assert fit.phi == pytest.approx(0.6, abs=0.12)
        assert 0.01 < fit.spike_rate < 0.04
        assert np.exp(np.median(fit.spike_sizes)) == pytest.approx(4.0, rel=0.3)
        assert fit.zero_prob == 0.0
    assert np.exp(s0.mu) == pytest.approx(100.0, rel=0.1)
    assert np.exp(s1.mu) == pytest.approx(50.0, rel=0.1)
    desc = toy_model.describe()
    assert list(desc.index) == ["s0", "s1"] and "spike_rate" in desc.columns


def test_sample_reproduces_statistics(toy, toy_model):
    syn = toy_model.sample(PERIOD * 200, seed=3)
    for col in toy.columns:
        assert syn[col].mean() == pytest.approx(toy[col].mean(), rel=0.1)
        assert syn[col].median() == pytest.approx(toy[col].median(), rel=0.1)
        q = toy[col].quantile(0.98)                                       # bursts fill the top tail
        assert (syn[col] > q).mean() == pytest.approx(0.02, abs=0.008)
        real_shape = toy[col].groupby(np.arange(len(toy)) % PERIOD).median()
        syn_shape = syn[col].groupby(np.arange(len(syn)) % PERIOD).median()
        assert np.corrcoef(real_shape, syn_shape)[0, 1] > 0.95       # same daily profile, in phase
        assert _deseasonalised_lag1(syn[col]) == pytest.approx(_deseasonalised_lag1(toy[col]), abs=0.08)
        assert _deseasonalised_lag1(toy[col]) > 0.15                    # the check has teeth


def test_same_seed_same_numbers_and_labels(toy, toy_model):
    a = toy_model.sample(500, seed=7)
    b = toy_model.sample(500, seed=7)
    c = toy_model.sample(500, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a.to_numpy(), c.to_numpy())
    g = toy_model.sample(500, seed=np.random.default_rng(7))
    assert g.shape == a.shape and g.attrs["seed"] is None
    assert a.attrs["synthetic"] is True and a.attrs["dataset"] == "toy-synthetic"
    assert a.attrs["fitted_to"] == "toy" and a.attrs["files"] == {"x": "y"} and a.attrs["seed"] == 7
    assert list(a.columns) == list(toy.columns) and (a.dtypes == np.float64).all()
    assert a.index[0] == toy.index[-1] + pd.Timedelta("1h")             # continues after the data
    assert (np.diff(a.index) == pd.Timedelta("1h")).all()
    assert np.isfinite(a.to_numpy()).all() and (a.to_numpy() >= 0).all()
    assert not toy.attrs.get("synthetic")                                 # the input is not relabelled


def test_zeros_and_weekly_factor():
    rng = np.random.default_rng(1)
    n = 7 * 24 * 4
    t = np.arange(n)
    weekly = np.where((t // 24) % 7 >= 5, -0.7, 0.0)                   # quiet weekends
    d = 80 * np.exp(0.3 * np.sin(2 * np.pi * t / 24) + weekly + 0.05 * rng.standard_normal(n))
    d[rng.random(n) < 0.1] = 0.0
    df = pd.DataFrame({"a": d}, index=pd.date_range("2021-01-04", periods=n, freq="1h"))
    m = fit_synthetic(df, period_slots=24, weekly_slots=168)
    s = m.services[0]
    assert s.zero_prob == pytest.approx(0.1, abs=0.03)
    assert s.weekly[5:].mean() - s.weekly[:5].mean() == pytest.approx(-0.7, abs=0.1)
    syn = m.sample(24 * 7 * 20, seed=0)
    assert (syn["a"] == 0).mean() == pytest.approx(0.1, abs=0.02)
    short = fit_synthetic(df.iloc[: 24 * 10], period_slots=24, weekly_slots=168)   # < 2 weeks
    assert short.weekly_slots is None


@pytest.mark.parametrize("mutate, kwargs, exc, match", [
    (lambda d: d.iloc[:30], {}, ValueError, "needs at least 48 slots"),
    (lambda d: d, {"period_slots": 1}, ValueError, "period_slots must be an integer >= 2"),
    (lambda d: d, {"period_slots": 24.0}, ValueError, "period_slots must be an integer"),
    (lambda d: d.assign(s0=-d["s0"]), {}, ValueError, "negative"),
    (lambda d: d.assign(s0=np.where(np.arange(len(d)) == 5, np.nan, d["s0"])), {}, ValueError, "NaN"),
    (lambda d: d.assign(s0=np.where(np.arange(len(d)) == 5, np.inf, d["s0"])), {}, ValueError, "infinite"),
    (lambda d: d.drop(d.index[10]), {}, ValueError, "regular"),
    (lambda d: d.reset_index(drop=True), {}, ValueError, "DatetimeIndex"),
    (lambda d: d["s0"], {}, TypeError, "DataFrame"),
    (lambda d: d, {"weekly_slots": 100}, ValueError, "multiple of period_slots"),
    (lambda d: d.assign(s0=0.0), {}, ValueError, "too few positive slots"),
])
def test_bad_input(toy, mutate, kwargs, exc, match):
    kw = {"period_slots": PERIOD, **kwargs}
    with pytest.raises(exc, match=match):
        fit_synthetic(mutate(toy.copy()), **kw)


def test_refuses_synthetic_input_and_bad_sample_args(toy_model):
    syn = toy_model.sample(PERIOD * 3, seed=1)
    with pytest.raises(ValueError, match="already synthetic"):
        fit_synthetic(syn, period_slots=PERIOD)
    with pytest.raises(ValueError, match="n_slots"):
        toy_model.sample(0, seed=1)
    with pytest.raises(TypeError, match="seed"):
        toy_model.sample(10, seed=1.5)


def test_fits_to_real_series(data_dir):
    for dataset, period, weekly in [("geant", 96, 672), ("kaggle", 7, None)]:
        real = data.service_arrivals(dataset, data_dir=data_dir)
        model = fit_synthetic(real, period_slots=period, weekly_slots=weekly)
        syn = model.sample(2000, seed=0)
        assert syn.attrs["dataset"] == f"{dataset}-synthetic" and syn.attrs["synthetic"] is True
        assert syn.attrs["files"] == real.attrs["files"] and syn.attrs["slot"] == real.attrs["slot"]
        assert list(syn.columns) == list(real.columns)
        assert np.isfinite(syn.to_numpy()).all() and (syn.to_numpy() >= 0).all()
        ratio = syn.median() / real.median()
        assert ((ratio > 0.8) & (ratio < 1.25)).all(), (dataset, ratio.to_dict())
        cap = real.attrs["cap_median_multiple"] * real.median()
        assert (syn.max() <= cap + 1e-9).all()                           # the real series' cap holds
    assert model.weekly_slots is None and model.period_slots == 7
