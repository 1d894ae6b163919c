"""Helpers that the notebooks call instead of computing inline: scale overrides, run summaries,
Fig. 7's table, the parameter table filter, and the presentation functions of plots.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from splitalloc import config, experiments as ex, plots


def test_get_scale_overrides():
    base = ex.get_scale("quick")
    sc = ex.get_scale("quick", M_values=[40, 80], Sigma_values=["0", 30], datasets=["kaggle"])
    assert sc.M_sweep == (40.0, 80.0) and sc.sigma_sweep == (0.0, 30.0) and sc.datasets == ("kaggle",)
    assert sc.seeds == base.seeds
    assert ex.get_scale("quick") is base and ex.get_scale(base) is base
    with pytest.raises(ValueError, match="M_values"):
        ex.get_scale("quick", M_values=["lots"])
    with pytest.raises(ValueError, match="datasets"):
        ex.get_scale("quick", datasets="kaggle")
    with pytest.raises(ValueError, match="unknown scale"):
        ex.get_scale("huge", M_values=[1])


def _per_slot(n_slots=4):
    rows = []
    for fw, thr in (("offline", 10.0), ("objective-driven", 8.0)):
        for seed in range(3):
            for t in range(n_slots):
                rows.append(dict(data="real", framework=fw, seed=seed, slot=t, throughput=thr + seed,
                                 accuracy=0.9 + 0.01 * seed))
    return pd.DataFrame(rows)


def test_summarize_runs_counts_runs_not_slots():
    s = ex.summarize_runs(_per_slot(), ["data", "framework"], "throughput")
    assert list(s["n"]) == [3, 3]
    assert s.set_index("framework").loc["offline", "mean"] == pytest.approx(11.0)
    with pytest.raises(KeyError, match="seed"):
        ex.summarize_runs(_per_slot().drop(columns="seed"), ["framework"], "throughput")


def test_fig7_table_accuracy_in_percent():
    t = ex.fig7_table(_per_slot()).set_index("framework")
    assert list(t.columns) == ["mean_accuracy_pct", "ci95_low", "ci95_high", "mean_throughput"]
    assert t.loc["objective-driven", "mean_accuracy_pct"] == pytest.approx(91.0)
    assert t.loc["objective-driven", "mean_throughput"] == pytest.approx(9.0)
    assert t.loc["offline", "ci95_low"] < 91.0 < t.loc["offline", "ci95_high"]


def test_parameter_table_group_filter():
    full = config.parameter_table()
    g = full["group"].iloc[0]
    sub = config.parameter_table(g)
    assert len(sub) == (full["group"] == g).sum() and set(sub["group"]) == {g}
    with pytest.raises(ValueError, match="not a parameter group"):
        config.parameter_table("no-such-group")


def test_parameter_plots():
    table = config.parameter_table()
    fig = plots.plot_parameter_sources(table)
    assert sum(sum(t.y) for t in fig.data) == len(table)
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
    html = plots.parameters_styled(table).to_html()
    assert "#e8f1fb" in html


def _comparison():
    return pd.DataFrame({"artefact": ["Fig. 5", "Fig. 9"], "dataset": ["geant", "geant"],
                         "framework": ["offline", "objective-driven"], "setting": [None, "Sigma=30"],
                         "metric": ["throughput", "utility"], "unit": ["Mb/slot", "%"],
                         "paper": [200.0, 95.0], "mean": [190.0, np.nan], "ci95_low": [180.0, np.nan],
                         "ci95_high": [200.0, np.nan], "n": [3, 0], "difference": [-10.0, np.nan],
                         "comparable": [True, True], "note": ["", "not run"]})


def test_paper_vs_ours_plot_and_tables():
    fig = plots.plot_paper_vs_ours(_comparison())
    assert len(fig.data[0].y) == 1 and fig.data[0].y[0].startswith("Fig. 5 · geant · offline")
    assert list(fig.data[0].error_x.array) == [10.0]
    assert "ours" in plots.comparison_styled(_comparison()).to_html()
    claims = pd.DataFrame({"claim": ["a", "b"], "supported": [True, False]})
    html = plots.claims_styled(claims).to_html()
    assert "#e6f4ea" in html and "#fdecea" in html


def test_sweep_and_per_slot_figures_are_responsive_with_short_titles():
    df = _per_slot().assign(served=lambda d: d["throughput"], Sigma=30.0, utility=90.0)
    for fig in (plots.fig6_admitted_figure(df), plots.fig9_deviation_figure(df)):
        assert fig.layout.width is None and fig.layout.autosize
        assert len(fig.layout.title.text) <= 45, fig.layout.title.text
        assert "seeds" in fig.layout.title.subtitle.text
        assert fig.layout.legend.orientation == "h"
