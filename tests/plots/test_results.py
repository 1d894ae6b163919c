"""``splitalloc.plots.results``: the paper's reported numbers on every §V figure. A trace whose
legend name says "paper", whose hover names the paper's figure or table, drawn as is where the
quantity is comparable (utility, accuracy) and as % of each side's Proposed framework where it
is not (absolute Mb/slot)."""

from __future__ import annotations

import numpy as np
import pytest

from splitalloc import experiments as ex, plots

from .frames import FRAMEWORKS, paper_number, per_slot, runs


def _paper_traces(fig):
    return [t for t in fig.data if t.name and "paper" in t.name.lower()]


def test_fig5_draws_both_sides_as_percent_of_proposed():
    fig = plots.fig5_splitting_figure(runs(FRAMEWORKS + ("non-splitting",)))
    (drawn,) = _paper_traces(fig)
    ratio = paper_number("Fig. 5", "LSTM, non-splitting", "mean throughput") / paper_number(
        "Fig. 5", "Proposed, splitting", "mean throughput")
    values = dict(zip(drawn.x, drawn.y))
    assert values["Proposed (splitting)"] == pytest.approx(100.0)
    assert values["Non-splitting (non-splitting)"] == pytest.approx(100 * ratio)
    ours = dict(zip(fig.data[0].x, fig.data[0].y))
    assert ours["Non-splitting (non-splitting)"] == pytest.approx(np.mean([100 * (40 + s) / (160 + s)
                                                                          for s in range(3)]))
    assert "% of Proposed" in fig.layout.yaxis.title.text
    assert "Mb/slot" not in fig.layout.yaxis.title.text
    assert drawn.customdata[0].startswith("Fig. 5") and "%{customdata}" in drawn.hovertemplate


@pytest.mark.parametrize("name", ["fig6", "fig10", "fig8"])
def test_absolute_throughput_figures_compare_in_percent_of_proposed(name):
    if name == "fig8":
        fig = plots.fig8_resource_figure(runs(settings=[{"M": m} for m in (40.0, 100.0, 120.0)]))
        artefact, dataset = "Fig. 8", "TOTEM"
    else:
        df = per_slot("kaggle" if name == "fig10" else "geant")
        fig = getattr(plots, {"fig6": "fig6_admitted_figure", "fig10": "fig10_kaggle_figure"}[name])(df)
        artefact, dataset = ("Fig. 10", "Kaggle") if name == "fig10" else ("Fig. 6", "TOTEM")
    (drawn,) = _paper_traces(fig)
    assert drawn.yaxis == "y2" and "% of Proposed" in fig.layout.yaxis2.title.text
    assert "Mb/slot" in fig.layout.yaxis.title.text  # ours only on the absolute axis
    expect = 100 * paper_number(artefact, "LSTM", "mean throughput") / paper_number(
        artefact, "Proposed", "mean throughput")
    assert dict(zip(drawn.x, drawn.y))["LSTM"] == pytest.approx(expect)
    assert all(artefact.split(",")[0] in s or "Sec. V" in s for s in drawn.customdata)
    assert all(dataset in s for s in drawn.customdata)
    names = [t.name for t in fig.data]
    assert "two-stage-made-up-forecaster" in names  # unknown framework: fallback name, drawn


def test_fig7_accuracy_is_compared_as_is():
    fig = plots.fig7_prediction_figure(per_slot())
    (drawn,) = _paper_traces(fig)
    assert dict(zip(drawn.x, drawn.y))["Proposed"] == pytest.approx(
        paper_number("Fig. 7", "Proposed", "prediction accuracy"))
    assert "Offline" not in drawn.x
    assert "%" in fig.layout.yaxis2.title.text and "Fig. 7" in drawn.name


@pytest.mark.parametrize("dataset", ["geant", "kaggle"])
def test_utility_sweeps_draw_the_table4_values(dataset):
    df = runs(settings=[{"Sigma": s} for s in (0.0, 30.0, 60.0)], dataset=dataset)
    t4 = df.rename(columns={"utility": "value"}).assign(metric="utility")
    figs = [plots.table4_figure(t4, dataset=dataset)]
    if dataset == "geant":
        figs.append(plots.fig9_deviation_figure(df))
    for fig in figs:
        drawn = _paper_traces(fig)
        assert len(drawn) == 3
        lstm = next(t for t in drawn if "LSTM" in t.name and "Bi" not in t.name)
        assert list(lstm.x) == [0, 10, 20, 30, 40, 50, 60]
        table = ex.paper_numbers()
        table = table[(table.artefact == "Table 4") & (table.framework == "LSTM")
                      & (table.dataset == ex.PAPER_DATASETS[dataset]) & (table.metric == "utility")]
        assert list(lstm.y) == list(table["value"])
        assert all(s.startswith("Table 4") for s in lstm.customdata)
        assert "% of offline" in fig.layout.yaxis.title.text


def test_table4_styled_puts_the_paper_in_brackets():
    df = runs(settings=[{"Sigma": s} for s in (0.0, 30.0)])
    df = df[df["framework"].isin(["two-stage-lstm", "objective-driven"])]
    t4 = df.rename(columns={"utility": "value"}).assign(metric="utility", label=df["framework"])
    html = plots.table4_styled(t4).to_html()
    lstm_0 = ex.paper_numbers().query("artefact == 'Table 4' and framework == 'LSTM' and dataset == 'TOTEM' "
                                      "and setting == 'Sigma=0'")["value"].iloc[0]
    assert f"[{lstm_0:.2f}]" in html and "Σ=30" in html and "[paper's value]" in html
    assert "[" not in plots.table4_styled(t4, with_paper=False).to_html().split("<tbody>")[1]


def test_sweep_and_per_slot_figures_are_responsive_with_short_titles():
    df = per_slot().assign(served=lambda d: d["throughput"], Sigma=30.0, utility=90.0)
    for fig in (plots.fig6_admitted_figure(df), plots.fig9_deviation_figure(df)):
        assert fig.layout.width is None and fig.layout.autosize
        assert len(fig.layout.title.text) <= 45, fig.layout.title.text
        assert "seeds" in fig.layout.title.subtitle.text
        assert fig.layout.legend.orientation == "h"
