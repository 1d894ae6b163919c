"""The naive forecasters read the past only; the season of a time index."""

import numpy as np
import pandas as pd
import pytest

from splitalloc.frameworks import naive_forecast, seasonal_period


def test_naive_forecasters_read_the_past_only(runs, scenario):
    series = scenario.arrivals.to_numpy()
    t = np.arange(scenario.val_end, scenario.n_slots)
    pers = runs["two-stage-persistence"]["D_pred"].to_numpy().reshape(-1, 2)
    seas = runs["two-stage-seasonal"]["D_pred"].to_numpy().reshape(-1, 2)
    np.testing.assert_array_equal(pers, series[t - 1])
    np.testing.assert_array_equal(seas, series[t - 4])            # 6-hour slots: a day = 4 slots
    assert runs["two-stage-seasonal"].attrs["lag"] == 4
    with pytest.raises(ValueError, match="lag must be a positive integer"):
        naive_forecast(series, t, 0)
    with pytest.raises(ValueError, match="before the series"):
        naive_forecast(series, np.array([2]), 3)


def test_seasonal_period_day_or_week():
    assert seasonal_period(pd.date_range("2005-01-01", periods=3, freq="15min")) == 96
    assert seasonal_period(pd.date_range("2006-07-01", periods=3, freq="1D")) == 7
    with pytest.raises(ValueError, match="no seasonal period for a slot of 7 days"):
        seasonal_period(pd.date_range("2006-07-01", periods=3, freq="7D"))
    with pytest.raises(ValueError, match="DatetimeIndex"):
        seasonal_period(pd.RangeIndex(5))
