"""splitalloc.data.arrivals: the rule from traffic to the per-service arrivals ``D_k(t)`` on every
real dataset, recomputed independently; the cap and the scale fitted on the training period
only; ``mean_arrival`` passed explicitly or read from config at the entry; bad arguments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from splitalloc import config, data
from splitalloc.data import DataFormatError, arrivals

#: every series is rescaled to this training-period mean (config service_mean_arrival)
MEAN = float(config.value("service_mean_arrival"))

SUBSET_TAR = data.GEANT_TM_SUBSET

def test_service_arrivals_geant_may_rule(data_dir, traffic):
    arr = data.service_arrivals("geant-may", data_dir=data_dir)
    names = list(config.value("service_names"))
    assert list(arr.columns) == names and arr.shape == (322, 3)        # 2 empty slots dropped
    assert arr.index[0] == pd.Timestamp("2005-05-04 15:30")
    assert (np.diff(arr.index) == pd.Timedelta("15min")).all()
    assert (arr.dtypes == np.float64).all() and np.isfinite(arr.to_numpy()).all()
    assert (arr.to_numpy() >= 0).all()
    n_fit = data.training_slots(322)
    assert arr.attrs["fit_slots"] == n_fit == 193
    np.testing.assert_allclose(arr.iloc[:n_fit].mean().to_numpy(), config.value("service_mean_arrival"))
    a = arr.attrs
    assert a["dataset"] == "geant-may" and a["unit"] == "Mb/slot" and a["slot"] == "15min"
    assert a["synthetic"] is False and a["dropped_slots"] == ["2005-05-04 15:00:00", "2005-05-04 15:15:00"]
    (path, digest), = a["files"].items()
    assert path.endswith(SUBSET_TAR) and digest == data.load_registry()[SUBSET_TAR].sha256
    # the rule, recomputed independently: Mbit/s originating at the region x 900 s, then scaled
    tm = traffic.iloc[2:]
    for name, group in zip(names, config.value("geant_service_sources")):
        raw = tm.loc[:, tm.columns.get_level_values("source").isin(group)].sum(axis=1) * 900.0
        fit = raw.iloc[:n_fit].mean()                                    # training period only
        np.testing.assert_allclose(arr[name].to_numpy(), raw.to_numpy() * MEAN / fit, rtol=1e-12)
        assert a["scale"][name] == pytest.approx(MEAN / fit)
    assert sum(len(g) for g in config.value("geant_service_sources")) == 22


def test_service_arrivals_kaggle_rule_and_cap(data_dir, kaggle):
    arr = data.service_arrivals("kaggle", data_dir=data_dir)
    assert arr.shape == (92, 3) and (np.diff(arr.index) == pd.Timedelta("1D")).all()
    assert arr.attrs["slot"] == "1D" and arr.attrs["synthetic"] is False
    n_fit = data.training_slots(92)
    np.testing.assert_allclose(arr.iloc[:n_fit].mean().to_numpy(), MEAN)
    assert arr.attrs["capped_slots"] == {"VGG16": ["2006-09-17 00:00:00", "2006-09-18 00:00:00"]}
    daily = kaggle.pivot_table(index="date", columns="l_ipn", values="f", aggfunc="sum", fill_value=0)
    for name, group in zip(config.value("service_names"), config.value("kaggle_service_workstations")):
        raw = daily[list(group)].sum(axis=1).astype(float)
        raw = raw.clip(upper=20.0 * raw.iloc[:n_fit].median())            # training median
        np.testing.assert_allclose(arr[name].to_numpy(), raw.to_numpy() * MEAN / raw.iloc[:n_fit].mean(),
                                   rtol=1e-12)
    uncapped = data.service_arrivals("kaggle", data_dir=data_dir, cap_median_multiple=None)
    assert uncapped.attrs["capped_slots"] == {}
    assert uncapped["VGG16"].max() > 30 * uncapped["VGG16"].median()  # the burst the cap removes
    np.testing.assert_allclose(uncapped["AlexNet"], arr["AlexNet"])    # other services untouched


def test_service_arrivals_geant_is_the_week(data_dir):
    arr = data.service_arrivals("geant", data_dir=data_dir)
    assert arr.shape == (677, 3) and arr.attrs["dataset"] == "geant" and arr.attrs["fit_slots"] == 406
    np.testing.assert_allclose(arr.iloc[:406].mean().to_numpy(), MEAN)
    tm = data.load_geant_traffic("week", data_dir)
    for name, group in zip(config.value("service_names"), config.value("geant_service_sources")):
        raw = tm.loc[:, tm.columns.get_level_values("source").isin(group)].sum(axis=1) * 900.0
        np.testing.assert_allclose(arr[name].to_numpy(), raw.to_numpy() * MEAN / raw.iloc[:406].mean(),
                                   rtol=1e-12)


def test_service_arrivals_bad_arguments(data_dir):
    with pytest.raises(ValueError, match="dataset must be one of"):
        data.service_arrivals("totem", data_dir=data_dir)
    with pytest.raises(ValueError, match="cap_median_multiple"):
        data.service_arrivals("kaggle", data_dir=data_dir, cap_median_multiple=-1)
    with pytest.raises(ValueError, match="variant"):
        data.load_geant_traffic("half", data_dir)


def test_trim_and_fill_drops_edges_and_interpolates_interior():
    idx = pd.date_range("2005-05-04 15:00", periods=6, freq="15min")
    raw = pd.DataFrame({"a": [0.0, 2.0, 0.0, 6.0, 8.0, 0.0]}, index=idx)
    empty = pd.Series([True, False, True, False, False, True], index=idx)
    out, notes = data.trim_and_fill(raw.drop(idx[3]), empty.drop(idx[3]), "15min")   # idx[3] missing
    assert list(out.index) == list(idx[1:5])
    np.testing.assert_allclose(out["a"], [2.0, 4.0, 6.0, 8.0])   # interior empty slot and gap filled
    assert notes == {"dropped_slots": [str(idx[0]), str(idx[5])], "interpolated_slots": 2}
    with pytest.raises(DataFormatError, match="every slot"):
        data.trim_and_fill(raw, pd.Series(True, index=idx), "15min")


def test_preprocessing_statistics_come_from_the_training_period_only():
    rng = np.random.default_rng(0)
    idx = pd.date_range("2020-01-01", periods=50, freq="15min")
    raw = pd.DataFrame(rng.uniform(1, 2, size=(50, 2)), index=idx, columns=["A", "B"])
    raw.iloc[5, 0] = 100.0                                      # a training-period burst
    n_fit = data.training_slots(50)
    assert n_fit == 30
    out, scale, capped = data.preprocess(raw, cap_median_multiple=20.0, mean_arrival=MEAN)
    changed = raw.copy()
    changed.iloc[n_fit:] = rng.uniform(0, 1000, size=(50 - n_fit, 2))  # a wholly different future
    out2, scale2, capped2 = data.preprocess(changed, cap_median_multiple=20.0, mean_arrival=MEAN)
    assert scale == scale2
    pd.testing.assert_frame_equal(out.iloc[:n_fit], out2.iloc[:n_fit])
    assert capped["A"] == capped2["A"][:1] == [str(idx[5])]
    np.testing.assert_allclose(out.iloc[:n_fit].mean().to_numpy(), config.value("service_mean_arrival"))
    # the cap level is the training median's multiple, applied to the future as well
    assert out2["A"].iloc[n_fit:].max() <= 20.0 * raw["A"].iloc[:n_fit].median() * scale["A"] + 1e-9
    with pytest.raises(ValueError, match="train_end must be in 1..50"):
        data.preprocess(raw, cap_median_multiple=None, mean_arrival=MEAN, train_end=0)
    with pytest.raises(DataFormatError, match="no traffic in the training period"):
        data.preprocess(raw.assign(B=np.r_[np.zeros(30), np.ones(20)]), cap_median_multiple=None,
                        mean_arrival=MEAN)


def test_real_arrivals_do_not_depend_on_their_test_period(data_dir, monkeypatch):
    """Rewriting the GEANT week's last 40 % (validation + test) leaves the first 60 % unchanged."""
    week = data.load_geant_traffic("week", data_dir)
    base = data.service_arrivals("geant", data_dir=data_dir)
    fake = week.copy()
    fake.iloc[406:] = fake.iloc[406:].to_numpy() * 7.0
    fake.attrs = dict(week.attrs)
    monkeypatch.setattr(arrivals, "load_geant_traffic", lambda *a, **k: fake)
    moved = data.service_arrivals("geant", data_dir=data_dir)
    assert moved.attrs["scale"] == base.attrs["scale"]
    pd.testing.assert_frame_equal(moved.iloc[:406], base.iloc[:406])
    np.testing.assert_allclose(moved.iloc[406:].to_numpy(), base.iloc[406:].to_numpy() * 7.0, rtol=1e-12)


