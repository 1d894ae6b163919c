"""splitalloc.diagnostics, LPProblem.row_labels and the method-page plots, on a small LP with a
known answer: max 2 d1 + d2 s.t. d1 + d2 <= 3 (one server), d <= D = (2, 2), d >= 0.

Optimum d* = (2, 1), revenue 5; active rows: the server (lambda 1) and d1 <= 2 (lambda 2 - 1 = 1),
so d(revenue)/dh = (1, 1, 0, 0, 0) (eqs. 7-12)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from splitalloc import diagnostics, plots
from splitalloc.problem import LPProblem

G = np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
P = np.array([2.0, 1.0])
H = np.array([3.0, 2.0, 2.0, 0.0, 0.0])
PROB = LPProblem(G=G, p=P, n_servers=1, n_links=0, n_services=2)


def test_row_labels_order_and_names():
    assert PROB.row_labels(["A", "V"]) == ["server 0 capacity C_0", "demand bound of A", "demand bound of V",
                                           "non-negativity of A", "non-negativity of V"]
    assert PROB.row_labels()[1] == "demand bound of service 0"
    assert len(PROB.row_labels()) == PROB.m
    with pytest.raises(ValueError, match="2 services"):
        PROB.row_labels(["only one"])


def test_row_labels_links_block():
    prob = LPProblem(G=np.vstack([[[1.0]], [[0.5]], [[0.2]], [[1.0]], [[-1.0]]]), p=np.array([1.0]),
                     n_servers=1, n_links=2, n_services=1)
    assert prob.row_labels(["F"])[1:3] == ["link 0 capacity B_0", "link 1 capacity B_1"]


def test_compare_with_highs_known_optimum():
    res = diagnostics.compare_with_highs(P, G, H, services=["A", "V"])
    assert res.objective_layer == pytest.approx(5.0) and res.objective_highs == pytest.approx(5.0)
    assert res.objectives_agree
    np.testing.assert_allclose(res.allocation["d_layer"], [2.0, 1.0], atol=1e-9)
    assert list(res.allocation["service"]) == ["A", "V"]
    # a disagreement is reported as such
    off = diagnostics.HighsComparison(res.allocation, 5.0, 5.1, 1e-9)
    assert not off.objectives_agree


def test_active_constraints_known_set():
    act = diagnostics.active_constraints(P, G, H, labels=PROB.row_labels(["A", "V"]))
    assert list(act["row"]) == [0, 1]
    np.testing.assert_allclose(act["lam"], [1.0, 1.0], atol=1e-9)
    np.testing.assert_allclose(act["slack"], [0.0, 0.0], atol=1e-9)
    assert act["label"].iloc[1] == "demand bound of A"


def test_finite_difference_check_matches_analytic_gradient():
    df = diagnostics.finite_difference_check(P, G, H, step=1e-4, labels=PROB.row_labels(["A", "V"]))
    assert list(df.columns) == ["row", "label", "h", "eps", "autograd", "finite_difference", "multiplier",
                                "abs_error"]
    np.testing.assert_allclose(df["autograd"], [1, 1, 0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(df["finite_difference"], [1, 1, 0, 0, 0], atol=1e-6)
    np.testing.assert_allclose(df["multiplier"], df["autograd"], atol=1e-9)
    assert df["abs_error"].max() < 1e-6
    np.testing.assert_allclose(df["eps"], 1e-4 * np.maximum(1, H))
    summ = diagnostics.gradient_check_summary(df)
    assert summ["n_rows"] == 5 and summ["n_nonzero"] == 2
    assert summ["matches_finite_difference"] and summ["equals_multipliers"]
    bad = diagnostics.gradient_check_summary(df.assign(multiplier=df["multiplier"] + 0.5))
    assert not bad["equals_multipliers"]


def test_finite_difference_check_sees_a_kink():
    # at d1 + d2 = 3 with D1 = 3 the vertex is degenerate: the one-sided slopes differ, so the
    # central difference is their average and differs from the autograd gradient
    h = np.array([3.0, 3.0, 2.0, 0.0, 0.0])
    df = diagnostics.finite_difference_check(P, G, h, step=1e-3)
    assert df["abs_error"].max() > 0.1
    assert not diagnostics.gradient_check_summary(df)["matches_finite_difference"]


@pytest.mark.parametrize("kwargs, match", [
    (dict(h=H[:4]), "shape"), (dict(h=np.array([3.0, np.nan, 2, 0, 0])), "non-finite"),
])
def test_bad_input_raises(kwargs, match):
    with pytest.raises(ValueError, match=match):
        diagnostics.finite_difference_check(P, G, kwargs["h"], step=1e-4)


def test_bad_step_and_labels_raise():
    with pytest.raises(ValueError, match="step"):
        diagnostics.finite_difference_check(P, G, H, step=0.0)
    with pytest.raises(ValueError, match="labels"):
        diagnostics.active_constraints(P, G, H, labels=["a"])


def test_plot_gradient_check_shows_nonzero_rows():
    df = diagnostics.finite_difference_check(P, G, H, step=1e-4, labels=PROB.row_labels(["A", "V"]))
    fig = plots.plot_gradient_check(df)
    assert list(fig.data[0].x) == ["server 0 capacity C_0", "demand bound of A"]
    assert fig.layout.title.text and fig.layout.xaxis.title.text and "revenue" in fig.layout.yaxis.title.text
    with pytest.raises(ValueError, match="finite_difference_check"):
        plots.plot_gradient_check(df.drop(columns="autograd"))


def _bench() -> pd.DataFrame:
    return pd.DataFrame({"method": ["ours: forward", "HiGHS loop"], "median_ms": [3.0, 900.0],
                         "best_ms": [2.5, 880.0], "per_lp_us": [4.3, 1290.0], "ratio": [1.0, 300.0],
                         "torch": "2.13.0", "threads": 2, "load_avg_1min": 1.0, "date": "2026-11-28 09:21 UTC",
                         "batch": 700})


def test_benchmark_plot_and_table():
    fig = plots.plot_lp_layer_benchmark(_bench())
    assert fig.layout.xaxis.type == "log" and "µs" in fig.layout.xaxis.title.text
    assert list(fig.data[0].marker.color) == ["#d62728", "#7f7f7f"]
    assert "700" in fig.layout.title.subtitle.text
    html = plots.lp_layer_table_styled(_bench()).to_html()
    assert "per LP [µs]" in html and "1290.0" in html
    with pytest.raises(ValueError, match="lp_layer.csv"):
        plots.plot_lp_layer_benchmark(_bench().drop(columns="per_lp_us"))


def test_benchmark_cases_chart_table_and_scaling_vs_K():
    df = pd.concat([_bench().assign(case="K=3"), _bench().assign(case="K=50", per_lp_us=[40.0, 900.0])])
    df["note"] = ""
    fig = plots.plot_lp_layer_benchmark(df)
    assert [t.name for t in fig.data] == ["K=3", "K=50"] and fig.layout.barmode == "group"
    html = plots.lp_layer_table_styled(df).to_html()
    assert "K=50" in html and "per LP [µs]" in html
    sc = pd.DataFrame({"N": [23, 23, 100, 100], "K": [3, 50, 3, 50], "batch": 700, "m": [100, 200, 400, 500],
                       "forward_ms": [1.0, 40.0, 1.5, 45.0], "forward_backward_ms": [1.2, 50.0, 1.8, 55.0],
                       "moreau_ms": [30.0, 500.0, 40.0, float("nan")]})
    fk = plots.plot_scaling_K(sc)
    assert [t.name for t in fk.data] == ["N=23, lp_solve", "N=23, Moreau", "N=100, lp_solve", "N=100, Moreau"]
    assert fk.layout.xaxis.type == "log" and fk.data[1].line.dash == "dash"
    fn = plots.plot_scaling(sc)
    assert any("Moreau" in t.name for t in fn.data)
    with pytest.raises(ValueError, match="scaling"):
        plots.plot_scaling_K(sc.drop(columns="K"))


def test_committed_benchmark_csv_is_readable():
    from splitalloc.provenance import REPO_ROOT

    csv = REPO_ROOT / "benchmarks" / "results" / "lp_layer.csv"
    df = pd.read_csv(csv)
    assert {"case", "K", "method", "median_ms", "best_ms", "per_lp_us", "ratio", "torch", "threads",
            "load_avg_1min", "date"} <= set(df.columns)
    timed = df[df["median_ms"].notna()]
    assert (timed["per_lp_us"] > 0).all() and (timed["best_ms"] <= timed["median_ms"]).all()
    for _, s in df.groupby("case"):
        assert s.loc[s["method"] == "ours: lp_solve forward+backward", "ratio"].item() == pytest.approx(1.0)
    assert df["method"].str.startswith("Moreau").any()
    # every instance of every case agrees with HiGHS (objective) for our layer
    ours = df[df["method"] == "ours: lp_solve forward+backward"]
    assert (ours["obj_gap_vs_highs"] <= 1e-9).all()
