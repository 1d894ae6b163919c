"""``splitalloc.plots.common``: framework colours and names, verdict colours, estimates in
words, the paper's numbers as our figures draw them, the summary tables."""

from __future__ import annotations

import math

import pytest

from splitalloc import experiments as ex, plots
from splitalloc.experiments.judge import VERDICTS
from splitalloc.plots import common

from .frames import runs


def test_paper_values_maps_names_and_sources():
    t4 = plots.paper_values("Table 4", dataset="kaggle", metric="utility")
    assert set(t4["framework_id"]) == {"objective-driven", "two-stage-lstm", "two-stage-bilstm"}
    assert sorted(t4["Sigma"].unique()) == [0, 10, 20, 30, 40, 50, 60]
    assert set(t4["source"]) == {"Table 4, Kaggle"}
    f5 = plots.paper_values("Fig. 5")
    assert set(f5["framework_id"]) == {"objective-driven", "non-splitting"}
    # the non-splitting bar's source also says why it is a baseline (§V-A)
    assert {s.split(";")[0].removesuffix(", TOTEM") for s in f5["source"]} == {"Fig. 5, Sec. V-B"}


def test_percent_of_reference_is_paired_by_seed():
    rel = plots.percent_of_reference(runs(), "throughput").set_index(["framework", "seed"])
    assert rel.loc[("objective-driven", 2), "throughput"] == pytest.approx(100.0)
    assert rel.loc[("two-stage-lstm", 1), "throughput"] == pytest.approx(100 * 121 / 161)


def test_summary_styled_uses_the_paper_names_and_rounds():
    s = ex.summarize_with_ci(runs(), ["framework"], "throughput")
    html = plots.summary_styled(s, columns=["framework", "n", "mean", "ci95_low", "ci95_high"],
                                caption="Mean throughput (Mb/slot)", uuid="t").to_html()
    assert "Proposed" in html and "two-stage-made-up-forecaster" in html and "95% CI low" in html
    assert ">161.0<" in html and "Mean throughput (Mb/slot)" in html


def test_framework_colours_are_stable_and_known_ones_distinct():
    assert len(set(plots.FRAMEWORK_COLORS.values())) == len(plots.FRAMEWORK_COLORS)
    new = "two-stage-made-up-forecaster"
    assert plots.framework_color(new) == plots.framework_color(new)
    assert plots.framework_color(new) in plots.FALLBACK_COLORS
    assert plots.framework_label("objective-driven") == "Proposed" and plots.framework_label(new) == new
    assert common.ordered([new, "two-stage-lstm", "offline", new]) == ["offline", "two-stage-lstm", new]


def test_every_verdict_word_has_a_colour():
    assert set(VERDICTS) == set(plots.VERDICT_COLOURS)
    assert len({plots.VERDICT_COLOURS[v] for v in VERDICTS}) == len(VERDICTS)
    assert common.verdict_shading([VERDICTS[0], "no such verdict"]) == [
        f"background-color: {plots.VERDICT_COLOURS[VERDICTS[0]]}", "background-color: #ffffff"]


def test_format_estimate():
    assert plots.format_estimate(0.3796, 0.2238, 0.7055, unit="pp") == "+0.38 [+0.22, +0.71] pp"
    assert plots.format_estimate(1.1238, 1.0084, 1.2954, signed=False, decimals=1) == "1.1 [1.0, 1.3]"
    assert plots.format_estimate(2.0, math.nan, math.nan) == "+2.00"          # one seed: no CI
    assert plots.format_estimate(math.nan, 0.0, 1.0, unit="pp") == "n/a"
    assert plots.format_estimate(math.nan, 0.0, 1.0, missing="") == ""