def test_training_slots_matches_the_split_of_the_experiments():
    from splitalloc.models import split_bounds

    for n in (92, 322, 677, 3500, 7):
        assert data.training_slots(n) == split_bounds(n, config.value("train_fraction"),
                                                      config.value("val_fraction"))[0]
    with pytest.raises(ValueError, match="n_slots must be a positive integer"):
        data.training_slots(0)


def test_service_arrivals_with_other_node_groups(data_dir):
    """``sources=`` replaces geant_service_sources (the robustness page permutes the mapping)."""
    groups = config.value("geant_service_sources")
    swapped = (groups[2], groups[1], groups[0])
    base = data.service_arrivals("geant-may", data_dir=data_dir)
    other = data.service_arrivals("geant-may", data_dir=data_dir, sources=swapped)
    np.testing.assert_allclose(other["AlexNet"].to_numpy(), base["FACE"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(other["FACE"].to_numpy(), base["AlexNet"].to_numpy(), rtol=1e-12)
    assert other.attrs["sources"] == swapped and "sources" not in base.attrs
    with pytest.raises(ValueError, match="GEANT datasets only"):
        data.service_arrivals("kaggle", data_dir=data_dir, sources=swapped)
    with pytest.raises(DataFormatError, match="not in the traffic data"):
        data.service_arrivals("geant-may", data_dir=data_dir, sources=(("xx1.xx",), groups[1], groups[2]))


# ------------------------------------------------------------------ mean_arrival, an argument


def test_mean_arrival_passed_explicitly_scales_the_series(data_dir):
    """``mean_arrival`` sets the training-period mean; the series is the default one times
    ``mean_arrival / service_mean_arrival`` (one constant per service, every pattern kept)."""
    base = data.service_arrivals("geant", data_dir=data_dir)
    n_fit = base.attrs["fit_slots"]
    for target in (7.5, 120, np.float64(35.0)):
        arr = data.service_arrivals("geant", data_dir=data_dir, mean_arrival=target)
        np.testing.assert_allclose(arr.iloc[:n_fit].mean().to_numpy(), float(target), rtol=1e-12)
        np.testing.assert_allclose(arr.to_numpy(), base.to_numpy() * float(target) / MEAN, rtol=1e-12)
        assert arr.attrs["mean_arrival"] == float(target)
        expected = {k: v * float(target) / MEAN for k, v in base.attrs["scale"].items()}
        assert arr.attrs["scale"] == pytest.approx(expected)
    kg = data.service_arrivals("kaggle", data_dir=data_dir, mean_arrival=10.0)
    np.testing.assert_allclose(kg.iloc[:kg.attrs["fit_slots"]].mean().to_numpy(), 10.0)


def test_mean_arrival_defaults_to_config_read_at_the_entry(data_dir, monkeypatch):
    """``mean_arrival=None`` reads config ``service_mean_arrival`` in :func:`service_arrivals`;
    the functions below it take the value as an argument and never read the config."""
    base = data.service_arrivals("geant-may", data_dir=data_dir)
    assert base.attrs["mean_arrival"] == MEAN
    explicit = data.service_arrivals("geant-may", data_dir=data_dir, mean_arrival=MEAN)
    pd.testing.assert_frame_equal(base, explicit, check_exact=True)
    real_value = config.value

    def no_mean(name):
        assert name != "service_mean_arrival", "read below the entry point"
        return real_value(name)

    monkeypatch.setattr(config, "value", no_mean)
    out, _, _ = data.preprocess(base, cap_median_multiple=None, mean_arrival=3.0)
    np.testing.assert_allclose(out.iloc[:base.attrs["fit_slots"]].mean().to_numpy(), 3.0)
    pd.testing.assert_frame_equal(data.service_arrivals("geant-may", data_dir=data_dir, mean_arrival=MEAN),
                                  base, check_exact=True)
    with pytest.raises(TypeError, match="mean_arrival"):
        data.preprocess(base, cap_median_multiple=None)                 # no hidden default


@pytest.mark.parametrize("bad", [0, 0.0, -35.0, float("nan"), float("inf"), True, "35", None])
def test_invalid_mean_arrival_is_one_clear_error(data_dir, bad):
    msg = r"mean_arrival must be a finite number > 0 .*got "
    if bad is not None:        # None means "the config default" at the entry point
        with pytest.raises(ValueError, match=msg):
            data.service_arrivals("kaggle", data_dir=data_dir, mean_arrival=bad)
    frame = pd.DataFrame({"A": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match=msg):
        data.preprocess(frame, cap_median_multiple=None, mean_arrival=bad)


def test_invalid_config_mean_arrival_names_the_parameter(data_dir, monkeypatch):
    real_value = config.value
    monkeypatch.setattr(config, "value", lambda name: 0.0 if name == "service_mean_arrival" else real_value(name))
    msg = r"mean_arrival must be a finite number > 0 .*service_mean_arrival.*got 0\.0"
    with pytest.raises(ValueError, match=msg):
        data.service_arrivals("geant-may", data_dir=data_dir)


def test_kaggle_cap_and_scale_frozen_on_the_first_origin(data_dir, monkeypatch):
    """The cap and the Mb scale are fitted on days [0, 35) (the first origin's training period)
    only: multiplying every flow after day 35 by 10 changes no factor and no day before 35."""
    from splitalloc import scenario

    base = scenario.scenario_arrivals("kaggle", data_dir=data_dir)
    assert base.attrs["fit_slots"] == 35
    np.testing.assert_allclose(base.iloc[:35].mean().to_numpy(), MEAN)
    real_load = arrivals.load_kaggle

    def shifted(data_dir=None):
        kg = real_load(data_dir)
        out = kg.copy()
        late = out["date"] >= sorted(out["date"].unique())[35]
        out.loc[late, "f"] = out.loc[late, "f"] * 10
        out.attrs = kg.attrs
        return out

    monkeypatch.setattr(arrivals, "load_kaggle", shifted)
    moved = data.service_arrivals("kaggle", data_dir=data_dir, fit_slots=35)
    assert moved.attrs["scale"] == base.attrs["scale"]
    pd.testing.assert_frame_equal(moved.iloc[:35], base.iloc[:35])
    assert (moved.iloc[35:].to_numpy() >= base.iloc[35:].to_numpy() - 1e-9).all()
    assert (moved.iloc[35:].to_numpy() > base.iloc[35:].to_numpy()).any()
    # the default (training period of the 60/20/20 split, 55 days) would see the shift
    assert data.service_arrivals("kaggle", data_dir=data_dir).attrs["scale"] != base.attrs["scale"]


@pytest.mark.parametrize("bad", [0, 93, 2.5, True])
def test_bad_fit_slots_is_a_clear_error(data_dir, bad):
    with pytest.raises(ValueError, match="fit_slots must be"):
        data.service_arrivals("kaggle", data_dir=data_dir, fit_slots=bad)
