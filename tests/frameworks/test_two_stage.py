"""Two-stage frameworks: the LP with the forecast and the mean capacities; the quantile choice."""

import numpy as np
import pytest

from hand_scenario import TINY


def test_two_stage_allocates_with_predicted_demand_and_mean_capacities(runs, scenario):
    # reference: HiGHS on the same LP with h = [mu_C; mu_B; D_pred; 0] (eq. 4b), slot by slot
    from scipy.optimize import linprog

    pr = scenario.problem
    for name in ("two-stage-lstm", "two-stage-bilstm", "two-stage-quantile", "two-stage-persistence"):
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
    attrs = runs["two-stage-quantile"].attrs
    assert attrs["quantile"] in TINY.quantile_grid
    assert set(attrs["val_revenue"]) == set(TINY.quantile_grid)
    assert attrs["val_revenue"][attrs["quantile"]] == max(attrs["val_revenue"].values())
