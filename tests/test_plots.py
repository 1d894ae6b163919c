"""The paper's reported numbers on every §V figure (plots.py): a trace whose legend name says
"paper", whose hover names the paper's figure or table, drawn as is where the quantity is
comparable (utility, accuracy) and as % of each side's Proposed framework where it is not
(absolute Mb/slot). Frameworks the paper does not have (e.g. new naive forecasters) are drawn
with a fallback colour and name, never a crash."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from splitalloc import experiments as ex, plots

FRAMEWORKS = ("offline", "objective-driven", "two-stage-lstm", "two-stage-bilstm",
              "two-stage-made-up-forecaster")
#: Our throughput per framework (Mb/slot); every seed adds 1.
THROUGHPUT = {"offline": 200.0, "objective-driven": 160.0, "two-stage-lstm": 120.0,
              "two-stage-bilstm": 100.0, "two-stage-made-up-forecaster": 80.0, "non-splitting": 40.0}


def _runs(frameworks=FRAMEWORKS, settings=({},), dataset="geant"):
    rows = []
    for fw in frameworks:
        for seed in range(3):
            for extra in settings:
                rows.append({"dataset": dataset, "data": "real", "framework": fw, "seed": seed,
                             "M": 100.0, "Sigma": 30.0, "throughput": THROUGHPUT[fw] + seed,
                             "utility": THROUGHPUT[fw] / 2, "accuracy": 0.9, **extra})
    return pd.DataFrame(rows)


def _per_slot(dataset="geant"):
    df = _runs(settings=[{"time": t, "slot": t} for t in range(5)], dataset=dataset)
    return df.assign(served=df["throughput"], D_true=50.0, D_pred=48.0)


def _paper_traces(fig):
    return [t for t in fig.data if t.name and "paper" in t.name.lower()]


def _paper(artefact, framework, metric):
    p = ex.paper_numbers()
    return float(p[(p["artefact"] == artefact) & (p["framework"] == framework)
                   & (p["metric"] == metric)]["value"].iloc[0])


def test_paper_values_maps_names_and_sources():
    t4 = plots.paper_values("Table 4", dataset="kaggle", metric="utility")
    assert set(t4["framework_id"]) == {"objective-driven", "two-stage-lstm", "two-stage-bilstm"}
    assert sorted(t4["Sigma"].unique()) == [0, 10, 20, 30, 40, 50, 60]
    assert set(t4["source"]) == {"Table 4, Kaggle"}
    f5 = plots.paper_values("Fig. 5")
    assert set(f5["framework_id"]) == {"objective-driven", "non-splitting"}
    assert set(f5["source"]) == {"Fig. 5, Sec. V-B, TOTEM"}


def test_percent_of_reference_is_paired_by_seed():
    rel = plots.percent_of_reference(_runs(), "throughput").set_index(["framework", "seed"])
    assert rel.loc[("objective-driven", 2), "throughput"] == pytest.approx(100.0)
    assert rel.loc[("two-stage-lstm", 1), "throughput"] == pytest.approx(100 * 121 / 161)


def test_fig5_draws_both_sides_as_percent_of_proposed():
    fig = plots.fig5_splitting_figure(_runs(FRAMEWORKS + ("non-splitting",)))
    (paper,) = _paper_traces(fig)
    ratio = _paper("Fig. 5", "Proposed, non-splitting", "mean throughput") / _paper(
        "Fig. 5", "Proposed, splitting", "mean throughput")
    values = dict(zip(paper.x, paper.y))
    assert values["Proposed (splitting)"] == pytest.approx(100.0)
    assert values["Non-splitting (non-splitting)"] == pytest.approx(100 * ratio)
    ours = dict(zip(fig.data[0].x, fig.data[0].y))
    assert ours["Non-splitting (non-splitting)"] == pytest.approx(np.mean([100 * (40 + s) / (160 + s)
                                                                          for s in range(3)]))
    assert "% of Proposed" in fig.layout.yaxis.title.text
    assert "Mb/slot" not in fig.layout.yaxis.title.text
    assert paper.customdata[0].startswith("Fig. 5") and "%{customdata}" in paper.hovertemplate


@pytest.mark.parametrize("name", ["fig6", "fig10", "fig8"])
def test_absolute_throughput_figures_compare_in_percent_of_proposed(name):
    if name == "fig8":
        fig = plots.fig8_resource_figure(_runs(settings=[{"M": m} for m in (40.0, 100.0, 120.0)]))
        artefact, dataset = "Fig. 8", "TOTEM"
    else:
        df = _per_slot("kaggle" if name == "fig10" else "geant")
        fig = getattr(plots, {"fig6": "fig6_admitted_figure", "fig10": "fig10_kaggle_figure"}[name])(df)
        artefact, dataset = ("Fig. 10", "Kaggle") if name == "fig10" else ("Fig. 6", "TOTEM")
    (paper,) = _paper_traces(fig)
    assert paper.yaxis == "y2" and "% of Proposed" in fig.layout.yaxis2.title.text
    assert "Mb/slot" in fig.layout.yaxis.title.text  # ours only on the absolute axis
    expect = 100 * _paper(artefact, "LSTM", "mean throughput") / _paper(artefact, "Proposed", "mean throughput")
    assert dict(zip(paper.x, paper.y))["LSTM"] == pytest.approx(expect)
    assert all(artefact.split(",")[0] in s or "Sec. V" in s for s in paper.customdata)
    assert all(dataset in s for s in paper.customdata)
    names = [t.name for t in fig.data]
    assert "two-stage-made-up-forecaster" in names  # unknown framework: fallback name, drawn


def test_fig7_accuracy_is_compared_as_is():
    fig = plots.fig7_prediction_figure(_per_slot())
    (paper,) = _paper_traces(fig)
    assert dict(zip(paper.x, paper.y))["Proposed"] == pytest.approx(
        _paper("Fig. 7", "Proposed", "prediction accuracy"))
    assert "Offline" not in paper.x
    assert "%" in fig.layout.yaxis2.title.text and "Fig. 7" in paper.name


@pytest.mark.parametrize("dataset", ["geant", "kaggle"])
def test_utility_sweeps_draw_the_table4_values(dataset):
    df = _runs(settings=[{"Sigma": s} for s in (0.0, 30.0, 60.0)], dataset=dataset)
    t4 = df.rename(columns={"utility": "value"}).assign(metric="utility")
    figs = [plots.table4_figure(t4, dataset=dataset)]
    if dataset == "geant":
        figs.append(plots.fig9_deviation_figure(df))
    for fig in figs:
        paper = _paper_traces(fig)
        assert len(paper) == 3
        lstm = next(t for t in paper if "LSTM" in t.name and "Bi" not in t.name)
        assert list(lstm.x) == [0, 10, 20, 30, 40, 50, 60]
        table = ex.paper_numbers()
        table = table[(table.artefact == "Table 4") & (table.framework == "LSTM")
                      & (table.dataset == ex.PAPER_DATASETS[dataset]) & (table.metric == "utility")]
        assert list(lstm.y) == list(table["value"])
        assert all(s.startswith("Table 4") for s in lstm.customdata)
        assert "% of offline" in fig.layout.yaxis.title.text


def test_claim_verdicts_are_words():
    claims = pd.DataFrame({"claim": ["a", "b", "c"], "supported": [True, False, None]})
    assert list(plots.claim_verdicts(claims)) == ["supported", "not supported or inconclusive", "not run"]
    worded = claims.assign(verdict=["supported", "inconclusive", "not supported"])
    assert list(plots.claim_verdicts(worded)) == ["supported", "inconclusive", "not supported"]
    html = plots.claims_styled(worded).to_html()
    assert ">inconclusive<" in html and "True" not in html and "False" not in html
    assert plots.VERDICT_COLOURS["inconclusive"] in html


def test_summary_styled_uses_the_paper_names_and_rounds():
    s = ex.summarize_with_ci(_runs(), ["framework"], "throughput")
    html = plots.summary_styled(s, columns=["framework", "n", "mean", "ci95_low", "ci95_high"],
                                caption="Mean throughput (Mb/slot)", uuid="t").to_html()
    assert "Proposed" in html and "two-stage-made-up-forecaster" in html and "95% CI low" in html
    assert ">161.0<" in html and "Mean throughput (Mb/slot)" in html


def test_framework_colours_are_stable_and_known_ones_distinct():
    known = [fw for fw in plots.FRAMEWORK_COLORS]
    assert len(set(plots.FRAMEWORK_COLORS.values())) == len(known)
    assert plots.framework_color("two-stage-made-up-forecaster") == plots.framework_color(
        "two-stage-made-up-forecaster")
    assert plots.framework_color("two-stage-made-up-forecaster") in plots._FALLBACK_COLORS
